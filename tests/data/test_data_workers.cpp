// make_data_loader's worker threads: batches are read ahead on background threads, come back in
// the sampler's order (or as they finish), a worker's exception reaches the caller with its
// message, and a caller that waits past the timeout gets an error. Run under ThreadSanitizer by
// `make test-tsan`.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "error_of.h"
#include "tensorgrad/data.h"
#include "tensorgrad/random.h"

namespace {

using namespace tg::data;
using namespace std::chrono_literals;
using tg_test::error_of;

// What the copies of a dataset (one per worker) share.
struct Shared {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> started{0};
  std::atomic<bool> release{true};  // while false, every get() waits
};

// Example i is (i, i); index `slow` takes `delay`, index `bad` throws.
struct Probe : datasets::Dataset<Probe, Example<>> {
  Probe(size_t n, std::shared_ptr<Shared> shared) : n(n), shared(std::move(shared)) {}
  Example<> get(size_t i) override {
    {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->threads.insert(std::this_thread::get_id());
    }
    ++shared->started;
    while (!shared->release.load()) std::this_thread::sleep_for(1ms);
    if (i == slow) std::this_thread::sleep_for(delay);
    if (i == bad) throw tg::Error("Probe: sample " + std::to_string(i) + " is corrupt");
    const tg::Tensor v = tg::full({}, static_cast<int64_t>(i), tg::kInt64);
    return {v, v};
  }
  std::optional<size_t> size() const override { return n; }

  size_t n;
  std::shared_ptr<Shared> shared;
  size_t slow = SIZE_MAX;
  std::chrono::milliseconds delay{0};
  size_t bad = SIZE_MAX;
};

std::vector<int64_t> firsts(std::vector<std::vector<int64_t>> batches) {
  std::vector<int64_t> out;
  for (const auto& b : batches) out.push_back(b.front());
  return out;
}

template <typename Loader>
std::vector<std::vector<int64_t>> epoch(Loader& loader) {
  std::vector<std::vector<int64_t>> batches;
  for (auto& batch : loader) {
    const tg::Tensor t = batch.data.contiguous();
    batches.emplace_back(t.template data_ptr<int64_t>(),
                         t.template data_ptr<int64_t>() + t.numel());
  }
  return batches;
}

TEST(DataWorkers, BatchesComeFromBackgroundThreadsInOrder) {
  auto shared = std::make_shared<Shared>();
  Probe probe(40, shared);
  probe.slow = 0;  // the first batch finishes last
  probe.delay = 50ms;
  auto loader = make_data_loader<samplers::SequentialSampler>(probe.map(transforms::Stack<>()),
                                                              DataLoaderOptions(4).workers(3));
  for (int e = 0; e < 2; ++e) {
    const auto batches = epoch(*loader);
    ASSERT_EQ(batches.size(), 10u);
    for (size_t b = 0; b < batches.size(); ++b)
      EXPECT_EQ(batches[b], (std::vector<int64_t>{int64_t(4 * b), int64_t(4 * b + 1),
                                                  int64_t(4 * b + 2), int64_t(4 * b + 3)}));
  }
  std::lock_guard<std::mutex> lock(shared->mutex);
  EXPECT_EQ(shared->threads.count(std::this_thread::get_id()), 0u);
  EXPECT_GE(shared->threads.size(), 2u);
  EXPECT_LE(shared->threads.size(), 3u);
}

TEST(DataWorkers, WithoutOrderingBatchesComeAsTheyFinish) {
  auto shared = std::make_shared<Shared>();
  Probe probe(12, shared);
  probe.slow = 0;
  probe.delay = 300ms;
  auto loader = make_data_loader<samplers::SequentialSampler>(
      probe.map(transforms::Stack<>()), DataLoaderOptions(2).workers(2).enforce_ordering(false));
  const auto order = firsts(epoch(*loader));
  // Every batch once; the slow first one is overtaken by the others.
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{0, 2, 4, 6, 8, 10}));
  EXPECT_NE(order.front(), 0);
}

TEST(DataWorkers, WorkersPrefetchMaxJobsBeforeTheFirstBatchIsTaken) {
  auto shared = std::make_shared<Shared>();
  Probe probe(100, shared);
  auto loader = make_data_loader<samplers::SequentialSampler>(
      probe.map(transforms::Stack<>()), DataLoaderOptions(1).workers(2).max_jobs(5));
  auto it = loader->begin();
  // Nothing has been asked of the iterator, yet the workers load ahead: 5 batches, no more.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (shared->started.load() < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(shared->started.load(), 5);
  // Taking a batch sends one more request.
  EXPECT_EQ(it->data.item<int64_t>(), 0);
  ++it;
  EXPECT_EQ(it->data.item<int64_t>(), 1);
  while (shared->started.load() < 7 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(shared->started.load(), 7);
  // Leaving mid-epoch: the loader waits for what is in flight and stops its threads.
}

TEST(DataWorkers, AWorkersExceptionReachesTheCallerWithItsMessage) {
  auto shared = std::make_shared<Shared>();
  Probe probe(20, shared);
  probe.bad = 9;
  auto loader = make_data_loader<samplers::SequentialSampler>(probe.map(transforms::Stack<>()),
                                                              DataLoaderOptions(4).workers(2));
  std::vector<int64_t> seen;
  std::string message;
  try {
    for (auto& batch : *loader) seen.push_back(batch.data[0].item<int64_t>());
  } catch (const WorkerException& e) {
    message = e.what();
    EXPECT_THROW(std::rethrow_exception(e.original_exception), tg::Error);
  }
  EXPECT_EQ(message,
            "Caught exception in DataLoader worker thread. Original message: Probe: sample 9 is "
            "corrupt");
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 4}));  // batches before the bad one, in order
  // It is a tg::Error (so c10::Error in libtorch programs) and a std::exception.
  auto again = make_data_loader<samplers::SequentialSampler>(probe.map(transforms::Stack<>()),
                                                             DataLoaderOptions(20).workers(1));
  EXPECT_EQ(error_of([&] {
              for (auto& b : *again) (void)b;
            }),
            "Caught exception in DataLoader worker thread. Original message: Probe: sample 9 is "
            "corrupt");
}

TEST(DataWorkers, ExceptionWithoutWorkersIsThrownAsIs) {
  Probe probe(4, std::make_shared<Shared>());
  probe.bad = 1;
  auto loader = make_data_loader<samplers::SequentialSampler>(probe, DataLoaderOptions(2));
  EXPECT_EQ(error_of([&] {
              for (auto& b : *loader) (void)b;
            }),
            "Probe: sample 1 is corrupt");
}

TEST(DataWorkers, TimeoutRaisesAnError) {
  auto shared = std::make_shared<Shared>();
  Probe probe(4, shared);
  probe.slow = 0;
  probe.delay = 400ms;
  auto loader = make_data_loader<samplers::SequentialSampler>(
      probe.map(transforms::Stack<>()), DataLoaderOptions(2).workers(1).timeout(20ms));
  EXPECT_EQ(error_of([&] {
              for (auto& b : *loader) (void)b;
            }),
            "Timeout in DataLoader queue while waiting for next batch (timeout was 20 ms)");
  // A timeout long enough lets the epoch finish.
  auto patient = make_data_loader<samplers::SequentialSampler>(
      probe.map(transforms::Stack<>()), DataLoaderOptions(2).workers(1).timeout(10s));
  EXPECT_EQ(epoch(*patient).size(), 2u);
}

TEST(DataWorkers, NewEpochBeforeTheLastEndedIsAnError) {
  Probe probe(10, std::make_shared<Shared>());
  auto loader = make_data_loader<samplers::SequentialSampler>(probe.map(transforms::Stack<>()),
                                                              DataLoaderOptions(2).workers(2));
  for (auto& b : *loader) {
    (void)b;
    break;
  }
  EXPECT_EQ(error_of([&] { loader->begin(); }),
            "Attempted to get a new DataLoader iterator while another iterator is not yet "
            "exhausted");
}

TEST(DataWorkers, RandomOrderIsTheSameWithAndWithoutWorkers) {
  auto run = [](size_t workers) {
    tg::manual_seed(11);
    Probe probe(50, std::make_shared<Shared>());
    auto loader =
        make_data_loader(probe.map(transforms::Stack<>()), DataLoaderOptions(8).workers(workers));
    std::vector<std::vector<std::vector<int64_t>>> epochs;
    for (int e = 0; e < 3; ++e) epochs.push_back(epoch(*loader));
    return epochs;
  };
  const auto serial = run(0);
  EXPECT_EQ(run(1), serial);
  EXPECT_EQ(run(4), serial);
  std::vector<int64_t> all;
  for (const auto& b : serial[0]) all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(all[size_t(i)], i);
}

TEST(DataWorkers, DestroyingALoaderWithWorkPendingStopsItsThreads) {
  for (int round = 0; round < 5; ++round) {
    auto shared = std::make_shared<Shared>();
    shared->release = false;
    Probe probe(64, shared);
    auto loader = make_data_loader<samplers::SequentialSampler>(
        probe.map(transforms::Stack<>()), DataLoaderOptions(4).workers(3).max_jobs(8));
    auto it = loader->begin();
    std::thread releaser([&] {
      std::this_thread::sleep_for(5ms);
      shared->release = true;
    });
    EXPECT_EQ(it->data.size(0), 4);
    releaser.join();
    loader.reset();  // must neither hang nor leave a thread running
  }
}

}  // namespace

namespace {

// A dataset that counts its calls; shared by every worker through make_shared_dataset.
struct Counted : tg::data::datasets::Dataset<Counted, tg::data::TensorExample> {
  explicit Counted(size_t n) : n(n) {}
  tg::data::TensorExample get(size_t i) override {
    ++calls;
    return tg::full({1}, static_cast<int64_t>(i), tg::kInt64);
  }
  std::optional<size_t> size() const override { return n; }
  size_t n;
  std::atomic<int> calls{0};
};

TEST(DataWorkers, SharedDatasetIsOneObjectForAllWorkers) {
  auto shared = tg::data::datasets::make_shared_dataset<Counted>(30);
  auto loader = tg::data::make_data_loader<tg::data::samplers::SequentialSampler>(
      shared, tg::data::DataLoaderOptions(4).workers(3));
  int64_t total = 0;
  for (auto& batch : *loader)
    for (auto& e : batch) total += e.data.item<int64_t>();
  EXPECT_EQ(total, 29 * 30 / 2);
  EXPECT_EQ(shared->calls.load(), 30);
  EXPECT_EQ((*shared).n, 30u);
}

}  // namespace
