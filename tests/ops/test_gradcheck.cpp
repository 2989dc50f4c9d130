// The gradcheck table: one row per differentiable op (and per interesting variant: broadcasting,
// scalars on either side, non-contiguous inputs, dims, keepdim, in-place on non-leaves). Each row
// is checked against central differences; rows marked `gradgrad` also check second derivatives.
//
// To add an op: add a row {name, inputs, fn}. Inputs are float64 leaves made by the helpers below
// (kept away from points where the function is not differentiable); anything that is not
// differentiated (conditions, indices) lives inside fn.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/gradcheck.h"

namespace {

using tg::Tensor;
using tgtest::GradcheckOptions;
using tgtest::Rng;
using tgtest::TensorFn;
using Inputs = std::vector<Tensor>;

struct GradCase {
  std::string name;
  std::function<Inputs(Rng&)> inputs;
  TensorFn fn;
  bool gradgrad = false;
  GradcheckOptions options = {};
};

Tensor leaf(Tensor t) {
  t.requires_grad_(true);
  return t;
}

// Uniform in [lo, hi).
Tensor U(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  return leaf(tgtest::uniform(s, lo, hi, r));
}
// Positive, away from 0: for log, sqrt, pow with fractional exponents, divisors.
Tensor P(Rng& r, tg::IntArrayRef s) { return U(r, s, 0.5, 2.0); }
// Away from the given kinks (default: 0), for abs, relu, clamp, norms.
Tensor A(Rng& r, tg::IntArrayRef s, std::vector<double> kinks = {0.0}) {
  return leaf(tgtest::uniform_avoiding(s, -2.0, 2.0, kinks, 0.1, r));
}
// A non-contiguous leaf: the transpose of a [.., n, m] buffer, seen as [.., m, n].
Tensor T(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  std::vector<int64_t> sw(s.begin(), s.end());
  std::swap(sw[sw.size() - 1], sw[sw.size() - 2]);
  Tensor t = tgtest::uniform(sw, lo, hi, r).transpose(-1, -2).detach();
  EXPECT_FALSE(t.is_contiguous());
  return leaf(t);
}
// A non-contiguous leaf: every other element of the last dim of a larger buffer.
Tensor S(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  std::vector<int64_t> big(s.begin(), s.end());
  big.back() *= 2;
  Tensor t = tgtest::uniform(big, lo, hi, r).slice(-1, 0, std::nullopt, 2).detach();
  EXPECT_FALSE(t.is_contiguous());
  return leaf(t);
}
// a and b (same shape) with |a - b| >= 0.1 everywhere: maximum/minimum away from ties.
Inputs separated(Rng& r, tg::IntArrayRef s) {
  Tensor a = tgtest::uniform(s, -2.0, 2.0, r);
  Tensor b = tgtest::uniform_avoiding(s, 0.1, 1.0, {}, 0.0, r);
  Tensor sign = tgtest::uniform_avoiding(s, -1.0, 1.0, {0.0}, 0.01, r);
  b = a + b * (sign / sign.abs());
  return {leaf(a), leaf(b)};
}
// Values containing exact zeros at the given flat positions.
Tensor with_zeros(Rng& r, tg::IntArrayRef s, std::vector<int64_t> zero_at) {
  Tensor t = tgtest::uniform(s, 0.5, 1.5, r);
  for (int64_t k : zero_at) t.data_ptr<double>()[k] = 0.0;
  return leaf(t);
}

Tensor mask23() { return tg::tensor({{true, false, true}, {false, false, true}}); }

#define IN(...) [](Rng& r) { return Inputs{__VA_ARGS__}; }
#define FN(...) [](const Inputs& x) -> Tensor { return __VA_ARGS__; }

// Every op of the elementwise lists, drawn from the interval its line gives (within [-5, 5]: in
// the list's wider intervals, exp's values outgrow what central differences resolve): the free
// function (with second order), the method on a non-contiguous input, and the in-place form on a
// non-leaf.
constexpr double gc_lo(double lo) { return lo < -5.0 ? -5.0 : lo; }
constexpr double gc_hi(double hi) { return hi > 5.0 ? 5.0 : hi; }
#define TG_UNARY_ROWS(name, grad_fn, domain, saved, value, derivative, lo, hi)       \
  {#name, IN(U(r, {2, 3}, gc_lo(lo), gc_hi(hi))), FN(tg::name(x[0])), true},         \
      {#name "_noncontig", IN(T(r, {3, 4}, gc_lo(lo), gc_hi(hi))), FN(x[0].name())}, \
      {#name "_inplace", IN(U(r, {2, 3}, gc_lo(lo), gc_hi(hi))), FN((x[0] * 1).name##_())},
#define TG_BINARY_ROWS(name, grad_fn, domain, value, derivative_a, derivative_b, lo, hi)           \
  {#name, IN(U(r, {2, 3}, gc_lo(lo), gc_hi(hi)), U(r, {2, 3}, gc_lo(lo), gc_hi(hi))),              \
   FN(tg::name(x[0], x[1])), true},                                                                \
      {#name "_bcast", IN(U(r, {3, 1}, gc_lo(lo), gc_hi(hi)), T(r, {2, 4}, gc_lo(lo), gc_hi(hi))), \
       FN(x[0].name(x[1][0]))},

std::vector<GradCase> cases() {
  GradcheckOptions coarse;  // for a float32 round trip: differences of a float32 function
  coarse.eps = 1e-3;
  coarse.atol = 1e-3;
  coarse.rtol = 1e-3;
  std::vector<GradCase> c = {
      // ---- add / sub / mul / div, with tensors and with scalars on either side
      {"add", IN(U(r, {2, 3}), U(r, {2, 3})), FN(x[0] + x[1])},
      {"add_method_alpha", IN(U(r, {2, 3}), U(r, {2, 3})), FN(x[0].add(x[1], 2.5)), true},
      {"add_bcast_col_row", IN(U(r, {3, 1}), U(r, {1, 4})), FN(x[0] + x[1])},
      {"add_bcast_vec", IN(U(r, {2, 3}), U(r, {3})), FN(x[0] + x[1])},
      {"add_bcast_zero_dim", IN(U(r, {}), U(r, {2, 3})), FN(x[0] + x[1])},
      {"add_bcast_zero_dim_right", IN(U(r, {2, 3}), U(r, {})), FN(tg::add(x[0], x[1]))},
      {"add_scalar_right", IN(U(r, {2, 3})), FN(x[0] + 1.5)},
      {"add_scalar_left", IN(U(r, {2, 3})), FN(1.5 + x[0])},
      {"add_noncontig", IN(T(r, {3, 4}), S(r, {3, 4})), FN(x[0] + x[1])},
      {"add_same_input", IN(U(r, {4})), FN(x[0] + x[0])},
      {"sub", IN(U(r, {2, 3}), U(r, {2, 3})), FN(x[0] - x[1])},
      {"sub_method_alpha", IN(U(r, {2, 3}), U(r, {2, 3})), FN(x[0].sub(x[1], 0.5)), true},
      {"sub_bcast_3d", IN(U(r, {2, 1, 3}), U(r, {4, 1})), FN(x[0] - x[1])},
      {"sub_scalar_right", IN(U(r, {2, 3})), FN(x[0] - 2)},
      {"sub_scalar_left", IN(U(r, {2, 3})), FN(2 - x[0])},
      {"sub_noncontig", IN(S(r, {2, 3}), T(r, {2, 3})), FN(tg::sub(x[0], x[1]))},
      {"mul", IN(U(r, {2, 3}), U(r, {2, 3})), FN(x[0] * x[1]), true},
      {"mul_bcast_col_row", IN(U(r, {3, 1}), U(r, {1, 4})), FN(x[0] * x[1]), true},
      {"mul_bcast_vec", IN(U(r, {2, 3}), U(r, {3})), FN(x[0].mul(x[1]))},
      {"mul_bcast_zero_dim", IN(U(r, {}), U(r, {2, 3})), FN(x[0] * x[1]), true},
      {"mul_scalar_right", IN(U(r, {2, 3})), FN(x[0] * 2.5)},
      {"mul_scalar_left", IN(U(r, {2, 3})), FN(-3 * x[0])},
      {"mul_same_input", IN(U(r, {2, 3})), FN(x[0] * x[0]), true},
      {"mul_noncontig", IN(T(r, {3, 4}), U(r, {4})), FN(x[0] * x[1]), true},
      {"div", IN(U(r, {2, 3}), A(r, {2, 3})), FN(x[0] / x[1]), true},
      {"div_bcast", IN(U(r, {3, 1}), P(r, {1, 4})), FN(x[0] / x[1]), true},
      {"div_bcast_zero_dim", IN(U(r, {2, 3}), P(r, {})), FN(x[0].div(x[1]))},
      {"div_scalar_right", IN(U(r, {2, 3})), FN(x[0] / 3)},
      {"div_scalar_left", IN(A(r, {2, 3})), FN(2 / x[0]), true},
      {"div_noncontig", IN(S(r, {2, 3}), T(r, {2, 3}, 0.5, 2.0)), FN(x[0] / x[1])},

      // ---- pow
      {"pow_tensor", IN(P(r, {2, 3}), U(r, {2, 3})), FN(x[0].pow(x[1])), true},
      {"pow_tensor_bcast", IN(P(r, {2, 3}), U(r, {3})), FN(tg::pow(x[0], x[1])), true},
      {"pow_scalar_int", IN(U(r, {2, 3})), FN(x[0].pow(3)), true},
      {"pow_scalar_two", IN(U(r, {2, 3})), FN(tg::pow(x[0], 2))},
      {"pow_scalar_frac", IN(P(r, {2, 3})), FN(x[0].pow(2.5)), true},
      {"pow_scalar_negative", IN(P(r, {2, 3})), FN(x[0].pow(-1.5))},
      {"pow_scalar_zero", IN(U(r, {2, 3})), FN(x[0].pow(0) + x[0])},
      {"pow_scalar_base", IN(U(r, {2, 3})), FN(tg::pow(2.0, x[0])), true},
      {"pow_scalar_base_frac", IN(U(r, {2, 3})), FN(tg::pow(0.5, x[0]))},
      {"square", IN(U(r, {2, 3})), FN(x[0].square())},

      // ---- the elementwise ops of tensorgrad/ops/pointwise_ops.h
      TG_UNARY_OPS(TG_UNARY_ROWS)
          TG_BINARY_OPS(TG_BINARY_ROWS){"unary_noncontig", IN(T(r, {3, 4})), FN(x[0].exp().sin())},
      {"clamp_min", IN(A(r, {3, 4}, {-0.3})), FN(x[0].clamp(-0.3))},
      {"clamp_max", IN(A(r, {3, 4}, {0.4})), FN(x[0].clamp(std::nullopt, 0.4))},
      {"clamp_both", IN(A(r, {3, 4}, {-0.5, 0.5})), FN(tg::clamp(x[0], -0.5, 0.5)), true},
      {"clamp_min_method", IN(A(r, {3, 4}, {0.2})), FN(x[0].clamp_min(0.2))},
      {"clamp_max_free", IN(A(r, {3, 4}, {-0.2})), FN(tg::clamp_max(x[0], -0.2))},
      {"maximum", [](Rng& r) { return separated(r, {2, 3}); }, FN(tg::maximum(x[0], x[1])), true},
      {"minimum", [](Rng& r) { return separated(r, {2, 3}); }, FN(x[0].minimum(x[1])), true},
      {"maximum_bcast", IN(A(r, {2, 3}), U(r, {1}, -0.05, 0.05)), FN(tg::maximum(x[0], x[1]))},
      {"where", IN(U(r, {2, 3}), U(r, {2, 3})), FN(tg::where(mask23(), x[0], x[1])), true},
      {"where_bcast", IN(U(r, {3}), U(r, {2, 1})), FN(tg::where(mask23(), x[0], x[1]))},
      {"where_scalar", IN(U(r, {2, 3})), FN(tg::where(mask23(), x[0], 0.5))},
      {"where_scalar_first", IN(U(r, {2, 3})), FN(tg::where(mask23(), -1.0, x[0]))},

      // ---- softmax / log_softmax
      {"softmax_dim0", IN(U(r, {2, 3, 4})), FN(tg::softmax(x[0], 0)), true},
      {"softmax_dim1", IN(U(r, {2, 3, 4})), FN(x[0].softmax(1))},
      {"softmax_dim_neg", IN(U(r, {2, 3, 4})), FN(tg::softmax(x[0], -1)), true},
      {"softmax_1d", IN(U(r, {5})), FN(tg::softmax(x[0], 0))},
      {"softmax_noncontig", IN(T(r, {3, 4})), FN(tg::softmax(x[0], 1))},
      {"log_softmax_dim0", IN(U(r, {2, 3, 4})), FN(tg::log_softmax(x[0], 0)), true},
      {"log_softmax_dim1", IN(U(r, {2, 3, 4})), FN(x[0].log_softmax(1))},
      {"log_softmax_dim2", IN(U(r, {2, 3, 4})), FN(tg::log_softmax(x[0], 2)), true},
      {"log_softmax_noncontig", IN(S(r, {3, 4})), FN(tg::log_softmax(x[0], -1))},

      // ---- sum / mean
      {"sum_all", IN(U(r, {2, 3, 4})), FN(x[0].sum()), true},
      {"sum_dim", IN(U(r, {2, 3, 4})), FN(x[0].sum({1}))},
      {"sum_dims", IN(U(r, {2, 3, 4})), FN(tg::sum(x[0], {0, 2}))},
      {"sum_dims_keepdim", IN(U(r, {2, 3, 4})), FN(x[0].sum({0, -1}, true)), true},
      {"sum_zero_dim", IN(U(r, {})), FN(x[0].sum())},
      {"sum_noncontig", IN(T(r, {3, 4})), FN(x[0].sum({0}))},
      {"mean_all", IN(U(r, {2, 3, 4})), FN(x[0].mean()), true},
      {"mean_dim", IN(U(r, {2, 3, 4})), FN(tg::mean(x[0], {2}))},
      {"mean_dims", IN(U(r, {2, 3, 4})), FN(x[0].mean({0, 1}))},
      {"mean_keepdim", IN(U(r, {2, 3, 4})), FN(x[0].mean({1}, true)), true},

      // ---- max / min / amax / amin (random values: no ties)
      {"max_all", IN(U(r, {3, 4})), FN(x[0].max()), true},
      {"min_all", IN(U(r, {3, 4})), FN(tg::min(x[0]))},
      {"max_dim", IN(U(r, {3, 4})), FN(std::get<0>(x[0].max(1))), true},
      {"max_dim_keepdim", IN(U(r, {3, 4, 2})), FN(std::get<0>(tg::max(x[0], 0, true)))},
      {"min_dim", IN(U(r, {3, 4})), FN(std::get<0>(x[0].min(-1)))},
      {"min_dim_keepdim", IN(T(r, {3, 4})), FN(std::get<0>(x[0].min(0, true)))},
      {"amax_all", IN(U(r, {3, 4})), FN(x[0].amax())},
      {"amax_dims", IN(U(r, {2, 3, 4})), FN(x[0].amax({0, 2})), true},
      {"amin_dim_keepdim", IN(U(r, {2, 3, 4})), FN(tg::amin(x[0], {1}, true))},

      // ---- prod
      {"prod_all", IN(P(r, {2, 3})), FN(x[0].prod()), true},
      {"prod_dim", IN(U(r, {2, 3})), FN(x[0].prod(1)), true},
      {"prod_dim_keepdim", IN(U(r, {3, 2, 2})), FN(tg::prod(x[0], 0, true))},
      {"prod_all_one_zero", IN(with_zeros(r, {2, 3}, {4})), FN(x[0].prod())},
      {"prod_all_two_zeros", IN(with_zeros(r, {2, 3}, {1, 4})), FN(x[0].prod())},
      {"prod_dim_one_zero", IN(with_zeros(r, {3, 3}, {1, 5})), FN(x[0].prod(1))},
      {"prod_dim0_zero", IN(with_zeros(r, {3, 2}, {2})), FN(x[0].prod(0))},

      // ---- var / std
      {"var_all", IN(U(r, {3, 4})), FN(x[0].var()), true},
      {"var_all_biased", IN(U(r, {3, 4})), FN(tg::var(x[0], false))},
      {"var_dims", IN(U(r, {2, 3, 4})), FN(x[0].var({0, 2})), true},
      {"var_dim_biased_keepdim", IN(U(r, {2, 3, 4})), FN(x[0].var({1}, false, true))},
      {"var_dim_neg", IN(T(r, {3, 4})), FN(tg::var(x[0], tg::IntArrayRef{-1}))},
      {"std_all", IN(U(r, {3, 4})), FN(x[0].std()), true},
      {"std_all_biased", IN(U(r, {3, 4})), FN(x[0].std(false))},
      {"std_dims", IN(U(r, {2, 3, 4})), FN(tg::std(x[0], {0, 1})), true},
      {"std_dim_keepdim", IN(U(r, {2, 3, 4})), FN(x[0].std({2}, true, true))},
      {"std_dim_biased", IN(U(r, {2, 3, 4})), FN(x[0].std({0}, false))},

      // ---- norm
      {"norm_2", IN(U(r, {3, 4})), FN(x[0].norm()), true},
      {"norm_1", IN(A(r, {3, 4})), FN(x[0].norm(1))},
      {"norm_3", IN(A(r, {3, 4})), FN(tg::norm(x[0], 3)), true},
      {"norm_inf", IN(U(r, {3, 4})), FN(x[0].norm(std::numeric_limits<double>::infinity()))},
      {"norm_2_dim", IN(U(r, {3, 4})), FN(x[0].norm(2, {1})), true},
      {"norm_2_dims_keepdim", IN(U(r, {2, 3, 4})), FN(x[0].norm(2, {0, 2}, true))},
      {"norm_1_dim", IN(A(r, {3, 4})), FN(tg::norm(x[0], 1, {0}))},
      {"norm_3_dim_keepdim", IN(A(r, {3, 4})), FN(x[0].norm(3, {-1}, true))},
      {"norm_inf_dim", IN(U(r, {3, 4})),
       FN(x[0].norm(std::numeric_limits<double>::infinity(), {1}))},
      {"norm_noncontig", IN(T(r, {3, 4})), FN(x[0].norm(2, {0}))},

      // ---- matrix products
      {"matmul_1d_1d", IN(U(r, {4}), U(r, {4})), FN(tg::matmul(x[0], x[1])), true},
      {"matmul_2d_1d", IN(U(r, {3, 4}), U(r, {4})), FN(x[0].matmul(x[1])), true},
      {"matmul_1d_2d", IN(U(r, {3}), U(r, {3, 4})), FN(tg::matmul(x[0], x[1])), true},
      {"matmul_2d_2d", IN(U(r, {2, 3}), U(r, {3, 4})), FN(x[0].matmul(x[1])), true},
      {"matmul_3d_2d", IN(U(r, {2, 3, 4}), U(r, {4, 2})), FN(tg::matmul(x[0], x[1])), true},
      {"matmul_3d_1d", IN(U(r, {2, 3, 4}), U(r, {4})), FN(tg::matmul(x[0], x[1]))},
      {"matmul_1d_3d", IN(U(r, {3}), U(r, {2, 3, 4})), FN(tg::matmul(x[0], x[1]))},
      {"matmul_3d_3d", IN(U(r, {2, 3, 4}), U(r, {2, 4, 2})), FN(tg::matmul(x[0], x[1]))},
      {"matmul_batched_bcast_4d_3d", IN(U(r, {2, 3, 2, 4}), U(r, {3, 4, 2})),
       FN(tg::matmul(x[0], x[1])), true},
      {"matmul_batched_bcast_ones", IN(U(r, {2, 1, 2, 3}), U(r, {4, 3, 2})), FN(x[0].matmul(x[1]))},
      {"matmul_2d_3d", IN(U(r, {2, 3}), U(r, {2, 3, 4})), FN(tg::matmul(x[0], x[1]))},
      {"matmul_noncontig", IN(T(r, {3, 4}), T(r, {4, 2})), FN(tg::matmul(x[0], x[1]))},
      {"mm", IN(U(r, {2, 3}), U(r, {3, 4})), FN(tg::mm(x[0], x[1])), true},
      {"mm_noncontig", IN(T(r, {2, 3}), S(r, {3, 4})), FN(x[0].mm(x[1])), true},
      {"bmm", IN(U(r, {2, 3, 4}), U(r, {2, 4, 2})), FN(tg::bmm(x[0], x[1])), true},
      {"bmm_noncontig", IN(T(r, {2, 3, 4}), T(r, {2, 4, 2})), FN(x[0].bmm(x[1]))},
      {"dot", IN(U(r, {5}), U(r, {5})), FN(tg::dot(x[0], x[1])), true},
      {"dot_noncontig", IN(S(r, {5}), U(r, {5})), FN(x[0].dot(x[1]))},
      {"addmm", IN(U(r, {2, 4}), U(r, {2, 3}), U(r, {3, 4})), FN(tg::addmm(x[0], x[1], x[2])),
       true},
      {"addmm_beta_alpha_bcast_bias", IN(U(r, {4}), U(r, {2, 3}), U(r, {3, 4})),
       FN(tg::addmm(x[0], x[1], x[2], 0.5, 2.0)), true},
      {"addmm_row_bias", IN(U(r, {1, 4}), U(r, {2, 3}), T(r, {3, 4})),
       FN(x[0].addmm(x[1], x[2], 1.5, -1.0))},
      // A linear layer with one input feature: the bias and weight gradients come from one pass
      // (the column_sum_and_dot op), with second order through that op's own derivative.
      {"addmm_one_feature", IN(U(r, {4}), U(r, {5, 1}), U(r, {4, 1})),
       FN(tg::addmm(x[0], x[1], x[2].t())), true},
      {"addmm_one_feature_row_bias", IN(U(r, {1, 4}), U(r, {5, 1}), U(r, {1, 4})),
       FN(tg::addmm(x[0], x[1], x[2])), true},
      {"addmm_beta_zero", IN(U(r, {2, 4}), U(r, {2, 3}), U(r, {3, 4})),
       FN(tg::addmm(x[0], x[1], x[2], 0.0, 1.0) + x[0])},

      // ---- views and shape ops
      {"reshape", IN(U(r, {2, 3, 4})), FN(x[0].reshape({4, -1})), true},
      {"reshape_noncontig_copy", IN(T(r, {3, 4})), FN(x[0].reshape({12}))},
      {"reshape_free", IN(U(r, {2, 6})), FN(tg::reshape(x[0], {3, 2, 2}) * 2)},
      {"view", IN(U(r, {2, 3, 4})), FN(x[0].view({6, 4})), true},
      {"view_as", IN(U(r, {2, 6}), U(r, {3, 4})), FN(x[0].view_as(x[1]) * x[1])},
      {"flatten", IN(U(r, {2, 3, 4})), FN(x[0].flatten())},
      {"flatten_range", IN(U(r, {2, 3, 4, 2})), FN(tg::flatten(x[0], 1, 2))},
      {"squeeze_all", IN(U(r, {2, 1, 3, 1})), FN(x[0].squeeze())},
      {"squeeze_dim", IN(U(r, {2, 1, 3})), FN(tg::squeeze(x[0], 1))},
      {"unsqueeze_front", IN(U(r, {2, 3})), FN(x[0].unsqueeze(0))},
      {"unsqueeze_back", IN(T(r, {2, 3})), FN(tg::unsqueeze(x[0], -1))},
      {"t", IN(U(r, {2, 3})), FN(x[0].t()), true},
      {"t_1d", IN(U(r, {3})), FN(tg::t(x[0]))},
      {"transpose", IN(U(r, {2, 3, 4})), FN(x[0].transpose(0, 2))},
      {"permute", IN(U(r, {2, 3, 4})), FN(x[0].permute({2, 0, 1})), true},
      {"expand", IN(U(r, {3, 1})), FN(x[0].expand({2, 3, 4})), true},
      {"expand_minus_one", IN(U(r, {1, 4})), FN(x[0].expand({3, -1}))},
      {"expand_as", IN(U(r, {4}), U(r, {3, 4})), FN(x[0].expand_as(x[1]) * x[1])},
      {"select", IN(U(r, {3, 4})), FN(x[0].select(1, 2)), true},
      {"select_negative", IN(U(r, {2, 3, 4})), FN(tg::select(x[0], 0, -1))},
      {"index_operator", IN(U(r, {3, 4})), FN(x[0][1])},
      {"slice", IN(U(r, {3, 8})), FN(x[0].slice(1, 2, 6)), true},
      {"slice_step", IN(U(r, {3, 8})), FN(x[0].slice(1, 1, 7, 2)), true},
      {"slice_step_dim0_open_end", IN(U(r, {7, 2})), FN(x[0].slice(0, 1, std::nullopt, 3))},
      {"slice_negative_start", IN(U(r, {6})), FN(x[0].slice(0, -4, -1))},
      {"slice_noncontig", IN(T(r, {4, 6})), FN(x[0].slice(0, 1, 3))},
      {"narrow", IN(U(r, {4, 5})), FN(x[0].narrow(1, 1, 3)), true},
      {"index_select", IN(U(r, {4, 3})),
       FN(x[0].index_select(0, tg::tensor({2, 0, 2, 3}, tg::kLong))), true},
      {"index_select_dim1", IN(U(r, {2, 5})),
       FN(tg::index_select(x[0], 1, tg::tensor({4, 1, 4}, tg::kLong)))},
      {"cat_dim0", IN(U(r, {2, 3}), U(r, {1, 3})), FN(tg::cat({x[0], x[1]}, 0)), true},
      {"cat_dim1_three", IN(U(r, {2, 3}), U(r, {2, 1}), U(r, {2, 2})),
       FN(tg::cat({x[0], x[1], x[2]}, 1))},
      {"cat_same_twice", IN(U(r, {2, 2})), FN(tg::cat({x[0], x[0] * 2}, -1))},
      {"cat_noncontig", IN(T(r, {2, 3}), S(r, {2, 3})), FN(tg::cat({x[0], x[1]}, 0))},
      {"stack_dim0", IN(U(r, {2, 3}), U(r, {2, 3})), FN(tg::stack({x[0], x[1]})), true},
      {"stack_dim_last", IN(U(r, {2, 3}), U(r, {2, 3}), U(r, {2, 3})),
       FN(tg::stack({x[0], x[1], x[2]}, -1))},
      {"chunk", IN(U(r, {7, 2})), FN([&] {
         auto p = x[0].chunk(3, 0);
         return tg::cat({p[0], p[1] * 2, p[2].exp()}, 0);
       }())},
      {"chunk_one_used", IN(U(r, {2, 6})), FN(tg::chunk(x[0], 2, 1)[1].sin())},
      {"split", IN(U(r, {2, 7})), FN([&] {
         auto p = tg::split(x[0], 3, 1);
         return tg::cat({p[2] * 3, p[0], p[1].pow(2)}, 1);
       }())},
      {"contiguous", IN(T(r, {3, 4})), FN(x[0].contiguous()), true},
      {"clone", IN(U(r, {3, 4})), FN(x[0].clone() * x[0])},
      {"to_float64_copy", IN(U(r, {3})), FN(x[0].to(tg::kFloat64, false, true))},
      {"to_float32_round_trip", IN(U(r, {3})), FN(x[0].to(tg::kFloat32).to(tg::kFloat64)), false,
       coarse},
      {"view_chain", IN(U(r, {4, 6})),
       FN(x[0].t().slice(0, 1, 5, 2).reshape({2, 2, 2}).permute({2, 0, 1}).select(1, 0))},

      // ---- in-place ops on non-leaf tensors
      {"inplace_add_", IN(U(r, {2, 3}), U(r, {2, 3})), FN([&] {
         Tensor y = x[0] * 1;
         y.add_(x[1]);
         return y;
       }())},
      {"inplace_add_mul_", IN(U(r, {2, 3}), U(r, {2, 3})), FN([&] {
         Tensor y = x[0] * 1;
         y.add_(x[1]);
         y.mul_(2);
         return y;
       }()),
       true},
      {"inplace_mul_tensor", IN(U(r, {2, 3}), U(r, {2, 3})), FN([&] {
         Tensor y = x[0].sin();  // saves x[0], not its output, so y may change
         y.mul_(x[1]);
         return y * x[0];
       }()),
       true},
      {"inplace_sub_div_", IN(U(r, {2, 3}), U(r, {2, 3}), P(r, {2, 3})), FN([&] {
         Tensor y = x[0] + 0;
         y.sub_(x[1], 0.5);
         y.div_(x[2]);
         return y;
       }())},
      {"inplace_bcast", IN(U(r, {2, 3}), U(r, {3})), FN([&] {
         Tensor y = x[0] * 1;
         y.add_(x[1]);
         y.mul_(x[1]);
         return y;
       }())},
      {"inplace_operators", IN(U(r, {2, 3}), U(r, {2, 3})), FN([&] {
         Tensor y = x[0] * 1;
         y += x[1];
         y *= x[1];
         y -= 1;
         y /= 2;
         y -= x[0];
         y /= (x[1] * x[1] + 1);
         return y;
       }())},
      {"inplace_scalar_ops", IN(U(r, {2, 3})), FN([&] {
         Tensor y = x[0] * 1;
         y.add_(1.5, 2);
         y.sub_(0.5);
         y.mul_(-3);
         y.div_(4);
         return y;
       }())},
      {"inplace_unary", IN(P(r, {2, 3})), FN([&] {
         Tensor y = x[0] * 2;
         y.sqrt_();
         y.neg_();
         y.clamp_(-1.5);
         return y;
       }())},
      {"inplace_then_use_grad_of_input_twice", IN(U(r, {3})), FN([&] {
         Tensor y = x[0].sin();
         Tensor z = y * 1;
         z.mul_(x[0]);
         return z + y;
       }())},

      // ---- compositions
      {"tutorial_f", IN(U(r, {4}), U(r, {4}, 0.5, 2.5), U(r, {4}, 0.1, 1.0)), FN([&] {
         Tensor a = 2 * x[0].abs();
         return tg::tanh(tg::log(1 + x[2] * a / tg::sin(x[1])));
       }()),
       true},
      {"mse", IN(U(r, {5, 2}), U(r, {5, 2})), FN((x[0] - x[1]).pow(2).mean()), true},
      // mse_loss's fused forward and its backward op (MseLossBackwardBackward0 for second order).
      {"mse_loss_mean", IN(U(r, {5, 2}), U(r, {5, 2})),
       FN(tg::nn::functional::mse_loss(x[0], x[1])), true},
      {"mse_loss_sum_bcast", IN(U(r, {5, 2}), U(r, {2})),
       FN(tg::nn::functional::mse_loss(x[0], x[1],
                                       tg::nn::functional::MSELossFuncOptions(tg::kSum))),
       true},
      {"mse_loss_none", IN(T(r, {3, 4}), U(r, {3, 4})),
       FN(tg::nn::functional::mse_loss(x[0], x[1],
                                       tg::nn::functional::MSELossFuncOptions(tg::kNone))),
       true},
      // The fused backward ops as ops of their own, with their second order.
      {"tanh_backward", IN(U(r, {2, 3}), U(r, {2, 3}, -0.9, 0.9)),
       FN(tg::tanh_backward(x[0], x[1])), true},
      {"threshold_backward", IN(U(r, {2, 3}), A(r, {2, 3})),
       FN(tg::threshold_backward(x[0], x[1], 0)), true},
      {"linear_tanh", IN(U(r, {4, 3}), U(r, {2, 3}), U(r, {2})),
       FN(tg::tanh(tg::matmul(x[0], x[1].t()) + x[2]).sum()), true},
      {"cross_entropy_like", IN(U(r, {3, 4})),
       FN(-tg::log_softmax(x[0], 1).index_select(1, tg::tensor({2}, tg::kLong)).mean()), true},
  };
  return c;
}

#undef IN
#undef FN

// Shown by gtest for a failing row (instead of the struct's bytes).
void PrintTo(const GradCase& c, std::ostream* os) { *os << c.name; }

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across platforms
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

class GradcheckTable : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradcheckTable, MatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradcheck(c.fn, in, c.options));
  // The inputs are left as they were: leaves with no gradient.
  for (const Tensor& x : in) {
    EXPECT_TRUE(x.requires_grad());
    EXPECT_FALSE(x.grad().defined());
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, GradcheckTable, ::testing::ValuesIn(cases()), case_name);

// The rows marked gradgrad, checked again through create_graph=true.
std::vector<GradCase> gradgrad_cases() {
  std::vector<GradCase> out;
  for (auto& c : cases())
    if (c.gradgrad) out.push_back(c);
  return out;
}

class GradgradcheckTable : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradgradcheckTable, SecondOrderMatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradgradcheck(c.fn, in, c.options));
}

INSTANTIATE_TEST_SUITE_P(Ops, GradgradcheckTable, ::testing::ValuesIn(gradgrad_cases()), case_name);

// ---- the checker itself must catch wrong gradients

TEST(Gradcheck, DetectsAWrongGradient) {
  Rng r(1);
  Tensor x = U(r, {3});
  // x.detach() * x has gradient x, but d(x*x)/dx = 2x: numerically the function is x*x.
  tgtest::TensorFn wrong = [](const Inputs& in) { return in[0].detach() * in[0]; };
  tgtest::GradcheckOptions o;
  o.check_backward = false;
  EXPECT_FALSE(tgtest::gradcheck(wrong, {x}, o));
  EXPECT_TRUE(tgtest::gradcheck([](const Inputs& in) { return in[0] * in[0]; }, {x}));
}

TEST(Gradcheck, DetectsAWrongSecondDerivative) {
  Rng r(2);
  Tensor x = U(r, {3});
  // x^3 whose first derivative 3x^2 is right but built from detached values, so autograd sees
  // no second derivative.
  tgtest::TensorFn fn = [](const Inputs& in) {
    const Tensor& v = in[0];
    return v.pow(3).detach() + (v - v.detach()) * 3 * (v * v).detach();
  };
  EXPECT_TRUE(tgtest::gradcheck(fn, {x}));
  EXPECT_FALSE(tgtest::gradgradcheck(fn, {x}));
  EXPECT_TRUE(tgtest::gradgradcheck([](const Inputs& in) { return in[0].pow(3); }, {x}));
}

// ---- at points where a function is not differentiable, PyTorch 1.13's conventions

std::vector<double> grad_of(const std::function<Tensor(const Tensor&)>& f, std::vector<double> x) {
  Tensor t = tg::tensor(x, tg::dtype(tg::kFloat64).requires_grad(true));
  f(t).sum().backward();
  return tgtest::values(t.grad());
}

TEST(GradientConventions, AtKinksAndTies) {
  using V = std::vector<double>;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(grad_of([](auto& x) { return x.relu(); }, {0, 1, -1}), (V{0, 1, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.abs(); }, {0, 1, -1}), (V{0, 1, -1}));
  EXPECT_EQ(grad_of([](auto& x) { return x.clamp(-1, 1); }, {-1, 1, 0, 2}), (V{1, 1, 1, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.clamp_min(0); }, {0, 1}), (V{1, 1}));
  // Ties share the gradient for max()/amax/norm(inf); max(dim) routes it to the returned index.
  EXPECT_EQ(grad_of([](auto& x) { return x.max(); }, {1, 3, 3, 2}), (V{0, 0.5, 0.5, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.min(); }, {1, 3, 1, 2}), (V{0.5, 0, 0.5, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return std::get<0>(x.max(0)); }, {1, 3, 3, 2}), (V{0, 1, 0, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.amax({0}); }, {1, 3, 3, 2}), (V{0, 0.5, 0.5, 0}));
  EXPECT_EQ(grad_of([&](auto& x) { return x.norm(inf); }, {1, -3, 3, 2}), (V{0, -0.5, 0.5, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.norm(); }, {0, 0}), (V{0, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.norm(1); }, {0, -2}), (V{0, -1}));
  EXPECT_EQ(grad_of([](auto& x) { return x.sqrt(); }, {0}), (V{inf}));
  EXPECT_EQ(grad_of([](auto& x) { return x.pow(2.5); }, {0}), (V{0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.pow(0); }, {0, 2}), (V{0, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.pow(1); }, {0}), (V{1}));
  EXPECT_EQ(grad_of([](auto& x) { return x.prod(); }, {0, 0, 2}), (V{0, 0, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.prod(); }, {0, 3, 2}), (V{6, 0, 0}));
  EXPECT_EQ(grad_of([](auto& x) { return x.std(); }, {1, 1, 1}), (V{0, 0, 0}));

  Tensor a = tg::tensor({1., 2., 3.}, tg::dtype(tg::kFloat64).requires_grad(true));
  Tensor b = tg::tensor({1., 1., 4.}, tg::dtype(tg::kFloat64).requires_grad(true));
  tg::maximum(a, b).sum().backward();
  EXPECT_EQ(tgtest::values(a.grad()), (V{0.5, 1, 0}));
  EXPECT_EQ(tgtest::values(b.grad()), (V{0.5, 0, 1}));
  a.mutable_grad() = Tensor();
  b.mutable_grad() = Tensor();
  tg::minimum(a, b).sum().backward();
  EXPECT_EQ(tgtest::values(a.grad()), (V{0.5, 0, 1}));
  EXPECT_EQ(tgtest::values(b.grad()), (V{0.5, 1, 0}));

  Tensor x = tg::tensor({0., 2.}, tg::dtype(tg::kFloat64).requires_grad(true));
  Tensor e = tg::tensor({2., 0.}, tg::dtype(tg::kFloat64).requires_grad(true));
  x.pow(e).sum().backward();
  EXPECT_EQ(tgtest::values(x.grad()), (V{0, 0}));
  EXPECT_EQ(tgtest::values(e.grad())[0], 0.0);
  EXPECT_DOUBLE_EQ(tgtest::values(e.grad())[1], std::log(2.0));
}

TEST(Gradcheck, WorksOnNonContiguousLeaves) {
  Rng r(3);
  Tensor a = T(r, {2, 3});
  Tensor b = S(r, {2, 3});
  EXPECT_FALSE(a.is_contiguous());
  EXPECT_FALSE(b.is_contiguous());
  auto offs = tgtest::element_offsets(a);
  EXPECT_EQ(offs, (std::vector<int64_t>{0, 2, 4, 1, 3, 5}));
  EXPECT_TRUE(tgtest::gradcheck([](const Inputs& in) { return in[0] * in[1].exp(); }, {a, b}));
}

}  // namespace
