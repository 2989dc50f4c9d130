// The generator and the raw transforms of src/random/rng_kernels.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu.h"
#include "random/rng_kernels.h"
#include "rng_fixture.h"
#include "tensorgrad/random.h"

namespace {

using tg::Generator;

constexpr double kTwoPi = 2.0 * 3.14159265358979323846;

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(RngGenerator, IsMt19937OfTheLow32BitsOfTheSeed) {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{42}, (uint64_t{1} << 32) + 5,
                        uint64_t{0xDEADBEEFCAFEBABE}}) {
    Generator g(seed);
    std::mt19937 ref(static_cast<uint32_t>(seed));
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(g.random(), ref()) << "seed " << seed << " draw " << i;
    EXPECT_EQ(g.current_seed(), seed);
  }
}

TEST(RngGenerator, Random64PutsTheFirstDrawHigh) {
  Generator g(7);
  std::mt19937 ref(7);
  for (int i = 0; i < 100; ++i) {
    const uint64_t hi = ref(), lo = ref();
    ASSERT_EQ(g.random64(), (hi << 32) | lo);
  }
}

TEST(RngGenerator, DefaultSeedIsPyTorchs) {
  Generator g;
  EXPECT_EQ(g.current_seed(), 67280421310721ULL);
  std::mt19937 ref(static_cast<uint32_t>(67280421310721ULL));
  EXPECT_EQ(g.random(), ref());
}

TEST(RngGenerator, SeedingRestartsTheStreamAndClearsTheCache) {
  Generator g(3);
  const uint32_t first = g.random();
  g.random();
  g.next_double_normal_sample = 0.5;
  g.set_current_seed(3);
  EXPECT_FALSE(g.next_double_normal_sample.has_value());
  EXPECT_EQ(g.random(), first);

  tg::manual_seed(11);
  tg::default_generator().next_double_normal_sample = 1.0;
  tg::manual_seed(11);
  EXPECT_FALSE(tg::default_generator().next_double_normal_sample.has_value());
  EXPECT_EQ(tg::default_generator().current_seed(), 11u);
  EXPECT_EQ(tg::default_generator().random(), std::mt19937(11)());
}

TEST(RngKernels, UniformUsesTheLowBitsOfOneDraw) {
  Generator g(5), ref(5);
  for (int i = 0; i < 100; ++i) {
    const float u = tg::rng::uniform_float(g);
    EXPECT_EQ(u, static_cast<float>(ref.random() & 0xFFFFFF) / 16777216.0f);
    const double d = tg::rng::uniform_double(g);
    EXPECT_EQ(d,
              static_cast<double>(ref.random64() & ((uint64_t{1} << 53) - 1)) / 9007199254740992.0);
  }
}

TEST(RngKernels, ScalarNormalCachesTheSineHalf) {
  Generator g(9);
  const double a = tg::rng::normal_scalar(g, 0, 1);
  ASSERT_TRUE(g.next_double_normal_sample.has_value());
  const double cached = *g.next_double_normal_sample;
  // The cached value is raw; the mean and std of the call that uses it apply.
  EXPECT_EQ(tg::rng::normal_scalar(g, 10, 2), std::fma(cached, 2.0, 10.0));
  EXPECT_FALSE(g.next_double_normal_sample.has_value());
  Generator h(9);
  const double u1 = tg::rng::uniform_double(h), u2 = tg::rng::uniform_double(h);
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  EXPECT_EQ(a, r * std::cos(kTwoPi * u1));
  EXPECT_EQ(cached, r * std::sin(kTwoPi * u1));
}

TEST(RngKernels, VectorizedNormalDrawsNPlus16ForARaggedEnd) {
  for (int64_t n : {16, 17, 31, 32, 33, 100}) {
    Generator g(1), ref(1);
    std::vector<float> d(static_cast<size_t>(n));
    tg::rng::normal_fill_vectorized(d.data(), n, 0.f, 1.f, g);
    const int64_t draws = n + (n % 16 != 0 ? 16 : 0);
    for (int64_t i = 0; i < draws; ++i) ref.random();
    EXPECT_EQ(g.random(), ref.random()) << "n = " << n;
    EXPECT_FALSE(g.next_double_normal_sample.has_value());
  }
}

// The portable C++ block and the AVX2 one must agree on every bit, including at the ends of the
// input range (u = 0 gives log(1) = 0; u close to 1 gives the largest radius; theta near 2 pi).
TEST(RngKernels, PortableAndAvx2NormalBlocksAgree) {
  if (!tg::kernels::has_avx2()) GTEST_SKIP() << "no AVX2/FMA on this CPU";
  Generator g(2024);
  const float edge[] = {0.0f,       5.9604645e-08f, 0.5f,   0.25f,    0.75f,       0.99999994f,
                        0.9999999f, 0.125f,         0.875f, 1.0f / 3, 0.70710677f, 0.29289323f};
  int64_t blocks = 0;
  for (int it = 0; it < 100000; ++it) {
    float a[16], b[16];
    for (int i = 0; i < 16; ++i) a[i] = tg::rng::uniform_float(g);
    if (it < 144) {
      a[it % 8] = edge[it % 12];
      a[8 + it % 8] = edge[(it / 12) % 12];
    }
    std::memcpy(b, a, sizeof a);
    const float mean = it % 3 == 0 ? 0.f : 0.3f, std = it % 3 == 0 ? 1.f : 2.7f;
    tg::rng::normal_block16_portable(a, mean, std);
    tg::rng::normal_block16_avx2(b, mean, std);
    for (int i = 0; i < 16; ++i)
      ASSERT_EQ(bits(a[i]), bits(b[i])) << "block " << it << " lane " << i;
    ++blocks;
  }
  EXPECT_EQ(blocks, 100000);
}

TEST(RngKernels, CephesFunctionsAreCloseToLibm) {
  for (float x = 1e-7f; x <= 1.0f; x *= 1.01f)
    EXPECT_NEAR(tg::rng::cephes_logf(x), std::log(static_cast<double>(x)),
                2e-7 * (1 + std::fabs(std::log(x))));
  EXPECT_EQ(tg::rng::cephes_logf(1.0f), 0.0f);
  for (float x = 0.0f; x < 6.2831855f; x += 0.001f) {
    float s, c;
    tg::rng::cephes_sincosf(x, &s, &c);
    EXPECT_NEAR(s, std::sin(static_cast<double>(x)), 3e-7);
    EXPECT_NEAR(c, std::cos(static_cast<double>(x)), 3e-7);
  }
}

TEST(RngKernels, LinspaceEndsAndHalves) {
  std::vector<float> out(32);
  tg::rng::linspace_fill(out.data(), 32, -1.0f, 1.0f, 1);
  EXPECT_EQ(out.front(), -1.0f);
  EXPECT_EQ(out.back(), 1.0f);
  std::vector<int64_t> ints(5);
  tg::rng::linspace_fill(ints.data(), 5, 0, 10, 1);
  EXPECT_EQ(ints, (std::vector<int64_t>{0, 2, 5, 7, 10}));
}

TEST(RngKernels, RandpermIsAPermutation) {
  Generator g(0);
  std::vector<int64_t> p(1000);
  tg::rng::randperm_fill(p.data(), 1000, g);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(sorted[i], i);
}

TEST(RngKernels, RandomFromToUsesWideDrawsOnlyWhenAsked) {
  Generator g(4), ref(4);
  EXPECT_EQ(tg::rng::random_from_to(g, 10, -5, false), static_cast<int64_t>(ref.random() % 10) - 5);
  const uint64_t range = (uint64_t{1} << 40);
  EXPECT_EQ(tg::rng::random_from_to(g, range, 0, true),
            static_cast<int64_t>(ref.random64() % range));
}

TEST(RngKernels, IterationOrderFollowsStrides) {
  using V = std::vector<int64_t>;
  auto order = [](V sizes, V strides) {
    return tg::rng::iteration_order(sizes.data(), strides.data(),
                                    static_cast<int64_t>(sizes.size()));
  };
  EXPECT_EQ(order({3, 4}, {4, 1}), (V{1, 0}));  // row-major: last dim fastest
  EXPECT_EQ(order({4, 3}, {1, 4}), (V{0, 1}));  // transposed: memory order
  EXPECT_EQ(order({4, 2, 3}, {1, 12, 4}), (V{0, 2, 1}));
  EXPECT_EQ(order({6, 5}, {10, 2}), (V{1, 0}));  // sliced columns keep row order
  EXPECT_EQ(order({5}, {3}), (V{0}));
  EXPECT_EQ(order({}, {}), (V{}));
  // Stride-0 dims stay where they are (at::infer_dense_strides' own example).
  EXPECT_EQ(order({6, 5, 4, 3, 2}, {6, 0, 120, 0, 1}), (V{4, 3, 0, 1, 2}));
  using tg::rng::is_row_major;
  const V s1{2, 1, 3}, st1{3, 7, 1};
  EXPECT_TRUE(is_row_major(s1.data(), st1.data(), 3));  // size-1 dims do not count
  const V s2{2, 3}, st2{1, 2};
  EXPECT_FALSE(is_row_major(s2.data(), st2.data(), 2));
}

}  // namespace
