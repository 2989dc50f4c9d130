// The ops of TG_UNARY_PARAM_OPS and the other activations and bounds that are not one line of
// the elementwise lists (polygamma, glu, prelu, tensor-bound clamp, lerp): float64 gradcheck
// rows (second order where PyTorch has it), with broadcasting, non-contiguous inputs and the
// in-place forms; and their error cases in PyTorch's words. Values, gradients and grad_fn names
// against PyTorch are in the fixture test (param_op_cases in scripts/make_op_fixtures.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ops/gradcheck.h"

namespace {

using ::testing::HasSubstr;
using tg::Tensor;
using tgtest::Rng;
using tgtest::TensorFn;
using Inputs = std::vector<Tensor>;

struct Row {
  std::string name;
  std::function<Inputs(Rng&)> inputs;
  TensorFn fn;
  bool gradgrad = false;
};

Tensor leaf(Tensor t) {
  t.requires_grad_(true);
  return t;
}
// Uniform in [lo, hi), away from the given kinks.
Tensor A(Rng& r, tg::IntArrayRef s, std::vector<double> kinks = {0.0}, double lo = -3.0,
         double hi = 3.0) {
  return leaf(tgtest::uniform_avoiding(s, lo, hi, kinks, 0.05, r));
}
Tensor U(Rng& r, tg::IntArrayRef s, double lo = -3.0, double hi = 3.0) {
  return leaf(tgtest::uniform(s, lo, hi, r));
}
// A non-contiguous leaf: the transpose of a [m, n] buffer, seen as [n, m].
Tensor T(Rng& r, tg::IntArrayRef s, std::vector<double> kinks = {0.0}) {
  const std::vector<int64_t> shape{s[1], s[0]};
  Tensor t = tgtest::uniform_avoiding(shape, -3.0, 3.0, kinks, 0.05, r).t().detach();
  EXPECT_FALSE(t.is_contiguous());
  return leaf(t);
}

#define IN(...) [](Rng& r) { return Inputs{__VA_ARGS__}; }
#define FN(...) [](const Inputs& x) -> Tensor { return __VA_ARGS__; }

std::vector<Row> rows() {
  return {
      {"elu", IN(A(r, {2, 3})), FN(tg::elu(x[0])), true},
      {"elu_params", IN(A(r, {2, 3})), FN(tg::elu(x[0], 0.5, 1.5, 2.0)), true},
      {"elu_noncontig", IN(T(r, {3, 4})), FN(x[0].elu(1.5))},
      {"elu_inplace", IN(A(r, {2, 3})), FN((x[0] * 1).elu_(0.7))},
      {"selu", IN(A(r, {2, 3})), FN(tg::selu(x[0])), true},
      {"celu", IN(A(r, {2, 3})), FN(tg::celu(x[0], 2.0)), true},
      {"celu_inplace", IN(A(r, {2, 3})), FN((x[0] * 1).celu_())},
      {"softplus", IN(U(r, {2, 3})), FN(tg::softplus(x[0])), true},
      {"softplus_threshold", IN(A(r, {3, 4}, {1.5})), FN(tg::softplus(x[0], 2, 3)), true},
      {"softplus_noncontig", IN(T(r, {3, 4}, {})), FN(x[0].softplus(0.5))},
      {"hardtanh", IN(A(r, {3, 4}, {-1.0, 1.0})), FN(tg::hardtanh(x[0])), true},
      {"hardtanh_params", IN(T(r, {3, 4}, {-0.5, 2.0})), FN(x[0].hardtanh(-0.5, 2.0))},
      {"hardtanh_inplace", IN(A(r, {3, 4}, {-1.0, 1.0})), FN((x[0] * 1).hardtanh_())},
      {"relu6", IN(A(r, {3, 4}, {0.0, 6.0}, -2.0, 8.0)), FN(tg::relu6(x[0]))},
      {"softshrink", IN(A(r, {3, 4}, {-0.5, 0.5})), FN(tg::softshrink(x[0])), true},
      {"hardshrink", IN(A(r, {3, 4}, {-1.0, 1.0})), FN(x[0].hardshrink(1.0)), true},
      {"threshold", IN(A(r, {3, 4}, {0.3})), FN(tg::threshold(x[0], 0.3, -1.0)), true},
      {"threshold_inplace", IN(A(r, {3, 4}, {0.3})), FN((x[0] * 1).threshold_(0.3, 2.0))},
      {"gelu", IN(U(r, {2, 3})), FN(tg::gelu(x[0])), true},
      {"gelu_tanh", IN(U(r, {2, 3})), FN(tg::gelu(x[0], "tanh")), true},
      {"gelu_noncontig", IN(T(r, {3, 4}, {})), FN(x[0].gelu("tanh"))},
      {"gelu_inplace", IN(U(r, {2, 3})), FN((x[0] * 1).gelu_())},
      {"logit", IN(U(r, {2, 3}, 0.1, 0.9)), FN(tg::logit(x[0])), true},
      {"logit_eps", IN(A(r, {2, 6}, {0.2, 0.8}, 0.0, 1.0)), FN(x[0].logit(0.2)), true},
      {"round_decimals", IN(U(r, {2, 3})), FN(tg::round(x[0], 1) + x[0]), true},
      {"polygamma_1", IN(U(r, {2, 3}, 0.3, 4.0)), FN(tg::polygamma(1, x[0])), true},
      {"polygamma_2", IN(U(r, {2, 3}, 0.3, 4.0)), FN(x[0].polygamma(2)), true},
      {"polygamma_negative_x", IN(A(r, {2, 3}, {-2, -1}, -2.8, -0.2)), FN(tg::polygamma(1, x[0]))},
      {"glu", IN(U(r, {2, 6})), FN(tg::glu(x[0])), true},
      {"glu_dim0", IN(T(r, {4, 3}, {})), FN(tg::glu(x[0], 0)), true},
      {"prelu_single", IN(A(r, {3, 4}), U(r, {1}, 0.1, 0.5)), FN(tg::prelu(x[0], x[1])), true},
      {"prelu_channels", IN(A(r, {2, 3, 4}), U(r, {3})), FN(tg::prelu(x[0], x[1])), true},
      {"clamp_tensors", IN(U(r, {3, 4}), U(r, {3, 4}, -1.5, -0.2), U(r, {4}, 0.2, 1.5)),
       FN(tg::clamp(x[0], x[1], x[2]))},
      {"clamp_tensor_min", IN(U(r, {3, 4}), U(r, {3, 1})), FN(x[0].clamp(x[1]))},
      {"clamp_tensor_max", IN(U(r, {3, 4}), U(r, {4})), FN(tg::clamp(x[0], Tensor(), x[1]))},
      {"clamp_min_tensor", IN(U(r, {3, 4}), U(r, {4})), FN(tg::clamp_min(x[0], x[1]))},
      {"clamp_max_tensor", IN(T(r, {3, 4}, {}), U(r, {3, 1})), FN(x[0].clamp_max(x[1]))},
      {"lerp_scalar", IN(U(r, {3, 4}), U(r, {4})), FN(tg::lerp(x[0], x[1], 0.3)), true},
      {"lerp_scalar_high", IN(T(r, {3, 4}, {}), U(r, {3, 4})), FN(x[0].lerp(x[1], 0.8))},
      {"fmod_scalar", IN(U(r, {3, 4}, 0.1, 3.0)), FN(tg::fmod(x[0], 0.7))},
      {"remainder_scalar", IN(U(r, {3, 4})), FN(x[0].remainder(-0.7))},
      {"clamp_inplace_tensors", IN(U(r, {3, 4}), U(r, {3, 4}, -1.5, -0.2), U(r, {4}, 0.2, 1.5)),
       FN((x[0] * 1).clamp_(x[1], x[2]))},
      {"clamp_min_inplace_tensor", IN(U(r, {3, 4}), U(r, {4})), FN((x[0] * 1).clamp_min_(x[1]))},
      {"clamp_max_inplace_tensor", IN(U(r, {3, 4}), U(r, {3, 1})), FN((x[0] * 1).clamp_max_(x[1]))},
      {"clamp_min_inplace_scalar", IN(A(r, {3, 4}, {0.3})), FN((x[0] * 1).clamp_min_(0.3))},
      {"clamp_max_inplace_scalar", IN(A(r, {3, 4}, {-0.3})), FN((x[0] * 1).clamp_max_(-0.3))},
      {"lerp_inplace_tensor", IN(U(r, {3, 4}), U(r, {3, 4}), U(r, {4}, -0.5, 1.5)),
       FN((x[0] * 1).lerp_(x[1], x[2]))},
      {"lerp_tensor", IN(U(r, {3, 4}), U(r, {3, 1}), U(r, {4}, -0.5, 1.5)),
       FN(tg::lerp(x[0], x[1], x[2])), true},
  };
}

class ActivationGrad : public ::testing::TestWithParam<size_t> {};

TEST_P(ActivationGrad, MatchesFiniteDifferences) {
  static const std::vector<Row> table = rows();
  const Row& row = table[GetParam()];
  Rng r(0xAC7 + GetParam());
  const Inputs in = row.inputs(r);
  EXPECT_TRUE(tgtest::gradcheck(row.fn, in)) << row.name;
  if (row.gradgrad) {
    EXPECT_TRUE(tgtest::gradgradcheck(row.fn, in)) << row.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, ActivationGrad, ::testing::Range<size_t>(0, rows().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return rows()[info.param].name;
                         });

void expect_error(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no error, expected one containing: " << part;
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(part));
  }
}

TEST(ActivationErrors, InPyTorchsWords) {
  const Tensor i = tg::tensor({1, 2, 3});
  const Tensor f = tg::tensor({1.0, 2.0, 3.0});
  expect_error([&] { (void)i.frac(); }, "\"frac_cpu\" not implemented for 'Long'");
  expect_error([&] { (void)tg::silu(i); }, "\"silu_cpu\" not implemented for 'Long'");
  expect_error([&] { (void)tg::elu(i); }, "\"elu_cpu\" not implemented for 'Long'");
  expect_error([&] { (void)tg::round(i, 2); }, "\"round_cpu\" not implemented for 'Long'");
  expect_error([&] { (void)tg::gelu(f, "exact"); },
               "approximate argument must be either none or tanh.");
  expect_error(
      [&] {
        (void)tg::glu(tg::ones({3, 5}));
      },
      "Halving dimension must be even, but dimension 1 is size 5");
  expect_error([&] { (void)tg::glu(tg::scalar_tensor(1.0)); },
               "glu does not support scalars because halving size must be even");
  expect_error(
      [&] {
        (void)tg::prelu(tg::ones({2, 4}), tg::ones({3}));
      },
      "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
      "3 and channel size = 4.");
  expect_error([&] { (void)tg::polygamma(-1, f); }, "polygamma(n, x) does not support negative n.");
  expect_error([&] { (void)tg::fmod(i, tg::tensor({1, 0, 1})); }, "ZeroDivisionError");
  expect_error([&] { (void)tg::remainder(i, tg::tensor({0, 1, 1})); }, "ZeroDivisionError");
  expect_error([&] { (void)tg::lerp(i, i, 0.5); },
               "\"lerp_kernel_scalar\" not implemented for 'Long'");
  expect_error([&] { (void)tg::lerp(f, f.to(tg::kDouble), 0.5); },
               "expected dtype torch.float32 for `end` but got dtype torch.float64");
  expect_error([&] { (void)tg::clamp(f, Tensor(), Tensor()); },
               "At least one of 'min' or 'max' must not be None");
  expect_error(
      [&] {
        (void)tg::nn::functional::softshrink(f, tg::nn::functional::SoftshrinkFuncOptions(-1));
      },
      "lambda must be greater or equal to 0, but found to be -1.");
}

// An in-place form takes the out-of-place op's node, as in PyTorch; without a graph it writes
// into the tensor itself.
TEST(ActivationInplace, NodesAndValues) {
  const Tensor w = tg::tensor({-1.0, 0.25, 2.0}, tg::dtype(tg::kFloat64).requires_grad(true));
  Tensor a = w * 1;
  a.clamp_min_(0.5);
  EXPECT_EQ(a.grad_fn()->name(), "ClampMinBackward0");
  Tensor b = w * 1;
  b.clamp_max_(tg::zeros({3}, tg::kFloat64));
  EXPECT_EQ(b.grad_fn()->name(), "ClampMaxBackward1");
  Tensor c = w * 1;
  c.clamp_(tg::full({3}, -0.5, tg::kFloat64), tg::full({3}, 0.5, tg::kFloat64));
  EXPECT_EQ(c.grad_fn()->name(), "ClampBackward0");
  Tensor d = w * 1;
  d.lerp_(tg::zeros({3}, tg::kFloat64), tg::full({3}, 0.5, tg::kFloat64));
  EXPECT_EQ(d.grad_fn()->name(), "LerpBackward1");

  Tensor x = tg::tensor({-1.0, 0.25, 2.0});
  const auto* data = x.data_ptr<float>();
  x.clamp_min_(0.5).clamp_max_(1.5);
  EXPECT_EQ(x.data_ptr<float>(), data);
  EXPECT_TRUE(x.equal(tg::tensor({0.5, 0.5, 1.5})));
  x.clamp_(tg::tensor({0.0, 0.0, 0.0}), tg::tensor({1.0, 0.2, 1.0}));
  EXPECT_TRUE(x.equal(tg::tensor({0.5, 0.2, 1.0})));
  EXPECT_THROW(x.clamp_min_(tg::zeros({2, 3})), tg::Error);
}

// Integer inputs that PyTorch keeps integer: floor and friends return them unchanged, hardtanh
// and threshold compare in int64.
TEST(ActivationDtypes, IntegerInputs) {
  const Tensor i = tg::tensor({-3, 0, 7});
  EXPECT_EQ(i.floor().scalar_type(), tg::kLong);
  EXPECT_TRUE(i.round().equal(i));
  EXPECT_TRUE(tg::hardtanh(i, -2, 3).equal(tg::tensor({-2, 0, 3})));
  EXPECT_TRUE(tg::threshold(i, 0, 5).equal(tg::tensor({5, 5, 7})));
  EXPECT_EQ(tg::erfinv(i).scalar_type(), tg::kFloat);
}

}  // namespace
