//===- Recorders.cpp - Spike and state recorders --------------------------===//
//
// Part of the Hebb project.
//
//===----------------------------------------------------------------------===//

#include "hebb/runtime/Recorders.h"
#include "hebb/runtime/Error.h"

#include <algorithm>
#include <cstdint>
#include <sys/mman.h>

using namespace hebb::rt;

std::string hebb::rt::joinPath(const std::string &dir,
                               const std::string &name) {
  if (dir.empty() || dir == ".")
    return name;
  if (dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

//===----------------------------------------------------------------------===//
// SpikeRecorder
//===----------------------------------------------------------------------===//

SpikeRecorder::SpikeRecorder(uint32_t begin, uint32_t end)
    : beginIndex(begin), endIndex(end) {
  if (end < begin)
    throw RuntimeError("SpikeRecorder: reversed range [" +
                       std::to_string(begin) + ", " + std::to_string(end) +
                       ")");
}

namespace {
/// Grows `log` to hold at least `needed` elements, doubling from 1 Mi, and
/// marks its memory for huge pages. Page faults are slow on these
/// machines: 4 KiB ones on a spike log that grows by megabytes cost more
/// than recording the spikes (4.6 against 1.4-2 us per step for 123 spikes).
template <typename T> void reserveLog(std::vector<T> &log, size_t needed) {
  if (needed <= log.capacity())
    return;
  // Reserved (not yet touched), advised, and only then filled.
  std::vector<T> bigger;
  bigger.reserve(
      std::max(needed, std::max<size_t>(size_t(1) << 20, 2 * log.capacity())));
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = uintptr_t(2) << 20;
  uintptr_t begin = reinterpret_cast<uintptr_t>(bigger.data());
  uintptr_t end = begin + bigger.capacity() * sizeof(T);
  uintptr_t lo = (begin + huge - 1) & ~(huge - 1), hi = end & ~(huge - 1);
  if (hi > lo)
    madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_HUGEPAGE);
#endif
  bigger.insert(bigger.end(), log.begin(), log.end());
  log.swap(bigger);
}
} // namespace

void SpikeRecorder::record(int64_t step, const uint32_t *spikingIndices,
                           size_t count) {
  reserveLog(stepLog, stepLog.size() + count);
  reserveLog(indexLog, indexLog.size() + count);
  for (size_t n = 0; n < count; ++n) {
    uint32_t index = spikingIndices[n];
    if (index < beginIndex || index >= endIndex)
      continue;
    stepLog.push_back(step);
    indexLog.push_back(static_cast<int32_t>(index - beginIndex));
  }
}

std::vector<std::string> SpikeRecorder::write(const std::string &dir,
                                              const std::string &stem,
                                              double dt) const {
  std::vector<double> times(stepLog.size());
  for (size_t n = 0; n < stepLog.size(); ++n)
    times[n] = static_cast<double>(stepLog[n]) * dt;
  std::string timePath = joinPath(dir, stem + "_t.npy");
  std::string indexPath = joinPath(dir, stem + "_i.npy");
  writeNpy(timePath, times);
  writeNpy(indexPath, indexLog);
  return {timePath, indexPath};
}

void SpikeRecorder::clear() {
  stepLog.clear();
  indexLog.clear();
}

void SpikeRecorder::truncate(size_t spikes) {
  if (spikes < stepLog.size()) {
    stepLog.resize(spikes);
    indexLog.resize(spikes);
  }
}

void SpikeRecorder::assign(std::vector<int64_t> steps,
                           std::vector<int32_t> indices) {
  if (steps.size() != indices.size())
    throw RuntimeError("SpikeRecorder: " + std::to_string(steps.size()) +
                       " spike times for " + std::to_string(indices.size()) +
                       " indices");
  stepLog = std::move(steps);
  indexLog = std::move(indices);
}

//===----------------------------------------------------------------------===//
// StateRecorder
//===----------------------------------------------------------------------===//

StateRecorder::StateRecorder(uint32_t begin, uint32_t end, int64_t period,
                             bool f64)
    : beginIndex(begin), endIndex(end), period(period), f64(f64) {
  if (end < begin)
    throw RuntimeError("StateRecorder: reversed range [" +
                       std::to_string(begin) + ", " + std::to_string(end) +
                       ")");
  if (period < 1)
    throw RuntimeError("StateRecorder: period must be >= 1, got " +
                       std::to_string(period));
}

template <typename T>
static bool sampleInto(int64_t step, int64_t period, const T *field,
                       uint32_t begin, uint32_t end, double dt,
                       NpyAppender *valueOut, NpyAppender *timeOut,
                       std::vector<T> &values, std::vector<int64_t> &steps) {
  if (step % period != 0)
    return false;
  const T *first = field + begin;
  double time = static_cast<double>(step) * dt;
  if (valueOut) {
    valueOut->append(first);
    timeOut->append(&time);
  } else {
    values.insert(values.end(), first, field + end);
    steps.push_back(step);
  }
  return true;
}

bool StateRecorder::sample(int64_t step, const float *field) {
  if (f64)
    throw RuntimeError("StateRecorder: a float64 recorder sampled float32");
  bool took =
      sampleInto(step, period, field, beginIndex, endIndex, streamDt,
                 valueOut.get(), timeOut.get(), sampleValues, sampleSteps);
  sampleCount += took;
  return took;
}

bool StateRecorder::sample(int64_t step, const double *field) {
  if (!f64)
    throw RuntimeError("StateRecorder: a float32 recorder sampled float64");
  bool took =
      sampleInto(step, period, field, beginIndex, endIndex, streamDt,
                 valueOut.get(), timeOut.get(), sampleValues64, sampleSteps);
  sampleCount += took;
  return took;
}

void StateRecorder::truncate(int64_t samples) {
  if (valueOut)
    throw RuntimeError("StateRecorder: a streamed record cannot be truncated");
  if (samples >= sampleCount)
    return;
  sampleCount = samples;
  sampleSteps.resize(size_t(samples));
  if (f64)
    sampleValues64.resize(size_t(samples) * width());
  else
    sampleValues.resize(size_t(samples) * width());
}

void StateRecorder::assign(std::vector<int64_t> steps,
                           std::vector<float> values,
                           std::vector<double> values64) {
  if (valueOut)
    throw RuntimeError("StateRecorder: a streamed record cannot be replaced");
  size_t expected = steps.size() * width();
  if ((f64 ? values64.size() : values.size()) != expected ||
      (f64 ? values.size() : values64.size()) != 0)
    throw RuntimeError("StateRecorder: " + std::to_string(steps.size()) +
                       " samples need " + std::to_string(expected) + " values");
  sampleCount = int64_t(steps.size());
  sampleSteps = std::move(steps);
  sampleValues = std::move(values);
  sampleValues64 = std::move(values64);
}

void StateRecorder::streamTo(const std::string &dir, const std::string &stem,
                             double dt) {
  if (valueOut)
    throw RuntimeError("StateRecorder: already streaming to '" +
                       valueOut->path() + "'");
  auto values = std::make_unique<NpyAppender>(
      joinPath(dir, stem + ".npy"), f64 ? "<f8" : "<f4",
      std::vector<int64_t>{int64_t(width())});
  auto times =
      std::make_unique<NpyAppender>(joinPath(dir, stem + "_t.npy"), "<f8");
  // Flush what was recorded in memory so far.
  if (f64)
    values->appendRows(sampleValues64.data(), int64_t(sampleSteps.size()));
  else
    values->appendRows(sampleValues.data(), int64_t(sampleSteps.size()));
  for (int64_t step : sampleSteps) {
    double time = static_cast<double>(step) * dt;
    times->append(&time);
  }
  sampleValues.clear();
  sampleValues64.clear();
  sampleSteps.clear();
  valueOut = std::move(values);
  timeOut = std::move(times);
  streamDt = dt;
  streamDir = dir;
  streamStem = stem;
}

std::vector<std::string> StateRecorder::write(const std::string &dir,
                                              const std::string &stem,
                                              double dt) {
  std::string valuePath = joinPath(dir, stem + ".npy");
  std::string timePath = joinPath(dir, stem + "_t.npy");
  if (valueOut) {
    if (dir != streamDir || stem != streamStem || dt != streamDt)
      throw RuntimeError("StateRecorder: write('" + valuePath +
                         "') does not match the streamed file '" +
                         valueOut->path() + "'");
    valueOut->close();
    timeOut->close();
    valueOut.reset();
    timeOut.reset();
    return {valuePath, timePath};
  }
  std::vector<double> times(sampleSteps.size());
  for (size_t n = 0; n < sampleSteps.size(); ++n)
    times[n] = static_cast<double>(sampleSteps[n]) * dt;
  std::vector<int64_t> shape = {int64_t(sampleSteps.size()), int64_t(width())};
  if (f64)
    writeNpy(valuePath, sampleValues64, shape);
  else
    writeNpy(valuePath, sampleValues, shape);
  writeNpy(timePath, times);
  return {valuePath, timePath};
}
