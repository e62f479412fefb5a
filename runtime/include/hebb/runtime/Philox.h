//===- Philox.h - Philox4x32-10 counter-based RNG ---------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// Philox4x32-10 exactly as in Random123 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC 2011), plus the Hebb convention that maps
// (seed, stream, element, step, draw) to a number. Compiled kernels implement
// the same convention, so the functions here must stay bit-for-bit identical
// to the generated code:
//
//   ctr = {element, lo32(step), hi32(step), draw}, key = {seed, stream}
//   uniformFromBits(x) = float(x >> 8) * 2^-24                    in [0, 1)
//   uniformAt          = uniformFromBits(word0)
//   normalAt           = sqrtf(-2 * logf(u1)) * cosf(float(2*pi) * u2)
//                        with u1 = 1 - uniformFromBits(word0)      in (0, 1]
//                             u2 = uniformFromBits(word1)
//
// Being counter-based, every draw is a pure function of its coordinates, so
// results do not depend on thread count or evaluation order.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_PHILOX_H
#define HEBB_RUNTIME_PHILOX_H

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace hebb::rt {

namespace philox_detail {
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

inline void mulhilo(uint32_t a, uint32_t b, uint32_t &hi, uint32_t &lo) {
  uint64_t product = uint64_t(a) * uint64_t(b);
  hi = uint32_t(product >> 32);
  lo = uint32_t(product);
}
} // namespace philox_detail

/// Philox4x32 with 10 rounds (Random123's philox4x32_R(10, ctr, key)).
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> ctr,
                                          std::array<uint32_t, 2> key) {
  using namespace philox_detail;
  for (int round = 0; round < 10; ++round) {
    // Random123 bumps the key between rounds, i.e. before rounds 2..10.
    if (round > 0) {
      key[0] += kWeyl0;
      key[1] += kWeyl1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMul0, ctr[0], hi0, lo0);
    mulhilo(kMul1, ctr[2], hi1, lo1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

/// Philox of kPhiloxBatch counters (c0, c1, c2, c3) at once, in place:
/// the same numbers as philox4x32, computed so that the compiler vectorises
/// the rounds.
constexpr unsigned kPhiloxBatch = 16;
[[gnu::always_inline]] inline void philoxBatch(uint32_t seed, uint32_t stream,
                                               uint32_t *w0, uint32_t *w1,
                                               uint32_t *w2, uint32_t *w3) {
  using namespace philox_detail;
  // In local arrays, which cannot alias: the rounds stay in registers.
  uint32_t c0[kPhiloxBatch], c1[kPhiloxBatch], c2[kPhiloxBatch],
      c3[kPhiloxBatch];
  for (unsigned k = 0; k < kPhiloxBatch; ++k) {
    c0[k] = w0[k];
    c1[k] = w1[k];
    c2[k] = w2[k];
    c3[k] = w3[k];
  }
  uint32_t key0 = seed, key1 = stream;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key0 += kWeyl0;
      key1 += kWeyl1;
    }
    for (unsigned k = 0; k < kPhiloxBatch; ++k) {
      uint64_t p0 = uint64_t(kMul0) * c0[k];
      uint64_t p1 = uint64_t(kMul1) * c2[k];
      uint32_t n0 = uint32_t(p1 >> 32) ^ c1[k] ^ key0;
      uint32_t n2 = uint32_t(p0 >> 32) ^ c3[k] ^ key1;
      c1[k] = uint32_t(p1);
      c3[k] = uint32_t(p0);
      c0[k] = n0;
      c2[k] = n2;
    }
  }
  for (unsigned k = 0; k < kPhiloxBatch; ++k) {
    w0[k] = c0[k];
    w1[k] = c1[k];
    w2[k] = c2[k];
    w3[k] = c3[k];
  }
}

/// Words 0 and 1 of philoxAt(seed, stream, element, 0, first + k) for k in
/// [0, count), count at most kPhiloxBatch.
inline void philoxWords01(uint32_t seed, uint32_t stream, uint32_t element,
                          uint32_t first, unsigned count, uint32_t *word0,
                          uint32_t *word1) {
  uint32_t c0[kPhiloxBatch], c1[kPhiloxBatch], c2[kPhiloxBatch],
      c3[kPhiloxBatch];
  for (unsigned k = 0; k < kPhiloxBatch; ++k) {
    c0[k] = element;
    c1[k] = 0;
    c2[k] = 0;
    c3[k] = first + k;
  }
  philoxBatch(seed, stream, c0, c1, c2, c3);
  for (unsigned k = 0; k < count && k < kPhiloxBatch; ++k) {
    word0[k] = c0[k];
    word1[k] = c1[k];
  }
}

/// Maps 32 random bits to a float in [0, 1) using the top 24 bits, so every
/// result is exactly representable.
inline float uniformFromBits(uint32_t x) {
  return static_cast<float>(x >> 8) * 0x1p-24f;
}

/// The raw Philox block for one Hebb draw coordinate.
inline std::array<uint32_t, 4> philoxAt(uint32_t seed, uint32_t stream,
                                        uint32_t element, uint64_t step,
                                        uint32_t draw) {
  return philox4x32({element, static_cast<uint32_t>(step),
                     static_cast<uint32_t>(step >> 32), draw},
                    {seed, stream});
}

/// Uniform in [0, 1) for (seed, stream, element, step, draw).
inline float uniformAt(uint32_t seed, uint32_t stream, uint32_t element,
                       uint64_t step, uint32_t draw) {
  return uniformFromBits(philoxAt(seed, stream, element, step, draw)[0]);
}

/// Uniform in [0, 1) for a draw whose Philox block four elements share, as
/// rand() and poisson() in a neuron step: element e takes word e % 4 of the
/// block with counter (e / 4, step, 2^31 | draw).
inline float sharedUniformAt(uint32_t seed, uint32_t stream, uint32_t element,
                             uint64_t step, uint32_t draw) {
  return uniformFromBits(philoxAt(seed, stream, element >> 2, step,
                                  0x80000000u | draw)[element & 3]);
}

/// Standard normal via Box-Muller (cosine branch), all arithmetic in float.
inline float normalAt(uint32_t seed, uint32_t stream, uint32_t element,
                      uint64_t step, uint32_t draw) {
  std::array<uint32_t, 4> bits = philoxAt(seed, stream, element, step, draw);
  // 1 - u keeps u1 in (0, 1] so the logarithm is finite.
  float u1 = 1.0f - uniformFromBits(bits[0]);
  float u2 = uniformFromBits(bits[1]);
  constexpr float kTwoPi = 6.283185307179586476925f;
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(kTwoPi * u2);
}

/// Stream id of a name: 32-bit FNV-1a. Gives every population, projection
/// and purpose its own independent stream.
inline uint32_t streamId(const std::string &name) {
  uint32_t hash = 0x811C9DC5u;
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 0x01000193u;
  }
  return hash;
}

} // namespace hebb::rt

#endif // HEBB_RUNTIME_PHILOX_H
