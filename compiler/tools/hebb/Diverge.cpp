//===- Diverge.cpp - hebb diverge: two runs compared record by record -----===//

#include "Diverge.h"

#include "hebb/runtime/Monitors.h"
#include "hebb/runtime/Npy.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

namespace fs = std::filesystem;
using namespace hebb;

namespace {
/// The labels of the records a run wrote, from its run.json (each record's
/// values are LABEL.npy).
std::vector<std::string> recordLabels(const std::string &dir) {
  std::string path = dir + "/run.json";
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read '" + path +
                             "': is this the output directory of a run?");
  std::vector<std::string> labels;
  try {
    nlohmann::json run = nlohmann::json::parse(in);
    for (const nlohmann::json &record : run.at("records"))
      labels.push_back(record.at("label").get<std::string>());
  } catch (const nlohmann::json::exception &e) {
    throw std::runtime_error("'" + path +
                             "' is not a run's record list: " + e.what());
  }
  return labels;
}
} // namespace

int hebb::compareRuns(const std::string &runA, const std::string &runB,
                      const std::string &outDir) {
  try {
    for (const std::string &dir : {runA, runB})
      if (!fs::is_directory(dir))
        throw std::runtime_error("'" + dir + "' is not a run directory");
    std::vector<std::string> labels = recordLabels(runA);
    if (!outDir.empty())
      fs::create_directories(outDir);
    int compared = 0;
    std::printf("%-32s %8s %12s %12s %12s\n", "record", "samples", "first",
                "last", "last/first");
    for (const std::string &name : labels) {
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
