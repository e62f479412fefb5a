//===- ASTDumper.h - Print the AST as an indented tree ----------*- C++ -*-===//
//
// What `hebbc --emit=ast` prints. The format is deterministic and stable so
// that lit tests can FileCheck it: one node per line, two spaces of indent
// per level, expressions fully parenthesised with their units, and `@line:col`
// after top-level declarations.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_ASTDUMPER_H
#define HEBB_FRONTEND_ASTDUMPER_H

#include "hebb/Frontend/AST.h"
#include "hebb/Frontend/Diagnostics.h"

#include <iosfwd>
#include <string>

namespace hebb {

/// Prints `file` as an indented tree.
void dumpAST(const ast::File &file, const SourceManager &sources,
             std::ostream &os);

/// An expression as one fully parenthesised line: `((- apre) / tau_pre)`.
std::string exprToString(const ast::Expr &expr);

/// The shortest decimal text that reads back as exactly `value`: `0.0105`
/// rather than `0.010500000000000001`, `3200` rather than `3.2e+03`.
std::string formatNumber(double value);

/// A unit as written: `ms`, `[mV/ms^2]`, `[nS*mV]`; "" when dimensionless.
std::string unitToString(const ast::UnitText &unit);

} // namespace hebb

#endif // HEBB_FRONTEND_ASTDUMPER_H
