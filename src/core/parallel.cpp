// The thread pool behind parallel_for. Workers wait on an atomic generation counter: a short spin
// catches the next kernel of a training step without a system call, then they sleep in the
// kernel (futex) so that an idle pool never takes a core from OpenBLAS's threads or the user's.
#include "core/parallel.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TG_CPU_RELAX() _mm_pause()
#else
#define TG_CPU_RELAX() ((void)0)
#endif

namespace tg::detail {
namespace {

thread_local bool t_in_parallel = false;

// Polls `value` until it differs from `old`: about 20 µs of spinning, long enough to bridge the gap
// between two kernels of one step without a system call, then a futex sleep.
template <typename T>
T wait_change(const std::atomic<T>& value, T old) {
  auto until = std::chrono::steady_clock::time_point::min();
  for (int spin = 0;; ++spin) {
    const T v = value.load(std::memory_order_acquire);
    if (v != old) return v;
    if ((spin & 63) == 63) {
      const auto now = std::chrono::steady_clock::now();
      if (until == std::chrono::steady_clock::time_point::min()) {
        until = now + std::chrono::microseconds(20);
      } else if (now > until) {
        value.wait(old, std::memory_order_acquire);
        continue;
      }
    }
    TG_CPU_RELAX();
  }
}

class ThreadPool {
 public:
  ~ThreadPool() { stop(); }

  // Returns false, having run nothing, when another thread is using the pool.
  bool run(int64_t begin, int64_t end, int64_t chunks, int64_t step,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    resize(static_cast<int>(chunks) - 1);
    fn_ = &fn;
    begin_ = begin;
    end_ = end;
    chunks_ = chunks;
    step_ = step;
    error_ = nullptr;
    // Every worker acknowledges every job, including those with no piece of it, so that a worker
    // that wakes late can never mistake the next job's fields for this one's.
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();

    t_in_parallel = true;
    std::exception_ptr mine;
    try {
      fn(begin, std::min(end, begin + step));
    } catch (...) {
      mine = std::current_exception();
    }
    t_in_parallel = false;
    for (int left = pending_.load(std::memory_order_acquire); left != 0;)
      left = wait_change(pending_, left);
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  // Grows the pool to at least n workers (it never shrinks: extra workers just skip jobs).
  void resize(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int64_t index = static_cast<int64_t>(workers_.size()) + 1;
      workers_.emplace_back([this, index, seen = generation_.load()] { work(index, seen); });
    }
  }

  void work(int64_t index, uint32_t seen) {
    t_in_parallel = true;
    for (;;) {
      seen = wait_change(generation_, seen);
      if (stopping_.load(std::memory_order_acquire)) return;
      if (index < chunks_) {
        const int64_t b = begin_ + index * step_;
        try {
          if (b < end_) (*fn_)(b, std::min(end_, b + step_));
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
    }
  }

  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex mutex_;  // one job at a time
  std::vector<std::thread> workers_;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};
  // The current job; written before generation_ is bumped (release), read after (acquire).
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunks_ = 0, step_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

ThreadPool& pool() {
  static ThreadPool p;
  return p;
}

}  // namespace

bool in_parallel_region() { return t_in_parallel; }

void parallel_run(int64_t begin, int64_t end, int64_t chunks, int64_t align,
                  const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t n = end - begin;
  int64_t step = (n + chunks - 1) / chunks;
  step = (step + align - 1) / align * align;
  chunks = (n + step - 1) / step;
  if (chunks <= 1 || !pool().run(begin, end, chunks, step, fn)) fn(begin, end);
}

}  // namespace tg::detail
