//===- ThreadPool.cpp - Splitting kernels across threads ------------------===//

#include "hebb/runtime/ThreadPool.h"

#include <xmmintrin.h>

using namespace hebb::rt;

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
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
  {
    std::lock_guard<std::mutex> lock(mutex);
    task = &fn;
    taskBegin = begin;
    taskEnd = end;
    pending = parts - 1;
    ++generation;
  }
  wake.notify_all();
  int64_t lo, hi;
  chunkOf(begin, end, parts, 0, lo, hi);
  fn(lo, hi);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [this] { return pending == 0; });
  task = nullptr;
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
    const std::function<void(int64_t, int64_t)> *fn;
    int64_t begin, end;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      fn = task;
      begin = taskBegin;
      end = taskEnd;
    }
    int64_t lo, hi;
    chunkOf(begin, end, size(), index, lo, hi);
    (*fn)(lo, hi);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }
}
