//===- PlotTestUtil.h - Reading figures back in tests -----------*- C++ -*-===//

#ifndef HEBB_TESTS_UNIT_PLOT_PLOTTESTUTIL_H
#define HEBB_TESTS_UNIT_PLOT_PLOTTESTUTIL_H

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

namespace hebb::plot::test {

/// A PNG read back: its size and the color of each pixel.
class Image {
public:
  explicit Image(const std::string &path)
      : surface(cairo_image_surface_create_from_png(path.c_str())) {}
  ~Image() { cairo_surface_destroy(surface); }
  bool ok() const {
    return cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
  }
  int width() const { return cairo_image_surface_get_width(surface); }
  int height() const { return cairo_image_surface_get_height(surface); }
  /// The color at (x, y), each channel in [0, 1].
  void rgb(double x, double y, double out[3]) const {
    int ix = int(std::floor(x)), iy = int(std::floor(y));
    const unsigned char *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    uint32_t p =
        *reinterpret_cast<const uint32_t *>(data + iy * stride + 4 * ix);
    out[0] = ((p >> 16) & 0xff) / 255.0;
    out[1] = ((p >> 8) & 0xff) / 255.0;
    out[2] = (p & 0xff) / 255.0;
  }
  /// The largest channel difference between the pixel and `rgb`.
  double distance(double x, double y, const double rgb[3]) const {
    double c[3];
    this->rgb(x, y, c);
    double d = 0;
    for (int k = 0; k < 3; ++k)
      d = std::max(d, std::fabs(c[k] - rgb[k]));
    return d;
  }

private:
  cairo_surface_t *surface;
};

inline const double kWhite[3] = {1, 1, 1};

/// `rgb` drawn with opacity `alpha` over white.
inline void overWhite(const double rgb[3], double alpha, double out[3]) {
  for (int k = 0; k < 3; ++k)
    out[k] = 1 - alpha * (1 - rgb[k]);
}

/// Checks that `stem`.svg is an SVG document of the figure's size.
inline void expectSvg(const std::string &stem, int width, int height) {
  std::ifstream in(stem + ".svg");
  ASSERT_TRUE(in) << stem << ".svg";
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("<?xml", 0), 0u);
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("width=\"" + std::to_string(width) + "pt\""),
            std::string::npos);
  EXPECT_NE(text.find("height=\"" + std::to_string(height) + "pt\""),
            std::string::npos);
  EXPECT_GT(text.size(), 2000u);
}

} // namespace hebb::plot::test

#endif // HEBB_TESTS_UNIT_PLOT_PLOTTESTUTIL_H
