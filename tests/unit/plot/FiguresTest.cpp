//===- FiguresTest.cpp - Each kind of figure, checked in its pixels -------===//

#include "hebb/plot/Figures.h"
#include "Axes.h"
#include "Canvas.h"
#include "PlotTestUtil.h"
#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace hebb::plot;
using namespace hebb::plot::test;
using hebb::rt::test::TempDir;

TEST(Axes, TicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(niceTicks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(niceTicks(-65, -50, 3), (std::vector<double>{-65, -60, -55, -50}));
  EXPECT_EQ(niceTicks(-0.3, 0.12, 4),
            (std::vector<double>{-0.3, -0.2, -0.1, 0, 0.1}));
  EXPECT_EQ(niceTicks(0, 3, 6, /*integers=*/true),
            (std::vector<double>{0, 1, 2, 3}));
  EXPECT_TRUE(niceTicks(1, 1).empty());
  double low = 0.013, high = 0.87;
  niceRange(low, high);
  EXPECT_DOUBLE_EQ(low, 0);
  EXPECT_DOUBLE_EQ(high, 0.9);
  low = high = 2; // a point gets a width
  niceRange(low, high);
  EXPECT_LT(low, 2);
  EXPECT_GT(high, 2);
}

TEST(Axes, UnitsTakeAPrefixThatFitsTheValues) {
  DisplayUnit mv = displayUnit("V", 0.065);
  EXPECT_EQ(mv.shown, "mV");
  EXPECT_DOUBLE_EQ(mv.scale, 1e3);
  EXPECT_EQ(displayUnit("A", 2e-9).shown, "nA");
  EXPECT_EQ(displayUnit("s", 20).shown, "s");
  EXPECT_EQ(displayUnit("1", 5).shown, "");
  EXPECT_EQ(displayUnit("V/s", 0.001).shown, "V/s"); // compound: as it is
  EXPECT_EQ(axisLabel("v", "mV"), "v (mV)");
  EXPECT_EQ(axisLabel("w", ""), "w");
  EXPECT_EQ(tickText(0.25, 0.05), "0.25");
  EXPECT_EQ(tickText(-60, 5), "-60");
}

// Neuron 3 of 10 fires every 100 ms: its row is dark where it fires and the
// others are white; beneath, the rate is 1 spike / (10 neurons x 5 ms) =
// 20 Hz in the bins with a spike and 0 elsewhere.
TEST(Figures, RasterMarksSpikesAndShowsThePopulationRate) {
  TempDir dir;
  Figure figure{dir.file("raster"), "raster", 900, 600};
  Raster data;
  data.size = 10;
  data.duration = 1;
  for (int k = 1; k <= 9; ++k) {
    data.times.push_back(0.1 * k + 0.001);
    data.neurons.push_back(3);
  }
  drawRaster(figure, data);
  Image png(figure.stem + ".png");
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 900);
  EXPECT_EQ(png.height(), 600);
  expectSvg(figure.stem, 900, 600);
  RasterLayout l = rasterLayout(figure, data);
  EXPECT_DOUBLE_EQ(l.binWidth, 0.005);
  Frame top{l.raster, 0, 1, -0.5, 9.5};
  double spikeX = top.x(0.501);
  const double ink[3] = {0.05, 0.05, 0.2};
  EXPECT_LT(png.distance(spikeX, top.y(3), ink), 0.1);
  EXPECT_LT(png.distance(spikeX, top.y(7), kWhite), 0.01);
  EXPECT_LT(png.distance(top.x(0.55), top.y(3), kWhite), 0.01);
  // The rate panel's axis reaches 20 Hz; the bar under the spike is blue.
  Frame bottom{l.rate, 0, 1, 0, 20};
  const double blue[3] = {0.12, 0.47, 0.71};
  double barX = bottom.x(0.5025);
  EXPECT_LT(png.distance(barX, bottom.y(10), blue), 0.02);
  EXPECT_LT(png.distance(barX, bottom.y(19), blue), 0.02);
  EXPECT_LT(png.distance(bottom.x(0.55), bottom.y(10), kWhite), 0.01);
}

// Two traces, +1 mV and -2 mV: each a line of its series color at its
// value, on an axis in mV.
TEST(Figures, TracesAreDrawnAtTheirValuesInDisplayUnits) {
  TempDir dir;
  Figure figure{dir.file("traces"), "traces", 800, 500};
  Traces data;
  data.count = 2;
  data.variable = "v";
  data.unit = "V";
  for (int k = 0; k <= 100; ++k) {
    data.times.push_back(0.01 * k);
    data.values.push_back(0.001);
    data.values.push_back(-0.002);
  }
  drawTraces(figure, data);
  Image png(figure.stem + ".png");
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 800);
  EXPECT_EQ(png.height(), 500);
  expectSvg(figure.stem, 800, 500);
  TraceLayout l = traceLayout(figure, data);
  EXPECT_DOUBLE_EQ(l.scale, 1000);
  EXPECT_LT(l.low, -2);
  EXPECT_GT(l.high, 1);
  Frame f{l.area, l.tLow, l.tHigh, l.low, l.high};
  double first[3], second[3];
  seriesColor(0, first);
  seriesColor(1, second);
  EXPECT_LT(png.distance(f.x(0.3), f.y(1), first), 0.15);
  EXPECT_LT(png.distance(f.x(0.3), f.y(-2), second), 0.15);
  EXPECT_LT(png.distance(f.x(0.3), f.y(-0.5), kWhite), 0.01);
}

// 100 weights at 0.2 before and at 0.8 after: a bar of 100 synapses of
// each series' color at each value.
TEST(Figures, HistogramShowsInitialAndFinalWeights) {
  TempDir dir;
  Figure figure{dir.file("hist"), "hist", 900, 600};
  WeightHistogram data;
  data.initial.assign(100, 0.2);
  data.final.assign(100, 0.8);
  data.tFinal = 10;
  data.variable = "w";
  data.unit = "1";
  drawHistogram(figure, data);
  Image png(figure.stem + ".png");
  ASSERT_TRUE(png.ok());
  expectSvg(figure.stem, 900, 600);
  HistogramLayout l = histogramLayout(figure, data);
  EXPECT_DOUBLE_EQ(l.low, 0.2);
  EXPECT_DOUBLE_EQ(l.high, 0.8);
  double low = 0, high = 100;
  Frame f{l.area, l.low, l.high, low, high};
  double first[3], second[3], c[3];
  seriesColor(0, c);
  overWhite(c, 0.6, first);
  seriesColor(1, c);
  overWhite(c, 0.6, second);
  double bin = (l.high - l.low) / l.bins;
  EXPECT_LT(png.distance(f.x(0.2 + bin / 2), f.y(50), first), 0.02);
  EXPECT_LT(png.distance(f.x(0.8 - bin / 2), f.y(50), second), 0.02);
  EXPECT_LT(png.distance(f.x(0.5), f.y(50), kWhite), 0.01);
  EXPECT_LT(png.distance(f.x(0.2 + bin / 2), f.y(99.5), first), 0.02);
}

// A 2 x 3 matrix with weights of both signs: the diverging scale puts +1
// at its red end, -1 at its blue end and 0 at white; an absent synapse is
// grey.
TEST(Figures, HeatmapColorsEachSynapseByItsWeight) {
  TempDir dir;
  Figure figure{dir.file("matrix"), "matrix", 900, 600};
  WeightMatrix data;
  data.numPre = 3;
  data.numPost = 2;
  data.variable = "w";
  data.unit = "1";
  // (pre, post, w): all but (1, 1).
  const double synapses[5][3] = {
      {0, 0, 1}, {1, 0, 0}, {2, 0, 0.5}, {0, 1, 0}, {2, 1, -1}};
  for (const auto &s : synapses) {
    data.pre.push_back(int64_t(s[0]));
    data.post.push_back(int64_t(s[1]));
    data.weights.push_back(s[2]);
  }
  drawHeatmap(figure, data);
  Image png(figure.stem + ".png");
  ASSERT_TRUE(png.ok());
  expectSvg(figure.stem, 900, 600);
  HeatmapLayout l = heatmapLayout(figure, data);
  EXPECT_TRUE(l.diverging);
  EXPECT_DOUBLE_EQ(l.low, -1);
  EXPECT_DOUBLE_EQ(l.high, 1);
  auto cell = [&](int i, int j, double out[2]) {
    out[0] = l.area.x + (i + 0.5) * l.area.width / 3;
    out[1] = l.area.y + (j + 0.5) * l.area.height / 2;
  };
  const double red[3] = {0.71, 0.02, 0.15}, blue[3] = {0.23, 0.30, 0.75},
               grey[3] = {0.9, 0.9, 0.9};
  double at[2], half[3];
  cell(0, 0, at);
  EXPECT_LT(png.distance(at[0], at[1], red), 0.01);
  cell(2, 1, at);
  EXPECT_LT(png.distance(at[0], at[1], blue), 0.01);
  cell(1, 0, at);
  EXPECT_LT(png.distance(at[0], at[1], kWhite), 0.01);
  cell(1, 1, at);
  EXPECT_LT(png.distance(at[0], at[1], grey), 0.01);
  heatmapColor(l, 0.5, half);
  cell(2, 0, at);
  EXPECT_LT(png.distance(at[0], at[1], half), 0.01);
  // The color bar: red at its top, blue at its bottom.
  double barX = l.colorbar.x + l.colorbar.width / 2;
  EXPECT_LT(png.distance(barX, l.colorbar.y + 2, red), 0.03);
  EXPECT_LT(png.distance(barX, l.colorbar.y + l.colorbar.height - 2, blue),
            0.03);
}

// Weights of one sign use viridis, from its dark purple to its yellow.
TEST(Figures, HeatmapOfOneSignUsesViridis) {
  HeatmapLayout l;
  l.low = 0;
  l.high = 2;
  double low[3], high[3];
  heatmapColor(l, 0, low);
  heatmapColor(l, 2, high);
  EXPECT_NEAR(low[0], 0.267, 1e-9);
  EXPECT_NEAR(low[2], 0.329, 1e-9);
  EXPECT_NEAR(high[0], 0.993, 1e-9);
  EXPECT_NEAR(high[1], 0.906, 1e-9);
}
