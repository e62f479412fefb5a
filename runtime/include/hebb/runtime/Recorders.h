//===- Recorders.h - Spike and state recorders ------------------*- C++ -*-===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//
//
// Recorders collect simulation output for a neuron range [begin, end) of a
// population and write it as .npy files:
//   SpikeRecorder: <stem>_t.npy (float64 seconds), <stem>_i.npy (int32 index
//                  relative to begin).
//   StateRecorder: <stem>.npy (T, n) float32 and <stem>_t.npy float64 times.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_RECORDERS_H
#define HEBB_RUNTIME_RECORDERS_H

#include "hebb/runtime/Npy.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hebb::rt {

/// Joins a directory and a file name ("" or "." means the current directory).
std::string joinPath(const std::string &dir, const std::string &name);

class SpikeRecorder {
public:
  /// Records neurons [begin, end) of a population.
  SpikeRecorder(uint32_t begin, uint32_t end);

  /// Adds the spikes of one step. `spikingIndices` are population indices;
  /// those outside [begin, end) are ignored, the rest stored minus begin.
  void record(int64_t step, const uint32_t *spikingIndices, size_t count);

  /// Writes <stem>_t.npy and <stem>_i.npy into `dir`; returns their paths.
  std::vector<std::string> write(const std::string &dir,
                                 const std::string &stem, double dt) const;

  size_t numSpikes() const { return indexLog.size(); }
  const std::vector<int64_t> &steps() const { return stepLog; }
  const std::vector<int32_t> &indices() const { return indexLog; }
  uint32_t rangeBegin() const { return beginIndex; }
  uint32_t rangeEnd() const { return endIndex; }
  void clear();
  /// Keeps the first `spikes` spikes (a run rolled back to a snapshot).
  void truncate(size_t spikes);
  /// Replaces the log (a checkpoint restored); the lists must match.
  void assign(std::vector<int64_t> steps, std::vector<int32_t> indices);

private:
  uint32_t beginIndex, endIndex;
  std::vector<int64_t> stepLog;
  std::vector<int32_t> indexLog;
};

class StateRecorder {
public:
  /// Samples elements [begin, end) of a float32 (or, with `f64`, float64)
  /// field at steps that are multiples of `period` (period >= 1).
  StateRecorder(uint32_t begin, uint32_t end, int64_t period = 1,
                bool f64 = false);

  /// Call every step (or only on sampling steps): records the field iff
  /// `step % period == 0`, and returns whether it did. `field` points at
  /// element 0 of the population.
  bool sample(int64_t step, const float *field);
  /// The same for a float64 recorder.
  bool sample(int64_t step, const double *field);

  /// Switches to streaming: samples so far and all later ones go straight
  /// to <stem>.npy / <stem>_t.npy in `dir` (through NpyAppender) instead of
  /// memory. For long runs whose records would not fit in memory.
  void streamTo(const std::string &dir, const std::string &stem, double dt);

  /// Writes <stem>.npy (T, n) float32 (float64 for an f64 recorder) and
  /// <stem>_t.npy float64 into `dir` and returns their paths. When streaming,
  /// finalizes the streamed files (the arguments must then match those given to
  /// streamTo).
  std::vector<std::string> write(const std::string &dir,
                                 const std::string &stem, double dt);

  int64_t numSamples() const { return sampleCount; }
  uint32_t width() const { return endIndex - beginIndex; }
  /// In-memory samples, row-major (T, width()); empty when streaming.
  const std::vector<float> &values() const { return sampleValues; }
  const std::vector<double> &values64() const { return sampleValues64; }
  bool isF64() const { return f64; }
  const std::vector<int64_t> &steps() const { return sampleSteps; }
  /// Keeps the first `samples` samples (a run rolled back to a snapshot).
  void truncate(int64_t samples);
  /// Replaces the samples (a checkpoint restored): `steps` with width()
  /// values per step in `values` (or `values64` for an f64 recorder).
  void assign(std::vector<int64_t> steps, std::vector<float> values,
              std::vector<double> values64);

private:
  uint32_t beginIndex, endIndex;
  int64_t period;
  int64_t sampleCount = 0;
  bool f64;
  std::vector<float> sampleValues;
  std::vector<double> sampleValues64;
  std::vector<int64_t> sampleSteps;
  // Streaming state (null when recording into memory).
  std::unique_ptr<NpyAppender> valueOut, timeOut;
  double streamDt = 0;
  std::string streamDir, streamStem;
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_RECORDERS_H
