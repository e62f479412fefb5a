//===- RunReport.h - What a run tells its user ------------------*- C++ -*-===//
//
// The summary `hebb run` prints at the end (rates, weight statistics with a
// text histogram, speed) and the run.json that lists a run's records.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_DRIVER_RUNREPORT_H
#define HEBB_DRIVER_RUNREPORT_H

#include "hebb/runtime/Network.h"

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace hebb {

struct RunInfo {
  std::string program; // the .hebb file
  std::string source;  // its text
  double compileSeconds = 0;
  bool kernelsFromCache = false; // compile loaded them (KernelCache.h)
  /// Making the network: buffers, connectivity, initial values.
  double buildSeconds = 0;
  double runSeconds = 0;
  std::vector<std::vector<std::string>> recordFiles; // per record
};

/// Shows a long run's progress on stderr: on a terminal, one line redrawn
/// at most 5 times a second with a bar, the simulated and wall time, the
/// speed and the time remaining; otherwise a line at each tenth of the run
/// or every 30 s, whichever comes first. The end is always shown.
class ProgressPrinter {
public:
  explicit ProgressPrinter(std::FILE *out, bool terminal);
  void operator()(double simulated, double total, double wallSeconds);
  /// The line for a state of the run, without the terminal's redraw.
  static std::string line(double simulated, double total, double wallSeconds,
                          bool bar);

private:
  std::FILE *out;
  bool terminal;
  double lastWall = -1;
  int lastTenth = 0;
  bool finished = false;
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
