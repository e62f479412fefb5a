//===- Parser.h - Hebb source to AST ----------------------------*- C++ -*-===//
//
// The only entry into the ANTLR-generated parser. Callers get plain AST.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_PARSER_H
#define HEBB_FRONTEND_PARSER_H

#include "hebb/Frontend/AST.h"
#include "hebb/Frontend/Diagnostics.h"

#include <optional>

namespace hebb {

/// Parses the file `fileId` of `sources`. Syntax errors are reported to
/// `diags` as `file:line:col: error: ...`; returns nullopt if there were any.
std::optional<ast::File> parseFile(const SourceManager &sources,
                                   uint32_t fileId, DiagnosticEngine &diags);

} // namespace hebb

#endif // HEBB_FRONTEND_PARSER_H
