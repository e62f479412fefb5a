//===- PhiloxTest.cpp - Philox4x32-10 and the Hebb RNG convention ---------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Philox.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <vector>

using namespace hebb::rt;

namespace {

using Ctr = std::array<uint32_t, 4>;
using Key = std::array<uint32_t, 2>;

// Known-answer vectors from Random123's examples/kat_vectors
// ("philox4x32 10" lines: counter[4] key[2] -> output[4]).
TEST(PhiloxTest, KnownAnswerZeros) {
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (Ctr{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
}

TEST(PhiloxTest, KnownAnswerOnes) {
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                       {0xffffffff, 0xffffffff}),
            (Ctr{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
}

TEST(PhiloxTest, KnownAnswerPi) {
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                       {0xa4093822, 0x299f31d0}),
            (Ctr{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(PhiloxTest, UniformFromBits) {
  EXPECT_EQ(uniformFromBits(0), 0.0f);
  EXPECT_EQ(uniformFromBits(0xff), 0.0f); // Low 8 bits are dropped.
  EXPECT_EQ(uniformFromBits(0x80000000u), 0.5f);
  EXPECT_EQ(uniformFromBits(0xffffffffu), 1.0f - 0x1p-24f);
  EXPECT_LT(uniformFromBits(0xffffffffu), 1.0f);
}

TEST(PhiloxTest, ConventionLayout) {
  // ctr = {element, lo(step), hi(step), draw}, key = {seed, stream}.
  uint64_t step = 0x0000000500000007ull;
  Ctr bits = philox4x32({11, 7, 5, 3}, {42, 99});
  EXPECT_EQ(philoxAt(42, 99, 11, step, 3), bits);
  EXPECT_EQ(uniformAt(42, 99, 11, step, 3), uniformFromBits(bits[0]));
  float u1 = 1.0f - uniformFromBits(bits[0]);
  float u2 = uniformFromBits(bits[1]);
  float expected =
      std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795865f * u2);
  EXPECT_EQ(normalAt(42, 99, 11, step, 3), expected);
}

// A batch computes the same blocks as one counter at a time.
TEST(PhiloxTest, BatchMatchesOneAtATime) {
  uint32_t c0[kPhiloxBatch], c1[kPhiloxBatch], c2[kPhiloxBatch],
      c3[kPhiloxBatch];
  for (unsigned k = 0; k < kPhiloxBatch; ++k) {
    c0[k] = 1000 + 7 * k;
    c1[k] = k % 3;
    c2[k] = 0xFFFFFFFFu - k;
    c3[k] = k * k;
  }
  std::vector<Ctr> expected;
  for (unsigned k = 0; k < kPhiloxBatch; ++k)
    expected.push_back(philox4x32({c0[k], c1[k], c2[k], c3[k]}, {17, 23}));
  philoxBatch(17, 23, c0, c1, c2, c3);
  for (unsigned k = 0; k < kPhiloxBatch; ++k)
    EXPECT_EQ((Ctr{c0[k], c1[k], c2[k], c3[k]}), expected[k]) << k;
}

TEST(PhiloxTest, EveryCoordinateMatters) {
  float base = uniformAt(1, 2, 3, 4, 5);
  EXPECT_NE(base, uniformAt(9, 2, 3, 4, 5));
  EXPECT_NE(base, uniformAt(1, 9, 3, 4, 5));
  EXPECT_NE(base, uniformAt(1, 2, 9, 4, 5));
  EXPECT_NE(base, uniformAt(1, 2, 3, 9, 5));
  EXPECT_NE(base, uniformAt(1, 2, 3, 4 + (1ull << 32), 5));
  EXPECT_NE(base, uniformAt(1, 2, 3, 4, 9));
  EXPECT_EQ(base, uniformAt(1, 2, 3, 4, 5));
}

TEST(PhiloxTest, NormalIsFinite) {
  // u1 = 1 - uniform is never 0, so log() stays finite even for zero bits.
  for (uint32_t e = 0; e < 100000; ++e)
    ASSERT_TRUE(std::isfinite(normalAt(7, 7, e, 0, 0))) << e;
}

TEST(PhiloxTest, StreamIdIsFnv1a) {
  EXPECT_EQ(streamId(""), 0x811c9dc5u);
  EXPECT_EQ(streamId("a"), 0xe40c292cu);
  EXPECT_EQ(streamId("foobar"), 0xbf9cf968u);
  EXPECT_NE(streamId("exc.noise"), streamId("inh.noise"));
}

constexpr int kSamples = 1000000;

TEST(PhiloxTest, UniformStatistics) {
  const int numBins = 100;
  std::vector<int> bins(numBins, 0);
  double sum = 0, sumSq = 0;
  for (int n = 0; n < kSamples; ++n) {
    float u = uniformAt(1234, streamId("test"), n % 1000, n / 1000, 0);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
    sumSq += double(u) * u;
    ++bins[int(u * numBins)];
  }
  double mean = sum / kSamples;
  double var = sumSq / kSamples - mean * mean;
  EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / kSamples));
  // Var of the sample variance of U(0,1) is (1/80 - 1/144) / n.
  EXPECT_NEAR(var, 1.0 / 12, 4 * std::sqrt((1.0 / 80 - 1.0 / 144) / kSamples));
  double expected = double(kSamples) / numBins, chi2 = 0;
  for (int count : bins)
    chi2 += (count - expected) * (count - expected) / expected;
  // 99 degrees of freedom: mean 99, sd ~14.
  EXPECT_LT(chi2, 99 + 4 * 14.07);
  EXPECT_GT(chi2, 99 - 4 * 14.07);
}

TEST(PhiloxTest, NormalStatistics) {
  double sum = 0, sumSq = 0;
  int withinOne = 0;
  for (int n = 0; n < kSamples; ++n) {
    float x = normalAt(99, streamId("noise"), n % 4096, n / 4096, 1);
    sum += x;
    sumSq += double(x) * x;
    withinOne += std::fabs(x) < 1.0f;
  }
  double mean = sum / kSamples;
  double var = sumSq / kSamples - mean * mean;
  EXPECT_NEAR(mean, 0.0, 4 / std::sqrt(double(kSamples)));
  EXPECT_NEAR(var, 1.0, 4 * std::sqrt(2.0 / kSamples));
  double p = 0.6826894921370859;
  EXPECT_NEAR(double(withinOne) / kSamples, p,
              4 * std::sqrt(p * (1 - p) / kSamples));
}

} // namespace

// The batched words are philoxAt's, for any start and count.
TEST(PhiloxTest, BatchedWordsAreThoseOfOneCallEach) {
  uint32_t word0[kPhiloxBatch], word1[kPhiloxBatch];
  for (uint32_t first : {0u, 5u, 4294967290u})
    for (unsigned count : {1u, 7u, kPhiloxBatch}) {
      std::fill(word0, word0 + kPhiloxBatch, 0u);
      philoxWords01(42, 0xDEADBEEF, 1234567, first, count, word0, word1);
      for (unsigned k = 0; k < count; ++k) {
        std::array<uint32_t, 4> one =
            philoxAt(42, 0xDEADBEEF, 1234567, 0, first + k);
        EXPECT_EQ(word0[k], one[0]) << first << " + " << k;
        EXPECT_EQ(word1[k], one[1]) << first << " + " << k;
      }
      for (unsigned k = count; k < kPhiloxBatch; ++k)
        EXPECT_EQ(word0[k], 0u) << "written past count";
    }
}
