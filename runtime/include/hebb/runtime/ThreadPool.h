//===- ThreadPool.h - Splitting kernels across threads ----------*- C++ -*-===//

#ifndef HEBB_RUNTIME_THREADPOOL_H
#define HEBB_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hebb::rt {

/// Sets this thread to flush denormal floats to zero (x86 FTZ and DAZ).
void flushDenormalsToZero();

/// A fixed set of worker threads that run contiguous chunks of a range.
/// Results never depend on the number of threads: each element is computed
/// by the same code whatever chunk it falls in, and random numbers are keyed
/// by element, not by thread.
class ThreadPool {
public:
  /// `threads` counts the calling thread: 1 means no workers.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return static_cast<unsigned>(workers.size()) + 1; }

  /// Calls fn(chunkBegin, chunkEnd) over [begin, end) split in contiguous
  /// chunks, one per thread, and returns when all are done. Ranges shorter
  /// than `minChunk` per thread run on the calling thread alone.
  void parallelFor(int64_t begin, int64_t end,
                   const std::function<void(int64_t, int64_t)> &fn,
                   int64_t minChunk = 8192);

private:
  void work(unsigned index);

  std::vector<std::thread> workers;
  // A step hands out a few parallel kernels of some microseconds each: a
  // worker spins on `generation` for a while after a task before it sleeps
  // on `wake`, since waking a sleeping thread costs more than such a task.
  std::mutex mutex;
  std::condition_variable wake;
  const std::function<void(int64_t, int64_t)> *task = nullptr;
  int64_t taskBegin = 0, taskEnd = 0;
  std::atomic<uint64_t> generation{0};
  std::atomic<unsigned> pending{0};
  unsigned sleepers = 0; // guarded by `mutex`
  std::atomic<bool> stopping{false};
};

} // namespace hebb::rt

#endif // HEBB_RUNTIME_THREADPOOL_H
