// parallel_for: every position covered exactly once, chunk boundaries aligned, exceptions carried
// back to the caller, nested calls run inline.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <tensorgrad/tensorgrad.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "core/parallel.h"

namespace {

using tg::Tensor;

// Restores the thread count a test changed.
struct Threads {
  explicit Threads(int n) : saved(tg::get_num_threads()) { tg::set_num_threads(n); }
  ~Threads() { tg::set_num_threads(saved); }
  int saved;
};

TEST(ParallelFor, CoversTheRangeOnceWithAlignedChunks) {
  for (int threads : {1, 2, 3, 4}) {
    Threads t(threads);
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(1000), tg::kGrainSize * 2 - 1,
                      tg::kGrainSize * 2, tg::kGrainSize * 5 + 17, int64_t(1) << 20}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n) + 10);
      std::mutex m;
      std::vector<std::pair<int64_t, int64_t>> chunks;
      tg::parallel_for(10, 10 + n, tg::kGrainSize, [&](int64_t b, int64_t e) {
        {
          std::lock_guard<std::mutex> lock(m);
          chunks.emplace_back(b, e);
        }
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (int64_t i = 0; i < n + 10; ++i)
        ASSERT_EQ(hits[static_cast<size_t>(i)], i < 10 ? 0 : 1) << i;
      for (auto [b, e] : chunks) {
        EXPECT_EQ((b - 10) % 64, 0);
        EXPECT_TRUE((e - 10) % 64 == 0 || e == 10 + n);
      }
      const size_t expected =
          threads == 1 || n < 2 * tg::kGrainSize
              ? (n > 0 ? 1u : 0u)
              : static_cast<size_t>(std::min<int64_t>(threads, n / tg::kGrainSize));
      EXPECT_EQ(chunks.size(), expected) << "threads " << threads << " n " << n;
    }
  }
}

TEST(ParallelFor, RethrowsAnErrorFromAnyChunk) {
  Threads t(3);
  const int64_t n = tg::kGrainSize * 6;
  for (int64_t bad : {int64_t(5), n - 5}) {
    EXPECT_THROW(tg::parallel_for(0, n, tg::kGrainSize,
                                  [&](int64_t b, int64_t e) {
                                    if (bad >= b && bad < e) throw tg::Error("chunk failed");
                                  }),
                 tg::Error);
  }
  // The pool is still usable afterwards.
  std::atomic<int64_t> total{0};
  tg::parallel_for(0, n, tg::kGrainSize, [&](int64_t b, int64_t e) { total += e - b; });
  EXPECT_EQ(total, n);
}

TEST(ParallelFor, NestedCallsRunInline) {
  Threads t(2);
  const int64_t n = tg::kGrainSize * 4;
  std::atomic<int64_t> inner{0};
  tg::parallel_for(0, n, tg::kGrainSize, [&](int64_t b, int64_t e) {
    int calls = 0;
    tg::parallel_for(b, e, 1, [&](int64_t ib, int64_t ie) {
      ++calls;
      inner += ie - ib;
    });
    EXPECT_EQ(calls, 1);
  });
  EXPECT_EQ(inner, n);
}

TEST(ParallelFor, LargeOpsGiveTheSameBitsOnAnyThreadCount) {
  auto run = [](int threads) {
    Threads t(threads);
    tg::manual_seed(7);
    Tensor a = tg::randn({301, 1031});
    Tensor b = tg::randn({1031});
    Tensor w = tg::randn({1031, 301}).t();  // transposed operand
    std::vector<Tensor> r;
    r.push_back(tg::tanh(a));
    r.push_back(tg::exp(a));
    r.push_back(a + b);
    r.push_back(a * w - 2.5);
    r.push_back(tg::where(a > 0, a, w));
    r.push_back(a.sum(0));
    r.push_back(a.sum(1));
    r.push_back(w.contiguous());
    r.push_back(tg::relu(a));
    Tensor f = tg::empty({301, 1031});
    f.fill_(1.25);
    r.push_back(f);
    Tensor x = a.clone().requires_grad_(true);
    (tg::tanh(x) * tg::relu(x)).sum().backward();
    r.push_back(x.grad());
    return r;
  };
  std::vector<Tensor> one = run(1), three = run(3);
  ASSERT_EQ(one.size(), three.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(one[i].equal(three[i])) << "result " << i;
}

}  // namespace

namespace {

// In-place ops whose input overlaps the output partly (another view of it, or one of its own
// elements broadcast) read what they write: they must run in order whatever the thread count.
TEST(ParallelFor, OverlappingInPlaceOpsRunInOrder) {
  auto run = [](int threads) {
    Threads t(threads);
    const int64_t n = 4 * tg::kGrainSize + 3;
    Tensor a = tg::ones({n}, tg::kDouble);
    a.slice(0, 1).add_(a.slice(0, 0, n - 1));  // a running sum
    Tensor b = tg::arange(n, tg::kFloat);
    b.add_(b[1]);  // b[1] doubles first, then every later element adds the doubled value
    Tensor c = tg::arange(2 * n, tg::kFloat).reshape({2, n});
    c[1].mul_(c[0]);                                   // disjoint rows: may run in parallel
    Tensor m = tg::ones({400, 400}, tg::kDouble).t();  // strided views take the general loop
    m.slice(0, 0, 399).add_(m.slice(0, 1));  // each row reads the next, not yet updated, one
    return std::vector<Tensor>{a, b, c, m};
  };
  std::vector<Tensor> one = run(1), three = run(3);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(one[i].equal(three[i])) << i;
  EXPECT_EQ(one[0][-1].item<double>(), static_cast<double>(4 * tg::kGrainSize + 3));
  EXPECT_EQ(one[3].sum().item<double>(), 2.0 * 399 * 400 + 400);
}

// A child process has none of its parent's pool threads; it must get working ones of its own.
TEST(ParallelFor, WorksInAForkedChild) {
  Threads t(2);
  Tensor x = tg::ones({4 * tg::kGrainSize});
  EXPECT_EQ((x * 2).sum().item<float>(), 8.0f * tg::kGrainSize);  // starts the parent's pool
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(30);  // a hang in the child becomes a failure, not a stuck test
    Tensor y = tg::ones({4 * tg::kGrainSize});
    const bool ok = (y * 3).sum().item<float>() == 12.0f * tg::kGrainSize;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
