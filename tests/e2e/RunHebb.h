//===- RunHebb.h - Running the tools from end-to-end tests ------*- C++ -*-===//

#ifndef HEBB_TESTS_E2E_RUNHEBB_H
#define HEBB_TESTS_E2E_RUNHEBB_H

#include "hebb/runtime/Npy.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace hebb::test {

struct CommandResult {
  int exitCode = -1;
  std::string output; // stdout and stderr
};

/// Runs a shell command, capturing its output.
inline CommandResult runCommand(const std::string &command) {
  CommandResult result;
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return result;
  std::array<char, 4096> chunk;
  size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
    result.output.append(chunk.data(), n);
  int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string sourcePath(const std::string &relative) {
  return std::string(HEBB_SOURCE_DIR) + "/" + relative;
}

/// `hebb run FILE --out DIR --quiet EXTRA`; DIR is a fresh folder per name.
inline CommandResult hebbRun(const std::string &file, const std::string &name,
                             const std::string &extra = "") {
  std::string dir = std::string(HEBB_TEST_OUT_DIR) + "/" + name;
  std::filesystem::remove_all(dir);
  return runCommand(std::string(HEBB_BIN_DIR) + "/hebb run " + file +
                    " --out " + dir + " --quiet " + extra);
}

inline std::string outPath(const std::string &name, const std::string &file) {
  return std::string(HEBB_TEST_OUT_DIR) + "/" + name + "/" + file;
}

inline std::vector<double> loadDoubles(const std::string &path) {
  return rt::readNpy(path).toDoubles();
}

} // namespace hebb::test

#endif // HEBB_TESTS_E2E_RUNHEBB_H
