//===- RunReport.cpp - What a run tells its user --------------------------===//

#include "hebb/Driver/RunReport.h"
#include "hebb/runtime/Json.h"
#include "hebb/runtime/Npy.h"

#include "hebb/runtime/Recorders.h"
#include "hebb/runtime/Version.h"
#include "llvm/Config/llvm-config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>

using namespace hebb;

std::string hebb::textHistogram(const std::vector<double> &all, int bins,
                                int width) {
  // NaN and infinities have no bin: they are counted on a line of their own.
  std::vector<double> values;
  for (double v : all)
    if (std::isfinite(v))
      values.push_back(v);
  size_t nonFinite = all.size() - values.size();
  std::string tail =
      nonFinite
          ? "    non-finite (NaN or inf): " + std::to_string(nonFinite) + "\n"
          : "";
  if (values.empty())
    return tail;
  double lo = *std::min_element(values.begin(), values.end());
  double hi = *std::max_element(values.begin(), values.end());
  if (hi <= lo)
    hi = lo + 1e-12 * std::max(1.0, std::fabs(lo));
  std::vector<int64_t> counts(bins, 0);
  for (double v : values) {
    double at = (v - lo) / (hi - lo) * bins;
    int b = at >= bins ? bins - 1 : static_cast<int>(std::max(0.0, at));
    counts[b]++;
  }
  int64_t most = *std::max_element(counts.begin(), counts.end());
  std::string out;
  char line[160];
  for (int b = 0; b < bins; ++b) {
    double from = lo + (hi - lo) * b / bins,
           to = lo + (hi - lo) * (b + 1) / bins;
    int bar =
        most ? static_cast<int>(std::lround(double(counts[b]) * width / most))
             : 0;
    std::snprintf(line, sizeof line, "    [%10.4g, %10.4g%c %-*s %lld\n", from,
                  to, b == bins - 1 ? ']' : ')', width,
                  std::string(bar, '#').c_str(),
                  static_cast<long long>(counts[b]));
    out += line;
  }
  return out + tail;
}

ProgressPrinter::ProgressPrinter(std::FILE *out, bool terminal)
    : out(out), terminal(terminal) {}

std::string ProgressPrinter::line(double simulated, double total, double wall,
                                  bool bar) {
  double fraction = total > 0 ? std::clamp(simulated / total, 0.0, 1.0) : 1;
  double speed = wall > 0 ? simulated / wall : 0;
  char text[256];
  std::string drawn;
  if (bar) {
    const int width = 24;
    int filled = static_cast<int>(fraction * width);
    drawn = "[" + std::string(filled, '#') + std::string(width - filled, '.') +
            "] ";
  }
  std::string left = "?";
  if (fraction >= 1) {
    left = "0 s";
  } else if (speed > 0) {
    std::snprintf(text, sizeof text, "%.3g s", (total - simulated) / speed);
    left = text;
  }
  std::snprintf(text, sizeof text,
                "%3.0f%%  t = %.4g / %.4g s  wall %.3g s  %.3gx real time  "
                "%s left",
                100 * fraction, simulated, total, wall, speed, left.c_str());
  return "  " + drawn + text;
}

void ProgressPrinter::operator()(double simulated, double total, double wall) {
  if (finished)
    return;
  bool done = simulated >= total;
  int tenth = total > 0 ? static_cast<int>(10 * simulated / total) : 10;
  if (terminal) {
    if (!done && lastWall >= 0 && wall - lastWall < 0.2)
      return;
    std::fprintf(out, "\r%s\033[K", line(simulated, total, wall, true).c_str());
    if (done)
      std::fputc('\n', out);
  } else {
    if (!done && tenth <= lastTenth && wall - lastWall < 30)
      return;
    std::fprintf(out, "%s\n", line(simulated, total, wall, false).c_str());
  }
  std::fflush(out);
  lastWall = wall;
  lastTenth = tenth;
  finished = done;
}

static void meanStd(const std::vector<double> &v, double &mean, double &sd) {
  mean = 0;
  for (double x : v)
    mean += x;
  mean /= std::max<size_t>(1, v.size());
  double var = 0;
  for (double x : v)
    var += (x - mean) * (x - mean);
  sd = std::sqrt(var / std::max<size_t>(1, v.size()));
}

void hebb::printSummary(std::ostream &os, const rt::Network &network,
                        const RunInfo &info) {
  const rt::NetworkSpec &spec = network.networkSpec();
  double simulated = network.time();
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %.6g s simulated in %.3g s (%.3gx real time); compiled "
                "in %.3g s%s, built in %.3g s\n",
                spec.name.c_str(), simulated, info.runSeconds,
                info.runSeconds > 0 ? simulated / info.runSeconds : 0.0,
                info.compileSeconds,
                info.kernelsFromCache ? " (kernels from the cache)" : "",
                info.buildSeconds);
  os << line;
  for (size_t p = 0; p < spec.populations.size(); ++p) {
    const rt::PopulationSpec &pop = spec.populations[p];
    std::snprintf(line, sizeof line, "  population %-10s %8lld x %-10s",
                  pop.name.c_str(), static_cast<long long>(pop.size),
                  pop.model.c_str());
    os << line;
    if (pop.spiking) {
      // Rates per neuron: their mean and spread across the population.
      std::vector<double> rates;
      for (int64_t count : network.spikeCounts(static_cast<int>(p)))
        rates.push_back(simulated > 0 ? count / simulated : 0);
      double mean, sd;
      meanStd(rates, mean, sd);
      std::snprintf(line, sizeof line, " rate %.4g Hz (std %.3g Hz)\n", mean,
                    sd);
    } else if (!pop.fields.empty()) {
      // A rate population: the mean and spread of its first variable.
      const std::string &field = pop.fields.front().name;
      std::vector<double> v =
          network.populationField(static_cast<int>(p), field);
      double mean, sd;
      meanStd(v, mean, sd);
      std::snprintf(line, sizeof line, " %s: mean %.4g, std %.4g\n",
                    field.c_str(), mean, sd);
    } else {
      std::snprintf(line, sizeof line, "\n");
    }
    os << line;
  }
  for (size_t k = 0; k < spec.projections.size(); ++k) {
    const rt::ProjectionSpec &proj = spec.projections[k];
    std::snprintf(line, sizeof line,
                  "  projection %-10s %8zu synapses (%s%s)\n",
                  proj.name.c_str(), network.numSynapses(static_cast<int>(k)),
                  proj.model.c_str(), proj.procedural() ? ", procedural" : "");
    os << line;
    // A plastic projection's weights: its variable `w`, else its first
    // per-synapse variable.
    bool plastic = !proj.learn.empty() || proj.onPost || !proj.onEnd.empty();
    const rt::FieldSpec *weight = nullptr;
    for (const rt::FieldSpec &f : proj.fields) {
      bool visible = f.scope == "element" && f.name.rfind("__", 0) != 0;
      if (visible && (!weight || f.name == "w"))
        weight = &f;
    }
    if (plastic && weight) {
      std::vector<double> w =
          network.projectionField(static_cast<int>(k), weight->name);
      if (w.empty())
        continue;
      double mean, sd;
      meanStd(w, mean, sd);
      std::snprintf(line, sizeof line,
                    "    %s: mean %.4g, std %.4g, min %.4g, max %.4g\n",
                    weight->name.c_str(), mean, sd,
                    *std::min_element(w.begin(), w.end()),
                    *std::max_element(w.begin(), w.end()));
      os << line << textHistogram(w, 10, 40);
    }
  }
}

void hebb::writeRunJson(const std::string &dir, const rt::Network &network,
                        const RunInfo &info) {
  const rt::NetworkSpec &spec = network.networkSpec();
  rt::JsonWriter j;
  j.beginObject();
  j.field("program", info.program);
  j.field("source", info.source);
  j.field("network", spec.name);
  j.field("hebb_version", std::string(HEBB_VERSION_STRING));
  j.field("llvm_version", std::string(LLVM_VERSION_STRING));
  j.field("dt_s", spec.dt);
  j.field("seed", static_cast<unsigned long long>(spec.seed));
  j.field("steps", static_cast<long long>(network.steps()));
  j.field("simulated_s", network.time());
  j.field("kernels_from_cache", info.kernelsFromCache);
  j.key("timings_s").beginObject();
  j.field("compile", info.compileSeconds);
  j.field("build", info.buildSeconds);
  j.field("run", info.runSeconds);
  j.endObject();
  auto params = [&](const std::vector<rt::ParamSpec> &ps) {
    j.beginObject();
    for (const rt::ParamSpec &p : ps) {
      if (p.name.rfind("__", 0) == 0) // initial values' constants
        continue;
      j.key(p.name).beginObject();
      j.field("value", p.value);
      j.field("unit", p.unit);
      j.endObject();
    }
    j.endObject();
  };
  j.key("parameters");
  params(spec.params);
  j.key("populations").beginArray();
  for (size_t p = 0; p < spec.populations.size(); ++p) {
    const rt::PopulationSpec &pop = spec.populations[p];
    j.beginObject();
    j.field("name", pop.name);
    j.field("model", pop.model);
    j.field("size", static_cast<long long>(pop.size));
    j.field("spikes", static_cast<long long>(network.spikeCount(int(p))));
    j.key("parameters");
    params(pop.params);
    j.endObject();
  }
  j.endArray();
  j.key("projections").beginArray();
  for (size_t k = 0; k < spec.projections.size(); ++k) {
    const rt::ProjectionSpec &proj = spec.projections[k];
    j.beginObject();
    j.field("name", proj.name);
    j.field("model", proj.model);
    j.field("pre", spec.populations[proj.pre].name);
    j.field("post", spec.populations[proj.post].name);
    j.field("synapses", static_cast<unsigned long long>(
                            network.numSynapses(static_cast<int>(k))));
    j.key("parameters");
    params(proj.params);
    j.endObject();
  }
  j.endArray();
  j.key("records").beginArray();
  for (size_t r = 0; r < spec.records.size(); ++r) {
    const rt::RecordSpec &rec = spec.records[r];
    j.beginObject();
    j.field("label", rec.label);
    j.field("kind", std::string(!rec.monitor.empty()                 ? "monitor"
                                : rec.kind == rt::RecordSpec::Spikes ? "spikes"
                                : rec.kind == rt::RecordSpec::PopulationState
                                    ? "population_state"
                                    : "projection_state"));
    if (!rec.monitor.empty())
      j.field("monitor", rec.monitor);
    j.field("field", rec.field);
    j.field("unit", rec.unit);
    if (rec.kind == rt::RecordSpec::ProjectionState && rec.monitor.empty()) {
      const rt::ProjectionSpec &proj = spec.projections[rec.object];
      j.field("object", proj.name);
      j.field("pre_size", static_cast<long long>(proj.preEnd - proj.preBegin));
      j.field("post_size",
              static_cast<long long>(proj.postEnd - proj.postBegin));
    } else if (rec.kind == rt::RecordSpec::ProjectionState) {
      j.field("object", spec.projections[rec.object].name); // a monitor
    } else {
      j.field("object", spec.populations[rec.object].name);
      j.field("first_index", static_cast<long long>(rec.begin));
      j.field("size", static_cast<long long>(rec.end - rec.begin));
    }
    if (rec.atPhaseEnd.empty())
      j.field("every_s", rec.everySteps * spec.dt);
    else
      j.field("at_end", rec.atPhaseEnd);
    // Each file with its shape, read back from what was written.
    j.key("files").beginArray();
    if (r < info.recordFiles.size())
      for (const std::string &f : info.recordFiles[r]) {
        j.beginObject();
        j.field("file", std::filesystem::path(f).filename().string());
        j.key("shape").beginArray();
        for (int64_t d : rt::readNpyHeader(f).shape)
          j.value(static_cast<long long>(d));
        j.endArray();
        j.endObject();
      }
    j.endArray();
    j.endObject();
  }
  j.endArray();
  j.endObject();
  std::string path = rt::joinPath(dir, "run.json");
  std::ofstream out(path + ".tmp");
  out << j.str() << "\n";
  out.close();
  std::filesystem::rename(path + ".tmp", path);
}

void hebb::printProfile(std::ostream &os, const rt::Network &network,
                        double runSeconds) {
  std::vector<rt::ProfileEntry> entries = network.profile();
  double counted = 0;
  for (const rt::ProfileEntry &e : entries)
    counted += e.seconds;
  os << "profile (" << network.steps() << " steps, " << std::fixed
     << std::setprecision(3) << runSeconds << " s):\n";
  auto line = [&](const std::string &name, int64_t calls, double seconds) {
    os << "  " << std::left << std::setw(36) << name << std::right
       << std::setw(10) << calls << " calls " << std::setw(9)
       << std::setprecision(4) << seconds << " s " << std::setw(6)
       << std::setprecision(1)
       << (runSeconds > 0 ? 100 * seconds / runSeconds : 0) << " %";
    if (calls > 0)
      os << "  " << std::setprecision(2) << 1e6 * seconds / calls << " us/call";
    os << "\n";
  };
  for (const rt::ProfileEntry &e : entries)
    line(e.name, e.calls, e.seconds);
  line("(the rest of the step)", 0, std::max(0.0, runSeconds - counted));
  os.unsetf(std::ios::fixed);
}
