//===- RunPlots.cpp - The figures of a run directory ----------------------===//
//
// Reads run.json and the records it lists, and draws each record's
// figures next to it.
//
//===----------------------------------------------------------------------===//

#include "hebb/plot/Figures.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"
#include "hebb/runtime/Recorders.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

using namespace hebb;
using namespace hebb::plot;
using nlohmann::json;

namespace {
/// A heat map draws one cell per synapse: beyond this, it is skipped.
constexpr int64_t kMaxMatrixCells = 4000000;

struct RecordFiles {
  std::string data, time, pre, post; // paths; empty if absent
};

RecordFiles filesOf(const std::string &dir, const json &record) {
  RecordFiles out;
  std::string label = record.at("label").get<std::string>();
  for (const json &f : record.at("files")) {
    std::string name = f.at("file").get<std::string>();
    std::string path = rt::joinPath(dir, name);
    std::string rest = name.substr(0, name.size() - 4); // without .npy
    if (rest == label + "_t")
      out.time = path;
    else if (rest.size() > 4 && rest.substr(rest.size() - 4) == "_pre")
      out.pre = path;
    else if (rest.size() > 5 && rest.substr(rest.size() - 5) == "_post")
      out.post = path;
    else
      out.data = path; // the values, or a spike record's neuron indices
  }
  return out;
}

std::vector<int64_t> toIndices(const std::vector<double> &v) {
  return std::vector<int64_t>(v.begin(), v.end());
}

std::string timeText(double t) {
  char text[48];
  std::snprintf(text, sizeof text, "%.4g s", t);
  return text;
}
} // namespace

std::vector<std::string> plot::plotRun(const std::string &dir) {
  std::string path = rt::joinPath(dir, "run.json");
  std::ifstream in(path);
  if (!in)
    throw rt::RuntimeError("cannot read '" + path +
                           "': is this the output directory of a run?");
  json run;
  try {
    in >> run;
  } catch (const json::exception &e) {
    throw rt::RuntimeError("'" + path + "' is not valid JSON: " + e.what());
  }
  std::vector<std::string> written;
  auto emit = [&](const std::string &stem) {
    written.push_back(stem + ".png");
    written.push_back(stem + ".svg");
  };
  double duration = run.value("simulated_s", 0.0);
  std::string network = run.value("network", std::string());
  try {
    for (const json &record : run.at("records")) {
      std::string label = record.at("label").get<std::string>();
      std::string kind = record.at("kind").get<std::string>();
      std::string field = record.at("field").get<std::string>();
      std::string object = record.value("object", label);
      std::string unit = record.value("unit", std::string("1"));
      RecordFiles files = filesOf(dir, record);
      Figure figure;
      if (kind == "spikes") {
        Raster raster;
        raster.times = rt::readNpy(files.time).toDoubles();
        raster.neurons = toIndices(rt::readNpy(files.data).toDoubles());
        raster.size = record.value("size", int64_t(0));
        raster.duration = duration;
        figure.stem = rt::joinPath(dir, label + "_raster");
        figure.title = network + ": spikes of " + object + " (" +
                       std::to_string(raster.size) +
                       (raster.size == 1 ? " neuron)" : " neurons)");
        drawRaster(figure, raster);
        emit(figure.stem);
      } else if (kind == "monitor") {
        Traces traces;
        traces.times = rt::readNpy(files.time).toDoubles();
        traces.values = rt::readNpy(files.data).toDoubles();
        traces.count = 1;
        traces.legend = false;
        traces.variable = record.value("monitor", field);
        traces.unit = "1";
        figure.stem = rt::joinPath(dir, label + "_monitor");
        figure.title = network + ": " + object + "." + traces.variable;
        drawTraces(figure, traces);
        emit(figure.stem);
      } else if (kind == "population_state") {
        rt::NpyArray values = rt::readNpy(files.data);
        Traces traces;
        traces.times = rt::readNpy(files.time).toDoubles();
        traces.values = values.toDoubles();
        traces.count = values.shape.size() == 2 ? values.shape[1] : 1;
        traces.firstIndex = record.value("first_index", int64_t(0));
        traces.variable = field;
        traces.unit = unit;
        figure.stem = rt::joinPath(dir, label + "_traces");
        figure.title = network + ": " + object + "." + field;
        if (traces.count > 10)
          figure.title +=
              " (first 10 of " + std::to_string(traces.count) + " neurons)";
        drawTraces(figure, traces);
        emit(figure.stem);
      } else if (kind == "projection_state") {
        rt::NpyArray values = rt::readNpy(files.data);
        std::vector<double> all = values.toDoubles();
        std::vector<double> times = rt::readNpy(files.time).toDoubles();
        int64_t synapses = values.shape.size() == 2 ? values.shape[1] : 0;
        if (times.empty() || synapses == 0)
          continue;
        size_t last = times.size() - 1;
        WeightHistogram hist;
        hist.initial.assign(all.begin(), all.begin() + synapses);
        hist.final.assign(all.begin() + last * synapses,
                          all.begin() + (last + 1) * synapses);
        hist.tInitial = times.front();
        hist.tFinal = times.back();
        hist.variable = field;
        hist.unit = unit;
        figure.stem = rt::joinPath(dir, label + "_hist");
        figure.title = network + ": " + object + "." + field + " at " +
                       timeText(hist.tInitial) + " and " +
                       timeText(hist.tFinal);
        drawHistogram(figure, hist);
        emit(figure.stem);
        WeightMatrix matrix;
        matrix.numPre = record.value("pre_size", int64_t(0));
        matrix.numPost = record.value("post_size", int64_t(0));
        if (files.pre.empty() || files.post.empty() ||
            matrix.numPre * matrix.numPost > kMaxMatrixCells)
          continue;
        matrix.weights = std::move(hist.final);
        matrix.pre = toIndices(rt::readNpy(files.pre).toDoubles());
        matrix.post = toIndices(rt::readNpy(files.post).toDoubles());
        matrix.time = times.back();
        matrix.variable = field;
        matrix.unit = unit;
        Figure heat;
        heat.stem = rt::joinPath(dir, label + "_matrix");
        heat.title = network + ": " + object + "." + field + " at " +
                     timeText(matrix.time) + " (rows: post, columns: pre)";
        drawHeatmap(heat, matrix);
        emit(heat.stem);
      }
    }
  } catch (const json::exception &e) {
    throw rt::RuntimeError("'" + path +
                           "' lacks what a record needs: " + e.what());
  }
  return written;
}
