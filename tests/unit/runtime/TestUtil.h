//===- TestUtil.h - Helpers for runtime unit tests --------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_TESTS_UNIT_RUNTIME_TESTUTIL_H
#define HEBB_TESTS_UNIT_RUNTIME_TESTUTIL_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>

namespace hebb::rt::test {

/// A fresh temporary directory per test, removed afterwards.
class TempDir {
public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "hebb-rt-XXXXXX";
    if (!mkdtemp(pattern.data()))
      ADD_FAILURE() << "mkdtemp failed";
    dir = pattern;
  }
  ~TempDir() {
    std::string command = "rm -rf '" + dir + "'";
    (void)std::system(command.c_str());
  }
  std::string file(const std::string &name) const { return dir + "/" + name; }
  const std::string &path() const { return dir; }

private:
  std::string dir;
};

inline bool fileExists(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

} // namespace hebb::rt::test

#endif // HEBB_TESTS_UNIT_RUNTIME_TESTUTIL_H
