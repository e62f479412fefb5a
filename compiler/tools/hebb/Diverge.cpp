//===- Diverge.cpp - hebb diverge: two runs compared record by record -----===//

#include "Diverge.h"

#include "hebb/runtime/Monitors.h"
#include "hebb/runtime/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

namespace fs = std::filesystem;
using namespace hebb;

namespace {
/// Records of a run directory: its .npy files other than the times
/// (_t.npy) and the synapse indices (_pre.npy, _post.npy).
std::vector<std::string> recordNames(const std::string &dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry &e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    auto endsWith = [&](const std::string &suffix) {
      return name.size() >= suffix.size() &&
             name.compare(name.size() - suffix.size(), suffix.size(), suffix) ==
                 0;
    };
    if (endsWith(".npy") && !endsWith("_t.npy") && !endsWith("_pre.npy") &&
        !endsWith("_post.npy") && !endsWith("_divergence.npy"))
      names.push_back(name.substr(0, name.size() - 4));
  }
  std::sort(names.begin(), names.end());
  return names;
}
} // namespace

int hebb::compareRuns(const std::string &runA, const std::string &runB,
                      const std::string &outDir) {
  try {
    for (const std::string &dir : {runA, runB})
      if (!fs::is_directory(dir))
        throw std::runtime_error("'" + dir + "' is not a run directory");
    if (!outDir.empty())
      fs::create_directories(outDir);
    int compared = 0;
    std::printf("%-32s %8s %12s %12s %12s\n", "record", "samples", "first",
                "last", "last/first");
    for (const std::string &name : recordNames(runA)) {
      std::string pathB = runB + "/" + name + ".npy";
      if (!fs::exists(pathB))
        continue;
      rt::NpyArray a = rt::readNpy(runA + "/" + name + ".npy");
      rt::NpyArray b = rt::readNpy(pathB);
      if (a.shape != b.shape || a.shape.empty() || a.shape[0] == 0) {
        std::printf("%-32s (shapes differ: not compared)\n", name.c_str());
        continue;
      }
      size_t cols = a.shape.size() == 1
                        ? 1
                        : size_t(a.numElements()) / size_t(a.shape[0]);
      std::vector<double> d =
          rt::rowDistances(a.toDoubles(), b.toDoubles(), cols);
      if (d.empty())
        continue;
      double growth = d.front() > 0  ? d.back() / d.front()
                      : d.back() > 0 ? INFINITY
                                     : 1.0;
      std::printf("%-32s %8zu %12.4g %12.4g %12.4g\n", name.c_str(), d.size(),
                  d.front(), d.back(), growth);
      if (!outDir.empty())
        rt::writeNpy(outDir + "/" + name + "_divergence.npy", d,
                     {int64_t(d.size())});
      ++compared;
    }
    if (compared == 0)
      throw std::runtime_error("'" + runA + "' and '" + runB +
                               "' have no record in common");
  } catch (const std::exception &e) {
    std::cerr << "hebb: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
