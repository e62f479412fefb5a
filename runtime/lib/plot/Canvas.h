//===- Canvas.h - Drawing a figure once into PNG and SVG --------*- C++ -*-===//

#ifndef HEBB_PLOT_CANVAS_H
#define HEBB_PLOT_CANVAS_H

#include "hebb/plot/Figures.h"

#include <cairo.h>

#include <functional>
#include <string>

namespace hebb::plot {

/// Runs `draw` on a white page of the figure's size twice, for
/// `stem`.png and `stem`.svg. Each file is written under a temporary name
/// and renamed, so that a failed figure leaves no partial file.
void renderFigure(const Figure &figure,
                  const std::function<void(cairo_t *)> &draw);

enum class Align { Left, Center, Right };

/// Text at (x, y): `align` places it horizontally, and y is the middle of
/// its height. `angle` (radians) turns it about (x, y).
void drawText(cairo_t *cr, const std::string &text, double x, double y,
              double size, Align align = Align::Left, double angle = 0,
              bool bold = false);

/// The figure's title, centred at its top.
void drawTitle(cairo_t *cr, const Figure &figure);

/// Line colors, one per series (the "tab10" palette).
void setSeriesColor(cairo_t *cr, int series, double alpha = 1);
void seriesColor(int series, double rgb[3]);

/// A legend box at the top right of `area`: a color swatch and a label per
/// entry.
void drawLegend(cairo_t *cr, const Rect &area,
                const std::vector<std::string> &labels);

} // namespace hebb::plot

#endif // HEBB_PLOT_CANVAS_H
