//===- Axes.h - Axes with ticks, labels and units ---------------*- C++ -*-===//

#ifndef HEBB_PLOT_AXES_H
#define HEBB_PLOT_AXES_H

#include "hebb/plot/Figures.h"

#include <cairo.h>

#include <string>
#include <vector>

namespace hebb::plot {

/// About `target` round tick values (1, 2 or 5 times a power of ten)
/// covering [low, high]; only whole numbers if `integers`.
std::vector<double> niceTicks(double low, double high, int target = 6,
                              bool integers = false);

/// Widens [low, high] to the ticks around it; a point range gets a width.
void niceRange(double &low, double &high);

/// How values in SI unit `unit` are displayed: a value v shows as
/// v * scale in `shown` (-0.065 V as -65 mV). Units other than a plain
/// base unit keep scale 1.
struct DisplayUnit {
  double scale = 1;
  std::string shown;
};
DisplayUnit displayUnit(const std::string &unit, double largestMagnitude);

/// An axis label: "v (mV)", or just "v" without a unit.
std::string axisLabel(const std::string &name, const std::string &unit);

/// A tick value as text, with no more digits than the step between ticks
/// needs.
std::string tickText(double value, double step);

/// A plot area with a linear x and y scale.
struct Frame {
  Rect area;
  double xLow = 0, xHigh = 1, yLow = 0, yHigh = 1;
  bool xIntegers = false, yIntegers = false; // neuron indices
  double x(double v) const {
    return area.x + (v - xLow) / (xHigh - xLow) * area.width;
  }
  double y(double v) const {
    return area.y + area.height - (v - yLow) / (yHigh - yLow) * area.height;
  }
};

/// Draws the frame's box, ticks with their values, and the axis labels;
/// `xTicks` false leaves the x axis unlabelled (a panel above another).
void drawAxes(cairo_t *cr, const Frame &frame, const std::string &xLabel,
              const std::string &yLabel, bool xTicks = true);

/// The plot area of a figure with room for the title and axis labels.
Rect plotArea(const Figure &figure);

} // namespace hebb::plot

#endif // HEBB_PLOT_AXES_H
