// The DataLoader's options, shared by tensorgrad's Python-style DataLoader and libtorch's
// make_data_loader: chained setters as libtorch's DataLoaderOptions, plus the Python DataLoader's
// shuffle and generator, which only the Python-style loader reads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tg {
class Generator;
}

namespace tg::data {

// Defaults are PyTorch's: batch_size 1, no shuffling, the last incomplete batch kept, no worker
// threads, max_jobs 2 * workers, no timeout, batches in the sampler's order.
class DataLoaderOptions {
 public:
  DataLoaderOptions() = default;
  // Implicit, as libtorch's: make_data_loader(dataset, 64) asks for batches of 64.
  DataLoaderOptions(int64_t batch_size) : batch_size_(batch_size) {}  // NOLINT

  DataLoaderOptions& batch_size(int64_t v) {
    batch_size_ = v;
    return *this;
  }
  DataLoaderOptions& shuffle(bool v) {
    shuffle_ = v;
    return *this;
  }
  DataLoaderOptions& drop_last(bool v) {
    drop_last_ = v;
    return *this;
  }
  // The generator for the per-epoch seed and the shuffling (PyTorch's `generator=`); null means
  // the default generator. The DataLoader does not own it: keep it alive while iterating.
  DataLoaderOptions& generator(Generator* g) {
    generator_ = g;
    return *this;
  }
  // Background threads that load batches ahead of the caller (libtorch's loaders only); 0 loads
  // each batch on the calling thread when it is asked for.
  DataLoaderOptions& workers(size_t v) {
    workers_ = v;
    return *this;
  }
  // How many batches may be requested ahead of the one being consumed; 2 * workers when unset.
  DataLoaderOptions& max_jobs(std::optional<size_t> v) {
    max_jobs_ = v;
    return *this;
  }
  // How long the caller waits for a worker's batch before the loader raises an error.
  DataLoaderOptions& timeout(std::optional<std::chrono::milliseconds> v) {
    timeout_ = v;
    return *this;
  }
  // With workers, true hands batches out in the sampler's order; false in the order they finish.
  DataLoaderOptions& enforce_ordering(bool v) {
    enforce_ordering_ = v;
    return *this;
  }

  int64_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  bool drop_last() const { return drop_last_; }
  Generator* generator() const { return generator_; }
  size_t workers() const { return workers_; }
  const std::optional<size_t>& max_jobs() const { return max_jobs_; }
  const std::optional<std::chrono::milliseconds>& timeout() const { return timeout_; }
  bool enforce_ordering() const { return enforce_ordering_; }

 private:
  int64_t batch_size_ = 1;
  bool shuffle_ = false;
  bool drop_last_ = false;
  Generator* generator_ = nullptr;
  size_t workers_ = 0;
  std::optional<size_t> max_jobs_;
  std::optional<std::chrono::milliseconds> timeout_;
  bool enforce_ordering_ = true;
};

// The options a libtorch loader runs with, every default filled in (loader->options()).
struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(const DataLoaderOptions& o)
      : batch_size(static_cast<size_t>(o.batch_size())),
        workers(o.workers()),
        max_jobs(o.max_jobs().value_or(2 * o.workers())),
        timeout(o.timeout()),
        enforce_ordering(o.enforce_ordering()),
        drop_last(o.drop_last()) {}

  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  std::optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

}  // namespace tg::data
