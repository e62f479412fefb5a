//===- MemoryEstimate.cpp - What a network will need, before it runs ------===//

#include "hebb/runtime/MemoryEstimate.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sys/resource.h>
#include <vector>

using namespace hebb;
using namespace hebb::rt;

double MemoryEstimate::total() const {
  double sum = 0;
  for (const MemoryItem &item : items)
    sum += item.bytes;
  return sum;
}

double rt::expectedSynapses(const ProjectionSpec &p) {
  double pre = double(p.preEnd - p.preBegin),
         post = double(p.postEnd - p.postBegin);
  // Self-connections exist where the two slices of one population overlap.
  double overlap =
      p.pre == p.post
          ? std::max<double>(0, double(std::min(p.preEnd, p.postEnd) -
                                       std::max(p.preBegin, p.postBegin)))
          : 0;
  double self = p.noSelf ? overlap : 0;
  switch (p.connect) {
  case ConnectRule::All:
    return pre * post - self;
  case ConnectRule::OneToOne:
    return std::min(pre, post);
  case ConnectRule::Probability:
    return p.connectValue * (pre * post - self);
  case ConnectRule::InDegree:
    return p.connectValue * post;
  case ConnectRule::OutDegree:
    return p.connectValue * pre;
  case ConnectRule::Total:
    return p.connectValue;
  case ConnectRule::File:
    try {
      NpyArray header = readNpyHeader(p.connectFile);
      return header.shape.empty() ? 0 : double(header.shape[0]);
    } catch (const RuntimeError &) {
      return 0; // reported when the network is built
    }
  }
  return 0;
}

MemoryEstimate rt::estimateMemory(const NetworkSpec &spec) {
  MemoryEstimate estimate;
  for (const PopulationSpec &pop : spec.populations) {
    double perNeuron = 1 + 4 + 8; // spike flag, refractory count, spike count
    for (const FieldSpec &f : pop.fields)
      perNeuron += f.f64 ? 8 : 4;
    double bytes = perNeuron * double(pop.size);
    if (pop.stream)
      try {
        bytes += 4 * double(readNpyHeader(pop.stream->file).numElements());
      } catch (const RuntimeError &) {
      }
    estimate.items.push_back({"population " + pop.name, 0, bytes});
  }
  for (const ProjectionSpec &p : spec.projections) {
    double synapses = expectedSynapses(p);
    double pre = double(p.preEnd - p.preBegin),
           post = double(p.postEnd - p.postBegin);
    double perSynapse = 0, bytes = 0;
    for (const FieldSpec &f : p.fields) {
      double size = f.f64 ? 8 : 4;
      if (f.scope == "element")
        perSynapse += size;
      else
        bytes += size * (f.scope == "pre" ? pre : f.scope == "post" ? post : 1);
    }
    // Procedural synapses are drawn at each spike: row pointers alone.
    if (p.procedural())
      perSynapse = 0;
    // CSR: post and pre index and the transposed index per synapse, row
    // pointers per neuron; a dense matrix computes its indices.
    if (!p.dense && !p.procedural())
      perSynapse += 12;
    if (!p.dense)
      bytes += 4 * (pre + post + 2);
    bytes += perSynapse * synapses;
    estimate.items.push_back({"projection " + p.name, synapses, bytes});
  }
  // Each population keeps the spikes of the last maxDelay + 1 steps, one
  // (usually empty) list per step: negligible for the default one-step
  // delay, and what refuses a delay of years.
  int64_t maxDelay = 0;
  for (const ProjectionSpec &p : spec.projections)
    maxDelay = std::max(maxDelay, p.delaySteps);
  if (maxDelay > 1)
    estimate.items.push_back(
        {"spike history (delays)", 0,
         double(spec.populations.size()) * double(maxDelay + 1) *
             double(sizeof(std::vector<uint32_t>))});
  // State records are kept in memory until the run ends.
  int64_t steps = 0;
  for (const ScheduleStep &s : spec.schedule)
    if (s.kind == ScheduleStep::Run)
      steps += s.steps;
  double records = 0;
  for (const RecordSpec &r : spec.records) {
    if (r.kind == RecordSpec::Spikes)
      continue;
    // A monitor keeps one double per sample; a variable, float32 values.
    double width = !r.monitor.empty() ? 2
                   : r.kind == RecordSpec::PopulationState
                       ? double(r.end - r.begin)
                       : expectedSynapses(spec.projections[size_t(r.object)]);
    double samples = double(steps / std::max<int64_t>(1, r.everySteps) + 1);
    if (!r.atPhaseEnd.empty()) // one sample per end of its phase
      samples =
          double(std::count_if(spec.schedule.begin(), spec.schedule.end(),
                               [&](const ScheduleStep &s) {
                                 return s.kind == ScheduleStep::EndPhase &&
                                        s.signal == r.atPhaseEnd;
                               }));
    records += samples * (8 + 4 * width);
  }
  if (records > 0)
    estimate.items.push_back({"state records", 0, records});
  return estimate;
}

double rt::availableMemory() {
  double available = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") {
      available = kib * 1024;
      break;
    }
  struct rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    double cap = double(limit.rlim_cur);
    available = available > 0 ? std::min(available, cap) : cap;
  }
  return available;
}

std::string rt::formatBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes,
                units[u]);
  return text;
}

void rt::checkFits(const NetworkSpec &spec) {
  const double limit = double(std::numeric_limits<uint32_t>::max());
  for (const ProjectionSpec &p : spec.projections) {
    double synapses = expectedSynapses(p);
    if (synapses > limit)
      throw RuntimeError(
          "projection '" + p.name + "' would have about " +
          std::to_string(static_cast<long long>(synapses)) +
          " synapses, more than the 4294967295 that 32-bit synapse indices "
          "allow; split it into several projections");
  }
  MemoryEstimate estimate = estimateMemory(spec);
  double available = availableMemory();
  // A margin for what the estimate leaves out (spike queues, code).
  if (available > 0 && estimate.total() * 1.1 > available) {
    std::string largest;
    double most = -1;
    for (const MemoryItem &item : estimate.items)
      if (item.bytes > most) {
        most = item.bytes;
        largest = item.what + " (" + formatBytes(item.bytes) + ")";
      }
    throw RuntimeError("network '" + spec.name + "' needs about " +
                       formatBytes(estimate.total()) + " (" +
                       formatBytes(estimate.total() * 1.1) +
                       " with room for spike queues and code), but " +
                       formatBytes(available) +
                       " of memory are available; the largest part is " +
                       largest + " (hebbc --stats lists them)");
  }
}
