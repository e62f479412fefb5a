//===- Connectivity.cpp - Synapse connectivity (CSR) ----------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Connectivity.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/Philox.h"

#include <boost/sort/spreadsort/integer_sort.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <thread>

using namespace hebb::rt;

namespace {

constexpr uint64_t kMaxSynapses = std::numeric_limits<uint32_t>::max();

void checkSynapseCount(uint64_t count, const char *builder) {
  if (count > kMaxSynapses)
    throw RuntimeError(std::string(builder) + ": " + std::to_string(count) +
                       " synapses exceed the limit of " +
                       std::to_string(kMaxSynapses));
}

/// The local post index that is the same neuron as local pre `i`, if any.
bool selfPost(uint32_t i, int64_t selfOffset, uint32_t numPost,
              uint32_t &post) {
  int64_t j = int64_t(i) + selfOffset;
  if (j < 0 || j >= int64_t(numPost))
    return false;
  post = uint32_t(j);
  return true;
}

/// Uniform in [0, 1) with 53 random bits, from the first two Philox words.
double uniform53(const std::array<uint32_t, 4> &bits) {
  uint64_t mantissa = (uint64_t(bits[0] >> 5) << 26) | (bits[1] >> 6);
  return double(mantissa) * 0x1p-53;
}

/// Uniform integer in [0, n) from 64 Philox bits (bias below 2^-32).
uint32_t uniformBelow(const std::array<uint32_t, 4> &bits, uint32_t n) {
  uint64_t x = (uint64_t(bits[0]) << 32) | bits[1];
  return uint32_t((static_cast<unsigned __int128>(x) * n) >> 64);
}

/// Calls fn(t) for t in [0, n): t = 0 on this thread, the others on threads
/// of their own; returns when all are done.
template <class Fn> void onThreads(unsigned n, const Fn &fn) {
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t)
    threads.emplace_back([&fn, t] { fn(t); });
  fn(0);
  for (std::thread &thread : threads)
    thread.join();
}

/// Generates `numRows` independent rows, splitting them over threads in
/// contiguous blocks and concatenating in row order, so the result does not
/// depend on the thread count. `fn(row, out, scratch)` appends row `row`.
template <class RowFn>
void generateRows(uint32_t numRows, const RowFn &fn,
                  std::vector<uint32_t> &rowPtr, std::vector<uint32_t> &cols,
                  const char *builder) {
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  unsigned numThreads =
      std::min<unsigned>(hw, std::max<uint32_t>(1, numRows / 2048));
  struct Block {
    uint32_t begin, end;
    std::vector<uint32_t> cols, counts;
  };
  std::vector<Block> blocks(numThreads);
  auto work = [&](Block &block) {
    std::vector<char> scratch;
    block.counts.reserve(block.end - block.begin);
    for (uint32_t row = block.begin; row < block.end; ++row) {
      size_t before = block.cols.size();
      fn(row, block.cols, scratch);
      block.counts.push_back(uint32_t(block.cols.size() - before));
    }
  };
  for (unsigned t = 0; t < numThreads; ++t) {
    blocks[t].begin = uint32_t(uint64_t(numRows) * t / numThreads);
    blocks[t].end = uint32_t(uint64_t(numRows) * (t + 1) / numThreads);
  }
  onThreads(numThreads, [&](unsigned t) { work(blocks[t]); });

  uint64_t total = 0;
  for (const Block &block : blocks)
    total += block.cols.size();
  checkSynapseCount(total, builder);
  rowPtr.assign(1, 0);
  rowPtr.reserve(size_t(numRows) + 1);
  cols.clear();
  cols.reserve(total);
  for (const Block &block : blocks) {
    for (uint32_t count : block.counts)
      rowPtr.push_back(rowPtr.back() + count);
    cols.insert(cols.end(), block.cols.begin(), block.cols.end());
  }
}

/// Appends k distinct indices from [0, n) excluding `skip` (if hasSkip), in
/// ascending order, drawn with Floyd's algorithm keyed by `element`.
void sampleDistinct(uint32_t n, uint32_t k, bool hasSkip, uint32_t skip,
                    uint32_t seed, uint32_t stream, uint32_t element,
                    std::vector<uint32_t> &out, std::vector<char> &mark) {
  uint32_t m = n - (hasSkip ? 1 : 0);
  if (mark.size() < m)
    mark.assign(m, 0);
  size_t first = out.size();
  uint32_t draw = 0;
  for (uint32_t t = m - k; t < m; ++t) {
    uint32_t r =
        uniformBelow(philoxAt(seed, stream, element, 0, draw++), t + 1);
    uint32_t pick = mark[r] ? t : r;
    mark[pick] = 1;
    out.push_back(pick);
  }
  for (size_t s = first; s < out.size(); ++s) {
    mark[out[s]] = 0;
    // Shift past the excluded index so that it is never chosen.
    if (hasSkip && out[s] >= skip)
      ++out[s];
  }
  boost::sort::spreadsort::integer_sort(out.begin() + first, out.end());
}

/// Transposes column lists (per post: its pres) into rows by pre.
Connectivity fromColumns(uint32_t numPre, uint32_t numPost,
                         const std::vector<uint32_t> &colPtr,
                         const std::vector<uint32_t> &colPre) {
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  conn.rowPtr.assign(size_t(numPre) + 1, 0);
  for (uint32_t i : colPre)
    ++conn.rowPtr[i + 1];
  std::partial_sum(conn.rowPtr.begin(), conn.rowPtr.end(), conn.rowPtr.begin());
  std::vector<uint32_t> fill(conn.rowPtr.begin(), conn.rowPtr.end() - 1);
  conn.post.resize(colPre.size());
  // Posts are visited in ascending order, so each row comes out sorted.
  for (uint32_t j = 0; j < numPost; ++j)
    for (uint32_t s = colPtr[j]; s < colPtr[j + 1]; ++s)
      conn.post[fill[colPre[s]]++] = j;
  finalize(conn);
  return conn;
}

/// philoxBatch in the widest vectors the machine has: the runtime is built
/// for any x86-64, and Philox's 32 x 32 -> 64 products take 2 lanes there
/// against 8 with AVX-512.
#if defined(__x86_64__) && defined(__ELF__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void wideBatch(uint32_t seed, uint32_t stream, uint32_t *c0, uint32_t *c1,
               uint32_t *c2, uint32_t *c3) {
  philoxBatch(seed, stream, c0, c1, c2, c3);
}

/// Threads for drawing k synapses: one per 2^16 (a thread costs tens of
/// microseconds; 2^16 synapses, about a millisecond).
unsigned totalThreads(uint32_t k) {
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  return std::min<unsigned>(hw, std::max<uint32_t>(1, k / (1u << 16)));
}

uint32_t availableFor(uint32_t n, bool noSelf, bool hasSelf) {
  return n - (noSelf && hasSelf ? 1 : 0);
}

} // namespace

void hebb::rt::finalize(Connectivity &conn) {
  const uint32_t numPre = conn.numPre, numPost = conn.numPost;
  if (conn.rowPtr.size() != size_t(numPre) + 1)
    throw RuntimeError("connectivity: rowPtr has " +
                       std::to_string(conn.rowPtr.size()) +
                       " entries, expected numPre + 1 = " +
                       std::to_string(uint64_t(numPre) + 1));
  if (conn.rowPtr[0] != 0 || conn.rowPtr.back() != conn.post.size())
    throw RuntimeError("connectivity: rowPtr must start at 0 and end at the "
                       "synapse count " +
                       std::to_string(conn.post.size()));
  checkSynapseCount(conn.post.size(), "connectivity");
  conn.pre.clear();
  conn.colPtr.clear();
  conn.colSyn.clear();
  for (uint32_t i = 0; i < numPre; ++i) {
    uint32_t begin = conn.rowPtr[i], end = conn.rowPtr[i + 1];
    if (end < begin)
      throw RuntimeError("connectivity: rowPtr decreases at pre " +
                         std::to_string(i));
    for (uint32_t s = begin; s < end; ++s) {
      uint32_t j = conn.post[s];
      if (j >= numPost)
        throw RuntimeError("connectivity: synapse " + std::to_string(s) +
                           " has post index " + std::to_string(j) +
                           " >= numPost " + std::to_string(numPost));
      if (s > begin && j < conn.post[s - 1])
        throw RuntimeError("connectivity: posts of pre " + std::to_string(i) +
                           " are not sorted");
    }
  }
}

std::vector<uint32_t> hebb::rt::presOf(const Connectivity &conn) {
  if (!conn.pre.empty() || conn.rowPtr.empty())
    return conn.pre;
  std::vector<uint32_t> pre(conn.numSynapses());
  for (uint32_t i = 0; i < conn.numPre; ++i)
    std::fill(pre.begin() + conn.rowPtr[i], pre.begin() + conn.rowPtr[i + 1],
              i);
  return pre;
}

void hebb::rt::transpose(Connectivity &conn) {
  conn.colPtr.assign(size_t(conn.numPost) + 1, 0);
  for (uint32_t j : conn.post)
    ++conn.colPtr[j + 1];
  std::partial_sum(conn.colPtr.begin(), conn.colPtr.end(), conn.colPtr.begin());
  std::vector<uint32_t> fill(conn.colPtr.begin(), conn.colPtr.end() - 1);
  conn.colSyn.resize(conn.post.size());
  // Synapses are visited by ascending pre, so columns come out sorted by pre.
  for (uint32_t s = 0; s < conn.post.size(); ++s)
    conn.colSyn[fill[conn.post[s]]++] = s;
}

Connectivity hebb::rt::connectAll(uint32_t numPre, uint32_t numPost,
                                  bool noSelf, int64_t selfOffset) {
  uint64_t upper = uint64_t(numPre) * numPost;
  if (upper > kMaxSynapses) {
    // Only the exact count matters; self pairs may bring it under the limit.
    uint64_t selfPairs = 0;
    if (noSelf) {
      int64_t lo = std::max<int64_t>(0, -selfOffset);
      int64_t hi = std::min<int64_t>(numPre, int64_t(numPost) - selfOffset);
      selfPairs = hi > lo ? uint64_t(hi - lo) : 0;
    }
    checkSynapseCount(upper - selfPairs, "connectAll");
  }
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  generateRows(
      numPre,
      [&](uint32_t i, std::vector<uint32_t> &out, std::vector<char> &) {
        uint32_t self = 0;
        bool hasSelf = noSelf && selfPost(i, selfOffset, numPost, self);
        for (uint32_t j = 0; j < numPost; ++j)
          if (!hasSelf || j != self)
            out.push_back(j);
      },
      conn.rowPtr, conn.post, "connectAll");
  finalize(conn);
  return conn;
}

Connectivity hebb::rt::connectOneToOne(uint32_t n) {
  Connectivity conn;
  conn.numPre = conn.numPost = n;
  conn.rowPtr.resize(size_t(n) + 1);
  std::iota(conn.rowPtr.begin(), conn.rowPtr.end(), 0u);
  conn.post.resize(n);
  std::iota(conn.post.begin(), conn.post.end(), 0u);
  finalize(conn);
  return conn;
}

Connectivity hebb::rt::connectProbability(uint32_t numPre, uint32_t numPost,
                                          double p, uint32_t seed,
                                          uint32_t stream, bool noSelf,
                                          int64_t selfOffset) {
  if (!(p >= 0.0 && p <= 1.0))
    throw RuntimeError("connectProbability: p = " + std::to_string(p) +
                       " is not in [0, 1]");
  if (p == 1.0)
    return connectAll(numPre, numPost, noSelf, selfOffset);
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  const double logQ = std::log1p(-p);
  generateRows(
      numPre,
      [&](uint32_t i, std::vector<uint32_t> &out, std::vector<char> &) {
        if (p == 0.0)
          return;
        uint32_t self = 0;
        bool hasSelf = noSelf && selfPost(i, selfOffset, numPost, self);
        // Geometric skipping: the gap before the next connected post is
        // Geometric(p), so the cost is O(row length) instead of O(numPost).
        int64_t j = -1;
        for (uint32_t draw = 0;; ++draw) {
          double u = 1.0 - uniform53(philoxAt(seed, stream, i, 0, draw));
          double skip = std::floor(std::log(u) / logQ);
          if (skip >= double(numPost))
            break;
          j += 1 + int64_t(skip);
          if (j >= int64_t(numPost))
            break;
          if (!hasSelf || uint32_t(j) != self)
            out.push_back(uint32_t(j));
        }
      },
      conn.rowPtr, conn.post, "connectProbability");
  finalize(conn);
  return conn;
}

Connectivity hebb::rt::connectInDegree(uint32_t numPre, uint32_t numPost,
                                       uint32_t k, uint32_t seed,
                                       uint32_t stream, bool noSelf,
                                       int64_t selfOffset) {
  checkSynapseCount(uint64_t(numPost) * k, "connectInDegree");
  // Validate up front: the generator threads must not throw.
  for (uint32_t j = 0; j < numPost; ++j) {
    int64_t selfPre = int64_t(j) - selfOffset;
    bool hasSelf = noSelf && selfPre >= 0 && selfPre < int64_t(numPre);
    uint32_t available = availableFor(numPre, noSelf, hasSelf);
    if (k > available)
      throw RuntimeError("connectInDegree: in-degree " + std::to_string(k) +
                         " exceeds the " + std::to_string(available) +
                         " candidate pres of post " + std::to_string(j));
  }
  std::vector<uint32_t> colPtr, colPre;
  generateRows(
      numPost,
      [&](uint32_t j, std::vector<uint32_t> &out, std::vector<char> &mark) {
        int64_t selfPre = int64_t(j) - selfOffset;
        bool hasSelf = noSelf && selfPre >= 0 && selfPre < int64_t(numPre);
        sampleDistinct(numPre, k, hasSelf, uint32_t(hasSelf ? selfPre : 0),
                       seed, stream, j, out, mark);
      },
      colPtr, colPre, "connectInDegree");
  return fromColumns(numPre, numPost, colPtr, colPre);
}

Connectivity hebb::rt::connectOutDegree(uint32_t numPre, uint32_t numPost,
                                        uint32_t k, uint32_t seed,
                                        uint32_t stream, bool noSelf,
                                        int64_t selfOffset) {
  checkSynapseCount(uint64_t(numPre) * k, "connectOutDegree");
  for (uint32_t i = 0; i < numPre; ++i) {
    uint32_t self = 0;
    bool hasSelf = noSelf && selfPost(i, selfOffset, numPost, self);
    uint32_t available = availableFor(numPost, noSelf, hasSelf);
    if (k > available)
      throw RuntimeError("connectOutDegree: out-degree " + std::to_string(k) +
                         " exceeds the " + std::to_string(available) +
                         " candidate posts of pre " + std::to_string(i));
  }
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  generateRows(
      numPre,
      [&](uint32_t i, std::vector<uint32_t> &out, std::vector<char> &mark) {
        uint32_t self = 0;
        bool hasSelf = noSelf && selfPost(i, selfOffset, numPost, self);
        sampleDistinct(numPost, k, hasSelf, self, seed, stream, i, out, mark);
      },
      conn.rowPtr, conn.post, "connectOutDegree");
  finalize(conn);
  return conn;
}

Connectivity
hebb::rt::connectPairs(uint32_t numPre, uint32_t numPost,
                       const std::vector<std::pair<int64_t, int64_t>> &pairs,
                       std::vector<uint32_t> *order) {
  checkSynapseCount(pairs.size(), "connectPairs");
  for (size_t n = 0; n < pairs.size(); ++n) {
    auto [i, j] = pairs[n];
    if (i < 0 || i >= int64_t(numPre) || j < 0 || j >= int64_t(numPost))
      throw RuntimeError("connectPairs: pair #" + std::to_string(n) + " (" +
                         std::to_string(i) + ", " + std::to_string(j) +
                         ") is out of range for " + std::to_string(numPre) +
                         " pre x " + std::to_string(numPost) + " post neurons");
  }
  std::vector<uint32_t> perm(pairs.size());
  std::iota(perm.begin(), perm.end(), 0u);
  // Ties broken by input position, so duplicate pairs keep their order.
  std::sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
    return pairs[a] < pairs[b] || (pairs[a] == pairs[b] && a < b);
  });
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  conn.rowPtr.assign(size_t(numPre) + 1, 0);
  conn.post.resize(pairs.size());
  for (size_t s = 0; s < perm.size(); ++s) {
    conn.post[s] = uint32_t(pairs[perm[s]].second);
    ++conn.rowPtr[pairs[perm[s]].first + 1];
  }
  std::partial_sum(conn.rowPtr.begin(), conn.rowPtr.end(), conn.rowPtr.begin());
  finalize(conn);
  if (order)
    *order = std::move(perm);
  return conn;
}

Connectivity hebb::rt::connectTotalRows(uint32_t numPre, uint32_t numPost,
                                        uint32_t k, uint32_t seed,
                                        uint32_t stream, bool noSelf,
                                        int64_t selfOffset) {
  // Self pairs exist where the two slices overlap.
  uint64_t selfPairs = 0;
  if (noSelf) {
    int64_t lo = std::max<int64_t>(0, -selfOffset);
    int64_t hi = std::min<int64_t>(numPre, int64_t(numPost) - selfOffset);
    selfPairs = hi > lo ? uint64_t(hi - lo) : 0;
  }
  uint64_t pairs = uint64_t(numPre) * numPost - selfPairs;
  if (k > 0 && pairs == 0)
    throw RuntimeError("connectTotal: " + std::to_string(k) +
                       " synapses but no pair to draw them from");
  // How many synapses each pre gets: the presynaptic neurons of k pairs
  // drawn uniformly (a multinomial sample), pair t from the counter
  // (element = t / 2, step = 1), two pairs per Philox block; self pairs are
  // drawn again with the next draw number. Threads count blocks of t and
  // add their counts, so the result does not depend on them.
  unsigned numThreads = totalThreads(k);
  std::vector<std::vector<uint32_t>> counts(numThreads,
                                            std::vector<uint32_t>(numPre, 0));
  const uint64_t total = uint64_t(numPre) * numPost;
  // Pair t's 64 bits x give the pair (x * total) >> 64, whose pre is
  // exactly (x * numPre) >> 64: no division.
  auto countPair = [&](std::vector<uint32_t> &mine, uint64_t t, uint32_t high,
                       uint32_t low) {
    for (uint32_t draw = 1;; ++draw) {
      uint64_t x = (uint64_t(high) << 32) | low;
      uint32_t i = uint32_t((static_cast<unsigned __int128>(x) * numPre) >> 64);
      uint32_t self = 0;
      if (!noSelf || !selfPost(i, selfOffset, numPost, self) ||
          self !=
              uint32_t(
                  uint64_t((static_cast<unsigned __int128>(x) * total) >> 64) -
                  uint64_t(i) * numPost)) {
        ++mine[i];
        return;
      }
      std::array<uint32_t, 4> bits =
          philoxAt(seed, stream, uint32_t(t / 2), 1, draw);
      high = bits[t % 2 ? 2 : 0];
      low = bits[t % 2 ? 3 : 1];
    }
  };
  const uint64_t blocks = (uint64_t(k) + 1) / 2;
  auto countBlock = [&](unsigned thread) {
    uint64_t begin = blocks * thread / numThreads;
    uint64_t end = blocks * (thread + 1) / numThreads;
    std::vector<uint32_t> &mine = counts[thread];
    uint32_t c0[kPhiloxBatch], c1[kPhiloxBatch], c2[kPhiloxBatch],
        c3[kPhiloxBatch];
    for (uint64_t e0 = begin; e0 < end; e0 += kPhiloxBatch) {
      for (unsigned b = 0; b < kPhiloxBatch; ++b) {
        c0[b] = uint32_t(e0 + b);
        c1[b] = 1;
        c2[b] = c3[b] = 0;
      }
      wideBatch(seed, stream, c0, c1, c2, c3);
      for (unsigned b = 0; b < kPhiloxBatch && e0 + b < end; ++b) {
        uint64_t t = 2 * (e0 + b);
        countPair(mine, t, c0[b], c1[b]);
        if (t + 1 < k)
          countPair(mine, t + 1, c2[b], c3[b]);
      }
    }
  };
  onThreads(numThreads, countBlock);
  for (unsigned t = 1; t < numThreads; ++t)
    for (uint32_t i = 0; i < numPre; ++i)
      counts[0][i] += counts[t][i];
  Connectivity conn;
  conn.numPre = numPre;
  conn.numPost = numPost;
  conn.rowPtr.assign(size_t(numPre) + 1, 0);
  for (uint32_t i = 0; i < numPre; ++i)
    conn.rowPtr[i + 1] = conn.rowPtr[i] + counts[0][i];
  return conn;
}

Connectivity hebb::rt::connectTotal(uint32_t numPre, uint32_t numPost,
                                    uint32_t k, uint32_t seed, uint32_t stream,
                                    bool noSelf, int64_t selfOffset) {
  Connectivity conn =
      connectTotalRows(numPre, numPost, k, seed, stream, noSelf, selfOffset);
  unsigned numThreads = totalThreads(k);
  // Each row's postsynaptic neurons: uniform among its candidates, with
  // repetition, sorted. The row sizes are known: threads fill rows in place.
  conn.post.resize(k);
  auto fillRows = [&](unsigned thread) {
    uint32_t begin = uint32_t(uint64_t(numPre) * thread / numThreads);
    uint32_t end = uint32_t(uint64_t(numPre) * (thread + 1) / numThreads);
    for (uint32_t i = begin; i < end; ++i) {
      uint32_t self = 0;
      bool hasSelf = noSelf && selfPost(i, selfOffset, numPost, self);
      uint32_t candidates = numPost - (hasSelf ? 1 : 0);
      uint32_t *row = conn.post.data() + conn.rowPtr[i];
      uint32_t rowSize = conn.rowPtr[i + 1] - conn.rowPtr[i];
      // Post n is uniformBelow(philoxAt(seed, stream, i, 0, n)), drawn a
      // batch at a time: (x * candidates) >> 64 for the 64 bits x of words
      // 0 and 1, in 64-bit arithmetic (exact: the sum cannot overflow).
      uint32_t word0[kPhiloxBatch], word1[kPhiloxBatch];
      for (uint32_t n0 = 0; n0 < rowSize; n0 += kPhiloxBatch) {
        unsigned count =
            unsigned(std::min<uint32_t>(kPhiloxBatch, rowSize - n0));
        philoxWords01(seed, stream, i, n0, count, word0, word1);
        for (unsigned k = 0; k < count; ++k) {
          uint64_t high = uint64_t(word0[k]) * candidates;
          uint64_t low = uint64_t(word1[k]) * candidates;
          uint32_t j = uint32_t((high + (low >> 32)) >> 32);
          row[n0 + k] = hasSelf && j >= self ? j + 1 : j;
        }
      }
      // A radix sort: rows of thousands of uniform indices sort 3-4 times
      // faster than by comparisons.
      boost::sort::spreadsort::integer_sort(row, row + rowSize);
    }
  };
  onThreads(numThreads, fillRows);
  finalize(conn);
  return conn;
}

std::vector<uint32_t>
hebb::rt::orderRowsByDelay(Connectivity &conn,
                           const std::vector<uint32_t> &delaySteps) {
  size_t nSyn = conn.numSynapses();
  if (delaySteps.size() != nSyn)
    throw RuntimeError(
        "orderRowsByDelay: " + std::to_string(delaySteps.size()) +
        " delays for " + std::to_string(nSyn) + " synapses");
  // A counting sort per row: stable, so within one delay synapses keep
  // their postsynaptic order.
  std::vector<uint32_t> order(nSyn);
  uint32_t maxDelay = 0;
  for (uint32_t d : delaySteps)
    maxDelay = std::max(maxDelay, d);
  std::vector<uint32_t> start(size_t(maxDelay) + 2);
  for (uint32_t i = 0; i < conn.numPre; ++i) {
    uint32_t begin = conn.rowPtr[i], end = conn.rowPtr[i + 1];
    std::fill(start.begin(), start.end(), 0);
    for (uint32_t s = begin; s < end; ++s)
      ++start[delaySteps[s] + 1];
    start[0] = begin;
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (uint32_t s = begin; s < end; ++s)
      order[start[delaySteps[s]]++] = s;
  }
  std::vector<uint32_t> post(nSyn);
  for (size_t s = 0; s < nSyn; ++s)
    post[s] = conn.post[order[s]];
  conn.post = std::move(post);
  // `pre` is unchanged (rows keep their places); the transposed index, if
  // made, lists columns by ascending pre, then delay.
  if (!conn.colPtr.empty())
    transpose(conn);
  return order;
}

std::vector<uint32_t>
hebb::rt::delayRows(const Connectivity &conn,
                    const std::vector<uint32_t> &delaySteps, uint32_t minDelay,
                    uint32_t maxDelay) {
  uint32_t slots = maxDelay - minDelay + 1, numPre = conn.numPre;
  std::vector<uint32_t> rows((size_t(slots) + 1) * numPre);
  for (uint32_t i = 0; i < numPre; ++i) {
    uint32_t s = conn.rowPtr[i], end = conn.rowPtr[i + 1];
    for (uint32_t slot = 0; slot < slots; ++slot) {
      rows[size_t(slot) * numPre + i] = s;
      while (s < end && delaySteps[s] == minDelay + slot)
        ++s;
    }
    if (s != end)
      throw RuntimeError("delayRows: the synapses of pre " + std::to_string(i) +
                         " are not ordered by delay within [" +
                         std::to_string(minDelay) + ", " +
                         std::to_string(maxDelay) + "]");
    rows[size_t(slots) * numPre + i] = end;
  }
  return rows;
}

std::vector<uint32_t>
hebb::rt::postRangeRows(const Connectivity &conn,
                        const std::vector<uint32_t> &bounds) {
  const uint32_t numPre = conn.numPre;
  if (bounds.size() < 2 || bounds.front() != 0 ||
      bounds.back() != conn.numPost ||
      !std::is_sorted(bounds.begin(), bounds.end()))
    throw RuntimeError("postRangeRows: the ranges do not cover the " +
                       std::to_string(conn.numPost) + " posts in order");
  std::vector<uint32_t> rows(bounds.size() * numPre);
  for (uint32_t i = 0; i < numPre; ++i) {
    const uint32_t *begin = conn.post.data() + conn.rowPtr[i];
    const uint32_t *end = conn.post.data() + conn.rowPtr[i + 1];
    if (!std::is_sorted(begin, end))
      throw RuntimeError("postRangeRows: the synapses of pre " +
                         std::to_string(i) + " are not ordered by post");
    for (size_t p = 0; p < bounds.size(); ++p)
      rows[i * bounds.size() + p] =
          conn.rowPtr[i] +
          uint32_t(std::lower_bound(begin, end, bounds[p]) - begin);
  }
  return rows;
}
