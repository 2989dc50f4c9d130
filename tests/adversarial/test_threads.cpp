// The default generator from several threads at once: manual_seed, the random factories and module
// construction (which draws the initial weights); convolutions, whose batches the pool splits,
// started from several threads. Run under ThreadSanitizer by `make test-tsan`.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "adversarial_util.h"

namespace {

using tg::Tensor;

constexpr int kThreads = 4;

std::vector<float> floats(const Tensor& t) {
  const float* p = t.data_ptr<float>();
  return {p, p + t.numel()};
}

template <typename F>
void run_threads(F&& body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&body, i] { body(i); });
  for (auto& t : threads) t.join();
}

// Each op holds the default generator's lock while it draws, so every tensor drawn from several
// threads is one contiguous run of the stream: the same tensors as drawn by one thread, in some
// order.
TEST(AdversarialThreads, DefaultGeneratorDrawsAreWholeRunsOfTheStream) {
  constexpr int kPerThread = 50;
  for (auto draw : {+[] { return tg::rand({33}); }, +[] { return tg::randn({40}); },
                    +[] { return tg::randn({5}); }}) {
    tg::manual_seed(123);
    std::multiset<std::vector<float>> want;
    for (int i = 0; i < kThreads * kPerThread; ++i) want.insert(floats(draw()));

    tg::manual_seed(123);
    std::vector<std::vector<Tensor>> got(kThreads);
    run_threads([&](int t) {
      for (int i = 0; i < kPerThread; ++i) got[t].push_back(draw());
    });
    std::multiset<std::vector<float>> have;
    for (const auto& v : got)
      for (const Tensor& x : v) have.insert(floats(x));
    EXPECT_EQ(have, want);
  }
}

TEST(AdversarialThreads, ManualSeedRacingWithDraws) {
  std::atomic<int64_t> elements{0};
  run_threads([&](int t) {
    for (int i = 0; i < 200; ++i) {
      if (t == 0 && i % 10 == 0) tg::manual_seed(static_cast<uint64_t>(i));
      Tensor x = i % 2 ? tg::randn({17}) : tg::rand({8, 3});
      x = x + tg::randint(0, 5, {4}).to(tg::kFloat).sum() + tg::randperm(6).sum().to(tg::kFloat);
      tg::Tensor ign = tg::rand_like(x) + tg::randn_like(x);
      elements += x.numel() + ign.numel();
    }
  });
  EXPECT_EQ(elements.load(), 4 * 100 * (17 + 24) * 2);
}

TEST(AdversarialThreads, ConcurrentModuleConstruction) {
  std::vector<std::vector<tg::nn::Linear>> made(kThreads);
  run_threads([&](int t) {
    for (int i = 0; i < 25; ++i) {
      made[t].emplace_back(tg::nn::Linear(16, 8));
      tg::nn::Sequential seq(tg::nn::Linear(8, 4), tg::nn::Tanh(), tg::nn::Linear(4, 1));
      const Tensor y = seq->forward(made[t].back()->forward(tg::ones({2, 16})));
      EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 1}));
    }
  });
  // Every weight drawn within kaiming_uniform's bound 1/sqrt(fan_in), and no two modules alike.
  std::set<std::vector<float>> weights;
  for (const auto& v : made)
    for (const auto& m : v) {
      const Tensor w = m->weight.detach();
      EXPECT_LE(w.abs().max().item<float>(), 0.25f);
      weights.insert(floats(w.contiguous()));
    }
  EXPECT_EQ(weights.size(), static_cast<size_t>(kThreads * 25));
}

// A Generator per thread takes no lock and gives each thread the stream of its own seed.
TEST(AdversarialThreads, OwnGeneratorsPerThreadGiveTheirOwnStreams) {
  std::vector<std::vector<float>> got(kThreads);
  run_threads([&](int t) {
    tg::Generator gen(static_cast<uint64_t>(1000 + t));
    for (int i = 0; i < 20; ++i) {
      const Tensor x = tg::randn({64}, &gen);
      const auto v = floats(x);
      got[t].insert(got[t].end(), v.begin(), v.end());
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    tg::Generator gen(static_cast<uint64_t>(1000 + t));
    std::vector<float> want;
    for (int i = 0; i < 20; ++i) {
      const auto v = floats(tg::randn({64}, &gen));
      want.insert(want.end(), v.begin(), v.end());
    }
    EXPECT_EQ(got[t], want) << "thread " << t;
  }
}

// A Generator shared between threads, locked by its users through mutex() as in PyTorch.
TEST(AdversarialThreads, SharedGeneratorLockedThroughItsMutex) {
  tg::Generator shared(7);
  std::atomic<int64_t> n{0};
  run_threads([&](int) {
    for (int i = 0; i < 50; ++i) {
      std::lock_guard<std::mutex> lock(shared.mutex());
      n += tg::rand({10}, &shared).numel();
    }
  });
  EXPECT_EQ(n.load(), kThreads * 50 * 10);
  tg::Generator ref(7);
  for (int i = 0; i < kThreads * 50; ++i) (void)tg::rand({10}, &ref);
  EXPECT_EQ(shared.random(), ref.random());
}

// A convolution's forward and backward from several user threads at once, each split over the
// pool's threads by images (the BLAS single-threaded meanwhile): the same bits as one at a time.
TEST(AdversarialThreads, ConvolutionsFromSeveralThreads) {
  const int saved = tg::get_num_threads();
  tg::set_num_threads(2);
  tg::manual_seed(5);
  const Tensor x = tg::randn({6, 4, 12, 12}), w = tg::randn({6, 4, 3, 3});
  auto run = [&] {
    Tensor xi = x.clone().requires_grad_(true), wi = w.clone().requires_grad_(true);
    Tensor y = tg::conv2d(xi, wi, Tensor(), 1, 1);
    (y * y).sum().backward();
    return std::vector<Tensor>{y.detach(), xi.grad(), wi.grad()};
  };
  const std::vector<Tensor> want = run();
  std::vector<std::vector<Tensor>> got(kThreads);
  run_threads([&](int t) {
    for (int i = 0; i < 5; ++i) got[t] = run();
  });
  tg::set_num_threads(saved);
  for (int t = 0; t < kThreads; ++t)
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_TRUE(tg::equal(got[t][i], want[i])) << "thread " << t << ", result " << i;
}

}  // namespace
