//===- Diagnostics.h - Source files and error reporting ---------*- C++ -*-===//
//
// Errors print as `file:line:col: error: message`, then the source line and a
// caret under the column, as clang does.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_FRONTEND_DIAGNOSTICS_H
#define HEBB_FRONTEND_DIAGNOSTICS_H

#include "hebb/Frontend/AST.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hebb {

/// Owns the text of every file the front end reads.
class SourceManager {
public:
  /// Reads `path`; returns its id, or nullopt if it cannot be read.
  std::optional<uint32_t> addFile(const std::string &path);
  /// Adds text that did not come from disk (the REPL, tests).
  uint32_t addBuffer(const std::string &name, std::string text);

  const std::string &path(uint32_t id) const { return files[id].path; }
  const std::string &text(uint32_t id) const { return files[id].text; }
  /// The text of 1-based `line`, without its newline.
  std::string lineText(uint32_t id, uint32_t line) const;
  size_t numFiles() const { return files.size(); }

private:
  struct FileEntry {
    std::string path;
    std::string text;
  };
  std::vector<FileEntry> files;
};

enum class Severity { Error, Warning, Note };

/// Collects and prints diagnostics. Printing happens immediately, to the
/// stream given at construction (stderr by default).
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceManager &sources);
  DiagnosticEngine(const SourceManager &sources, std::ostream &out);

  void report(Severity severity, ast::Loc loc, const std::string &message);
  void error(ast::Loc loc, const std::string &message) {
    report(Severity::Error, loc, message);
  }
  void warning(ast::Loc loc, const std::string &message) {
    report(Severity::Warning, loc, message);
  }
  void note(ast::Loc loc, const std::string &message) {
    report(Severity::Note, loc, message);
  }
  /// An error that belongs to no source position: `hebbc: error: ...`.
  void errorNoLoc(const std::string &message);

  unsigned numErrors() const { return errors; }
  bool hasErrors() const { return errors != 0; }

private:
  const SourceManager &sources;
  std::ostream &out;
  unsigned errors = 0;
};

} // namespace hebb

#endif // HEBB_FRONTEND_DIAGNOSTICS_H
