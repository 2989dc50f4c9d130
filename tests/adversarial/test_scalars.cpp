// NaN, infinities and magnitudes of 2^63 and more through Scalar, item, to(kLong), full, fill_,
// tensor, arange and linspace: PyTorch's value or its error, and never an undefined conversion
// (the sanitizer build checks float-cast-overflow).
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "adversarial_util.h"

namespace {

using tg::Tensor;
using tg_adv::kMax;
using tg_adv::p2;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTwo63 = 9223372036854775808.0;
constexpr int64_t kMin = INT64_MIN;
const char* const kInt64Overflow = "value cannot be converted to type int64_t without overflow";

std::vector<int64_t> longs(const Tensor& t) {
  const Tensor c = t.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return {p, p + c.numel()};
}

TEST(AdversarialScalars, FloatingScalarsStayFloating) {
  for (double v : {kNaN, kInf, -kInf, 1e300, kTwo63, -kTwo63 * 2}) {
    const tg::Scalar s(v);
    EXPECT_TRUE(s.isFloatingPoint());
    EXPECT_EQ(s.type(), tg::kFloat);
    EXPECT_TRUE(s.toBool());  // NaN and infinities are nonzero
    EXPECT_TG_MESSAGE(s.toLong(), kInt64Overflow);
  }
  EXPECT_TRUE(std::isnan(tg::Scalar(kNaN).toDouble()));
  EXPECT_EQ(tg::Scalar(-kTwo63).toLong(), kMin);
  EXPECT_EQ(tg::Scalar(9223372036854774784.0).toLong(), 9223372036854774784);  // largest < 2^63
  EXPECT_EQ(tg::Scalar(-2.9).toLong(), -2);
  EXPECT_EQ(tg::Scalar(kMax).toLong(), kMax);
}

TEST(AdversarialScalars, ItemOfADivergedLoss) {
  const Tensor loss = tg::tensor({1e200}, tg::kFloat64) * 1e200;  // inf
  EXPECT_EQ(loss.item<double>(), kInf);
  EXPECT_TRUE(loss.item().isFloatingPoint());
  EXPECT_TG_MESSAGE(loss.item<int64_t>(), kInt64Overflow);
  const Tensor nan = tg::scalar_tensor(kNaN);
  EXPECT_TRUE(std::isnan(nan.item<float>()));
  EXPECT_TRUE(nan.item<bool>());
  EXPECT_TG_MESSAGE(nan.item<int64_t>(), kInt64Overflow);
  for (double v : {kTwo63, -kTwo63 * 2, 1e19, -kInf})
    EXPECT_TG_MESSAGE(tg::scalar_tensor(v, tg::kFloat64).item<int64_t>(), kInt64Overflow);
  EXPECT_EQ(tg::scalar_tensor(-kTwo63, tg::kFloat64).item<int64_t>(), kMin);
  EXPECT_EQ(tg::scalar_tensor(kMax, tg::kLong).item<int64_t>(), kMax);
  // scalar_tensor's default dtype is float32, where INT64_MAX rounds to 2^63.
  EXPECT_TG_MESSAGE(tg::scalar_tensor(kMax).item<int64_t>(), kInt64Overflow);
}

TEST(AdversarialScalars, ToLongIsDefinedForEveryValue) {
  // NaN, infinities and values outside int64 give INT64_MIN, as x86 PyTorch's kernels do.
  const std::vector<double> in = {kNaN, kInf, -kInf, 1e19, -1e19, kTwo63, -kTwo63, 2.7, -2.7, 0.0};
  const std::vector<int64_t> want = {kMin, kMin, kMin, kMin, kMin, kMin, kMin, 2, -2, 0};
  EXPECT_EQ(longs(tg::tensor(in, tg::kFloat64).to(tg::kLong)), want);
  EXPECT_EQ(longs(tg::tensor(in, tg::kFloat64).to(tg::kFloat).to(tg::kLong)), want);
  // Strided source, and copy_ into an int64 tensor.
  Tensor dst = tg::zeros({5}, tg::kLong);
  dst.copy_(tg::tensor(in, tg::kFloat64).slice(0, 0, 10, 2));
  EXPECT_EQ(longs(dst), (std::vector<int64_t>{kMin, kMin, kMin, kMin, -2}));
  // tensor() with an int64 dtype converts as to(kLong) does.
  EXPECT_EQ(longs(tg::tensor({kNaN, 1.5, -kInf}, tg::kLong)),
            (std::vector<int64_t>{kMin, 1, kMin}));
}

TEST(AdversarialScalars, FullAndFillCheckTheValueAgainstTheDtype) {
  for (double v : {kNaN, kInf, -kInf, 1e19, kTwo63}) {
    EXPECT_TG_MESSAGE(tg::full({2}, v, tg::kLong), kInt64Overflow);
    EXPECT_TG_MESSAGE(tg::zeros({2}, tg::kLong).fill_(v), kInt64Overflow);
  }
  EXPECT_EQ(longs(tg::full({2}, 2.9, tg::kLong)), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(longs(tg::full({1}, -kTwo63, tg::kLong)), (std::vector<int64_t>{kMin}));
  EXPECT_TG_MESSAGE(tg::full({2}, 1e300, tg::kFloat),
                    "value cannot be converted to type float without overflow");
  EXPECT_TG_MESSAGE(tg::full({2}, -1e39),  // the value's type: float32
                    "value cannot be converted to type float without overflow");
  EXPECT_EQ(tg::full({1}, kInf).item<float>(), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(tg::full({1}, kNaN).item<double>()));
  EXPECT_EQ(tg::full({1}, 1e300, tg::kFloat64).item<double>(), 1e300);
  EXPECT_TRUE(tg::full({1}, kNaN, tg::kBool).item<bool>());
}

// A number operand of an arithmetic op is converted as PyTorch's kernels convert it, not checked
// like a fill: beyond float's range it rounds to the largest float or to infinity (values
// printed by PyTorch 1.13), while where() and fill_ still refuse it.
TEST(AdversarialScalars, NumberOperandsBeyondFloatRange) {
  const float inf = std::numeric_limits<float>::infinity();
  const float fmax = std::numeric_limits<float>::max();
  const double just_over = static_cast<double>(fmax) * (1 + 1e-9);   // rounds down to fmax
  const double half_ulp_over = static_cast<double>(fmax) + 0x1p103;  // ties to even: inf
  Tensor ones = tg::ones({3});
  EXPECT_EQ((ones * 1e300)[0].item<float>(), inf);
  EXPECT_EQ((ones + 1e300)[1].item<float>(), inf);
  EXPECT_EQ((ones - 1e300)[2].item<float>(), -inf);
  EXPECT_EQ((1e300 - ones)[0].item<float>(), inf);
  EXPECT_EQ((ones / 1e-300)[0].item<float>(), inf);
  EXPECT_EQ((tg::zeros({3}) + just_over)[0].item<float>(), fmax);
  EXPECT_EQ((tg::zeros({3}) - just_over)[0].item<float>(), -fmax);
  EXPECT_EQ((tg::zeros({3}) + half_ulp_over)[0].item<float>(), inf);
  EXPECT_TRUE(std::isnan((tg::zeros({3}) * 1e300)[0].item<float>()));  // 0 * inf
  EXPECT_TRUE((ones < 1e300).all().item<bool>());
  EXPECT_EQ(tg::ones({2}).mul_(1e300)[0].item<float>(), inf);
  EXPECT_EQ(tg::ones({2}).sub_(-1e300)[1].item<float>(), inf);
  EXPECT_EQ((ones * 1e300).scalar_type(), tg::kFloat);
  EXPECT_TG_MESSAGE(tg::where(tg::ones({1}, tg::kBool), 1e300, tg::ones({1})),
                    "value cannot be converted to type float without overflow");
  EXPECT_TG_MESSAGE(tg::ones({2}).fill_(1e300),
                    "value cannot be converted to type float without overflow");
}

TEST(AdversarialScalars, ArangeRefusesNonFiniteAndHugeRanges) {
  EXPECT_TG_MESSAGE(tg::arange(0, kInf), "arange: unsupported range: 0 -> inf");
  EXPECT_TG_MESSAGE(tg::arange(-kInf, 0), "arange: unsupported range: -inf -> 0");
  EXPECT_TG_MESSAGE(tg::arange(kNaN, 1), "arange: unsupported range: nan -> 1");
  EXPECT_TG_MESSAGE(tg::arange(0.0, 1.0, kNaN), "arange: step must be nonzero");
  EXPECT_TG_MESSAGE(tg::arange(0.0, 1.0, 0.0), "arange: step must be nonzero");
  EXPECT_TG_MESSAGE(tg::arange(0.0, 1e19), "arange: invalid size, possible overflow?");
  EXPECT_TG_MESSAGE(tg::arange(0.0, kTwo63), "arange: invalid size, possible overflow?");
  EXPECT_TG_MESSAGE(tg::arange(0.0, 1.0, 1e-320), "arange: invalid size, possible overflow?");
  EXPECT_TG_MESSAGE(tg::arange(-1e308, 1e308), "arange: invalid size, possible overflow?");
  EXPECT_TG_MESSAGE(
      tg::arange(1.0, 0.0, kInf),
      "arange: upper bound and larger bound inconsistent with step sign (start 1, end "
      "0, step inf)");
  // An integral result converts the bounds first, checked.
  EXPECT_TG_MESSAGE(tg::arange(0, kNaN, tg::kLong), kInt64Overflow);
  EXPECT_TG_MESSAGE(tg::arange(0, 1e30, 1e28, tg::kLong), kInt64Overflow);
  EXPECT_TG_MESSAGE(tg::arange(0, 1, 0.5, tg::kLong), "arange: step must be nonzero");
  EXPECT_TG_MESSAGE(tg::arange(INT64_MIN, kMax), "arange: invalid size, possible overflow?");
  EXPECT_EQ(longs(tg::arange(kMax - 2, kMax)), (std::vector<int64_t>{kMax - 2, kMax - 1}));
  // i * step passes int64 while start + i * step does not.
  EXPECT_EQ(longs(tg::arange(-5, kMax, p2(62))), (std::vector<int64_t>{-5, p2(62) - 5, kMax - 4}));
  EXPECT_EQ(longs(tg::arange(5, INT64_MIN, -p2(62))),
            (std::vector<int64_t>{5, 5 - p2(62), INT64_MIN + 5}));
  EXPECT_EQ(longs(tg::arange(0.5, 3, 1, tg::kLong)), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(longs(tg::arange(0, 2.5, 1, tg::kLong)), (std::vector<int64_t>{0, 1}));
}

TEST(AdversarialScalars, LinspaceWithNonFiniteEnds) {
  EXPECT_TG_MESSAGE(tg::linspace(0, kNaN, 3, tg::kLong), kInt64Overflow);
  EXPECT_TG_MESSAGE(tg::linspace(-kInf, 0, 3, tg::kLong), kInt64Overflow);
  // PyTorch's kernel computes start + step * i and end - step * (steps - 1 - i) with an infinite
  // step: NaN everywhere (inf * 0, inf - inf), and no error.
  const Tensor f = tg::linspace(0, kInf, 3, tg::kFloat64);
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(f[i].item<double>()));
}

}  // namespace
