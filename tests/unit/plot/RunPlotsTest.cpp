//===- RunPlotsTest.cpp - The figures of a run directory ------------------===//

#include "PlotTestUtil.h"
#include "TestUtil.h"
#include "hebb/plot/Figures.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace hebb;
using namespace hebb::plot;
using namespace hebb::plot::test;
using hebb::rt::test::TempDir;

namespace {
/// A run directory as `hebb run` writes it: spikes of 4 neurons, v of 2
/// neurons, and the weights of a 3 -> 2 projection at two times.
void writeRun(const TempDir &dir) {
  std::ofstream(dir.file("run.json")) << R"({
  "network": "net", "simulated_s": 1.0,
  "records": [
    {"label": "P_spikes", "kind": "spikes", "field": "spikes", "unit": "",
     "object": "P", "first_index": 0, "size": 4, "every_s": 0.001,
     "files": [{"file": "P_spikes_t.npy", "shape": [3]},
               {"file": "P_spikes_i.npy", "shape": [3]}]},
    {"label": "P_v", "kind": "population_state", "field": "v", "unit": "V",
     "object": "P", "first_index": 0, "size": 2, "every_s": 0.5,
     "files": [{"file": "P_v.npy", "shape": [3, 2]},
               {"file": "P_v_t.npy", "shape": [3]}]},
    {"label": "syn_w", "kind": "projection_state", "field": "w", "unit": "1",
     "object": "syn", "pre_size": 3, "post_size": 2, "every_s": 1.0,
     "files": [{"file": "syn_w.npy", "shape": [2, 6]},
               {"file": "syn_w_t.npy", "shape": [2]},
               {"file": "syn_pre.npy", "shape": [6]},
               {"file": "syn_post.npy", "shape": [6]}]}
  ]})";
  rt::writeNpy(dir.file("P_spikes_t.npy"), std::vector<double>{0.1, 0.2, 0.3});
  rt::writeNpy(dir.file("P_spikes_i.npy"), std::vector<int32_t>{0, 3, 1});
  rt::writeNpy(
      dir.file("P_v.npy"), "<f4", {3, 2},
      std::vector<float>{-0.065f, -0.06f, -0.055f, -0.06f, -0.05f, -0.06f}
          .data());
  rt::writeNpy(dir.file("P_v_t.npy"), std::vector<double>{0, 0.5, 1});
  rt::writeNpy(dir.file("syn_w.npy"), "<f4", {2, 6},
               std::vector<float>{0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6}.data());
  rt::writeNpy(dir.file("syn_w_t.npy"), std::vector<double>{0, 1});
  rt::writeNpy(dir.file("syn_pre.npy"), std::vector<int32_t>{0, 1, 2, 0, 1, 2});
  rt::writeNpy(dir.file("syn_post.npy"),
               std::vector<int32_t>{0, 0, 0, 1, 1, 1});
}
} // namespace

TEST(RunPlots, DrawsEveryRecordOfARun) {
  TempDir dir;
  writeRun(dir);
  std::vector<std::string> files = plotRun(dir.path());
  std::vector<std::string> expected;
  for (const char *stem :
       {"P_spikes_raster", "P_v_traces", "syn_w_hist", "syn_w_matrix"})
    for (const char *ext : {".png", ".svg"})
      expected.push_back(dir.file(std::string(stem) + ext));
  EXPECT_EQ(files, expected);
  for (const std::string &f : files)
    EXPECT_TRUE(std::filesystem::exists(f)) << f;
  for (const char *stem :
       {"P_spikes_raster", "P_v_traces", "syn_w_hist", "syn_w_matrix"}) {
    Image png(dir.file(std::string(stem) + ".png"));
    ASSERT_TRUE(png.ok()) << stem;
    EXPECT_EQ(png.width(), 900);
    EXPECT_EQ(png.height(), 600);
    expectSvg(dir.file(stem), 900, 600);
  }
  // No temporary file is left behind.
  for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().extension(), entry.path().extension() == ".tmp"
                                            ? ".none"
                                            : entry.path().extension());
}

TEST(RunPlots, ReportsADirectoryWithoutARun) {
  TempDir dir;
  try {
    plotRun(dir.path());
    FAIL() << "plotRun accepted a directory without run.json";
  } catch (const rt::RuntimeError &e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read '" + dir.file("run.json") +
                  "': is this the output directory of a run?");
  }
}

TEST(RunPlots, ReportsAMissingRecordFile) {
  TempDir dir;
  writeRun(dir);
  std::filesystem::remove(dir.file("P_v.npy"));
  try {
    plotRun(dir.path());
    FAIL() << "plotRun drew a record whose file is missing";
  } catch (const rt::RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("P_v.npy"), std::string::npos)
        << e.what();
  }
}
