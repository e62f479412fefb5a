//===- ConnectivityTest.cpp - CSR connectivity builders -------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Connectivity.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Philox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

using namespace hebb::rt;

namespace {

/// Checks every structural invariant of a finalized Connectivity, after
/// making its transposed index.
void checkInvariants(Connectivity &c, bool strictlySorted = true) {
  transpose(c);
  ASSERT_EQ(c.rowPtr.size(), size_t(c.numPre) + 1);
  ASSERT_EQ(c.rowPtr.front(), 0u);
  ASSERT_EQ(c.rowPtr.back(), c.numSynapses());
  EXPECT_TRUE(c.pre.empty()) << "rows by pre keep no pre per synapse";
  std::vector<uint32_t> pre = presOf(c);
  ASSERT_EQ(pre.size(), c.numSynapses());
  ASSERT_EQ(c.colPtr.size(), size_t(c.numPost) + 1);
  ASSERT_EQ(c.colSyn.size(), c.numSynapses());
  ASSERT_EQ(c.colPtr.back(), c.numSynapses());
  for (uint32_t i = 0; i < c.numPre; ++i) {
    ASSERT_LE(c.rowPtr[i], c.rowPtr[i + 1]);
    for (uint32_t s = c.rowPtr[i]; s < c.rowPtr[i + 1]; ++s) {
      ASSERT_EQ(pre[s], i);
      ASSERT_LT(c.post[s], c.numPost);
      if (s > c.rowPtr[i]) {
        if (strictlySorted)
          ASSERT_LT(c.post[s - 1], c.post[s]);
        else
          ASSERT_LE(c.post[s - 1], c.post[s]);
      }
    }
  }
  // The transposed index lists every synapse once, grouped by post and
  // sorted by pre within a group.
  std::vector<char> seen(c.numSynapses(), 0);
  for (uint32_t j = 0; j < c.numPost; ++j) {
    ASSERT_LE(c.colPtr[j], c.colPtr[j + 1]);
    for (uint32_t k = c.colPtr[j]; k < c.colPtr[j + 1]; ++k) {
      uint32_t s = c.colSyn[k];
      ASSERT_LT(s, c.numSynapses());
      ASSERT_EQ(c.post[s], j);
      ASSERT_FALSE(seen[s]);
      seen[s] = 1;
      if (k > c.colPtr[j])
        ASSERT_LE(pre[c.colSyn[k - 1]], pre[s]);
    }
  }
}

void checkInvariants(Connectivity &&c, bool strictlySorted = true) {
  checkInvariants(c, strictlySorted);
}

bool hasSelf(const Connectivity &c, int64_t selfOffset) {
  std::vector<uint32_t> pre = presOf(c);
  for (size_t s = 0; s < c.numSynapses(); ++s)
    if (int64_t(pre[s]) + selfOffset == int64_t(c.post[s]))
      return true;
  return false;
}

bool sameSynapses(const Connectivity &a, const Connectivity &b) {
  return a.rowPtr == b.rowPtr && a.post == b.post;
}

TEST(ConnectivityTest, All) {
  Connectivity c = connectAll(3, 4);
  checkInvariants(c);
  EXPECT_EQ(c.numSynapses(), 12u);
  EXPECT_EQ(c.post,
            (std::vector<uint32_t>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(c.colSyn,
            (std::vector<uint32_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));

  Connectivity square = connectAll(5, 5, /*noSelf=*/true);
  checkInvariants(square);
  EXPECT_EQ(square.numSynapses(), 20u);
  EXPECT_FALSE(hasSelf(square, 0));
}

TEST(ConnectivityTest, NoSelfWithSliceOffset) {
  // Pre = neurons [2, 6) of a population, post = neurons [0, 4) of it:
  // selfOffset = 2 - 0, so local pre i is local post i + 2.
  Connectivity c = connectAll(4, 4, /*noSelf=*/true, /*selfOffset=*/2);
  checkInvariants(c);
  EXPECT_EQ(c.numSynapses(), 16u - 2u); // Only pres 0 and 1 have a self.
  EXPECT_FALSE(hasSelf(c, 2));
  EXPECT_TRUE(hasSelf(c, 0));
  EXPECT_EQ(connectAll(4, 4, true, 10).numSynapses(), 16u); // Disjoint.
}

TEST(ConnectivityTest, OneToOne) {
  Connectivity c = connectOneToOne(5);
  checkInvariants(c);
  EXPECT_EQ(c.numSynapses(), 5u);
  for (uint32_t s = 0; s < 5; ++s) {
    EXPECT_EQ(presOf(c)[s], s);
    EXPECT_EQ(c.post[s], s);
  }
  checkInvariants(connectOneToOne(0));
}

TEST(ConnectivityTest, ProbabilityMeanDegree) {
  const uint32_t n = 4000;
  const double p = 0.02;
  Connectivity c = connectProbability(n, n, p, 1, 2);
  checkInvariants(c);
  double expected = double(n) * n * p;
  double sigma = std::sqrt(double(n) * n * p * (1 - p));
  EXPECT_NEAR(double(c.numSynapses()), expected, 4 * sigma);
  // Rows are balanced too: the in-degree of the first post is Binomial.
  uint32_t in0 = c.colPtr[1] - c.colPtr[0];
  EXPECT_NEAR(in0, n * p, 6 * std::sqrt(n * p * (1 - p)));
}

TEST(ConnectivityTest, ProbabilityReproducible) {
  Connectivity a = connectProbability(500, 300, 0.1, 7, 3);
  Connectivity b = connectProbability(500, 300, 0.1, 7, 3);
  EXPECT_TRUE(sameSynapses(a, b));
  EXPECT_FALSE(sameSynapses(a, connectProbability(500, 300, 0.1, 8, 3)));
  EXPECT_FALSE(sameSynapses(a, connectProbability(500, 300, 0.1, 7, 4)));
  // Row i depends only on (seed, stream, i): more pres keep the first rows.
  Connectivity more = connectProbability(800, 300, 0.1, 7, 3);
  uint32_t end = a.rowPtr[500];
  EXPECT_EQ(std::vector<uint32_t>(more.post.begin(), more.post.begin() + end),
            a.post);
}

TEST(ConnectivityTest, ProbabilityEdgeCases) {
  EXPECT_EQ(connectProbability(50, 60, 0.0, 1, 1).numSynapses(), 0u);
  EXPECT_EQ(connectProbability(50, 60, 1.0, 1, 1).numSynapses(), 3000u);
  Connectivity noSelf = connectProbability(200, 200, 0.5, 1, 1, true, 0);
  checkInvariants(noSelf);
  EXPECT_FALSE(hasSelf(noSelf, 0));
  EXPECT_TRUE(hasSelf(connectProbability(200, 200, 0.5, 1, 1), 0));
  EXPECT_THROW(connectProbability(5, 5, 1.5, 1, 1), RuntimeError);
  EXPECT_THROW(connectProbability(5, 5, std::nan(""), 1, 1), RuntimeError);
}

TEST(ConnectivityTest, ProbabilityLargeSparseIsFast) {
  auto start = std::chrono::steady_clock::now();
  const uint32_t n = 64000;
  const double p = 80.0 / 64000;
  Connectivity c = connectProbability(n, n, p, 5, 6, true, 0);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  double expected = double(n) * (n - 1) * p;
  EXPECT_NEAR(double(c.numSynapses()), expected, 4 * std::sqrt(expected));
  EXPECT_LT(seconds, 10.0);
  EXPECT_FALSE(hasSelf(c, 0));
}

TEST(ConnectivityTest, InDegree) {
  Connectivity c = connectInDegree(50, 40, 7, 11, 12);
  checkInvariants(c);
  EXPECT_EQ(c.numSynapses(), 280u);
  for (uint32_t j = 0; j < 40; ++j)
    EXPECT_EQ(c.colPtr[j + 1] - c.colPtr[j], 7u);
  EXPECT_TRUE(sameSynapses(c, connectInDegree(50, 40, 7, 11, 12)));
  EXPECT_FALSE(sameSynapses(c, connectInDegree(50, 40, 7, 12, 12)));

  // k = all candidates: every pre but the post itself.
  Connectivity full = connectInDegree(10, 10, 9, 1, 1, true, 0);
  checkInvariants(full);
  EXPECT_FALSE(hasSelf(full, 0));
  EXPECT_EQ(full.numSynapses(), 90u);
  EXPECT_THROW(connectInDegree(10, 10, 10, 1, 1, true, 0), RuntimeError);
  EXPECT_THROW(connectInDegree(10, 10, 11, 1, 1), RuntimeError);
}

TEST(ConnectivityTest, InDegreeIsUniform) {
  // Each pre should be picked about equally often.
  const uint32_t numPre = 100, numPost = 20000, k = 10;
  Connectivity c = connectInDegree(numPre, numPost, k, 3, 3, true, 0);
  checkInvariants(c);
  EXPECT_FALSE(hasSelf(c, 0));
  double chi2 = 0;
  for (uint32_t i = 0; i < numPre; ++i) {
    // Pre i < numPost has one excluded (self) post.
    double expected = double(k) * (numPost - 1) / (numPre - 1);
    double out = c.rowPtr[i + 1] - c.rowPtr[i];
    chi2 += (out - expected) * (out - expected) / expected;
  }
  EXPECT_LT(chi2, 99 + 5 * 14.07);
}

TEST(ConnectivityTest, OutDegree) {
  Connectivity c = connectOutDegree(30, 100, 25, 4, 5, true, 0);
  checkInvariants(c);
  EXPECT_FALSE(hasSelf(c, 0));
  for (uint32_t i = 0; i < 30; ++i)
    EXPECT_EQ(c.rowPtr[i + 1] - c.rowPtr[i], 25u);
  EXPECT_TRUE(sameSynapses(c, connectOutDegree(30, 100, 25, 4, 5, true, 0)));
  EXPECT_FALSE(sameSynapses(c, connectOutDegree(30, 100, 25, 4, 6, true, 0)));
  EXPECT_THROW(connectOutDegree(3, 4, 5, 1, 1), RuntimeError);
}

TEST(ConnectivityTest, Pairs) {
  std::vector<std::pair<int64_t, int64_t>> pairs = {{2, 1}, {0, 3}, {2, 0},
                                                    {0, 1}, {1, 1}, {0, 1}};
  std::vector<uint32_t> order;
  Connectivity c = connectPairs(3, 4, pairs, &order);
  checkInvariants(c, /*strictlySorted=*/false);
  EXPECT_EQ(c.rowPtr, (std::vector<uint32_t>{0, 3, 4, 6}));
  EXPECT_EQ(c.post, (std::vector<uint32_t>{1, 1, 3, 1, 0, 1}));
  EXPECT_EQ(order, (std::vector<uint32_t>{3, 5, 1, 4, 2, 0}));
  for (size_t s = 0; s < order.size(); ++s) {
    EXPECT_EQ(int64_t(presOf(c)[s]), pairs[order[s]].first);
    EXPECT_EQ(int64_t(c.post[s]), pairs[order[s]].second);
  }
}

TEST(ConnectivityTest, PairsOutOfRange) {
  try {
    connectPairs(3, 4, {{0, 0}, {1, 4}});
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError &e) {
    EXPECT_NE(std::string(e.what()).find("pair #1 (1, 4)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(connectPairs(3, 4, {{-1, 0}}), RuntimeError);
}

TEST(ConnectivityTest, FinalizeValidates) {
  Connectivity c;
  c.numPre = 2;
  c.numPost = 3;
  c.rowPtr = {0, 2, 3};
  c.post = {0, 2, 1};
  finalize(c);
  checkInvariants(c);
  EXPECT_EQ(c.colSyn, (std::vector<uint32_t>{0, 2, 1}));

  c.post = {2, 0, 1};
  EXPECT_THROW(finalize(c), RuntimeError); // Unsorted row.
  c.post = {0, 3, 1};
  EXPECT_THROW(finalize(c), RuntimeError); // Post out of range.
  c.post = {0, 2, 1};
  c.rowPtr = {0, 2};
  EXPECT_THROW(finalize(c), RuntimeError); // Wrong rowPtr size.
}

TEST(ConnectivityTest, TooManySynapses) {
  EXPECT_THROW(connectAll(70000, 70000), RuntimeError);
}

} // namespace

// `total = k`: exactly k synapses, pairs uniform (with repetition): each
// pre's row size is Binomial(k, 1 / numPre), each post's in-degree too.
TEST(ConnectivityTest, TotalNumberIsExactAndUniform) {
  const uint32_t nPre = 200, nPost = 300, k = 60000;
  Connectivity c = connectTotal(nPre, nPost, k, 7, 3);
  checkInvariants(c, /*strictlySorted=*/false);
  ASSERT_EQ(c.numSynapses(), k);
  auto chiSquare = [](const std::vector<double> &counts, double expected) {
    double x = 0;
    for (double n : counts)
      x += (n - expected) * (n - expected) / expected;
    return x;
  };
  std::vector<double> rows(nPre), cols(nPost);
  for (uint32_t i = 0; i < nPre; ++i)
    rows[i] = c.rowPtr[i + 1] - c.rowPtr[i];
  for (uint32_t j = 0; j < nPost; ++j)
    cols[j] = c.colPtr[j + 1] - c.colPtr[j];
  // Chi-square with n - 1 degrees of freedom: mean n - 1, sd sqrt(2 n).
  EXPECT_LT(std::fabs(chiSquare(rows, double(k) / nPre) - (nPre - 1)),
            5 * std::sqrt(2.0 * nPre));
  EXPECT_LT(std::fabs(chiSquare(cols, double(k) / nPost) - (nPost - 1)),
            5 * std::sqrt(2.0 * nPost));
  // Reproducible, and another seed gives another network.
  Connectivity again = connectTotal(nPre, nPost, k, 7, 3);
  EXPECT_EQ(again.post, c.post);
  EXPECT_EQ(again.rowPtr, c.rowPtr);
  EXPECT_NE(connectTotal(nPre, nPost, k, 8, 3).post, c.post);
}

TEST(ConnectivityTest, TotalNumberWithoutSelfPairs) {
  Connectivity c = connectTotal(20, 20, 5000, 1, 1, /*noSelf=*/true, 0);
  ASSERT_EQ(c.numSynapses(), 5000u);
  std::vector<uint32_t> pre = presOf(c);
  for (size_t s = 0; s < c.numSynapses(); ++s)
    EXPECT_NE(pre[s], c.post[s]);
  EXPECT_EQ(connectTotal(5, 5, 0, 1, 1).numSynapses(), 0u);
  EXPECT_THROW(connectTotal(1, 1, 3, 1, 1, /*noSelf=*/true, 0), RuntimeError);
}

// Row sizes are the presynaptic neurons of k pairs, pair t from words 0-1
// (t even) or 2-3 (t odd) of Philox (t / 2, step 1, draw 0) and, for a
// self pair left out, of draw 1, 2, ...; connectTotalRows gives them alone
// (procedural synapses), and row i's posts are the draws n of Philox
// (i, step 0, draw n), sorted.
TEST(ConnectivityTest, TotalNumberRowsAndPostsFollowTheirDraws) {
  for (bool noSelf : {false, true}) {
    SCOPED_TRACE(noSelf);
    const uint32_t nPre = 37, nPost = 41, k = 20000, seed = 5, stream = 9;
    const int64_t selfOffset = 2;
    Connectivity rows =
        connectTotalRows(nPre, nPost, k, seed, stream, noSelf, selfOffset);
    Connectivity full =
        connectTotal(nPre, nPost, k, seed, stream, noSelf, selfOffset);
    EXPECT_TRUE(rows.post.empty());
    EXPECT_EQ(rows.numSynapses(), k);
    EXPECT_EQ(rows.rowPtr, full.rowPtr);
    std::vector<uint32_t> counts(nPre, 0);
    const uint64_t total = uint64_t(nPre) * nPost;
    for (uint64_t t = 0; t < k; ++t)
      for (uint32_t draw = 0;; ++draw) {
        auto bits = philoxAt(seed, stream, uint32_t(t / 2), 1, draw);
        uint64_t x = t % 2 ? (uint64_t(bits[2]) << 32) | bits[3]
                           : (uint64_t(bits[0]) << 32) | bits[1];
        uint64_t pair =
            uint64_t((static_cast<unsigned __int128>(x) * total) >> 64);
        uint32_t i = uint32_t(pair / nPost), j = uint32_t(pair % nPost);
        if (noSelf && int64_t(i) + selfOffset == int64_t(j))
          continue;
        ++counts[i];
        break;
      }
    for (uint32_t i = 0; i < nPre; ++i) {
      ASSERT_EQ(full.rowPtr[i + 1] - full.rowPtr[i], counts[i]) << "row " << i;
      int64_t self = int64_t(i) + selfOffset;
      bool hasSelf = noSelf && self >= 0 && self < nPost;
      uint64_t candidates = nPost - (hasSelf ? 1 : 0);
      std::vector<uint32_t> drawn;
      for (uint32_t n = 0; n < counts[i]; ++n) {
        auto bits = philoxAt(seed, stream, i, 0, n);
        uint32_t j = uint32_t((uint64_t(bits[0]) * candidates +
                               ((uint64_t(bits[1]) * candidates) >> 32)) >>
                              32);
        drawn.push_back(hasSelf && j >= self ? j + 1 : j);
      }
      std::sort(drawn.begin(), drawn.end());
      ASSERT_EQ(drawn,
                std::vector<uint32_t>(full.post.begin() + full.rowPtr[i],
                                      full.post.begin() + full.rowPtr[i + 1]))
          << "row " << i;
    }
  }
}

// Rows ordered by delay keep their posts sorted within one delay, and the
// delay blocks say where each delay's synapses are.
TEST(ConnectivityTest, RowsOrderedByDelay) {
  Connectivity c = connectTotal(30, 40, 2000, 2, 2);
  transpose(c); // which ordering must rebuild
  std::vector<uint32_t> post = c.post;
  std::vector<uint32_t> delays(c.numSynapses());
  for (size_t s = 0; s < delays.size(); ++s)
    delays[s] = 2 + (post[s] * 7 + uint32_t(s)) % 5; // 2..6
  std::vector<uint32_t> order = orderRowsByDelay(c, delays);
  // The transposed index lists every synapse once, under its post.
  std::vector<int> listed(c.numSynapses(), 0);
  for (uint32_t j = 0; j < c.numPost; ++j)
    for (uint32_t k = c.colPtr[j]; k < c.colPtr[j + 1]; ++k) {
      EXPECT_EQ(c.post[c.colSyn[k]], j);
      ++listed[c.colSyn[k]];
    }
  EXPECT_EQ(std::count(listed.begin(), listed.end(), 1),
            int64_t(c.numSynapses()));
  std::vector<uint32_t> ordered(order.size());
  for (size_t s = 0; s < order.size(); ++s) {
    ordered[s] = delays[order[s]];
    EXPECT_EQ(c.post[s], post[order[s]]);
  }
  std::vector<uint32_t> blocks = delayRows(c, ordered, 2, 6);
  ASSERT_EQ(blocks.size(), size_t(6) * c.numPre);
  std::vector<uint32_t> pre = presOf(c);
  for (uint32_t i = 0; i < c.numPre; ++i) {
    EXPECT_EQ(blocks[i], c.rowPtr[i]);
    EXPECT_EQ(blocks[5 * c.numPre + i], c.rowPtr[i + 1]);
    for (uint32_t d = 2; d <= 6; ++d)
      for (uint32_t s = blocks[(d - 2) * c.numPre + i];
           s < blocks[(d - 1) * c.numPre + i]; ++s) {
        EXPECT_EQ(ordered[s], d);
        EXPECT_EQ(pre[s], i);
        if (s > blocks[(d - 2) * c.numPre + i])
          EXPECT_LE(c.post[s - 1], c.post[s]);
      }
  }
}

// Each row cut at the range bounds: every synapse lies in exactly one
// range, the one its post falls in, and the ranges tile each row.
TEST(ConnectivityTest, RowsSplitByPostRanges) {
  Connectivity c = connectProbability(50, 1000, 0.05, 4, 9);
  std::vector<uint32_t> bounds = {0, 0, 333, 1000}; // an empty first range
  std::vector<uint32_t> rows = postRangeRows(c, bounds);
  ASSERT_EQ(rows.size(), size_t(4) * c.numPre);
  size_t covered = 0;
  // A pre's bounds are next to each other: [i * 4 + p].
  for (uint32_t i = 0; i < c.numPre; ++i) {
    EXPECT_EQ(rows[i * 4], c.rowPtr[i]);
    EXPECT_EQ(rows[i * 4 + 3], c.rowPtr[i + 1]);
    for (size_t p = 0; p + 1 < bounds.size(); ++p)
      for (uint32_t s = rows[i * 4 + p]; s < rows[i * 4 + p + 1]; ++s) {
        EXPECT_GE(c.post[s], bounds[p]);
        EXPECT_LT(c.post[s], bounds[p + 1]);
        ++covered;
      }
  }
  EXPECT_EQ(covered, c.numSynapses());
  EXPECT_GT(c.numSynapses(), 2000u);
  // Ranges must start at 0, end at the last post and ascend.
  EXPECT_THROW(postRangeRows(c, {0, 500}), RuntimeError);
  EXPECT_THROW(postRangeRows(c, {0, 600, 500, 1000}), RuntimeError);
}
