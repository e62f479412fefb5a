//===- Figures.cpp - Rasters, traces, histograms and heat maps ------------===//

#include "hebb/plot/Figures.h"
#include "Axes.h"
#include "Canvas.h"

#include <algorithm>
#include <cmath>

using namespace hebb;
using namespace hebb::plot;

namespace {
/// Spikes drawn at most: beyond, the raster shows the first neurons only,
/// so that the SVG stays a file one can open.
constexpr size_t kMaxSpikes = 200000;
constexpr int64_t kMaxTraces = 10;

double largestMagnitude(const std::vector<double> &v) {
  double m = 0;
  for (double x : v)
    if (std::isfinite(x))
      m = std::max(m, std::fabs(x));
  return m;
}

void finiteRange(const std::vector<double> &v, double &low, double &high) {
  low = INFINITY;
  high = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) {
      low = std::min(low, x);
      high = std::max(high, x);
    }
}

/// The unit `values` (in SI `unit`) are shown in, and their range in it:
/// widened by `margin` of its span on each side, then to round ticks.
DisplayUnit valueAxis(const std::vector<double> &values,
                      const std::string &unit, double margin, double &low,
                      double &high) {
  DisplayUnit shown = displayUnit(unit, largestMagnitude(values));
  finiteRange(values, low, high);
  double pad = margin * (high - low);
  low = (low - pad) * shown.scale;
  high = (high + pad) * shown.scale;
  niceRange(low, high);
  return shown;
}
} // namespace

//===----------------------------------------------------------------------===//
// Raster
//===----------------------------------------------------------------------===//

RasterLayout plot::rasterLayout(const Figure &figure, const Raster &data) {
  RasterLayout l;
  Rect all = plotArea(figure);
  double gap = 14, rateHeight = std::round(all.height * 0.28);
  l.raster = {all.x, all.y, all.width, all.height - rateHeight - gap};
  l.rate = {all.x, all.y + all.height - rateHeight, all.width, rateHeight};
  l.binWidth = data.duration > 0 ? data.duration / 200 : 1;
  l.shownNeurons = data.size;
  if (data.times.size() > kMaxSpikes) {
    // Neurons fire at different rates: count, then keep a prefix.
    std::vector<size_t> perNeuron(size_t(std::max<int64_t>(data.size, 0)), 0);
    for (int64_t n : data.neurons)
      if (n >= 0 && n < data.size)
        ++perNeuron[size_t(n)];
    size_t total = 0;
    int64_t shown = 0;
    while (shown < data.size && total + perNeuron[size_t(shown)] <= kMaxSpikes)
      total += perNeuron[size_t(shown++)];
    l.shownNeurons = std::max<int64_t>(shown, 1);
  }
  return l;
}

void plot::drawRaster(const Figure &figure, const Raster &data) {
  RasterLayout l = rasterLayout(figure, data);
  double duration = data.duration > 0 ? data.duration : 1;
  // Population rate per bin, over all neurons.
  size_t bins = size_t(std::ceil(duration / l.binWidth - 1e-9));
  std::vector<double> rate(std::max<size_t>(bins, 1), 0);
  for (double t : data.times) {
    size_t b = size_t(std::clamp(t / l.binWidth, 0.0, double(rate.size() - 1)));
    rate[b] += 1.0 / (l.binWidth * std::max<int64_t>(data.size, 1));
  }
  double rateHigh = std::max(1e-9, *std::max_element(rate.begin(), rate.end()));
  double rateLow = 0;
  niceRange(rateLow, rateHigh);
  renderFigure(figure, [&](cairo_t *cr) {
    drawTitle(cr, figure);
    Frame top{l.raster, 0, duration, -0.5, double(l.shownNeurons) - 0.5};
    top.yIntegers = true;
    double rowHeight = l.raster.height / std::max<int64_t>(l.shownNeurons, 1);
    double mark = std::clamp(rowHeight, 1.0, 4.0);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.2);
    for (size_t k = 0; k < data.times.size(); ++k) {
      int64_t n = data.neurons[k];
      if (n < 0 || n >= l.shownNeurons)
        continue;
      double x = top.x(data.times[k]), y = top.y(double(n));
      cairo_rectangle(cr, std::floor(x - 0.5), std::floor(y - mark / 2),
                      std::max(1.0, std::min(2.0, l.raster.width / 400)), mark);
    }
    cairo_fill(cr);
    std::string neurons = l.shownNeurons < data.size
                              ? "neuron (first " +
                                    std::to_string(l.shownNeurons) + " of " +
                                    std::to_string(data.size) + ")"
                              : "neuron";
    drawAxes(cr, top, "", neurons, /*xTicks=*/false);
    Frame bottom{l.rate, 0, duration, rateLow, rateHigh};
    cairo_set_source_rgb(cr, 0.12, 0.47, 0.71);
    cairo_move_to(cr, bottom.x(0), bottom.y(0));
    for (size_t b = 0; b < rate.size(); ++b) {
      double from = b * l.binWidth, to = std::min(duration, from + l.binWidth);
      cairo_line_to(cr, bottom.x(from), bottom.y(rate[b]));
      cairo_line_to(cr, bottom.x(to), bottom.y(rate[b]));
    }
    cairo_line_to(cr, bottom.x(duration), bottom.y(0));
    cairo_close_path(cr);
    cairo_fill(cr);
    drawAxes(cr, bottom, "t (s)", "rate (Hz)");
  });
}

//===----------------------------------------------------------------------===//
// Traces
//===----------------------------------------------------------------------===//

TraceLayout plot::traceLayout(const Figure &figure, const Traces &data) {
  TraceLayout l;
  l.area = plotArea(figure);
  l.shown = std::min(data.count, kMaxTraces);
  std::vector<double> shownValues;
  size_t samples = data.times.size();
  for (size_t k = 0; k < samples; ++k)
    for (int64_t n = 0; n < l.shown; ++n)
      shownValues.push_back(data.values[k * data.count + n]);
  // A margin, so that a flat trace does not lie on the frame.
  DisplayUnit shown = valueAxis(shownValues, data.unit, 0.05, l.low, l.high);
  l.scale = shown.scale;
  l.unit = shown.shown;
  l.tLow = samples ? data.times.front() : 0;
  l.tHigh = samples ? data.times.back() : 1;
  if (l.tHigh <= l.tLow)
    l.tHigh = l.tLow + 1;
  return l;
}

void plot::drawTraces(const Figure &figure, const Traces &data) {
  TraceLayout l = traceLayout(figure, data);
  const std::string &unit = l.unit;
  renderFigure(figure, [&](cairo_t *cr) {
    drawTitle(cr, figure);
    Frame f{l.area, l.tLow, l.tHigh, l.low, l.high};
    cairo_save(cr);
    cairo_rectangle(cr, l.area.x, l.area.y, l.area.width, l.area.height);
    cairo_clip(cr);
    cairo_set_line_width(cr, 1.5);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    std::vector<std::string> labels;
    for (int64_t n = 0; n < l.shown; ++n) {
      setSeriesColor(cr, int(n));
      bool pen = false;
      for (size_t k = 0; k < data.times.size(); ++k) {
        double v = data.values[k * data.count + n];
        if (!std::isfinite(v)) {
          pen = false;
          continue;
        }
        double x = f.x(data.times[k]), y = f.y(v * l.scale);
        if (pen)
          cairo_line_to(cr, x, y);
        else
          cairo_move_to(cr, x, y);
        pen = true;
      }
      cairo_stroke(cr);
      labels.push_back("neuron " + std::to_string(data.firstIndex + n));
    }
    cairo_restore(cr);
    drawAxes(cr, f, "t (s)", axisLabel(data.variable, unit));
    if (data.legend)
      drawLegend(cr, l.area, labels);
  });
}

//===----------------------------------------------------------------------===//
// Weight histogram
//===----------------------------------------------------------------------===//

HistogramLayout plot::histogramLayout(const Figure &figure,
                                      const WeightHistogram &data) {
  HistogramLayout l;
  l.area = plotArea(figure);
  std::vector<double> all = data.initial;
  all.insert(all.end(), data.final.begin(), data.final.end());
  DisplayUnit shown = valueAxis(all, data.unit, 0, l.low, l.high);
  l.scale = shown.scale;
  l.unit = shown.shown;
  return l;
}

void plot::drawHistogram(const Figure &figure, const WeightHistogram &data) {
  HistogramLayout l = histogramLayout(figure, data);
  const std::string &unit = l.unit;
  double width = (l.high - l.low) / l.bins;
  auto counts = [&](const std::vector<double> &values) {
    std::vector<double> c(size_t(l.bins), 0);
    for (double v : values)
      if (std::isfinite(v))
        c[size_t(std::clamp(int((v * l.scale - l.low) / width), 0,
                            l.bins - 1))] += 1;
    return c;
  };
  std::vector<double> initial = counts(data.initial),
                      final = counts(data.final);
  double most = 1;
  for (double c : initial)
    most = std::max(most, c);
  for (double c : final)
    most = std::max(most, c);
  double low = 0, high = most;
  niceRange(low, high);
  auto timeText = [](double t) {
    char text[48];
    std::snprintf(text, sizeof text, "t = %.4g s", t);
    return std::string(text);
  };
  renderFigure(figure, [&](cairo_t *cr) {
    drawTitle(cr, figure);
    Frame f{l.area, l.low, l.high, 0, high};
    for (int series = 0; series < 2; ++series) {
      const std::vector<double> &c = series == 0 ? initial : final;
      for (int b = 0; b < l.bins; ++b) {
        if (c[size_t(b)] == 0)
          continue;
        double x0 = f.x(l.low + b * width), x1 = f.x(l.low + (b + 1) * width);
        cairo_rectangle(cr, x0, f.y(c[size_t(b)]), x1 - x0,
                        f.y(0) - f.y(c[size_t(b)]));
      }
      setSeriesColor(cr, series, 0.6);
      cairo_fill(cr);
    }
    drawAxes(cr, f, axisLabel(data.variable, unit), "synapses");
    drawLegend(cr, l.area,
               {"initial, " + timeText(data.tInitial),
                "final, " + timeText(data.tFinal)});
  });
}

//===----------------------------------------------------------------------===//
// Weight matrix
//===----------------------------------------------------------------------===//

HeatmapLayout plot::heatmapLayout(const Figure &figure,
                                  const WeightMatrix &data) {
  HeatmapLayout l;
  Rect all = plotArea(figure);
  // The color bar right of the matrix, its tick values and label beyond.
  double barWidth = 18, labels = 110;
  l.area = {all.x, all.y, all.width - labels - barWidth - 30, all.height};
  l.colorbar = {l.area.x + l.area.width + 30, all.y, barWidth, all.height};
  finiteRange(data.weights, l.low, l.high);
  if (!(l.high >= l.low)) {
    l.low = 0;
    l.high = 1;
  }
  l.diverging = l.low < 0 && l.high > 0;
  if (l.diverging) {
    double m = std::max(-l.low, l.high);
    l.low = -m;
    l.high = m;
  } else if (l.high == l.low) {
    l.high = l.low + 1;
  }
  return l;
}

void plot::heatmapColor(const HeatmapLayout &l, double v, double rgb[3]) {
  double u = std::clamp((v - l.low) / (l.high - l.low), 0.0, 1.0);
  if (l.diverging) {
    // Blue (0.23, 0.30, 0.75) through white to red (0.71, 0.02, 0.15).
    static const double kBlue[3] = {0.23, 0.30, 0.75},
                        kRed[3] = {0.71, 0.02, 0.15};
    const double *end = u < 0.5 ? kBlue : kRed;
    double s = std::fabs(u - 0.5) * 2;
    for (int c = 0; c < 3; ++c)
      rgb[c] = 1 + (end[c] - 1) * s;
    return;
  }
  // Viridis, from its values at 0, 1/4, 1/2, 3/4 and 1.
  static const double kViridis[5][3] = {{0.267, 0.005, 0.329},
                                        {0.229, 0.322, 0.546},
                                        {0.128, 0.567, 0.551},
                                        {0.369, 0.789, 0.383},
                                        {0.993, 0.906, 0.144}};
  double p = u * 4;
  int k = std::min(3, int(p));
  double s = p - k;
  for (int c = 0; c < 3; ++c)
    rgb[c] = kViridis[k][c] + (kViridis[k + 1][c] - kViridis[k][c]) * s;
}

void plot::drawHeatmap(const Figure &figure, const WeightMatrix &data) {
  HeatmapLayout l = heatmapLayout(figure, data);
  DisplayUnit unit =
      displayUnit(data.unit, std::max(std::fabs(l.low), std::fabs(l.high)));
  // One pixel per synapse in an image, scaled up without smoothing; absent
  // synapses are light grey.
  int cols = int(std::max<int64_t>(data.numPre, 1)),
      rows = int(std::max<int64_t>(data.numPost, 1));
  cairo_surface_t *image =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, cols, rows);
  cairo_surface_flush(image);
  unsigned char *pixels = cairo_image_surface_get_data(image);
  int stride = cairo_image_surface_get_stride(image);
  auto put = [&](int64_t i, int64_t j, const double rgb[3]) {
    auto *p = reinterpret_cast<uint32_t *>(pixels + j * stride) + i;
    *p = uint32_t(std::lround(rgb[0] * 255)) << 16 |
         uint32_t(std::lround(rgb[1] * 255)) << 8 |
         uint32_t(std::lround(rgb[2] * 255));
  };
  const double absent[3] = {0.9, 0.9, 0.9};
  for (int j = 0; j < rows; ++j)
    for (int i = 0; i < cols; ++i)
      put(i, j, absent);
  for (size_t s = 0; s < data.weights.size() && s < data.pre.size(); ++s) {
    int64_t i = data.pre[s], j = data.post[s];
    if (i < 0 || i >= cols || j < 0 || j >= rows)
      continue;
    double rgb[3];
    heatmapColor(l, data.weights[s], rgb);
    put(i, j, rgb);
  }
  cairo_surface_mark_dirty(image);
  renderFigure(figure, [&](cairo_t *cr) {
    drawTitle(cr, figure);
    cairo_save(cr);
    cairo_translate(cr, l.area.x, l.area.y);
    cairo_scale(cr, l.area.width / cols, l.area.height / rows);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, cols, rows);
    cairo_fill(cr);
    cairo_restore(cr);
    // Matrix row 0 at the top, as a matrix is written.
    Frame f{l.area, 0, double(cols), double(rows), 0};
    f.xIntegers = f.yIntegers = true;
    drawAxes(cr, f, "presynaptic neuron", "postsynaptic neuron");
    // The color bar, low at the bottom.
    const int steps = 128;
    for (int k = 0; k < steps; ++k) {
      double rgb[3];
      heatmapColor(l, l.low + (l.high - l.low) * (k + 0.5) / steps, rgb);
      cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
      double y0 =
          l.colorbar.y + l.colorbar.height * (1 - double(k + 1) / steps);
      cairo_rectangle(cr, l.colorbar.x, y0, l.colorbar.width,
                      l.colorbar.height / steps + 0.5);
      cairo_fill(cr);
    }
    Frame bar{l.colorbar, 0, 1, l.low * unit.scale, l.high * unit.scale};
    Rect labels = l.colorbar;
    labels.x += l.colorbar.width + 52; // ticks on the bar's right
    std::vector<double> ticks = niceTicks(bar.yLow, bar.yHigh, 5);
    double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, l.colorbar.x, l.colorbar.y, l.colorbar.width,
                    l.colorbar.height);
    cairo_stroke(cr);
    for (double t : ticks) {
      double y = bar.y(t);
      cairo_move_to(cr, l.colorbar.x + l.colorbar.width, y);
      cairo_line_to(cr, l.colorbar.x + l.colorbar.width + 4, y);
      cairo_stroke(cr);
      drawText(cr, tickText(t, step), l.colorbar.x + l.colorbar.width + 6, y,
               11);
    }
    drawText(cr, axisLabel(data.variable, unit.shown),
             l.colorbar.x + l.colorbar.width + 95,
             l.colorbar.y + l.colorbar.height / 2, 13, Align::Center,
             -M_PI / 2);
  });
  cairo_surface_destroy(image);
}
