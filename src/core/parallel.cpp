// The thread pool behind parallel_for. Each worker waits on a counter of its own: a short spin
// catches the next kernel of a training step without a system call, then it sleeps in the kernel
// (futex) so that an idle pool never takes a core from OpenBLAS's threads or the user's.
#include "core/parallel.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
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
  // Returns false, having run nothing, when another thread is using the pool or no worker
  // thread could be started; the caller then runs the whole range itself.
  bool run(int64_t begin, int64_t end, int64_t chunks, int64_t step,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    try {
      resize(static_cast<int>(chunks) - 1);
    } catch (...) {
      return false;
    }
    fn_ = &fn;
    begin_ = begin;
    end_ = end;
    step_ = step;
    error_ = nullptr;
    pending_.store(static_cast<int>(chunks) - 1, std::memory_order_relaxed);
    // Wake exactly the workers that have a piece: each waits on its own counter, so a large
    // pool does not spin up for a job of two pieces. The release pairs with the worker's
    // acquire, which makes the job fields above visible to it.
    for (int64_t w = 1; w < chunks; ++w) {
      Worker& worker = *workers_[static_cast<size_t>(w - 1)];
      worker.jobs.fetch_add(1, std::memory_order_release);
      worker.jobs.notify_one();
    }

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
  struct Worker {
    std::atomic<uint32_t> jobs{0};  // bumped once per job this worker has a piece of
  };

  // Grows the pool to at least n workers (it never shrinks: extra workers just get no pieces).
  void resize(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      const int64_t index = static_cast<int64_t>(workers_.size()) + 1;
      workers_.push_back(std::make_unique<Worker>());
      Worker* w = workers_.back().get();
      try {
        // Never joined: the pool lives until the process ends (see pool()).
        std::thread([this, w, index] { work(*w, index); }).detach();
      } catch (...) {
        workers_.pop_back();
        throw;
      }
    }
  }

  void work(Worker& w, int64_t index) {
    t_in_parallel = true;
    for (uint32_t seen = 0;;) {
      seen = wait_change(w.jobs, seen);
      const int64_t b = begin_ + index * step_;
      try {
        if (b < end_) (*fn_)(b, std::min(end_, b + step_));
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
    }
  }

  std::mutex mutex_;  // one job at a time
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<int> pending_{0};
  // The current job: written by run() before it wakes the workers that take part, read by them
  // after; the next job is written only when every piece of this one is done.
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0, step_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

// The pool is created on first use and never destroyed: static destructors and threads still
// running at exit may use it, and its workers, blocked in the kernel, simply end with the
// process. A child of fork() has none of the parent's workers, so it starts a pool of its own
// (the parent's is abandoned in the child, as its mutex may be held by a thread that is gone).
std::atomic<ThreadPool*> g_pool{nullptr};

void abandon_pool_in_child() { g_pool.store(nullptr, std::memory_order_relaxed); }

ThreadPool& pool() {
  ThreadPool* p = g_pool.load(std::memory_order_acquire);
  if (p) return *p;
  static std::mutex create;
  std::lock_guard<std::mutex> lock(create);
  p = g_pool.load(std::memory_order_relaxed);
  if (!p) {
    static const bool registered = [] {
      return pthread_atfork(nullptr, nullptr, abandon_pool_in_child) == 0;
    }();
    (void)registered;
    p = new ThreadPool;  // NOLINT: deliberately never freed, see above
    g_pool.store(p, std::memory_order_release);
  }
  return *p;
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
