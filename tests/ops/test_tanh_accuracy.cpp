// float32 tanh is our own vector kernel (src/kernels/tanh_vec.h), not libm's or SLEEF's: check it
// against double-precision tanh over a sweep of every 997th float, for each instruction set this
// CPU has, and through tg::tanh for the special values and for tails of every length.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/vec_math.h"

namespace {

// |y - exact| in units of the float spacing at the exact value.
double ulps(float y, double exact) {
  const float e = static_cast<float>(exact);
  const float up = std::nextafter(std::fabs(e), std::numeric_limits<float>::infinity());
  const double spacing = static_cast<double>(up) - std::fabs(e);
  return std::fabs(static_cast<double>(y) - exact) / spacing;
}

double max_ulps(void (*kernel)(float*, const float*, int64_t)) {
  std::vector<float> x, y;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 997) {
    float v;
    std::memcpy(&v, &bits, 4);
    x.push_back(v);
    x.push_back(-v);
  }
  y.resize(x.size());
  kernel(y.data(), x.data(), static_cast<int64_t>(x.size()));
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, ulps(y[i], std::tanh(double(x[i]))));
  return worst;
}

TEST(TanhAccuracy, WithinOnePointOneUlpOnEveryInstructionSet) {
  if (tg::kernels::has_avx2()) {
    EXPECT_LE(max_ulps(tg::kernels::vec_tanh_f32_avx2), 1.1);
  }
  if (tg::kernels::has_avx512()) {
    // The per-interval polynomials: 0.994 ulp at most over every float.
    EXPECT_LE(max_ulps(tg::kernels::vec_tanh_f32_avx512), 1.0);
  }
}

// The AVX-512 kernel joins 32 polynomials: across every boundary between intervals (and around
// them) tanh must not step back, and tanh(-x) must be -tanh(x).
TEST(TanhAccuracy, IntervalsJoinMonotonicallyAndOddly) {
  if (!tg::kernels::has_avx512()) GTEST_SKIP() << "no AVX-512";
  std::vector<float> x;
  // The boundaries are the quarter octaves from 1/16 to 8 (a float with two mantissa bits), and
  // the cap at 9.5; take 300 consecutive floats on each side of each.
  std::vector<float> edges = {9.5f};
  for (float octave = 0.0625f; octave < 16; octave *= 2)
    for (int q = 0; q < 4; ++q) edges.push_back(octave * (1 + q / 4.0f));
  std::sort(edges.begin(), edges.end());
  for (float e : edges) {
    float v = e;
    for (int i = 0; i < 300; ++i) v = std::nextafter(v, 0.0f);
    for (int i = 0; i < 600; ++i, v = std::nextafter(v, 100.0f)) x.push_back(v);
  }
  std::vector<float> y(x.size()), neg(x.size()), yneg(x.size());
  tg::kernels::vec_tanh_f32_avx512(y.data(), x.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) neg[i] = -x[i];
  tg::kernels::vec_tanh_f32_avx512(yneg.data(), neg.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    if (i > 0 && x[i] > x[i - 1]) {
      ASSERT_GE(y[i], y[i - 1]) << "at " << x[i];
    }
    ASSERT_EQ(yneg[i], -y[i]) << "at " << x[i];
    ASSERT_LE(ulps(y[i], std::tanh(double(x[i]))), 1.0) << "at " << x[i];
  }
}

TEST(TanhAccuracy, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  tg::Tensor x = tg::tensor({std::nanf(""), inf, -inf, 0.0f, -0.0f, 1e-30f, -1e-30f, 20.0f, -100.0f,
                             0.9f, std::nextafter(0.9f, 0.0f), 1e-8f});
  tg::Tensor y = tg::tanh(x);
  const float* p = y.data_ptr<float>();
  EXPECT_TRUE(std::isnan(p[0]));
  EXPECT_EQ(p[1], 1.0f);
  EXPECT_EQ(p[2], -1.0f);
  EXPECT_EQ(p[3], 0.0f);
  EXPECT_FALSE(std::signbit(p[3]));
  EXPECT_EQ(p[4], 0.0f);
  EXPECT_TRUE(std::signbit(p[4]));
  EXPECT_EQ(p[5], 1e-30f);
  EXPECT_EQ(p[6], -1e-30f);
  EXPECT_EQ(p[7], 1.0f);
  EXPECT_EQ(p[8], -1.0f);
  for (int i = 9; i < 12; ++i)
    EXPECT_LE(ulps(p[i], std::tanh(double(x.data_ptr<float>()[i]))), 1.1) << i;
}

TEST(TanhAccuracy, ValueDoesNotDependOnPositionOrLength) {
  // An element gives the same bits whether it falls in a full vector block or in the tail.
  const float v = 0.37f;
  const float expected = tg::tanh(tg::full({64}, v)).data_ptr<float>()[0];
  for (int64_t n = 1; n <= 40; ++n) {
    tg::Tensor y = tg::tanh(tg::full({n}, v));
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(y.data_ptr<float>()[i], expected) << "n " << n << " i " << i;
  }
}

}  // namespace

namespace {

// tanh's backward, g * (1 - y^2) with 1 - y^2 rounded once, gives the same bits on every path.
TEST(TanhBackward, EveryInstructionSetGivesTheFusedMultiplyAddResult) {
  tg::manual_seed(5);
  const int64_t n = 1000;
  tg::Tensor y = tg::tanh(tg::randn({n}) * 3), g = tg::randn({n});
  const float* yp = y.data_ptr<float>();
  const float* gp = g.data_ptr<float>();
  std::vector<float> expected(n), got(n);
  for (int64_t i = 0; i < n; ++i) expected[i] = gp[i] * std::fma(-yp[i], yp[i], 1.0f);
  auto check = [&](int64_t (*kernel)(float*, const float*, const float*, int64_t)) {
    const int64_t done = kernel(got.data(), gp, yp, n);
    EXPECT_GE(done, n - 16);
    for (int64_t i = 0; i < done; ++i) ASSERT_EQ(got[i], expected[i]) << i;
  };
  if (tg::kernels::has_avx2()) check(tg::kernels::vec_tanh_backward_f32);
  if (tg::kernels::has_avx512()) check(tg::kernels::vec_tanh_backward_f32_avx512);
}

}  // namespace
