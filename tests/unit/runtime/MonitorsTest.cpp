//===- MonitorsTest.cpp - Monitors on known matrices and activities -------===//

#include "hebb/runtime/Monitors.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace hebb::rt;

TEST(Monitors, DriftIsTheRelativeFrobeniusDistance) {
  std::vector<double> w0 = {3, 4};
  EXPECT_EQ(relativeDrift({3, 4}, w0), 0);
  EXPECT_DOUBLE_EQ(relativeDrift({0, 0}, w0), 1);
  EXPECT_DOUBLE_EQ(relativeDrift({6, 8}, w0), 1);
  EXPECT_DOUBLE_EQ(relativeDrift({3, 4.5}, w0), 0.1);
  EXPECT_EQ(relativeDrift({0, 0}, {0, 0}), 0);
  EXPECT_TRUE(std::isinf(relativeDrift({1, 0}, {0, 0})));
}

TEST(Monitors, EffectiveRankOfKnownMatrices) {
  // The identity: four equal singular values.
  std::vector<double> identity(16, 0);
  for (int k = 0; k < 4; ++k)
    identity[k * 5] = 1;
  EXPECT_NEAR(effectiveRank(identity, 4, 4), 4, 1e-12);
  // An outer product u v^T has one singular value.
  std::vector<double> outer;
  for (double u : {1.0, -2.0, 0.5})
    for (double v : {3.0, 1.0, 4.0, 1.0, 5.0})
      outer.push_back(u * v);
  EXPECT_NEAR(effectiveRank(outer, 3, 5), 1, 1e-9);
  // diag(3, 1): p = (3/4, 1/4), exp(H) = 1.7548...
  std::vector<double> diag = {3, 0, 0, 1};
  double h = -(0.75 * std::log(0.75) + 0.25 * std::log(0.25));
  EXPECT_NEAR(effectiveRank(diag, 2, 2), std::exp(h), 1e-12);
  // Orthonormal rows in a wider matrix, scaled: rank 2 whatever the scale.
  std::vector<double> rows = {0, 2, 0, 0, 0, 0, 0, 2};
  EXPECT_NEAR(effectiveRank(rows, 2, 4), 2, 1e-12);
  EXPECT_EQ(effectiveRank(std::vector<double>(6, 0.0), 2, 3), 0);
}

TEST(Monitors, DormantAndActiveFractions) {
  // Mean activity 2: neurons at 0 are dormant (0 <= 0.1 * 2), the one at
  // 0.2 too (0.2 / 2 = 0.1), the others not.
  std::vector<double> activity = {0, 0, 0.2, 1, 8.8};
  EXPECT_DOUBLE_EQ(dormantRatio(activity), 0.6);
  EXPECT_DOUBLE_EQ(dormantRatio(activity, 0.05), 0.4);
  EXPECT_DOUBLE_EQ(activeFraction(activity), 0.6);
  EXPECT_DOUBLE_EQ(dormantRatio({0, 0, 0}), 1);
  EXPECT_DOUBLE_EQ(activeFraction({0, 0, 0}), 0);
  EXPECT_DOUBLE_EQ(dormantRatio({-1, 1}), 0); // magnitudes
}

// Row k of two 3 x 2 records: (0,0)-(3,4) is 5 apart, equal rows 0, and a
// row only one side has is left out.
TEST(Monitors, RowDistancesCompareTwoRunsSampleBySample) {
  std::vector<double> a = {0, 0, 1, 2, 7, 7};
  std::vector<double> b = {3, 4, 1, 2};
  std::vector<double> d = rowDistances(a, b, 2);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], 5.0);
  EXPECT_EQ(d[1], 0.0);
  EXPECT_TRUE(rowDistances(a, b, 0).empty());
}
