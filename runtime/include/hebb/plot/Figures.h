//===- Figures.h - What a scientist looks at after a run --------*- C++ -*-===//
//
// Spike rasters with the population rate beneath, state traces, weight
// histograms and weight matrices, drawn with cairo into a PNG and an SVG
// file each. The data come from a run's records; plotRun() reads a run's
// directory (run.json and the .npy files) and draws every figure it can.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_PLOT_FIGURES_H
#define HEBB_PLOT_FIGURES_H

#include <cstdint>
#include <string>
#include <vector>

namespace hebb::plot {

/// Where a figure goes (`stem`.png and `stem`.svg), its size in pixels and
/// its title.
struct Figure {
  std::string stem;
  std::string title;
  int width = 900;
  int height = 600;
};

/// A rectangle of a figure, in pixels from its top left corner.
struct Rect {
  double x = 0, y = 0, width = 0, height = 0;
};

/// Spikes of `size` neurons (indices from 0) over [0, duration).
struct Raster {
  std::vector<double> times;
  std::vector<int64_t> neurons;
  int64_t size = 0;
  double duration = 0;
};

/// The spike raster above the population rate, in bins of `binWidth`
/// seconds (the rate is the spike count per neuron and second).
struct RasterLayout {
  Rect raster, rate;
  double binWidth = 0;
  int64_t shownNeurons = 0; // the first neurons, when there are many spikes
};
RasterLayout rasterLayout(const Figure &figure, const Raster &data);
void drawRaster(const Figure &figure, const Raster &data);

/// Samples of `count` variables at `times`: values[k * count + n].
struct Traces {
  std::vector<double> times;
  std::vector<double> values;
  int64_t count = 0;
  int64_t firstIndex = 0; // the neuron index of the first trace
  std::string variable;
  std::string unit;   // SI, such as "V"; "" or "1" for none
  bool legend = true; // one "neuron k" entry per trace
};
/// The plot area; the value axis spans [low, high] in `unit`'s display
/// scale (a value v is drawn at v * scale).
struct TraceLayout {
  Rect area;
  double tLow = 0, tHigh = 0, low = 0, high = 0, scale = 1;
  std::string unit;  // the unit values are shown in ("mV")
  int64_t shown = 0; // at most 10 traces are drawn
};
TraceLayout traceLayout(const Figure &figure, const Traces &data);
void drawTraces(const Figure &figure, const Traces &data);

/// The weights of a projection at two times.
struct WeightHistogram {
  std::vector<double> initial, final;
  double tInitial = 0, tFinal = 0;
  std::string variable;
  std::string unit;
};
struct HistogramLayout {
  Rect area;
  double low = 0, high = 0, scale = 1; // the value axis, displayed
  std::string unit;
  int bins = 40;
};
HistogramLayout histogramLayout(const Figure &figure,
                                const WeightHistogram &data);
void drawHistogram(const Figure &figure, const WeightHistogram &data);

/// The weights of synapses (pre[s], post[s]) as a numPost x numPre matrix.
struct WeightMatrix {
  std::vector<double> weights;
  std::vector<int64_t> pre, post;
  int64_t numPre = 0, numPost = 0;
  double time = 0;
  std::string variable;
  std::string unit;
};
/// Row j (postsynaptic neuron j) and column i of the matrix fill the cell
/// of `area` at [i, i + 1) x [j, j + 1) in units of the cell size.
struct HeatmapLayout {
  Rect area, colorbar;
  double low = 0, high = 0; // the color scale, in SI
  bool diverging = false;   // weights of both signs: blue, white, red
};
HeatmapLayout heatmapLayout(const Figure &figure, const WeightMatrix &data);
void drawHeatmap(const Figure &figure, const WeightMatrix &data);

/// The color (r, g, b in [0, 1]) of value `v` in a heat map's color scale.
void heatmapColor(const HeatmapLayout &layout, double v, double rgb[3]);

/// Draws every figure the records of the run in `dir` allow: a raster per
/// spike record, traces per state record of a population, and a
/// histogram and a heat map per state record of a projection. Returns the
/// files written. Throws rt::RuntimeError when run.json or a record cannot
/// be read.
std::vector<std::string> plotRun(const std::string &dir);

} // namespace hebb::plot

#endif // HEBB_PLOT_FIGURES_H
