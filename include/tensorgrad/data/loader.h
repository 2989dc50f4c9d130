// libtorch's data loader: make_data_loader(dataset, options) (or with a sampler) returns a
// unique_ptr to a StatelessDataLoader, iterated with `for (auto& batch : *loader)`. Without
// workers a batch is read on the calling thread when asked for. With workers, that many
// background threads each hold a copy of the dataset and read batches ahead: up to max_jobs
// requests are in flight, one more is sent each time the caller takes a batch, and results come
// back in the sampler's order (enforce_ordering) or as they finish. An exception in a worker
// reaches the caller as a WorkerException carrying its message; a caller that waits longer than
// `timeout` for a batch gets a tg::Error. The destructor waits for the batches in flight and
// stops the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/data/options.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/error.h"

namespace tg::data {

// What the caller sees of an exception thrown in a worker thread: libtorch's message, followed by
// the original one; the original stays available for rethrowing.
struct WorkerException : public Error {
  explicit WorkerException(std::exception_ptr original)
      : Error(describe(original)), original_exception(std::move(original)) {}

  std::exception_ptr original_exception;

 private:
  static std::string describe(const std::exception_ptr& e) {
    std::string message = "Caught exception in DataLoader worker thread.";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      message += " Original message: ";
      message += ex.what();
    } catch (...) {
    }
    return message;
  }
};

namespace detail {

// A queue between threads; pop() waits, for at most `timeout` when one is given.
template <typename T>
class BlockingQueue {
 public:
  void push(T value) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(value));
    }
    ready_.notify_one();
  }

  T pop(const std::optional<std::chrono::milliseconds>& timeout = std::nullopt) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto has_value = [this] { return !queue_.empty(); };
    if (timeout) {
      TG_CHECK(ready_.wait_for(lock, *timeout, has_value),
               "Timeout in DataLoader queue while waiting for next batch (timeout was ",
               timeout->count(), " ms)");
    } else {
      ready_.wait(lock, has_value);
    }
    T value = std::move(queue_.front());
    queue_.pop_front();
    return value;
  }

  // Removes everything queued; returns how many there were.
  size_t clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t n = queue_.size();
    queue_.clear();
    return n;
  }

 private:
  std::deque<T> queue_;
  std::mutex mutex_;
  std::condition_variable ready_;
};

}  // namespace detail

// An input iterator over one epoch. It asks for its first batch only when first compared,
// dereferenced or advanced, and equals end() once the loader has no more batches. Copies share
// their position.
template <typename Batch>
class Iterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch*;
  using reference = Batch&;
  using iterator_category = std::input_iterator_tag;
  using BatchProducer = std::function<std::optional<Batch>()>;

  // end()
  Iterator() = default;
  explicit Iterator(BatchProducer next_batch)
      : state_(std::make_shared<State>(State{std::move(next_batch), std::nullopt, false})) {}

  Iterator& operator++() {
    TG_CHECK(state_ != nullptr,
             "Incrementing the DataLoader's past-the-end iterator is not allowed");
    fetch_first();
    TG_CHECK(state_->batch.has_value(), "Attempted to increment iterator past the end");
    state_->batch = state_->next_batch();
    return *this;
  }
  Batch& operator*() { return get(); }
  Batch* operator->() { return &get(); }

  bool operator==(const Iterator& other) const {
    if (state_ && other.state_) return state_ == other.state_;
    if (!state_ && !other.state_) return true;
    const Iterator& valid = state_ ? *this : other;
    valid.fetch_first();
    return !valid.state_->batch.has_value();
  }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  struct State {
    BatchProducer next_batch;
    std::optional<Batch> batch;
    bool started;
  };

  void fetch_first() const {
    if (!state_->started) {
      state_->batch = state_->next_batch();
      state_->started = true;
    }
  }
  Batch& get() {
    TG_CHECK(state_ != nullptr,
             "Dereferencing the DataLoader's past-the-end iterator is not allowed");
    fetch_first();
    TG_CHECK(state_->batch.has_value(), "Attempted to dereference iterator that was past the end");
    return *state_->batch;
  }

  std::shared_ptr<State> state_;
};

// The loading machinery shared by libtorch's loaders: the worker threads, the two queues between
// them and the caller, and the ordering of results. A subclass says where batch requests come
// from (get_batch_request) and what starting an epoch resets.
template <typename Dataset, typename Batch, typename BatchRequest>
class DataLoaderBase {
 public:
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;

  DataLoaderBase(const DataLoaderOptions& options,
                 std::unique_ptr<Dataset> main_thread_dataset = nullptr)
      : options_(checked(options)), main_thread_dataset_(std::move(main_thread_dataset)) {}

  virtual ~DataLoaderBase() { join(); }

  DataLoaderBase(const DataLoaderBase&) = delete;
  DataLoaderBase& operator=(const DataLoaderBase&) = delete;

  // Starts an epoch. The previous one must have been used up (or never started).
  Iterator<Batch> begin() {
    TG_CHECK(in_flight_ == 0,
             "Attempted to get a new DataLoader iterator while another iterator is not yet "
             "exhausted");
    reset();
    return Iterator<Batch>([this] { return this->next(); });
  }
  Iterator<Batch> end() { return Iterator<Batch>(); }

  // Waits for the batches in flight and stops the workers; the destructor calls it.
  void join() {
    if (joined_) return;
    joined_ = true;
    drain();
    for (size_t w = 0; w < workers_.size(); ++w) jobs_.push(Job{});
    for (auto& t : workers_) t.join();
  }

  const FullDataLoaderOptions& options() const noexcept { return options_; }

 protected:
  // A request for a batch, or an empty job that tells a worker to stop.
  struct Job {
    std::optional<BatchRequest> request;
    size_t sequence_number = 0;
  };
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr exception;
    size_t sequence_number = 0;
  };

  // The next batch request of the epoch, or nothing at its end.
  virtual std::optional<BatchRequest> get_batch_request() = 0;

  virtual void reset() {
    drain();
    sequence_number_ = 0;
    next_to_return_ = 0;
    stashed_.clear();
    prefetch(options_.max_jobs);
  }

  // Each worker runs this with its own copy of the dataset until it is told to stop.
  void worker_thread(Dataset& dataset) {
    while (true) {
      Job job = jobs_.pop();
      if (!job.request) break;
      Result result;
      result.sequence_number = job.sequence_number;
      try {
        result.batch = dataset.get_batch(std::move(*job.request));
      } catch (...) {
        result.exception = std::current_exception();
      }
      results_.push(std::move(result));
    }
  }

  static DataLoaderOptions checked(const DataLoaderOptions& o) {
    TG_CHECK(o.batch_size() > 0,
             "DataLoader: batch_size should be a positive integer value, but got ", o.batch_size());
    TG_CHECK(o.workers() == 0 || o.max_jobs().value_or(1) > 0,
             "DataLoader: max_jobs should be a positive integer value when there are workers, but "
             "got 0");
    return o;
  }

  const FullDataLoaderOptions options_;
  std::unique_ptr<Dataset> main_thread_dataset_;
  std::vector<std::thread> workers_;

 private:
  void prefetch(size_t count) {
    if (options_.workers == 0) return;
    for (size_t i = 0; i < count; ++i) {
      auto request = get_batch_request();
      if (!request) break;
      jobs_.push(Job{std::move(request), sequence_number_++});
      ++in_flight_;
    }
  }

  std::optional<Batch> next() {
    if (options_.workers == 0) {
      if (auto request = get_batch_request())
        return main_thread_dataset_->get_batch(std::move(*request));
      return std::nullopt;
    }
    while (auto result = pop_result()) {
      if (result->exception) throw WorkerException(result->exception);
      // One more request replaces the batch taken.
      prefetch(1);
      return std::move(result->batch);
    }
    return std::nullopt;
  }

  // The next result to hand out: the oldest request's when ordering is enforced (later ones that
  // finish first wait in stashed_), else whichever finished first; nothing once none is in flight.
  std::optional<Result> pop_result() {
    if (options_.enforce_ordering) {
      auto stashed = stashed_.find(next_to_return_);
      if (stashed != stashed_.end()) {
        Result r = std::move(stashed->second);
        stashed_.erase(stashed);
        ++next_to_return_;
        return r;
      }
    }
    while (in_flight_ > 0) {
      Result r = results_.pop(options_.timeout);
      --in_flight_;
      if (!options_.enforce_ordering || r.sequence_number == next_to_return_) {
        ++next_to_return_;
        return r;
      }
      stashed_.emplace(r.sequence_number, std::move(r));
    }
    return std::nullopt;
  }

  // Drops the requests no worker has taken yet and waits for the ones being worked on.
  void drain() {
    in_flight_ -= jobs_.clear();
    while (in_flight_ > 0) {
      (void)results_.pop();
      --in_flight_;
    }
  }

  detail::BlockingQueue<Job> jobs_;
  detail::BlockingQueue<Result> results_;
  size_t in_flight_ = 0;  // requests sent whose result has not been taken from results_
  size_t sequence_number_ = 0;
  size_t next_to_return_ = 0;
  std::map<size_t, Result> stashed_;
  bool joined_ = false;
};

// A loader over a dataset that answers any request (all but stateful ones), with batch requests
// from `Sampler`. A request shorter than batch_size is dropped when drop_last is set.
template <typename Dataset, typename Sampler>
class StatelessDataLoader : public DataLoaderBase<Dataset, typename Dataset::BatchType,
                                                  typename Sampler::BatchRequestType> {
  using Base =
      DataLoaderBase<Dataset, typename Dataset::BatchType, typename Sampler::BatchRequestType>;

 public:
  using typename Base::BatchRequestType;

  StatelessDataLoader(Dataset dataset, Sampler sampler, const DataLoaderOptions& options)
      : Base(options), sampler_(std::move(sampler)) {
    if (this->options_.workers == 0) {
      this->main_thread_dataset_ = std::make_unique<Dataset>(std::move(dataset));
      return;
    }
    for (size_t w = 0; w < this->options_.workers; ++w)
      this->workers_.emplace_back([this, dataset]() mutable { this->worker_thread(dataset); });
  }

  // The threads use this object; they must stop before its members go.
  ~StatelessDataLoader() override { this->join(); }

 private:
  void reset() override {
    sampler_.reset();
    Base::reset();
  }

  std::optional<BatchRequestType> get_batch_request() override {
    auto request = sampler_.next(this->options_.batch_size);
    if (!request || (request->size() < this->options_.batch_size && this->options_.drop_last))
      return std::nullopt;
    return request;
  }

  Sampler sampler_;
};

// tensorgrad's Python-style Dataset (tensorgrad/data.h) has its own loader.
class SampleDataset;

template <typename Dataset, typename Sampler,
          typename =
              std::enable_if_t<!std::is_base_of_v<SampleDataset, Dataset> && !Dataset::is_stateful>>
std::unique_ptr<StatelessDataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset,
                                                                        Sampler sampler,
                                                                        DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset),
                                                                 std::move(sampler), options);
}

// The sampler made from the dataset's size: RandomSampler unless another is named, as in
// make_data_loader<torch::data::samplers::SequentialSampler>(dataset, options).
template <typename Sampler = samplers::RandomSampler, typename Dataset,
          typename = std::enable_if_t<!std::is_base_of_v<SampleDataset, std::decay_t<Dataset>> &&
                                      !std::decay_t<Dataset>::is_stateful &&
                                      std::is_constructible_v<Sampler, size_t>>>
std::unique_ptr<StatelessDataLoader<std::decay_t<Dataset>, Sampler>> make_data_loader(
    Dataset&& dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<size_t> size = dataset.size();
  TG_CHECK(size.has_value(), "Expected the dataset to be sized in order to construct the Sampler");
  return make_data_loader(std::forward<Dataset>(dataset), Sampler(*size), std::move(options));
}

}  // namespace tg::data
