//===- Axes.cpp - Axes with ticks, labels and units -----------------------===//

#include "Axes.h"
#include "Canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace hebb;
using namespace hebb::plot;

namespace {
double tickStep(double low, double high, int target) {
  double raw = (high - low) / std::max(1, target);
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  double m = raw / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}
} // namespace

std::vector<double> plot::niceTicks(double low, double high, int target,
                                    bool integers) {
  std::vector<double> ticks;
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high))
    return ticks;
  double step = tickStep(low, high, target);
  if (integers)
    step = std::max(1.0, std::round(step));
  // k * step as (k * mantissa) / 10^-exponent: 0.6, not 0.6000000000000001.
  int exponent = int(std::floor(std::log10(step) + 1e-9));
  double mantissa = std::round(step / std::pow(10.0, exponent));
  double unit = std::pow(10.0, std::fabs(double(exponent)));
  auto at = [&](int64_t k) {
    double n = double(k) * mantissa;
    return exponent < 0 ? n / unit : n * unit;
  };
  int64_t first = int64_t(std::ceil(low / step - 1e-9));
  for (int64_t k = first; at(k) <= high + step * 1e-9; ++k)
    ticks.push_back(at(k) == 0 ? 0.0 : at(k));
  return ticks;
}

void plot::niceRange(double &low, double &high) {
  if (!std::isfinite(low) || !std::isfinite(high)) {
    low = 0;
    high = 1;
    return;
  }
  if (high <= low) {
    double pad = low == 0 ? 1 : std::fabs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  double step = tickStep(low, high, 6);
  low = std::floor(low / step + 1e-9) * step;
  high = std::ceil(high / step - 1e-9) * step;
}

DisplayUnit plot::displayUnit(const std::string &unit, double largest) {
  static const char *const kBase[] = {"V", "A", "S", "s", "Hz", "ohm", "F"};
  bool base = false;
  for (const char *b : kBase)
    base |= unit == b;
  if (!base || !(largest > 0) || !std::isfinite(largest))
    return {1, unit == "1" ? "" : unit};
  static const std::pair<double, const char *> kPrefix[] = {
      {1e9, "G"},  {1e6, "M"},  {1e3, "k"},  {1, ""},
      {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}, {1e-12, "p"}};
  for (auto [factor, prefix] : kPrefix)
    if (largest >= factor * 0.999)
      return {1 / factor, prefix + unit};
  return {1e12, "p" + unit};
}

std::string plot::axisLabel(const std::string &name, const std::string &unit) {
  return unit.empty() || unit == "1" ? name : name + " (" + unit + ")";
}

std::string plot::tickText(double value, double step) {
  int digits =
      step > 0 ? std::max(0, -int(std::floor(std::log10(step) + 1e-9))) : 0;
  char text[64];
  if (std::fabs(value) >= 1e6 || (value != 0 && std::fabs(value) < 1e-4))
    std::snprintf(text, sizeof text, "%.3g", value);
  else
    std::snprintf(text, sizeof text, "%.*f", std::min(digits, 6), value);
  return text;
}

Rect plot::plotArea(const Figure &figure) {
  return {80, 45, figure.width - 110.0, figure.height - 105.0};
}

void plot::drawAxes(cairo_t *cr, const Frame &f, const std::string &xLabel,
                    const std::string &yLabel, bool xTicks) {
  const Rect &a = f.area;
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, a.x, a.y, a.width, a.height);
  cairo_stroke(cr);
  // A matrix counts its rows downward: yLow may be above yHigh.
  std::vector<double> xs = niceTicks(f.xLow, f.xHigh, 6, f.xIntegers),
                      ys = niceTicks(std::min(f.yLow, f.yHigh),
                                     std::max(f.yLow, f.yHigh), 5, f.yIntegers);
  double xStep = xs.size() > 1 ? xs[1] - xs[0] : 0,
         yStep = ys.size() > 1 ? ys[1] - ys[0] : 0;
  for (double t : xs) {
    double x = f.x(t);
    cairo_move_to(cr, x, a.y + a.height);
    cairo_line_to(cr, x, a.y + a.height + 5);
    cairo_stroke(cr);
    if (xTicks)
      drawText(cr, tickText(t, xStep), x, a.y + a.height + 16, 11,
               Align::Center);
  }
  for (double t : ys) {
    double y = f.y(t);
    cairo_move_to(cr, a.x - 5, y);
    cairo_line_to(cr, a.x, y);
    cairo_stroke(cr);
    drawText(cr, tickText(t, yStep), a.x - 8, y, 11, Align::Right);
  }
  if (xTicks)
    drawText(cr, xLabel, a.x + a.width / 2, a.y + a.height + 38, 13,
             Align::Center);
  drawText(cr, yLabel, a.x - 58, a.y + a.height / 2, 13, Align::Center,
           -M_PI / 2);
  cairo_restore(cr);
}
