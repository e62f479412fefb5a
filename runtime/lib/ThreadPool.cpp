//===- ThreadPool.cpp - Splitting kernels across threads ------------------===//

#include "hebb/runtime/ThreadPool.h"

#include <chrono>
#include <xmmintrin.h>

using namespace hebb::rt;

namespace {
/// How long a worker spins for the next task before it sleeps.
constexpr std::chrono::microseconds kSpin(200);
} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    generation.fetch_add(1, std::memory_order_release);
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

static void chunkOf(int64_t begin, int64_t end, unsigned parts, unsigned index,
                    int64_t &lo, int64_t &hi) {
  int64_t n = end - begin;
  lo = begin + n * index / parts;
  hi = begin + n * (index + 1) / parts;
}

void ThreadPool::parallelFor(int64_t begin, int64_t end,
                             const std::function<void(int64_t, int64_t)> &fn,
                             int64_t minChunk) {
  unsigned parts = size();
  if (parts == 1 || end - begin < minChunk * parts) {
    if (begin < end)
      fn(begin, end);
    return;
  }
  bool anySleeping;
  {
    std::lock_guard<std::mutex> lock(mutex);
    task = &fn;
    taskBegin = begin;
    taskEnd = end;
    pending.store(parts - 1, std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_release);
    anySleeping = sleepers > 0;
  }
  if (anySleeping)
    wake.notify_all();
  int64_t lo, hi;
  chunkOf(begin, end, parts, 0, lo, hi);
  fn(lo, hi);
  // The workers' chunks take about as long as this one: spin.
  while (pending.load(std::memory_order_acquire) != 0)
    _mm_pause();
}

void hebb::rt::flushDenormalsToZero() {
  // FTZ and DAZ: decaying traces and conductances would otherwise sink into
  // denormal numbers, each operation on which costs about 100 cycles.
  _mm_setcsr(_mm_getcsr() | 0x8040);
}

void ThreadPool::work(unsigned index) {
  flushDenormalsToZero();
  uint64_t seen = 0;
  for (;;) {
    // Spin for the next task, then sleep until it comes.
    auto until = std::chrono::steady_clock::now() + kSpin;
    unsigned spins = 0;
    while (generation.load(std::memory_order_acquire) == seen) {
      _mm_pause();
      if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(mutex);
        ++sleepers;
        wake.wait(lock, [&] {
          return generation.load(std::memory_order_acquire) != seen;
        });
        --sleepers;
        break;
      }
    }
    if (stopping.load(std::memory_order_acquire))
      return;
    const std::function<void(int64_t, int64_t)> *fn;
    int64_t begin, end;
    {
      // The task was published under the mutex with the new generation.
      std::lock_guard<std::mutex> lock(mutex);
      seen = generation.load(std::memory_order_acquire);
      fn = task;
      begin = taskBegin;
      end = taskEnd;
    }
    int64_t lo, hi;
    chunkOf(begin, end, size(), index, lo, hi);
    (*fn)(lo, hi);
    pending.fetch_sub(1, std::memory_order_acq_rel);
  }
}
