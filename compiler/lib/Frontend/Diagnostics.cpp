//===- Diagnostics.cpp - Source files and error reporting -----------------===//

#include "hebb/Frontend/Diagnostics.h"

#include <fstream>
#include <iostream>
#include <sstream>

using namespace hebb;

std::optional<uint32_t> SourceManager::addFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return addBuffer(path, text.str());
}

uint32_t SourceManager::addBuffer(const std::string &name, std::string text) {
  files.push_back({name, std::move(text)});
  return static_cast<uint32_t>(files.size() - 1);
}

std::string SourceManager::lineText(uint32_t id, uint32_t line) const {
  if (id >= files.size() || line == 0)
    return {};
  const std::string &text = files[id].text;
  size_t pos = 0;
  for (uint32_t l = 1; l < line; ++l) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos)
      return {};
    ++pos;
  }
  size_t end = text.find('\n', pos);
  std::string result = text.substr(
      pos, end == std::string::npos ? std::string::npos : end - pos);
  if (!result.empty() && result.back() == '\r')
    result.pop_back();
  return result;
}

DiagnosticEngine::DiagnosticEngine(const SourceManager &sources)
    : sources(sources), out(std::cerr) {}

DiagnosticEngine::DiagnosticEngine(const SourceManager &sources,
                                   std::ostream &out)
    : sources(sources), out(out) {}

static const char *severityName(Severity severity) {
  switch (severity) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  }
  return "error";
}

void DiagnosticEngine::report(Severity severity, ast::Loc loc,
                              const std::string &message) {
  if (severity == Severity::Error)
    ++errors;
  if (loc.file >= sources.numFiles() || loc.line == 0) {
    out << "hebb: " << severityName(severity) << ": " << message << "\n";
    return;
  }
  out << sources.path(loc.file) << ":" << loc.line << ":" << loc.col << ": "
      << severityName(severity) << ": " << message << "\n";
  std::string line = sources.lineText(loc.file, loc.line);
  out << line << "\n";
  // Keep tabs so the caret lines up under the same column in a terminal.
  std::string caret;
  for (uint32_t i = 1; i < loc.col && i - 1 < line.size(); ++i)
    caret += line[i - 1] == '\t' ? '\t' : ' ';
  out << caret << "^\n";
}

void DiagnosticEngine::errorNoLoc(const std::string &message) {
  ++errors;
  out << "hebb: error: " << message << "\n";
}
