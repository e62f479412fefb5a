//===- Repl.h - hebb repl: an interactive session ---------------*- C++ -*-===//

#ifndef HEBB_TOOLS_HEBB_REPL_H
#define HEBB_TOOLS_HEBB_REPL_H

#include <string>
#include <vector>

namespace hebb {

struct ReplOptions {
  std::vector<std::string> files;    // loaded before the first prompt
  std::vector<std::string> settings; // --set dt=..., seed=...
  std::string batchFile;             // --batch: run this script
  std::string precision = "f32";
};

/// Runs a session: interactive with line editing on a terminal, else a
/// script read from standard input or --batch that stops at the first
/// error. Returns the exit status.
int runRepl(const ReplOptions &options);

} // namespace hebb

#endif // HEBB_TOOLS_HEBB_REPL_H
