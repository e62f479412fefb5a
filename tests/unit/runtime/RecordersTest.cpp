//===- RecordersTest.cpp - Spike and state recorders ----------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "hebb/runtime/Error.h"
#include "hebb/runtime/Npy.h"
#include "hebb/runtime/Recorders.h"

#include <gtest/gtest.h>

using namespace hebb::rt;
using namespace hebb::rt::test;

namespace {

// The log grows in large steps (from 1 Mi spikes, doubling) into memory
// it fills afterwards: growing past those steps keeps every spike in order.
TEST(RecordersTest, SpikeLogKeepsEverySpikeAcrossGrowth) {
  SpikeRecorder rec(0, 1000);
  std::vector<uint32_t> spikes(300);
  const int64_t steps = 12000; // 3.6 M spikes: the log grows twice
  for (int64_t s = 0; s < steps; ++s) {
    for (size_t k = 0; k < spikes.size(); ++k)
      spikes[k] = uint32_t((s * 7 + int64_t(k) * 3) % 1000);
    rec.record(s, spikes.data(), spikes.size());
  }
  ASSERT_EQ(rec.numSpikes(), size_t(steps) * spikes.size());
  for (size_t n = 0; n < rec.numSpikes(); n += 4099) {
    int64_t s = int64_t(n / spikes.size());
    int64_t k = int64_t(n % spikes.size());
    EXPECT_EQ(rec.steps()[n], s);
    EXPECT_EQ(rec.indices()[n], int32_t((s * 7 + k * 3) % 1000));
  }
  EXPECT_EQ(rec.steps().back(), steps - 1);
}

TEST(RecordersTest, SpikeRecorderKeepsRange) {
  TempDir tmp;
  SpikeRecorder rec(10, 20);
  uint32_t step3[] = {5, 10, 19, 20};
  uint32_t step7[] = {12};
  rec.record(3, step3, 4);
  rec.record(5, nullptr, 0);
  rec.record(7, step7, 1);
  EXPECT_EQ(rec.numSpikes(), 3u);
  EXPECT_EQ(rec.indices(), (std::vector<int32_t>{0, 9, 2}));

  std::vector<std::string> files = rec.write(tmp.path(), "exc", 0.5);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], tmp.file("exc_t.npy"));
  EXPECT_EQ(files[1], tmp.file("exc_i.npy"));
  NpyArray t = readNpy(files[0]);
  NpyArray i = readNpy(files[1]);
  EXPECT_EQ(t.dtype, "<f8");
  EXPECT_EQ(i.dtype, "<i4");
  EXPECT_EQ(t.toDoubles(), (std::vector<double>{1.5, 1.5, 3.5}));
  EXPECT_EQ(i.toDoubles(), (std::vector<double>{0, 9, 2}));

  rec.clear();
  rec.write(tmp.path(), "empty", 0.5);
  EXPECT_EQ(readNpy(tmp.file("empty_i.npy")).shape, (std::vector<int64_t>{0}));
}

TEST(RecordersTest, StateRecorderInMemory) {
  TempDir tmp;
  StateRecorder rec(1, 3, /*period=*/2);
  float field[4];
  for (int64_t step = 0; step < 5; ++step) {
    for (int k = 0; k < 4; ++k)
      field[k] = float(step * 10 + k);
    EXPECT_EQ(rec.sample(step, field), step % 2 == 0);
  }
  EXPECT_EQ(rec.numSamples(), 3);
  std::vector<std::string> files = rec.write(tmp.path(), "v", 0.1);
  NpyArray values = readNpy(files[0]);
  EXPECT_EQ(files[0], tmp.file("v.npy"));
  EXPECT_EQ(values.dtype, "<f4");
  EXPECT_EQ(values.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values.toDoubles(), (std::vector<double>{1, 2, 21, 22, 41, 42}));
  NpyArray times = readNpy(files[1]);
  EXPECT_EQ(times.dtype, "<f8");
  std::vector<double> t = times.toDoubles();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t[1], 0.2);
  EXPECT_DOUBLE_EQ(t[2], 0.4);
}

TEST(RecordersTest, StateRecorderStreaming) {
  TempDir tmp;
  StateRecorder rec(0, 2);
  float field[2] = {1, 2};
  rec.sample(0, field);
  rec.streamTo(tmp.path(), "w", 0.25);
  EXPECT_TRUE(rec.values().empty());
  field[0] = 3;
  rec.sample(1, field);
  EXPECT_FALSE(fileExists(tmp.file("w.npy")));
  EXPECT_THROW(rec.write(tmp.path(), "other", 0.25), RuntimeError);
  rec.write(tmp.path(), "w", 0.25);
  NpyArray values = readNpy(tmp.file("w.npy"));
  EXPECT_EQ(values.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values.toDoubles(), (std::vector<double>{1, 2, 3, 2}));
  EXPECT_EQ(readNpy(tmp.file("w_t.npy")).toDoubles(),
            (std::vector<double>{0, 0.25}));
}

TEST(RecordersTest, BadArguments) {
  EXPECT_THROW(SpikeRecorder(5, 4), RuntimeError);
  EXPECT_THROW(StateRecorder(0, 4, 0), RuntimeError);
  EXPECT_EQ(joinPath("", "a.npy"), "a.npy");
  EXPECT_EQ(joinPath("d/", "a.npy"), "d/a.npy");
  EXPECT_EQ(joinPath("d", "a.npy"), "d/a.npy");
}

} // namespace
