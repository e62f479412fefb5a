//===- Canvas.cpp - Drawing a figure once into PNG and SVG ----------------===//

#include "Canvas.h"
#include "hebb/runtime/Error.h"

#include <cairo-svg.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

using namespace hebb;
using namespace hebb::plot;

namespace {
void paintPage(cairo_t *cr, const std::function<void(cairo_t *)> &draw) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  draw(cr);
}

void check(cairo_status_t status, const std::string &path) {
  if (status != CAIRO_STATUS_SUCCESS) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw rt::RuntimeError("cannot draw '" + path +
                           "': " + cairo_status_to_string(status));
  }
}
} // namespace

void plot::renderFigure(const Figure &figure,
                        const std::function<void(cairo_t *)> &draw) {
  std::string png = figure.stem + ".png", svg = figure.stem + ".svg";
  {
    cairo_surface_t *surface = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, figure.width, figure.height);
    cairo_t *cr = cairo_create(surface);
    paintPage(cr, draw);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    if (status == CAIRO_STATUS_SUCCESS)
      status = cairo_surface_write_to_png(surface, (png + ".tmp").c_str());
    cairo_surface_destroy(surface);
    check(status, png + ".tmp");
  }
  {
    cairo_surface_t *surface = cairo_svg_surface_create(
        (svg + ".tmp").c_str(), figure.width, figure.height);
    cairo_t *cr = cairo_create(surface);
    paintPage(cr, draw);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
      status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    check(status, svg + ".tmp");
  }
  std::filesystem::rename(png + ".tmp", png);
  std::filesystem::rename(svg + ".tmp", svg);
}

void plot::drawText(cairo_t *cr, const std::string &text, double x, double y,
                    double size, Align align, double angle, bool bold) {
  cairo_save(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD
                              : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  double dx = align == Align::Left     ? 0
              : align == Align::Center ? -ext.x_advance / 2
                                       : -ext.x_advance;
  // Centre vertically on the height of a capital letter.
  cairo_move_to(cr, dx, 0.36 * size);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

void plot::drawTitle(cairo_t *cr, const Figure &figure) {
  drawText(cr, figure.title, figure.width / 2.0, 22, 16, Align::Center, 0,
           true);
}

void plot::seriesColor(int series, double rgb[3]) {
  static const unsigned kTab10[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728,
                                    0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
                                    0xbcbd22, 0x17becf};
  unsigned c = kTab10[series % 10];
  rgb[0] = ((c >> 16) & 0xff) / 255.0;
  rgb[1] = ((c >> 8) & 0xff) / 255.0;
  rgb[2] = (c & 0xff) / 255.0;
}

void plot::setSeriesColor(cairo_t *cr, int series, double alpha) {
  double rgb[3];
  seriesColor(series, rgb);
  cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha);
}

void plot::drawLegend(cairo_t *cr, const Rect &area,
                      const std::vector<std::string> &labels) {
  if (labels.empty())
    return;
  const double line = 18, pad = 8, swatch = 18;
  double widest = 0;
  cairo_save(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 12);
  for (const std::string &l : labels) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, l.c_str(), &ext);
    widest = std::max(widest, ext.x_advance);
  }
  cairo_restore(cr);
  double w = pad * 3 + swatch + widest, h = pad * 2 + line * labels.size();
  double x = area.x + area.width - w - 8, y = area.y + 8;
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (size_t k = 0; k < labels.size(); ++k) {
    double cy = y + pad + line * (k + 0.5);
    setSeriesColor(cr, static_cast<int>(k));
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, x + pad, cy);
    cairo_line_to(cr, x + pad + swatch, cy);
    cairo_stroke(cr);
    drawText(cr, labels[k], x + 2 * pad + swatch, cy, 12);
  }
  cairo_restore(cr);
}
