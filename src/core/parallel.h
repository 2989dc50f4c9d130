// Intra-op parallelism: large elementwise kernels split their range over get_num_threads()
// threads. Small ones run inline; below a grain of 32768 elements (PyTorch's GRAIN_SIZE) waking
// a thread costs more than it saves.
#pragma once

#include <cstdint>
#include <functional>

#include "tensorgrad/tensor.h"

namespace tg {

constexpr int64_t kGrainSize = 32768;

namespace detail {
// Runs fn over [begin, end) as `chunks` pieces, one per thread (the caller takes the first), and
// returns when all are done; rethrows the first exception a piece threw.
void parallel_run(int64_t begin, int64_t end, int64_t chunks, int64_t align,
                  const std::function<void(int64_t, int64_t)>& fn);
bool in_parallel_region();
}  // namespace detail

// Calls fn(b, e) on disjoint subranges covering [begin, end), in parallel when the range holds at
// least two grains and more than one thread is set. Subrange boundaries are multiples of `align`
// from begin, so blockwise kernels (16 floats at a time) give the same result for any thread count.
template <typename F>
inline void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn, int64_t align = 64) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  // The size test first: it settles the common small case without a call.
  if (n < 2 * grain) {
    fn(begin, end);
    return;
  }
  const int threads = get_num_threads();
  if (threads <= 1 || detail::in_parallel_region()) {
    fn(begin, end);
    return;
  }
  const int64_t chunks = std::min<int64_t>(threads, n / grain);
  detail::parallel_run(begin, end, chunks, align,
                       std::function<void(int64_t, int64_t)>(std::ref(fn)));
}

}  // namespace tg
