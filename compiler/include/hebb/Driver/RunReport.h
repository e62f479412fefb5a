//===- RunReport.h - What a run tells its user ------------------*- C++ -*-===//
//
// The summary `hebb run` prints at the end (rates, weight statistics with a
// text histogram, speed) and the run.json that lists a run's records.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_RUNREPORT_H
#define HEBB_DRIVER_RUNREPORT_H

#include "hebb/runtime/Network.h"

#include <ostream>
#include <string>
#include <vector>

namespace hebb {

struct RunInfo {
  std::string program; // the .hebb file
  double compileSeconds = 0;
  double runSeconds = 0;
  std::vector<std::vector<std::string>> recordFiles; // per record
};

/// Prints rates per population and weight statistics per projection.
void printSummary(std::ostream &os, const rt::Network &network,
                  const RunInfo &info);

/// The time per kernel and runtime task of a profiled run, largest first,
/// with each one's share of `runSeconds`.
void printProfile(std::ostream &os, const rt::Network &network,
                  double runSeconds);

/// A histogram of `values` as text, one line per bin.
std::string textHistogram(const std::vector<double> &values, int bins,
                          int width);

/// Writes `dir`/run.json.
void writeRunJson(const std::string &dir, const rt::Network &network,
                  const RunInfo &info);

} // namespace hebb

#endif // HEBB_DRIVER_RUNREPORT_H
