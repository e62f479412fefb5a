//===- Network.cpp - A network of compiled kernels, stepped in time -------===//

#include "hebb/runtime/Network.h"
#include "NetworkState.h"
#include "hebb/runtime/Error.h"
#include "hebb/runtime/MemoryEstimate.h"
#include "hebb/runtime/Monitors.h"
#include "hebb/runtime/Npy.h"
#include "hebb/runtime/Philox.h"
#include "hebb/runtime/ThreadPool.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <emmintrin.h>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

using namespace hebb::rt;
using namespace hebb::rt::detail;

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

Buffer::Buffer(size_t count, size_t elementSize)
    : count(count), elemSize(elementSize) {
  size_t bytes = std::max<size_t>(64, (count * elementSize + 63) / 64 * 64);
  // Page faults are slow on these machines: ask for huge pages for large
  // arrays and touch everything once, now, before the first step.
  size_t align = bytes >= (2u << 20) ? (2u << 20) : 64;
  bytes = (bytes + align - 1) / align * align;
  ptr = std::aligned_alloc(align, bytes);
  if (!ptr)
    throw RuntimeError("out of memory allocating " + std::to_string(bytes) +
                       " bytes");
#ifdef MADV_HUGEPAGE
  if (align > 64)
    madvise(ptr, bytes, MADV_HUGEPAGE);
#endif
  std::memset(ptr, 0, bytes);
}

Buffer::~Buffer() { std::free(ptr); }

Buffer::Buffer(Buffer &&other) noexcept
    : ptr(other.ptr), count(other.count), elemSize(other.elemSize) {
  other.ptr = nullptr;
  other.count = 0;
}

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  if (this != &other) {
    std::free(ptr);
    ptr = other.ptr;
    count = other.count;
    elemSize = other.elemSize;
    other.ptr = nullptr;
    other.count = 0;
  }
  return *this;
}

void Buffer::zero() {
  if (ptr)
    std::memset(ptr, 0, count * elemSize);
}

//===----------------------------------------------------------------------===//
// Kernel calls
//===----------------------------------------------------------------------===//

namespace {
/// The fewest postsynaptic neurons per thread for which `on pre` is split.
constexpr int64_t kMinPostPerPart = 4096;
/// The fewest neurons per thread, all populations together, for which the
/// neuron update is split. No more than kMinPostPerPart: a population whose
/// deliveries are split but whose update is not has its inputs written by
/// one core and read by the other every step (at 12000 CUBA neurons, two
/// threads took 1.8 times as long as one).
constexpr int64_t kMinNeuronsPerChunk = kMinPostPerPart;

/// Fisher-Yates with Philox draws keyed by the seed, the population and the
/// epoch: every epoch its own permutation, the same on every run.
std::vector<int64_t> shuffledRows(int64_t rows, int64_t epoch,
                                  const std::string &population,
                                  uint64_t seed) {
  std::vector<int64_t> order(rows);
  for (int64_t i = 0; i < rows; ++i)
    order[i] = i;
  uint32_t stream = streamId(population + ".shuffle");
  for (int64_t i = rows - 1; i > 0; --i) {
    std::array<uint32_t, 4> w =
        philoxAt(static_cast<uint32_t>(seed), stream,
                 static_cast<uint32_t>(epoch), static_cast<uint64_t>(i), 0);
    uint64_t bits = (uint64_t(w[0]) << 32) | w[1];
    int64_t j = static_cast<int64_t>(bits % uint64_t(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

/// A dense projection's synapses in the kernels' post-major order
/// (s = j * n_pre + i). Only the endpoints are kept: dense kernels compute
/// indices, and records use the endpoints to lay out weights.
Connectivity denseConnectivity(uint32_t numPre, uint32_t numPost) {
  Connectivity c;
  c.numPre = numPre;
  c.numPost = numPost;
  size_t n = size_t(numPre) * numPost;
  c.pre.resize(n);
  c.post.resize(n);
  for (uint32_t j = 0; j < numPost; ++j)
    for (uint32_t i = 0; i < numPre; ++i) {
      c.pre[size_t(j) * numPre + i] = i;
      c.post[size_t(j) * numPre + i] = j;
    }
  return c;
}

/// Appends the indices in [begin, end) whose flag is set: sixteen flags
/// at a time become a bit mask (SSE2, in every x86-64), whose few set bits
/// are then walked. Spikes are rare: one test per 64 flags skips the quiet
/// ones.
void collectSpikes(const uint8_t *flags, int64_t begin, int64_t end,
                   std::vector<uint32_t> &out) {
  const __m128i zero = _mm_setzero_si128();
  auto load = [&](int64_t at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i *>(flags + at));
  };
  auto collect16 = [&](int64_t at, __m128i v) {
    unsigned mask = ~_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) & 0xffffu;
    while (mask) {
      out.push_back(static_cast<uint32_t>(at + __builtin_ctz(mask)));
      mask &= mask - 1;
    }
  };
  int64_t i = begin;
  for (; i + 64 <= end; i += 64) {
    __m128i a = load(i), b = load(i + 16), c = load(i + 32), d = load(i + 48);
    __m128i any = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(any, zero)) == 0xffff)
      continue;
    collect16(i, a);
    collect16(i + 16, b);
    collect16(i + 32, c);
    collect16(i + 48, d);
  }
  for (; i + 16 <= end; i += 16)
    collect16(i, load(i));
  for (; i < end; ++i)
    if (flags[i])
      out.push_back(static_cast<uint32_t>(i));
}

/// to[offset + j] += from[j], in the buffers' float type.
void addInto(Buffer &to, int64_t offset, const Buffer &from) {
  if (to.elementSize() == 8) {
    double *dst = to.as<double>() + offset;
    const double *src = from.as<double>();
    for (size_t j = 0; j < from.size(); ++j)
      dst[j] += src[j];
    return;
  }
  float *dst = to.as<float>() + offset;
  const float *src = from.as<float>();
  for (size_t j = 0; j < from.size(); ++j)
    dst[j] += src[j];
}

Buffer intBuffer(const std::vector<uint32_t> &values) {
  Buffer b(std::max<size_t>(1, values.size()), sizeof(uint32_t));
  if (!values.empty())
    std::memcpy(b.data(), values.data(), values.size() * sizeof(uint32_t));
  return b;
}

Buffer paramBuffer(const std::vector<ParamSpec> &params) {
  Buffer b(std::max<size_t>(1, params.size()), sizeof(double));
  for (size_t i = 0; i < params.size(); ++i)
    b.as<double>()[i] = params[i].value;
  return b;
}

/// Copies `values` into an int buffer made for as many, in place (kernels
/// hold its address); a buffer no kernel reads (one element) stays as is.
void overwrite(Buffer &b, const std::vector<uint32_t> &values) {
  if (b.size() == values.size() && !values.empty())
    std::memcpy(b.data(), values.data(), values.size() * sizeof(uint32_t));
}

/// A delay in seconds rounded to whole steps, at least one; 0 where it is
/// more than 65535 steps (or not a number). Procedural kernels round
/// theirs alike.
inline uint32_t roundDelay(double seconds, double dt) {
  double n = std::floor(seconds / dt + 0.5);
  if (!(n < 65536))
    return 0;
  return n < 1 ? 1 : uint32_t(n);
}

/// `synapse` ("synapse 12") has a delay roundDelay refuses.
[[noreturn]] void delayTooLong(const ProjectionSpec &ps,
                               const std::string &synapse, double seconds) {
  throw RuntimeError("projection '" + ps.name + "': " + synapse +
                     " has a delay of " + std::to_string(seconds) +
                     " s, more than 65535 steps");
}

/// Entry `at` of a delay field, in seconds.
inline double delayAt(const Buffer &delay, size_t at) {
  return delay.elementSize() == 8 ? delay.as<double>()[at]
                                  : delay.as<float>()[at];
}

/// A procedural projection's range of delays in steps, from each row's
/// shortest and longest (its delay_range kernel): the rings' length.
void rangeOfProceduralDelays(const ProjectionSpec &ps, ProjectionState &st,
                             double dt) {
  const Buffer &least = st.delayLeast, &most = st.delayMost;
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t i = 0; i < st.conn.numPre; ++i) {
    if (st.conn.rowPtr[i + 1] == st.conn.rowPtr[i])
      continue;
    uint32_t shortest = roundDelay(delayAt(least, i), dt);
    uint32_t longest = roundDelay(delayAt(most, i), dt);
    if (!shortest || !longest)
      delayTooLong(ps, "a synapse of presynaptic neuron " + std::to_string(i),
                   delayAt(longest ? least : most, i));
    lo = std::min(lo, shortest);
    hi = std::max(hi, longest);
  }
  if (hi > 0) {
    st.minDelay = lo;
    st.maxDelay = hi;
  }
  st.eventRows = Buffer(st.events.size(), sizeof(uint32_t));
}

/// A projection with a delay per synapse, after its init kernels drew the
/// delays: rounds them to steps (at least one) and makes what delivery
/// reads. Delivery at arrival reads the row block of each delay: each row
/// is ordered by delay, every per-synapse field moved along. Delivery into
/// the rings of the postsynaptic population (of `postSize` neurons) reads
/// each synapse's column in them; rows stay ordered by post, so that they
/// split by postsynaptic ranges.
void orderByDelay(const ProjectionSpec &ps, ProjectionState &st, double dt,
                  int64_t postSize) {
  size_t nSyn = st.conn.numSynapses();
  Buffer &delays = st.fields.at(kSynapseDelayField);
  // Rings keep each synapse's steps in its ring column (made whole below):
  // a billion synapses' worth of another array is gigabytes.
  std::vector<uint32_t> rowSteps;
  if (st.ring)
    st.ringColumn = Buffer(std::max<size_t>(1, nSyn), sizeof(uint32_t));
  else
    rowSteps.resize(nSyn);
  uint32_t *steps = st.ring ? st.ringColumn.as<uint32_t>() : rowSteps.data();
  uint32_t lo = UINT32_MAX, hi = 0;
  for (size_t s = 0; s < nSyn; ++s) {
    steps[s] = roundDelay(delayAt(delays, s), dt);
    if (!steps[s])
      delayTooLong(ps, "synapse " + std::to_string(s), delayAt(delays, s));
    lo = std::min(lo, steps[s]);
    hi = std::max(hi, steps[s]);
  }
  if (nSyn > 0) {
    st.minDelay = lo;
    st.maxDelay = hi;
  }
  if (!st.ring) {
    std::vector<uint32_t> order = orderRowsByDelay(st.conn, rowSteps);
    std::vector<uint32_t> ordered(nSyn);
    for (size_t s = 0; s < nSyn; ++s)
      ordered[s] = rowSteps[order[s]];
    rowSteps = std::move(ordered);
    steps = rowSteps.data();
    overwrite(st.postIndex, st.conn.post); // pre_index: rows keep places
    overwrite(st.colPtr, st.conn.colPtr);
    overwrite(st.colSyn, st.conn.colSyn);
    for (auto &[name, field] : st.fields) {
      if (field.size() != nSyn || nSyn <= 1)
        continue;
      bool perSynapse = false;
      for (const FieldSpec &f : ps.fields)
        perSynapse |= f.name == name && f.scope != "pre" && f.scope != "post" &&
                      f.scope != "proj";
      if (!perSynapse)
        continue;
      auto permute = [&](auto *values) {
        using T = std::remove_pointer_t<decltype(values)>;
        std::vector<T> copy(values, values + nSyn);
        for (size_t s = 0; s < nSyn; ++s)
          values[s] = copy[order[s]];
      };
      if (field.elementSize() == 8)
        permute(field.as<double>());
      else
        permute(field.as<float>());
    }
  }
  // The delays as they are used, in seconds.
  for (size_t s = 0; s < nSyn; ++s) {
    if (delays.elementSize() == 8)
      delays.as<double>()[s] = steps[s] * dt;
    else
      delays.as<float>()[s] = float(steps[s] * dt);
  }
  if (!st.ring) {
    st.delayRows = intBuffer(delayRows(st.conn, rowSteps, uint32_t(st.minDelay),
                                       uint32_t(st.maxDelay)));
  } else {
    // Where each synapse adds in its ring, less the emission slot's row.
    const uint64_t length = uint64_t(postSize);
    if ((uint64_t(st.maxDelay) + 1) * length > UINT32_MAX)
      throw RuntimeError("projection '" + ps.name + "': delays of up to " +
                         std::to_string(st.maxDelay) + " steps into " +
                         std::to_string(length) +
                         " neurons need ring offsets beyond 32 bits");
    for (size_t s = 0; s < nSyn; ++s)
      steps[s] = uint32_t(steps[s] * length + st.conn.post[s]);
  }
  st.eventRows = Buffer(st.events.size(), sizeof(uint32_t));
}

/// The one-word buffer with the key of random stream `stream` of
/// `instance`, made on first use: kernels read it rather than carry it, so
/// that instances of one model share their code.
MemRef1D streamKey(std::map<std::string, Buffer> &keys,
                   const std::string &instance, const std::string &stream) {
  auto it = keys.find(stream);
  if (it == keys.end())
    it = keys.emplace(stream, intBuffer({streamId(instance + "." + stream)}))
             .first;
  return describe(it->second);
}

std::string prefixOf(const std::string &entry, std::string *rest) {
  size_t colon = entry.find(':');
  if (colon == std::string::npos) {
    *rest = "";
    return entry;
  }
  *rest = entry.substr(colon + 1);
  return entry.substr(0, colon);
}
} // namespace

Network::Network(NetworkSpec specIn)
    : spec(std::move(specIn)), impl(std::make_unique<Impl>()) {
  checkFits(spec); // before anything is allocated
  Impl &s = *impl;
  s.signals = Buffer(std::max<size_t>(1, spec.signals.size()), sizeof(double));
  for (size_t i = 0; i < spec.signals.size(); ++i)
    s.signals.as<double>()[i] = spec.signals[i].second;
  s.pops.resize(spec.populations.size());
  for (size_t k = 0; k < spec.populations.size(); ++k) {
    const PopulationSpec &ps = spec.populations[k];
    PopulationState &st = s.pops[k];
    for (const FieldSpec &f : ps.fields)
      st.fields.emplace(f.name, Buffer(ps.size, f.f64 ? 8 : 4));
    st.params = paramBuffer(ps.params);
    st.spiked = Buffer(ps.size, 1);
    // Refractory steps left: none (a zeroed buffer counts down to -1).
    st.refractory = Buffer(ps.size, sizeof(float));
    st.spikesPerNeuron.assign(ps.size, 0);
    if (ps.stream) {
      NpyArray a = readNpy(ps.stream->file);
      if (a.shape.size() != 2 || a.shape[1] != ps.size)
        throw RuntimeError(ps.stream->file + ": Stream population '" + ps.name +
                           "' needs an array of shape (T, " +
                           std::to_string(ps.size) + ")");
      std::vector<double> values = a.toDoubles();
      st.streamRows.assign(values.begin(), values.end());
      st.streamRowCount = a.shape[0];
    }
  }

  auto popBuffers = [&](PopulationState &st, const PopulationSpec &ps,
                        const KernelSpec &k) {
    std::vector<MemRef1D> out;
    for (const std::string &entry : k.buffers) {
      std::string name;
      std::string kind = prefixOf(entry, &name);
      if (kind == "field") {
        auto it = st.fields.find(name);
        if (it == st.fields.end())
          throw RuntimeError(k.symbol + ": no field '" + name + "' in " +
                             ps.name);
        out.push_back(describe(it->second));
      } else if (kind == "spiked") {
        out.push_back(describe(st.spiked));
      } else if (kind == "refractory") {
        out.push_back(describe(st.refractory));
      } else if (kind == "stream") {
        out.push_back(streamKey(st.streamKeys, ps.name, name));
      } else {
        throw RuntimeError(k.symbol + ": unknown buffer '" + entry + "'");
      }
    }
    return out;
  };

  for (size_t k = 0; k < spec.populations.size(); ++k) {
    const PopulationSpec &ps = spec.populations[k];
    PopulationState &st = s.pops[k];
    MemRef1D params = describe(st.params), sig = describe(s.signals);
    if (ps.init)
      st.init = KernelCall(*ps.init, params, sig, popBuffers(st, ps, *ps.init),
                           ps.size);
    if (ps.step)
      st.step = KernelCall(*ps.step, params, sig, popBuffers(st, ps, *ps.step),
                           ps.size);
    for (const auto &[phase, kernel] : ps.onEnd)
      st.onEnd.emplace_back(
          phase,
          KernelCall(kernel, params, sig, popBuffers(st, ps, kernel), ps.size));
  }

  // Initial values: populations first, so that synapse inits may read them.
  // Every core draws them (each element's draws are its own, so the values
  // do not depend on how many), denormals flushed as in the steps.
  flushDenormalsToZero();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::unique_ptr<ThreadPool> initPool =
      cores > 1 ? std::make_unique<ThreadPool>(cores) : nullptr;
  for (size_t k = 0; k < s.pops.size(); ++k)
    if (s.pops[k].init.valid())
      s.pops[k].init.callAll(0, 0, spec.dt, static_cast<int64_t>(spec.seed),
                             initPool.get());

  s.projs.resize(spec.projections.size());
  // The projection whose weights a tied one reads: made before it.
  auto tiedProjection = [&](const ProjectionSpec &tied) -> ProjectionState & {
    for (size_t k = 0; k < spec.projections.size(); ++k) {
      const ProjectionSpec &fwd = spec.projections[k];
      if (fwd.name != tied.tiedTo)
        continue;
      if (&fwd >= &tied || !fwd.dense || fwd.pre != tied.post ||
          fwd.post != tied.pre ||
          fwd.preEnd - fwd.preBegin != tied.postEnd - tied.postBegin ||
          fwd.postEnd - fwd.postBegin != tied.preEnd - tied.preBegin)
        break;
      return s.projs[k];
    }
    throw RuntimeError("projection '" + tied.name +
                       "' cannot read the weights of '" + tied.tiedTo +
                       "' transposed");
  };
  for (size_t k = 0; k < spec.projections.size(); ++k) {
    const ProjectionSpec &ps = spec.projections[k];
    ProjectionState &st = s.projs[k];
    uint32_t nPre = static_cast<uint32_t>(ps.preEnd - ps.preBegin);
    uint32_t nPost = static_cast<uint32_t>(ps.postEnd - ps.postBegin);
    int64_t selfOffset =
        ps.pre == ps.post ? ps.preBegin - ps.postBegin : INT64_MAX / 2;
    bool noSelf = ps.noSelf && ps.pre == ps.post;
    uint32_t seed = static_cast<uint32_t>(spec.seed);
    uint32_t stream = streamId(ps.name + ".connect");
    switch (ps.connect) {
    case ConnectRule::All:
      st.conn = ps.dense ? denseConnectivity(nPre, nPost)
                         : connectAll(nPre, nPost, noSelf, selfOffset);
      break;
    case ConnectRule::OneToOne:
      st.conn = connectOneToOne(nPre);
      break;
    case ConnectRule::Probability:
      st.conn = connectProbability(nPre, nPost, ps.connectValue, seed, stream,
                                   noSelf, selfOffset);
      break;
    case ConnectRule::InDegree:
      st.conn =
          connectInDegree(nPre, nPost, static_cast<uint32_t>(ps.connectValue),
                          seed, stream, noSelf, selfOffset);
      break;
    case ConnectRule::OutDegree:
      st.conn =
          connectOutDegree(nPre, nPost, static_cast<uint32_t>(ps.connectValue),
                           seed, stream, noSelf, selfOffset);
      break;
    case ConnectRule::Total:
      st.conn = (ps.procedural() ? connectTotalRows : connectTotal)(
          nPre, nPost, static_cast<uint32_t>(ps.connectValue), seed, stream,
          noSelf, selfOffset);
      break;
    case ConnectRule::File: {
      NpyArray a = readNpy(ps.connectFile);
      if (a.shape.size() != 2 || a.shape[1] != 2)
        throw RuntimeError(ps.connectFile +
                           ": connect from needs an (n, 2) array of pairs");
      std::vector<double> v = a.toDoubles();
      std::vector<std::pair<int64_t, int64_t>> pairs;
      for (int64_t r = 0; r < a.shape[0]; ++r)
        pairs.push_back({static_cast<int64_t>(v[2 * r]),
                         static_cast<int64_t>(v[2 * r + 1])});
      try {
        st.conn = connectPairs(nPre, nPost, pairs);
      } catch (const RuntimeError &e) {
        throw RuntimeError(ps.connectFile + " (projection '" + ps.name +
                           "'): " + e.what());
      }
      break;
    }
    }
    size_t nSyn = st.conn.numSynapses();
    // Procedural synapses keep no per-synapse value.
    for (const FieldSpec &f : ps.fields) {
      size_t n = f.scope == "pre"    ? nPre
                 : f.scope == "post" ? nPost
                 : f.scope == "proj" ? 1
                 : ps.procedural()   ? 1
                                     : nSyn;
      st.fields.emplace(f.name, Buffer(std::max<size_t>(1, n), f.f64 ? 8 : 4));
    }
    st.params = paramBuffer(ps.params);
    // The index arrays the kernels read (a billion synapses' worth of
    // unused ones is gigabytes).
    auto used = [&](const char *entry) {
      bool found = false;
      const_cast<ProjectionSpec &>(ps).forEachKernel([&](const KernelSpec &k) {
        found |= std::find(k.buffers.begin(), k.buffers.end(), entry) !=
                 k.buffers.end();
      });
      return found;
    };
    static const std::vector<uint32_t> none;
    if (used("col_ptr") || used("col_syn"))
      transpose(st.conn);
    st.rowPtr = intBuffer(st.conn.rowPtr);
    st.postIndex = intBuffer(used("post_index") ? st.conn.post : none);
    st.preIndex = intBuffer(used("pre_index") ? presOf(st.conn) : none);
    st.colPtr = intBuffer(used("col_ptr") ? st.conn.colPtr : none);
    st.colSyn = intBuffer(used("col_syn") ? st.conn.colSyn : none);
    st.events = Buffer(std::max<uint32_t>(nPre, nPost) + 1, sizeof(uint32_t));
    st.minDelay = st.maxDelay = ps.delaySteps;

    PopulationState &pre = s.pops[ps.pre];
    PopulationState &post = s.pops[ps.post];
    auto buffers = [&](const KernelSpec &kspec) {
      std::vector<MemRef1D> out;
      for (const std::string &entry : kspec.buffers) {
        std::string name;
        std::string kind = prefixOf(entry, &name);
        // A buffer of the projection's own, shaped like a field of one
        // side's population, made on first use.
        auto projectionCopy = [&](std::map<std::string, Buffer> &copies,
                                  PopulationState &pop, int64_t count,
                                  const char *side) -> Buffer & {
          auto src = pop.fields.find(name);
          if (src == pop.fields.end())
            throw RuntimeError(kspec.symbol + ": no " + side + " field '" +
                               name + "'");
          auto it = copies.find(name);
          if (it == copies.end())
            it = copies.emplace(name, Buffer(count, src->second.elementSize()))
                     .first;
          return it->second;
        };
        auto side = [&](PopulationState &pop, int64_t begin, int64_t end,
                        const std::string &popName) {
          auto it = pop.fields.find(name);
          if (it == pop.fields.end())
            throw RuntimeError(kspec.symbol + ": population '" + popName +
                               "' has no field '" + name + "'");
          return describe(it->second, begin, end - begin);
        };
        if (kind == "field") {
          std::map<std::string, Buffer> *fields = &st.fields;
          if (!ps.tiedTo.empty() && name == "w")
            fields = &tiedProjection(ps).fields;
          auto it = fields->find(name);
          if (it == fields->end())
            throw RuntimeError(kspec.symbol + ": no field '" + name + "'");
          out.push_back(describe(it->second));
        } else if (kind == "pre") {
          out.push_back(
              side(pre, ps.preBegin, ps.preEnd, spec.populations[ps.pre].name));
        } else if (kind == "post") {
          out.push_back(side(post, ps.postBegin, ps.postEnd,
                             spec.populations[ps.post].name));
        } else if (kind == "next") {
          // The next step's sums of a fused learning pass, per post neuron.
          out.push_back(
              describe(projectionCopy(st.nexts, post, nPost, "postsynaptic")));
        } else if (kind == "prev") {
          // Presynaptic values as transmitted, for learning.
          out.push_back(
              describe(projectionCopy(st.snapshots, pre, nPre, "presynaptic")));
        } else if (kind == "stream") {
          out.push_back(streamKey(st.streamKeys, ps.name, name));
        } else if (entry == "events") {
          out.push_back(describe(st.events));
        } else if (entry == "row_ptr") {
          out.push_back(describe(st.rowPtr));
        } else if (entry == "ring_info") {
          out.push_back(describe(st.ringInfo));
        } else if (entry == "ring_column") {
          out.push_back(describe(st.ringColumn));
        } else if (entry == "delay_least" || entry == "delay_most") {
          Buffer &b = entry == "delay_least" ? st.delayLeast : st.delayMost;
          b = Buffer(std::max<uint32_t>(1, nPre),
                     st.fields.at(kSynapseDelayField).elementSize());
          out.push_back(describe(b));
        } else if (entry == "row_draw") {
          st.rowDraw = intBuffer(
              {nPost, uint32_t(noSelf ? int32_t(selfOffset) : INT32_MIN)});
          out.push_back(describe(st.rowDraw));
        } else if (kind == "ring") {
          out.push_back(MemRef1D{}); // the ring, once its length is known
        } else if (entry == "event_rows") {
          out.push_back(describe(ps.synapseDelays ? st.eventRows : st.events));
        } else if (entry == "row_bounds" || entry == "row_layout") {
          // Rings take whole rows; other delivery with delays a delay's
          // block of each (see KernelABI.h).
          bool blocks = ps.synapseDelays && !st.ring;
          if (entry == "row_bounds") {
            out.push_back(describe(blocks ? st.delayRows : st.rowPtr));
          } else {
            st.rowLayout = intBuffer({1, 0, blocks ? uint32_t(nPre) : 1u});
            out.push_back(describe(st.rowLayout));
          }
        } else if (entry == "post_index") {
          out.push_back(describe(st.postIndex));
        } else if (entry == "pre_index") {
          out.push_back(describe(st.preIndex));
        } else if (entry == "col_ptr") {
          out.push_back(describe(st.colPtr));
        } else if (entry == "col_syn") {
          out.push_back(describe(st.colSyn));
        } else {
          throw RuntimeError(kspec.symbol + ": unknown buffer '" + entry + "'");
        }
      }
      return out;
    };
    MemRef1D params = describe(st.params), sig = describe(s.signals);
    auto make = [&](const std::optional<KernelSpec> &k, KernelCall &call) {
      if (!k)
        return;
      int64_t domain = 0; // events: the caller gives the range
      switch (k->domain) {
      case KernelDomain::PreNeurons:
        domain = nPre;
        break;
      case KernelDomain::PostRows:
      case KernelDomain::PostNeurons:
        domain = nPost;
        break;
      case KernelDomain::Synapses:
        domain = static_cast<int64_t>(nSyn);
        break;
      case KernelDomain::Projection:
        domain = 1;
        break;
      default:
        break;
      }
      call = KernelCall(*k, params, sig, buffers(*k), domain);
    };
    for (const KernelSpec &k : ps.init)
      make(k, st.init.emplace_back());
    for (size_t n = 0; n < st.init.size(); ++n)
      if (!ps.procedural() || ps.init[n].domain != KernelDomain::Synapses)
        st.init[n].callAll(0, 0, spec.dt, static_cast<int64_t>(spec.seed),
                           initPool.get());
    st.ring = ps.onPre &&
              std::find(ps.onPre->buffers.begin(), ps.onPre->buffers.end(),
                        "ring_info") != ps.onPre->buffers.end();
    if (st.ring)
      st.ringInfo = Buffer(3, sizeof(int32_t));
    if (ps.procedural()) {
      KernelCall range;
      make(ps.delayRange, range);
      range.callAll(0, 0, spec.dt, static_cast<int64_t>(spec.seed),
                    initPool.get());
      rangeOfProceduralDelays(ps, st, spec.dt);
    } else if (ps.synapseDelays) {
      orderByDelay(ps, st, spec.dt, spec.populations[ps.post].size);
    }
    for (const KernelSpec &k : ps.learn)
      make(k, st.learn.emplace_back());
    make(ps.onPre, st.onPre);
    make(ps.onPost, st.onPost);
    make(ps.transmit, st.transmit);
    make(ps.learnTransmit, st.learnTransmit);
    for (const KernelSpec &k : ps.beforeTransmit)
      make(k, st.beforeTransmit.emplace_back());
    for (const KernelSpec &k : ps.beforeOnPre)
      make(k, st.beforeOnPre.emplace_back());
    for (const KernelSpec &k : ps.beforeOnPost)
      make(k, st.beforeOnPost.emplace_back());
    for (const auto &[phase, kernel] : ps.onEnd)
      make(kernel, st.onEnd.emplace_back(phase, KernelCall()).second);
  }

  // Spikes are kept for the longest delay.
  for (const ProjectionState &st : s.projs)
    s.maxDelay = std::max(s.maxDelay, st.maxDelay);
  for (PopulationState &st : s.pops)
    st.history.resize(s.maxDelay + 1);
  makeRings();

  s.monitorBaselines.resize(spec.records.size());
  for (const RecordSpec &r : spec.records) {
    if (r.kind == RecordSpec::Spikes) {
      s.recorderOf.push_back(static_cast<int>(s.spikeRecorders.size()));
      s.spikeRecorders.emplace_back(static_cast<uint32_t>(r.begin),
                                    static_cast<uint32_t>(r.end));
      continue;
    }
    if (!r.monitor.empty()) {
      // One value per sample, in double precision.
      s.recorderOf.push_back(static_cast<int>(s.stateRecorders.size()));
      s.stateRecorders.emplace_back(0, 1, r.everySteps, /*f64=*/true);
      continue;
    }
    const Buffer &field = recordedField(r);
    // A projection's field holds one value per synapse, or per pre or post
    // neuron for @pre and @post state.
    int64_t n = r.kind == RecordSpec::ProjectionState
                    ? static_cast<int64_t>(field.size())
                    : r.end - r.begin;
    int64_t begin = r.kind == RecordSpec::ProjectionState ? 0 : r.begin;
    s.recorderOf.push_back(static_cast<int>(s.stateRecorders.size()));
    s.stateRecorders.emplace_back(static_cast<uint32_t>(begin),
                                  static_cast<uint32_t>(begin + n),
                                  r.everySteps, field.elementSize() == 8);
  }
  // The initial state is the first sample.
  sampleRecords(0);
}

const Buffer &Network::recordedField(const RecordSpec &r) const {
  const std::map<std::string, Buffer> &fields =
      r.kind == RecordSpec::ProjectionState ? impl->projs[r.object].fields
                                            : impl->pops[r.object].fields;
  auto it = fields.find(r.field);
  if (it == fields.end())
    throw RuntimeError("cannot record '" + r.label + "': no field '" + r.field +
                       "'");
  return it->second;
}

double Network::monitorSample(size_t index) {
  const RecordSpec &r = spec.records[index];
  std::vector<double> &baseline = impl->monitorBaselines[index];
  if (r.kind == RecordSpec::ProjectionState) {
    std::vector<double> w = projectionField(r.object, r.field);
    if (r.monitor == "drift") {
      if (baseline.empty())
        baseline = w; // the weights the run started from
      return relativeDrift(w, baseline);
    }
    // effective_rank: the weights as a post x pre matrix.
    const ProjectionSpec &p = spec.projections[r.object];
    size_t rows = size_t(p.postEnd - p.postBegin),
           cols = size_t(p.preEnd - p.preBegin);
    const Connectivity &c = impl->projs[r.object].conn;
    std::vector<double> matrix(rows * cols, 0.0);
    std::vector<uint32_t> pre = presOf(c);
    for (size_t syn = 0; syn < w.size() && syn < pre.size(); ++syn)
      matrix[size_t(c.post[syn]) * cols + pre[syn]] = w[syn];
    return effectiveRank(matrix, rows, cols);
  }
  // A population's activity since the last sample: spikes per neuron, or
  // the mean magnitude of its variable over the steps since.
  const PopulationSpec &ps = spec.populations[r.object];
  const PopulationState &st = impl->pops[r.object];
  std::vector<double> activity(size_t(r.end - r.begin));
  if (r.field == "spikes") {
    if (baseline.empty())
      baseline.assign(size_t(ps.size), 0.0);
    for (int64_t i = r.begin; i < r.end; ++i) {
      double count = double(st.spikesPerNeuron[size_t(i)]);
      activity[size_t(i - r.begin)] = count - baseline[size_t(i)];
      baseline[size_t(i)] = count;
    }
  } else {
    size_t n = size_t(ps.size);
    double steps = baseline.size() == n + 1 ? baseline[n] : 0;
    std::vector<double> now = populationField(r.object, r.field);
    for (int64_t i = r.begin; i < r.end; ++i)
      activity[size_t(i - r.begin)] =
          steps > 0 ? baseline[size_t(i)] / steps : std::fabs(now[size_t(i)]);
    baseline.assign(n + 1, 0.0);
  }
  return r.monitor == "dormant_ratio" ? dormantRatio(activity)
                                      : activeFraction(activity);
}

void Network::sampleRecords(int64_t step) {
  // Rate populations' activity monitors sum |x| every step.
  for (size_t i = 0; i < spec.records.size(); ++i) {
    const RecordSpec &r = spec.records[i];
    if (r.monitor.empty() || r.kind != RecordSpec::PopulationState ||
        r.field == "spikes" || step == 0)
      continue;
    std::vector<double> &sums = impl->monitorBaselines[i];
    size_t n = size_t(spec.populations[r.object].size);
    if (sums.size() != n + 1)
      sums.assign(n + 1, 0.0);
    const Buffer &field = recordedField(r);
    for (size_t k = 0; k < n; ++k)
      sums[k] +=
          std::fabs(field.elementSize() == 8 ? field.as<double>()[k]
                                             : double(field.as<float>()[k]));
    sums[n] += 1;
  }
  for (size_t i = 0; i < spec.records.size(); ++i) {
    const RecordSpec &r = spec.records[i];
    if (r.kind != RecordSpec::Spikes && r.atPhaseEnd.empty() &&
        step % r.everySteps == 0)
      sampleRecord(i, step);
  }
}

void Network::sampleRecord(size_t i, int64_t step) {
  const RecordSpec &r = spec.records[i];
  StateRecorder &rec = impl->stateRecorders[impl->recorderOf[i]];
  if (!r.monitor.empty()) {
    double value = monitorSample(i);
    rec.sample(step, &value);
    return;
  }
  const Buffer &field = recordedField(r);
  if (field.elementSize() == 8)
    rec.sample(step, field.as<double>());
  else
    rec.sample(step, field.as<float>());
}

Network::~Network() = default;

void Network::deliver(size_t k, int64_t n, double t) {
  Impl &s = *impl;
  ProjectionState &st = s.projs[k];
  const ProjectionSpec &ps = spec.projections[k];
  const int64_t seed = static_cast<int64_t>(spec.seed);
  const size_t ring = s.maxDelay + 1;
  uint32_t *events = st.events.as<uint32_t>();
  const int64_t capacity = static_cast<int64_t>(st.events.size());
  int64_t count = 0;
  bool summed = false;
  auto flush = [&] {
    if (count == 0)
      return;
    if (!summed)
      for (KernelCall &sum : st.beforeOnPre)
        sum.callAll(n, t, spec.dt, seed, nullptr);
    summed = true;
    st.onPre.callEvents(count, n, t, spec.dt, seed);
    count = 0;
  };
  // Puts the spikes of step `emitted` in the presynaptic slice on the event
  // list with their row block, `rows`, handing on each full list.
  auto add = [&](int64_t emitted, uint32_t *rows, uint32_t block) {
    for (uint32_t i : s.pops[ps.pre].history[emitted % ring]) {
      if (i < ps.preBegin || i >= ps.preEnd)
        continue;
      uint32_t local = static_cast<uint32_t>(i - ps.preBegin);
      events[count] = local;
      rows[count] = block + local;
      if (++count == capacity)
        flush();
    }
  };
  if (st.ring) {
    // The spikes of the last step, delivered ahead into the rings.
    if (n < 1)
      return;
    st.ringInfo.as<int32_t>()[1] = static_cast<int32_t>((n - 1) % s.ringSlots);
    count = gatherEmitted(k, n - 1);
  } else if (ps.synapseDelays) {
    // The spikes of step n - d reach the synapses of delay d.
    const uint32_t nPre = static_cast<uint32_t>(ps.preEnd - ps.preBegin);
    for (int64_t d = st.minDelay; d <= st.maxDelay && d <= n; ++d)
      add(n - d, st.eventRows.as<uint32_t>(), uint32_t(d - st.minDelay) * nPre);
  } else {
    count = gatherUniform(k, n);
  }
  flush();
}

void Network::makeRings() {
  Impl &s = *impl;
  s.ringSlots = s.maxDelay + 1;
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    if (!st.ring)
      continue;
    const ProjectionSpec &ps = spec.projections[k];
    PopulationState &post = s.pops[ps.post];
    const int64_t size = spec.populations[ps.post].size;
    std::vector<MemRef1D> &descriptors = st.onPre.bufferDescriptors();
    for (size_t b = 0; b < ps.onPre->buffers.size(); ++b) {
      const std::string &entry = ps.onPre->buffers[b];
      if (entry.rfind("ring:", 0) != 0)
        continue;
      std::string field = entry.substr(5);
      auto it = post.rings.find(field);
      if (it == post.rings.end())
        it = post.rings
                 .emplace(field, Buffer(size_t(s.ringSlots * size),
                                        post.fields.at(field).elementSize()))
                 .first;
      descriptors[b] = describe(it->second, ps.postBegin);
    }
    int32_t *info = st.ringInfo.as<int32_t>();
    info[0] = static_cast<int32_t>(s.ringSlots);
    info[1] = 0;
    info[2] = static_cast<int32_t>(size);
    auto target =
        std::find_if(s.ringTargets.begin(), s.ringTargets.end(),
                     [&](const auto &t) { return t.first == ps.post; });
    if (target == s.ringTargets.end())
      target = s.ringTargets.insert(s.ringTargets.end(), {ps.post, {}});
    target->second.push_back(k);
  }
  // Until delivery has been timed, a population costs its synapses.
  s.ringCost.assign(s.ringTargets.size(), 0.0);
  for (size_t g = 0; g < s.ringTargets.size(); ++g)
    for (size_t k : s.ringTargets[g].second)
      s.ringCost[g] += 1e-9 * double(s.projs[k].conn.numSynapses());
  s.ringThread.assign(s.ringTargets.size(), 0);
}

int64_t Network::gatherUniform(size_t k, int64_t n) {
  const ProjectionSpec &ps = spec.projections[k];
  return n < ps.delaySteps ? 0 : gatherEmitted(k, n - ps.delaySteps);
}

int64_t Network::gatherEmitted(size_t k, int64_t emitted) {
  Impl &s = *impl;
  const ProjectionSpec &ps = spec.projections[k];
  // The list holds a slice's every neuron: it cannot fill up.
  uint32_t *events = s.projs[k].events.as<uint32_t>();
  int64_t count = 0;
  for (uint32_t i : s.pops[ps.pre].history[emitted % (s.maxDelay + 1)])
    if (i >= ps.preBegin && i < ps.preEnd)
      events[count++] = static_cast<uint32_t>(i - ps.preBegin);
  return count;
}

/// Synapses each split projection reaches this step, about: to share the
/// group's time among their profile entries.
static double splitWork(const ProjectionState &st) {
  return double(st.eventCount) * double(st.conn.numSynapses()) /
         double(std::max<uint32_t>(st.conn.numPre, 1));
}

double Network::prepareSplit(const std::vector<size_t> &group, int64_t n,
                             double t) {
  Impl &s = *impl;
  const int64_t seed = static_cast<int64_t>(spec.seed);
  double total = 0;
  for (size_t k : group) {
    ProjectionState &st = s.projs[k];
    st.eventCount = gatherUniform(k, n);
    if (st.eventCount > 0)
      for (KernelCall &sum : st.beforeOnPre)
        sum.callAll(n, t, spec.dt, seed, nullptr);
    total += splitWork(st);
  }
  return total;
}

void Network::deliverPart(const std::vector<size_t> &group, unsigned part,
                          int64_t n, double t) {
  const int64_t seed = static_cast<int64_t>(spec.seed);
  for (size_t k : group) {
    ProjectionState &st = impl->projs[k];
    if (st.eventCount > 0)
      st.onPreParts[part].callEvents(st.eventCount, n, t, spec.dt, seed);
  }
}

void Network::profileSplit(const std::vector<size_t> &group, double seconds,
                           double total) {
  for (size_t k : group) {
    ProjectionState &st = impl->projs[k];
    ProfileEntry *entry = st.onPre.profileEntry();
    if (!entry || st.eventCount == 0)
      continue;
    entry->calls++;
    entry->seconds += seconds * splitWork(st) / total;
  }
}

static bool profiled(const std::vector<size_t> &group,
                     const std::vector<ProjectionState> &projs) {
  return std::any_of(group.begin(), group.end(), [&](size_t k) {
    return projs[k].onPre.profileEntry() != nullptr;
  });
}

void Network::deliverSplit(std::vector<size_t> &group, int64_t n, double t) {
  Impl &s = *impl;
  if (group.empty())
    return;
  double total = prepareSplit(group, n, t);
  if (total > 0) {
    const bool timed = profiled(group, s.projs);
    auto start = timed ? std::chrono::steady_clock::now()
                       : std::chrono::steady_clock::time_point();
    s.pool->parallelFor(
        0, s.pool->size(),
        [&](int64_t begin, int64_t end) {
          for (int64_t part = begin; part < end; ++part)
            deliverPart(group, unsigned(part), n, t);
        },
        /*minChunk=*/1);
    if (timed)
      profileSplit(group,
                   std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count(),
                   total);
  }
  group.clear();
}

bool Network::deliverableWithNeurons(const std::vector<size_t> &group) {
  Impl &s = *impl;
  // The last group is the same every step: decided once per thread count.
  if (s.lastGroupWithNeurons >= 0)
    return s.lastGroupWithNeurons != 0;
  if (s.threadSegments.empty())
    splitNeurons();
  // Transmission adds into the same inputs between delivery and the
  // update: deferring delivery would change the order of the sums.
  bool with = !group.empty() && s.ringTargets.empty() &&
              std::none_of(s.projs.begin(), s.projs.end(),
                           [](const ProjectionState &st) {
                             return st.transmit.valid();
                           }) &&
              std::all_of(group.begin(), group.end(), [&](size_t k) {
                return s.projs[k].joinsGroup &&
                       s.pops[spec.projections[k].post].updatedWithItsDelivery;
              });
  s.lastGroupWithNeurons = with ? 1 : 0;
  return with;
}

void Network::splitDelivery() {
  Impl &s = *impl;
  const unsigned parts = s.pool ? s.pool->size() : 1;
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    const ProjectionSpec &ps = spec.projections[k];
    st.onPreParts.clear();
    st.postRanges = Buffer();
    st.partLayouts = Buffer();
    st.joinsGroup = false;
    // A part should outweigh handing it to another thread (about a
    // microsecond): leave small projections whole.
    if (parts == 1 || !ps.onPre || !ps.onPre->parallel ||
        (ps.synapseDelays && !st.ring) ||
        spec.populations[ps.post].size < kMinPostPerPart * parts)
      continue;
    // Split projections run together, each thread its range of each in
    // turn, unless one first sums over its synapses or reads presynaptic
    // neurons (which another projection in the group could be writing).
    st.joinsGroup =
        !st.ring && ps.beforeOnPre.empty() &&
        std::none_of(
            ps.onPre->buffers.begin(), ps.onPre->buffers.end(),
            [](const std::string &b) { return b.rfind("pre:", 0) == 0; });
    const std::vector<std::string> &names = ps.onPre->buffers;
    auto at = [&](const char *name) {
      return size_t(std::find(names.begin(), names.end(), name) -
                    names.begin());
    };
    size_t bounds = at("row_bounds"), layout = at("row_layout");
    if (bounds == names.size() || layout == names.size())
      continue; // dense
    // Ranges of the whole postsynaptic population, so that the parts of
    // projections into one population never overlap across threads.
    const int64_t size = spec.populations[ps.post].size;
    std::vector<uint32_t> ranges, layouts;
    for (unsigned p = 0; p <= parts; ++p)
      ranges.push_back(uint32_t(std::clamp<int64_t>(
          size * p / parts - ps.postBegin, 0, ps.postEnd - ps.postBegin)));
    st.postRanges = intBuffer(postRangeRows(st.conn, ranges));
    for (unsigned p = 0; p < parts; ++p)
      layouts.insert(layouts.end(), {parts + 1, p, 1});
    st.partLayouts = intBuffer(layouts);
    st.partSeconds.assign(parts, 0.0);
    for (unsigned p = 0; p < parts; ++p) {
      KernelCall &part = st.onPreParts.emplace_back(st.onPre);
      part.setProfile(nullptr); // timed as a whole
      part.bufferDescriptors()[bounds] = describe(st.postRanges);
      part.bufferDescriptors()[layout] = describe(st.partLayouts, 3 * p);
    }
  }
  // Populations whose rings every thread delivers into: all their
  // projections split.
  s.ringSplit.assign(s.ringTargets.size(), 0);
  for (size_t g = 0; g < s.ringTargets.size(); ++g) {
    const std::vector<size_t> &into = s.ringTargets[g].second;
    s.ringSplit[g] = std::all_of(into.begin(), into.end(), [&](size_t k) {
      return !s.projs[k].onPreParts.empty();
    });
  }
}

void Network::deliverRings(int64_t n, double t) {
  Impl &s = *impl;
  if (s.ringTargets.empty())
    return;
  auto deliverInto = [&](size_t g) {
    for (size_t k : s.ringTargets[g].second)
      deliver(k, n, t);
    PopulationState &pop = s.pops[s.ringTargets[g].first];
    drainRings(pop, n, 0, spec.populations[s.ringTargets[g].first].size);
  };
  unsigned threads = s.pool ? s.pool->size() : 1;
  if (threads == 1) {
    for (size_t g = 0; g < s.ringTargets.size(); ++g)
      deliverInto(g);
    return;
  }
  // A population whose projections all split is delivered by every
  // thread, each into its range of neurons, on the spikes listed once.
  const int64_t seed = static_cast<int64_t>(spec.seed);
  auto split = [&](size_t g) {
    return g < s.ringSplit.size() && s.ringSplit[g] != 0;
  };
  for (size_t g = 0; g < s.ringTargets.size(); ++g) {
    if (!split(g))
      continue;
    for (size_t k : s.ringTargets[g].second) {
      ProjectionState &st = s.projs[k];
      st.ringInfo.as<int32_t>()[1] =
          static_cast<int32_t>((n - 1) % s.ringSlots);
      st.eventCount = n < 1 ? 0 : gatherEmitted(k, n - 1);
      if (st.eventCount > 0)
        for (KernelCall &sum : st.beforeOnPre)
          sum.callAll(n, t, spec.dt, seed, nullptr);
    }
  }
  // Every 256 steps, give each other population in turn, costliest first,
  // to the thread with the least work.
  if (n % 256 == 0) {
    std::vector<size_t> order;
    for (size_t g = 0; g < s.ringTargets.size(); ++g)
      if (!split(g))
        order.push_back(g);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return s.ringCost[a] > s.ringCost[b];
    });
    std::vector<double> load(threads, 0.0);
    for (size_t g : order) {
      unsigned least =
          unsigned(std::min_element(load.begin(), load.end()) - load.begin());
      s.ringThread[g] = least;
      load[least] += s.ringCost[g];
      s.ringCost[g] *= 0.5;
    }
  }
  s.ringSeconds.resize(size_t(threads) * s.ringTargets.size());
  s.pool->parallelFor(
      0, threads,
      [&](int64_t begin, int64_t end) {
        for (int64_t thread = begin; thread < end; ++thread)
          for (size_t g = 0; g < s.ringTargets.size(); ++g) {
            if (split(g)) {
              const int64_t size =
                  spec.populations[s.ringTargets[g].first].size;
              for (size_t k : s.ringTargets[g].second) {
                ProjectionState &st = s.projs[k];
                if (st.eventCount == 0)
                  continue;
                const bool timed = st.onPre.profileEntry() != nullptr;
                auto called = timed ? std::chrono::steady_clock::now()
                                    : std::chrono::steady_clock::time_point();
                st.onPreParts[size_t(thread)].callEvents(st.eventCount, n, t,
                                                         spec.dt, seed);
                if (timed)
                  st.partSeconds[size_t(thread)] +=
                      std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - called)
                          .count();
              }
              drainRings(s.pops[s.ringTargets[g].first], n,
                         size * thread / threads,
                         size * (thread + 1) / threads);
            } else if (s.ringThread[g] == unsigned(thread)) {
              // Timed for the balance of the populations that do not split.
              auto start = std::chrono::steady_clock::now();
              deliverInto(g);
              s.ringSeconds[size_t(thread) * s.ringTargets.size() + g] +=
                  std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start)
                      .count();
            }
          }
      },
      /*minChunk=*/1);
  for (size_t g = 0; g < s.ringTargets.size(); ++g) {
    for (unsigned thread = 0; thread < threads; ++thread) {
      double &seconds = s.ringSeconds[thread * s.ringTargets.size() + g];
      s.ringCost[g] += seconds;
      seconds = 0;
    }
    // A split projection's profile line takes its longest part, which
    // ran alongside the others.
    for (size_t k : s.ringTargets[g].second) {
      ProjectionState &st = s.projs[k];
      ProfileEntry *entry = st.onPre.profileEntry();
      if (!entry || st.onPreParts.empty() || st.eventCount == 0)
        continue;
      entry->calls++;
      entry->seconds +=
          *std::max_element(st.partSeconds.begin(), st.partSeconds.end());
      std::fill(st.partSeconds.begin(), st.partSeconds.end(), 0.0);
    }
  }
}

void Network::drainRings(PopulationState &pop, int64_t n, int64_t begin,
                         int64_t end) {
  Impl &s = *impl;
  for (auto &[name, ring] : pop.rings) {
    Buffer &field = pop.fields.at(name);
    const size_t row = size_t(n % s.ringSlots) * field.size();
    auto add = [&](auto *f, auto *r) {
      for (int64_t j = begin; j < end; ++j)
        f[j] += r[j];
      std::fill(r + begin, r + end, 0);
    };
    if (field.elementSize() == 8)
      add(field.as<double>(), ring.as<double>() + row);
    else
      add(field.as<float>(), ring.as<float>() + row);
  }
}

/// Whether step() runs a population's step kernel (streams read rows).
static bool updatedByKernel(const PopulationSpec &ps,
                            const PopulationState &st) {
  return !ps.stream && st.step.valid() && st.step.domain() > 0;
}

void Network::splitNeurons() {
  Impl &s = *impl;
  s.neuronSegments.clear();
  s.threadSegments.assign(1, 0);
  int64_t total = 0;
  for (size_t k = 0; k < s.pops.size(); ++k)
    if (updatedByKernel(spec.populations[k], s.pops[k]))
      total += s.pops[k].step.domain();
  unsigned threads = s.pool ? s.pool->size() : 1;
  unsigned parts = total >= kMinNeuronsPerChunk * threads ? threads : 1;
  // A population whose elements depend on each other stays whole, on the
  // thread where it starts.
  int64_t done = 0;
  unsigned part = 0;
  for (size_t k = 0; k < s.pops.size(); ++k) {
    PopulationState &st = s.pops[k];
    if (!updatedByKernel(spec.populations[k], st))
      continue;
    const int64_t size = st.step.domain();
    for (int64_t lo = 0; lo < size;) {
      int64_t cut = total * (part + 1) / parts;
      int64_t hi =
          st.step.isParallel() ? std::min(size, lo + (cut - done)) : size;
      if (hi > lo)
        s.neuronSegments.push_back({k, lo, hi, {}, 0.0});
      done += hi - lo;
      lo = hi;
      while (part + 1 < parts && done >= total * (part + 1) / parts) {
        ++part;
        s.threadSegments.push_back(s.neuronSegments.size());
      }
    }
  }
  while (s.threadSegments.size() < size_t(parts) + 1)
    s.threadSegments.push_back(s.neuronSegments.size());

  // Which populations each thread updates in the ranges split deliveries
  // use.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> ranges(
      s.pops.size(), std::vector<std::pair<int64_t, int64_t>>(parts));
  for (unsigned p = 0; p < parts; ++p)
    for (size_t i = s.threadSegments[p]; i < s.threadSegments[p + 1]; ++i) {
      const Impl::NeuronSegment &seg = s.neuronSegments[i];
      auto &range = ranges[seg.pop][p];
      range = range.first == range.second
                  ? std::make_pair(seg.begin, seg.end)
                  : std::make_pair(range.first, seg.end);
    }
  for (size_t k = 0; k < s.pops.size(); ++k) {
    PopulationState &st = s.pops[k];
    const int64_t size = spec.populations[k].size;
    st.updatedWithItsDelivery = parts == threads && parts > 1 &&
                                updatedByKernel(spec.populations[k], st) &&
                                st.step.domain() == size;
    for (unsigned p = 0; p < parts && st.updatedWithItsDelivery; ++p) {
      const auto &range = ranges[k][p];
      int64_t lo = size * p / parts, hi = size * (p + 1) / parts;
      st.updatedWithItsDelivery = range.first == range.second
                                      ? lo == hi
                                      : range.first == lo && range.second == hi;
    }
  }
}

void Network::updateNeurons(int64_t n, double t,
                            std::vector<size_t> *deliveries) {
  Impl &s = *impl;
  if (s.threadSegments.empty())
    splitNeurons();
  const int64_t seed = static_cast<int64_t>(spec.seed);
  const size_t parts = s.threadSegments.size() - 1;
  double deliveryWork = deliveries ? prepareSplit(*deliveries, n, t) : 0.0;
  const bool deliveryTimed = deliveryWork > 0 && profiled(*deliveries, s.projs);
  std::vector<double> &deliverySeconds = s.deliverySeconds;
  deliverySeconds.assign(parts, 0.0);
  // Each thread lists the spikes of its segments as it finishes updating
  // them, while they are in its cache.
  auto update = [&](int64_t begin, int64_t end) {
    for (int64_t thread = begin; thread < end; ++thread) {
      if (deliveryWork > 0) {
        auto start = deliveryTimed ? std::chrono::steady_clock::now()
                                   : std::chrono::steady_clock::time_point();
        deliverPart(*deliveries, unsigned(thread), n, t);
        if (deliveryTimed)
          deliverySeconds[size_t(thread)] =
              std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count();
      }
      for (size_t i = s.threadSegments[size_t(thread)];
           i < s.threadSegments[size_t(thread) + 1]; ++i) {
        Impl::NeuronSegment &seg = s.neuronSegments[i];
        PopulationState &st = s.pops[seg.pop];
        const bool timed = st.step.profileEntry() != nullptr;
        auto start = timed ? std::chrono::steady_clock::now()
                           : std::chrono::steady_clock::time_point();
        st.step.call(seg.begin, seg.end, n, t, spec.dt, seed);
        seg.spikes.clear();
        if (spec.populations[seg.pop].spiking)
          collectSpikes(st.spiked.as<uint8_t>(), seg.begin, seg.end,
                        seg.spikes);
        if (timed)
          seg.seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      }
    }
  };
  if (parts == 1)
    update(0, 1);
  else
    s.pool->parallelFor(0, int64_t(parts), update, /*minChunk=*/1);
  if (deliveryTimed)
    profileSplit(
        *deliveries,
        *std::max_element(deliverySeconds.begin(), deliverySeconds.end()),
        deliveryWork);
  if (deliveries)
    deliveries->clear();

  // A population has at most one segment per thread, its segments next to
  // each other: its profile line takes the longest, the wall time of its
  // update when its threads run together.
  ProfileTimer timer(s.spikeLists);
  double longest = 0;
  for (size_t i = 0; i < s.neuronSegments.size(); ++i) {
    const Impl::NeuronSegment &seg = s.neuronSegments[i];
    PopulationState &st = s.pops[seg.pop];
    st.spikesNow.insert(st.spikesNow.end(), seg.spikes.begin(),
                        seg.spikes.end());
    longest = std::max(longest, seg.seconds);
    ProfileEntry *entry = st.step.profileEntry();
    bool lastOfPop = i + 1 == s.neuronSegments.size() ||
                     s.neuronSegments[i + 1].pop != seg.pop;
    if (entry && lastOfPop) {
      entry->seconds += longest;
      entry->calls++;
    }
    if (lastOfPop)
      longest = 0;
  }
}

void Network::step() {
  Impl &s = *impl;
  const double t = time();
  const int64_t n = stepCount;
  const int64_t seed = static_cast<int64_t>(spec.seed);
  const size_t ring = s.maxDelay + 1;

  applySignalUpdates(/*afterStep=*/false);

  // 1. Delivery: spikes emitted `delay` steps ago arrive; the rings'
  // projections after the others, a target population per thread.
  std::vector<size_t> &group = s.splitGroup;
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    if (!st.onPre.valid() || st.ring)
      continue;
    if (st.onPreParts.empty()) {
      deliverSplit(group, n, t); // in the projections' order
      deliver(k, n, t);
      continue;
    }
    if (!st.joinsGroup)
      deliverSplit(group, n, t);
    group.push_back(k);
    if (!st.joinsGroup)
      deliverSplit(group, n, t);
  }
  // The last group can go with the neuron update, saving a parallel
  // region per step.
  const bool withNeurons = deliverableWithNeurons(group);
  if (!withNeurons)
    deliverSplit(group, n, t);
  deliverRings(n, t);

  // 2. Transmission, reading the state at the end of the previous step.
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    if (!st.transmit.valid())
      continue;
    if (st.fusedReady) {
      // The sums the last learning pass took.
      const ProjectionSpec &ps = spec.projections[k];
      for (auto &[name, next] : st.nexts)
        addInto(s.pops[ps.post].fields.at(name), ps.postBegin, next);
      continue;
    }
    for (KernelCall &sum : st.beforeTransmit)
      sum.callAll(n, t, spec.dt, seed, nullptr);
    st.transmit.callAll(n, t, spec.dt, seed, nullptr); // scatters into post
  }

  // Learning pairs postsynaptic responses with the presynaptic values that
  // were transmitted: keep them before neurons update.
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    const ProjectionSpec &ps = spec.projections[k];
    for (auto &[name, snap] : st.snapshots) {
      const Buffer &src = s.pops[ps.pre].fields.at(name);
      std::memcpy(snap.data(),
                  static_cast<char *>(src.data()) +
                      ps.preBegin * src.elementSize(),
                  snap.size() * snap.elementSize());
    }
  }

  // 3. Neurons.
  for (size_t k = 0; k < s.pops.size(); ++k) {
    PopulationState &st = s.pops[k];
    const PopulationSpec &ps = spec.populations[k];
    st.spikesNow.clear();
    if (ps.stream) {
      int64_t sample = n / ps.stream->everySteps;
      if (!ps.stream->advancePhase.empty()) {
        auto ends = s.phaseEnds.find(ps.stream->advancePhase);
        sample = ends == s.phaseEnds.end() ? 0 : ends->second;
      }
      int64_t row = sample % st.streamRowCount;
      if (ps.stream->shuffle) {
        int64_t epoch = sample / st.streamRowCount;
        if (epoch != st.streamEpoch) {
          st.streamOrder =
              shuffledRows(st.streamRowCount, epoch, ps.name, spec.seed);
          st.streamEpoch = epoch;
        }
        row = st.streamOrder[row];
      }
      Buffer &r = st.fields.at("r");
      const float *src = st.streamRows.data() + row * ps.size;
      if (r.elementSize() == 4)
        std::memcpy(r.data(), src, ps.size * sizeof(float));
      else
        for (int64_t i = 0; i < ps.size; ++i)
          r.as<double>()[i] = src[i];
    }
  }
  updateNeurons(n, t, withNeurons ? &group : nullptr);
  for (size_t k = 0; k < s.pops.size(); ++k) {
    PopulationState &st = s.pops[k];
    st.totalSpikes += static_cast<int64_t>(st.spikesNow.size());
    for (uint32_t i : st.spikesNow)
      st.spikesPerNeuron[i]++;
    st.history[n % ring] = st.spikesNow;
  }

  // 4. Learning, then `on post` for the neurons that spiked in 3.
  for (ProjectionState &st : s.projs) {
    if (st.learnTransmit.valid()) {
      st.learnTransmit.callAll(n, t, spec.dt, seed, s.pool.get());
      st.fusedReady = true;
      continue;
    }
    for (KernelCall &learn : st.learn)
      learn.callAll(n, t, spec.dt, seed, s.pool.get());
  }
  for (size_t k = 0; k < s.projs.size(); ++k) {
    ProjectionState &st = s.projs[k];
    const ProjectionSpec &ps = spec.projections[k];
    if (!st.onPost.valid())
      continue;
    uint32_t *events = st.events.as<uint32_t>();
    int64_t count = 0;
    for (uint32_t j : s.pops[ps.post].spikesNow)
      if (j >= ps.postBegin && j < ps.postEnd)
        events[count++] = static_cast<uint32_t>(j - ps.postBegin);
    if (count == 0)
      continue;
    for (KernelCall &sum : st.beforeOnPost)
      sum.callAll(n, t, spec.dt, seed, nullptr);
    st.onPost.callEvents(count, n, t, spec.dt, seed);
  }

  // 5. Bookkeeping: monitors, input accumulators, time.
  ++stepCount;
  {
    ProfileTimer timer(s.records);
    for (size_t i = 0; i < spec.records.size(); ++i) {
      const RecordSpec &r = spec.records[i];
      if (r.kind != RecordSpec::Spikes)
        continue;
      const std::vector<uint32_t> &spikes = s.pops[r.object].spikesNow;
      s.spikeRecorders[s.recorderOf[i]].record(n, spikes.data(), spikes.size());
    }
    applySignalUpdates(/*afterStep=*/true);
    sampleRecords(stepCount);
  }
  for (size_t k = 0; k < s.pops.size(); ++k)
    for (const FieldSpec &f : spec.populations[k].fields)
      if (f.input)
        s.pops[k].fields.at(f.name).zero();
}

void Network::run(int64_t steps, const ProgressFn &progress) {
  flushDenormalsToZero();
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto lastReport = start;
  double startTime = time();
  double total = steps * spec.dt;
  for (int64_t i = 0; i < steps; ++i) {
    step();
    if (progress && (i & 255) == 0) {
      auto now = Clock::now();
      if (std::chrono::duration<double>(now - lastReport).count() >= 0.1) {
        lastReport = now;
        progress(time() - startTime, total,
                 std::chrono::duration<double>(now - start).count());
      }
    }
  }
  if (progress)
    progress(total, total,
             std::chrono::duration<double>(Clock::now() - start).count());
}

void Network::runSchedule(const ProgressFn &progress) {
  RunControl control;
  control.progress = progress;
  runSchedule(control);
}

bool Network::advanceSchedule(int64_t *skipped) {
  while (cursor.item < spec.schedule.size()) {
    const ScheduleStep &a = spec.schedule[cursor.item];
    if (a.kind == ScheduleStep::Run && cursor.stepsDone < a.steps) {
      bool settling = a.settleTolerance > 0;
      if (settling && !impl->settleValid)
        settled(a.settleTolerance); // keeps the state before the step
      step();
      ++cursor.stepsDone;
      if (settling && settled(a.settleTolerance)) {
        if (skipped)
          *skipped += a.steps - cursor.stepsDone;
        cursor.stepsDone = a.steps;
      }
      return true;
    }
    impl->settleValid = false;
    if (a.kind == ScheduleStep::SetSignal)
      setSignal(a.signal, a.value);
    else if (a.kind == ScheduleStep::EndPhase)
      endPhase(a.signal);
    ++cursor.item;
    cursor.stepsDone = 0;
  }
  return false;
}

bool Network::settled(double tolerance) {
  Impl &s = *impl;
  bool compare = s.settleValid;
  s.settlePrevious.resize(s.pops.size());
  double largest = 0;
  for (size_t k = 0; k < s.pops.size(); ++k) {
    std::vector<double> &previous = s.settlePrevious[k];
    size_t n = 0;
    for (const FieldSpec &f : spec.populations[k].fields) {
      if (f.input || f.name.rfind("__", 0) == 0)
        continue;
      const Buffer &b = s.pops[k].fields.at(f.name);
      if (!compare)
        previous.resize(n + b.size());
      auto visit = [&](const auto *x) {
        for (size_t i = 0; i < b.size(); ++i, ++n) {
          double v = double(x[i]);
          largest = std::max(largest, std::fabs(v - previous[n]));
          previous[n] = v;
        }
      };
      if (b.elementSize() == 8)
        visit(b.as<double>());
      else
        visit(b.as<float>());
    }
  }
  s.settleValid = true;
  return compare && largest < tolerance;
}

namespace {
/// A stream over memory that a snapshot is written into (reusing its
/// storage from one snapshot to the next: a Buffer, so that large ones get
/// huge pages and fault once) or read from, with the seeking the
/// checkpoint reader needs.
class SnapshotStreamBuf : public std::streambuf {
public:
  /// Starts a snapshot, with room for about `expected` bytes.
  void rewind(size_t expected) {
    if (storage.size() < expected)
      storage = Buffer(expected, 1);
    used = 0;
  }
  void startReading() {
    char *base = storage.as<char>();
    setg(base, base, base + used);
  }
  bool empty() const { return used == 0; }

protected:
  std::streamsize xsputn(const char *s, std::streamsize n) override {
    if (n <= 0) // an empty list: its data() may be null
      return 0;
    if (used + size_t(n) > storage.size()) {
      Buffer bigger(std::max(2 * storage.size(), used + size_t(n)), 1);
      if (used > 0)
        std::memcpy(bigger.data(), storage.data(), used);
      storage = std::move(bigger);
    }
    std::memcpy(storage.as<char>() + used, s, size_t(n));
    used += size_t(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      char ch = char(c);
      xsputn(&ch, 1);
    }
    return c;
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                   std::ios_base::openmode) override {
    off_type base = dir == std::ios_base::beg   ? 0
                    : dir == std::ios_base::cur ? off_type(gptr() - eback())
                                                : off_type(egptr() - eback());
    return seekpos(pos_type(base + off), std::ios_base::in);
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode) override {
    if (pos < 0 || off_type(pos) > off_type(egptr() - eback()))
      return pos_type(off_type(-1));
    setg(eback(), eback() + off_type(pos), egptr());
    return pos;
  }

private:
  Buffer storage;
  size_t used = 0;
};

/// State kept between finite checks: the network as it was at the last
/// check that found everything finite, without its records, and the
/// records' lengths then.
struct Snapshot {
  SnapshotStreamBuf state;
  std::vector<int64_t> records;
  bool valid = false;
};

/// Snapshots are kept while the state is below this share of the memory
/// still available; larger networks get checks without replay.
bool snapshotFits(size_t bytes) {
  long pages = sysconf(_SC_AVPHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  return pages <= 0 || pageSize <= 0 ||
         bytes < static_cast<size_t>(pages) * size_t(pageSize) / 4;
}
} // namespace

RunOutcome Network::runSchedule(const RunControl &control) {
  flushDenormalsToZero();
  using Clock = std::chrono::steady_clock;
  // Phases run until settled count with their most steps until they end.
  int64_t totalSteps = 0, doneSteps = 0, skippedSteps = 0;
  for (size_t k = 0; k < spec.schedule.size(); ++k)
    if (spec.schedule[k].kind == ScheduleStep::Run) {
      totalSteps += spec.schedule[k].steps;
      if (k < cursor.item)
        doneSteps += spec.schedule[k].steps;
      else if (k == cursor.item)
        doneSteps += cursor.stepsDone;
    }
  const double total = totalSteps * spec.dt;
  auto start = Clock::now(), lastReport = start, lastCheck = start;
  auto seconds = [](Clock::duration d) {
    return std::chrono::duration<double>(d).count();
  };
  double checkCost = 0; // wall seconds of the last check and snapshot
  Snapshot snapshot;
  size_t stateBytes = 0;
  for (const PopulationState &st : impl->pops)
    for (const auto *buffers : {&st.fields, &st.rings})
      for (const auto &[name, b] : *buffers)
        stateBytes += b.size() * b.elementSize() + 64;
  for (size_t k = 0; k < impl->projs.size(); ++k)
    for (const auto &[name, b] : impl->projs[k].fields)
      if (!constantField(k, name))
        stateBytes += b.size() * b.elementSize() + 64;
  SnapshotStreamBuf &memory = snapshot.state;
  auto takeSnapshot = [&] {
    // Room for the fields and a margin for queues and counters.
    memory.rewind(stateBytes + stateBytes / 16 + (1u << 20));
    std::ostream out(&memory);
    writeState(out, /*records=*/false, /*checksum=*/false);
    snapshot.records = recordSizes();
    snapshot.valid = true;
  };
  auto restoreSnapshot = [&] {
    memory.startReading();
    std::istream in(&memory);
    readState(in, "the last finite snapshot", /*records=*/false,
              /*trusted=*/true);
    truncateRecords(snapshot.records);
  };
  // Finds the step that first made a variable non-finite: replays from the
  // snapshot one step at a time, then again to the step before, which is
  // where the network is left.
  auto traceNonFinite = [&](NonFiniteReport seen) {
    if (!snapshot.valid) {
      seen.exact = false;
      seen.lastFinite = std::nan("");
      nonFiniteReport = seen;
      return;
    }
    restoreSnapshot();
    int64_t replayed = 0;
    NonFiniteReport first = seen;
    while (advanceSchedule()) {
      ++replayed;
      if (findNonFinite(first, /*constants=*/false))
        break;
    }
    restoreSnapshot();
    for (int64_t k = 1; k < replayed; ++k)
      advanceSchedule();
    std::vector<double> values =
        first.population >= 0 ? populationField(first.population, first.field)
                              : projectionField(first.projection, first.field);
    first.lastFinite = values.at(size_t(first.element));
    first.exact = true;
    nonFiniteReport = first;
  };
  if (control.checkFinite) {
    NonFiniteReport seen;
    if (findNonFinite(seen)) { // already at the start (init)
      seen.lastFinite = std::nan("");
      nonFiniteReport = seen;
      return RunOutcome::NonFinite;
    }
    if (snapshotFits(stateBytes)) {
      auto t0 = Clock::now();
      takeSnapshot();
      lastCheck = Clock::now();
      checkCost = seconds(lastCheck - t0);
    }
  }
  for (;;) {
    if (control.stop && control.stop->load())
      return RunOutcome::Stopped;
    bool stepped = advanceSchedule(&skippedSteps);
    if (stepped)
      ++doneSteps;
    // The clock is read every 64 steps: reading it costs a short step 2%.
    bool clockDue = !stepped || (doneSteps & 63) == 0;
    if (!clockDue && !(control.checkpointEvery > 0 && control.checkpoint))
      continue;
    auto now = clockDue ? Clock::now() : lastReport;
    // Checks cost about 2% of the run: at most one per 50 times their cost.
    if (control.checkFinite && clockDue &&
        (!stepped ||
         seconds(now - lastCheck) >= std::max(0.05, 50 * checkCost))) {
      NonFiniteReport seen;
      if (findNonFinite(seen, /*constants=*/false)) {
        traceNonFinite(seen);
        return RunOutcome::NonFinite;
      }
      if (snapshot.valid && stepped)
        takeSnapshot();
      lastCheck = Clock::now();
      checkCost = seconds(lastCheck - now);
    }
    if (!stepped)
      break;
    if (control.checkpointEvery > 0 && control.checkpoint &&
        stepCount % control.checkpointEvery == 0)
      control.checkpoint();
    if (control.progress && clockDue && seconds(now - lastReport) >= 0.1) {
      lastReport = now;
      control.progress(doneSteps * spec.dt,
                       total - double(skippedSteps) * spec.dt,
                       seconds(now - start));
    }
  }
  if (control.progress)
    control.progress(doneSteps * spec.dt, doneSteps * spec.dt,
                     seconds(Clock::now() - start));
  return RunOutcome::Finished;
}

bool Network::constantField(size_t k, const std::string &name) const {
  for (const FieldSpec &f : spec.projections[k].fields)
    if (f.name == name)
      return f.constant;
  return false;
}

bool Network::findNonFinite(NonFiniteReport &report, bool constants) const {
  auto scan = [&](int population, int projection, const std::string &object,
                  const std::map<std::string, Buffer> &fields) {
    for (const auto &entry : fields) {
      const std::string &name = entry.first;
      const Buffer &b = entry.second;
      if (name.rfind("__", 0) == 0) // derived (sums, snapshots)
        continue;
      if (!constants && projection >= 0 && constantField(projection, name))
        continue;
      size_t n = b.size();
      auto check = [&](auto *x) {
        // Branch-free over blocks, so that the common case vectorises.
        for (size_t block = 0; block < n; block += 1024) {
          size_t end = std::min(n, block + 1024);
          bool bad = false;
          for (size_t i = block; i < end; ++i)
            bad |= !(x[i] - x[i] == 0);
          if (!bad)
            continue;
          for (size_t i = block; i < end; ++i)
            if (!std::isfinite(x[i])) {
              report.variable = object + "." + name;
              report.population = population;
              report.projection = projection;
              report.field = name;
              report.element = int64_t(i);
              report.step = stepCount;
              report.value = double(x[i]);
              return true;
            }
        }
        return false;
      };
      if (b.elementSize() == 8 ? check(b.as<double>()) : check(b.as<float>()))
        return true;
    }
    return false;
  };
  for (size_t k = 0; k < impl->pops.size(); ++k)
    if (scan(int(k), -1, spec.populations[k].name, impl->pops[k].fields))
      return true;
  for (size_t k = 0; k < impl->projs.size(); ++k)
    if (scan(-1, int(k), spec.projections[k].name, impl->projs[k].fields))
      return true;
  return false;
}

std::vector<int64_t> Network::recordSizes() const {
  std::vector<int64_t> sizes;
  for (const SpikeRecorder &r : impl->spikeRecorders)
    sizes.push_back(int64_t(r.numSpikes()));
  for (const StateRecorder &r : impl->stateRecorders)
    sizes.push_back(r.numSamples());
  return sizes;
}

void Network::truncateRecords(const std::vector<int64_t> &sizes) {
  size_t k = 0;
  for (SpikeRecorder &r : impl->spikeRecorders)
    r.truncate(size_t(sizes.at(k++)));
  for (StateRecorder &r : impl->stateRecorders)
    r.truncate(sizes.at(k++));
}

void Network::applySignalUpdates(bool afterStep) {
  double *values = impl->signals.as<double>();
  for (size_t u = 0; u < spec.signalUpdates.size(); ++u) {
    const SignalUpdate &update = spec.signalUpdates[u];
    bool due = afterStep
                   ? update.everySteps > 0 &&
                         stepCount >= update.step + update.everySteps &&
                         (stepCount - update.step) % update.everySteps == 0
                   : update.everySteps == 0 && stepCount == update.step;
    if (due)
      values[update.signal] = evaluate(update.value, u);
  }
}

double Network::evaluate(const SignalExpr &e, size_t update) {
  switch (e.kind) {
  case SignalExpr::Constant:
    return e.value;
  case SignalExpr::Signal:
    return impl->signals.as<double>()[e.index];
  case SignalExpr::Mean:
  case SignalExpr::Sum: {
    std::vector<double> v = populationField(e.index, e.field);
    double sum = 0;
    for (int64_t i = e.begin; i < e.end && i < int64_t(v.size()); ++i)
      sum += v[i];
    return e.kind == SignalExpr::Sum
               ? sum
               : sum / std::max<int64_t>(1, e.end - e.begin);
  }
  case SignalExpr::Count: {
    const std::vector<int64_t> &counts = impl->pops.at(e.index).spikesPerNeuron;
    int64_t total = 0;
    for (int64_t i = e.begin; i < e.end; ++i)
      total += counts[i];
    int64_t &last = impl->countedSpikes[&e];
    int64_t since = total - last;
    last = total;
    return static_cast<double>(since);
  }
  case SignalExpr::Unary:
    return e.op == "-" ? -evaluate(e.args[0], update)
                       : (evaluate(e.args[0], update) == 0 ? 1.0 : 0.0);
  case SignalExpr::Binary: {
    double a = evaluate(e.args[0], update), b = evaluate(e.args[1], update);
    if (e.op == "+")
      return a + b;
    if (e.op == "-")
      return a - b;
    if (e.op == "*")
      return a * b;
    if (e.op == "/")
      return a / b;
    if (e.op == "^")
      return std::pow(a, b);
    if (e.op == "<")
      return a < b;
    if (e.op == "<=")
      return a <= b;
    if (e.op == ">")
      return a > b;
    if (e.op == ">=")
      return a >= b;
    if (e.op == "==")
      return a == b;
    if (e.op == "!=")
      return a != b;
    if (e.op == "and")
      return a != 0 && b != 0;
    if (e.op == "or")
      return a != 0 || b != 0;
    throw RuntimeError("unknown operator '" + e.op + "' in a signal update");
  }
  case SignalExpr::Call: {
    std::vector<double> a;
    for (const SignalExpr &arg : e.args)
      a.push_back(evaluate(arg, update));
    if (e.op == "exp")
      return std::exp(a[0]);
    if (e.op == "log")
      return std::log(a[0]);
    if (e.op == "sqrt")
      return std::sqrt(a[0]);
    if (e.op == "abs")
      return std::fabs(a[0]);
    if (e.op == "tanh")
      return std::tanh(a[0]);
    if (e.op == "min")
      return std::min(a[0], a[1]);
    if (e.op == "max")
      return std::max(a[0], a[1]);
    if (e.op == "clip")
      return std::min(std::max(a[0], a[1]), a[2]);
    if (e.op == "cond")
      return a[0] != 0 ? a[1] : a[2];
    throw RuntimeError("unknown function '" + e.op + "' in a signal update");
  }
  }
  return 0;
}

double Network::signal(const std::string &name) const {
  for (size_t i = 0; i < spec.signals.size(); ++i)
    if (spec.signals[i].first == name)
      return impl->signals.as<double>()[i];
  throw RuntimeError("no signal named '" + name + "'");
}

void Network::invalidateFusedSums() {
  for (ProjectionState &st : impl->projs)
    st.fusedReady = false;
}

void Network::endPhase(const std::string &phase) {
  invalidateFusedSums();
  ++impl->phaseEnds[phase];
  const int64_t seed = static_cast<int64_t>(spec.seed);
  for (PopulationState &st : impl->pops)
    for (auto &[name, call] : st.onEnd)
      if (name == phase)
        call.callAll(stepCount, time(), spec.dt, seed, impl->pool.get());
  for (ProjectionState &st : impl->projs)
    for (auto &[name, call] : st.onEnd)
      if (name == phase)
        call.callAll(stepCount, time(), spec.dt, seed, impl->pool.get());
  for (size_t i = 0; i < spec.records.size(); ++i)
    if (spec.records[i].atPhaseEnd == phase)
      sampleRecord(i, stepCount);
}

void Network::enableProfiling() {
  Impl &s = *impl;
  if (!s.profile.empty())
    return;
  auto entry = [&](const std::string &name) {
    s.profile.push_back(ProfileEntry{name, 0, 0});
    return &s.profile.back();
  };
  auto attach = [&](KernelCall &call) {
    if (call.valid())
      call.setProfile(entry(call.name()));
  };
  for (PopulationState &st : s.pops) {
    attach(st.step);
    for (auto &[phase, call] : st.onEnd)
      attach(call);
  }
  for (ProjectionState &st : s.projs) {
    for (std::vector<KernelCall> *calls :
         {&st.learn, &st.beforeTransmit, &st.beforeOnPre, &st.beforeOnPost})
      for (KernelCall &call : *calls)
        attach(call);
    attach(st.onPre);
    attach(st.onPost);
    attach(st.transmit);
    attach(st.learnTransmit);
    for (auto &[phase, call] : st.onEnd)
      attach(call);
  }
  s.spikeLists = entry("runtime: spike lists");
  s.records = entry("runtime: records and signals");
}

std::vector<ProfileEntry> Network::profile() const {
  std::vector<ProfileEntry> out(impl->profile.begin(), impl->profile.end());
  std::sort(out.begin(), out.end(),
            [](const ProfileEntry &a, const ProfileEntry &b) {
              return a.seconds > b.seconds;
            });
  return out;
}

void Network::setThreads(unsigned threads) {
  if (threads < 1 || threads > kMaxThreads)
    throw RuntimeError("threads must be from 1 to " +
                       std::to_string(kMaxThreads) + ", not " +
                       std::to_string(threads));
  impl->pool = threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
  impl->threadSegments.clear(); // cut again at the next step
  impl->lastGroupWithNeurons = -1;
  splitDelivery();
}

void Network::setSignal(const std::string &name, double value) {
  for (size_t i = 0; i < spec.signals.size(); ++i)
    if (spec.signals[i].first == name) {
      impl->signals.as<double>()[i] = value;
      return;
    }
  throw RuntimeError("no signal named '" + name + "'");
}

std::vector<std::vector<std::string>>
Network::writeRecords(const std::string &dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw RuntimeError("cannot create '" + dir + "': " + ec.message());
  std::vector<std::vector<std::string>> files;
  for (size_t i = 0; i < spec.records.size(); ++i) {
    const RecordSpec &r = spec.records[i];
    if (r.kind == RecordSpec::Spikes) {
      files.push_back(impl->spikeRecorders[impl->recorderOf[i]].write(
          dir, r.label, spec.dt));
      continue;
    }
    std::vector<std::string> written =
        impl->stateRecorders[impl->recorderOf[i]].write(dir, r.label, spec.dt);
    if (r.kind == RecordSpec::ProjectionState) {
      // The synapses' endpoints, so that the weights can be laid out.
      const Connectivity &c = impl->projs[r.object].conn;
      std::string stem = spec.projections[r.object].name;
      std::vector<uint32_t> pres = presOf(c);
      std::vector<int32_t> pre(pres.begin(), pres.end()),
          post(c.post.begin(), c.post.end());
      std::string prePath = joinPath(dir, stem + "_pre.npy");
      std::string postPath = joinPath(dir, stem + "_post.npy");
      writeNpy(prePath, pre);
      writeNpy(postPath, post);
      written.push_back(prePath);
      written.push_back(postPath);
    }
    files.push_back(written);
  }
  return files;
}

int Network::populationIndex(const std::string &name) const {
  for (size_t i = 0; i < spec.populations.size(); ++i)
    if (spec.populations[i].name == name)
      return static_cast<int>(i);
  return -1;
}

int Network::projectionIndex(const std::string &name) const {
  for (size_t i = 0; i < spec.projections.size(); ++i)
    if (spec.projections[i].name == name)
      return static_cast<int>(i);
  return -1;
}

static std::vector<double> toDoubles(const Buffer &b, size_t n) {
  std::vector<double> out(n);
  if (b.elementSize() == 4)
    for (size_t i = 0; i < n; ++i)
      out[i] = b.as<float>()[i];
  else
    for (size_t i = 0; i < n; ++i)
      out[i] = b.as<double>()[i];
  return out;
}

std::vector<double> Network::populationField(int pop,
                                             const std::string &field) const {
  const PopulationState &st = impl->pops.at(pop);
  auto it = st.fields.find(field);
  if (it == st.fields.end())
    return {};
  return toDoubles(it->second, spec.populations[pop].size);
}

void hebb::rt::detail::requireStoredSynapses(const ProjectionSpec &ps,
                                             const std::string &field) {
  if (!ps.procedural())
    return;
  for (const FieldSpec &f : ps.fields)
    if (f.name == field && f.scope == "element")
      throw RuntimeError("projection '" + ps.name +
                         "' is procedural: its synapses are drawn again at "
                         "each spike, not kept, so '" +
                         field +
                         "' has no stored values (run without "
                         "--procedural to read or change them)");
}

std::vector<double> Network::projectionField(int proj,
                                             const std::string &field) const {
  requireStoredSynapses(spec.projections.at(proj), field);
  const ProjectionState &st = impl->projs.at(proj);
  auto it = st.fields.find(field);
  if (it == st.fields.end())
    return {};
  return toDoubles(it->second, it->second.size());
}

size_t Network::numSynapses(int proj) const {
  return impl->projs.at(proj).conn.numSynapses();
}

int64_t Network::spikeCount(int pop) const {
  return impl->pops.at(pop).totalSpikes;
}

const std::vector<int64_t> &Network::spikeCounts(int pop) const {
  return impl->pops.at(pop).spikesPerNeuron;
}

const Connectivity &Network::connectivity(int proj) const {
  return impl->projs.at(proj).conn;
}
