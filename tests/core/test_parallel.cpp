// parallel_for: every position covered exactly once, chunk boundaries aligned, exceptions carried
// back to the caller, nested calls run inline.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

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
