// The elementwise ops of TG_UNARY_OPS and TG_BINARY_OPS (tensorgrad/ops/pointwise_ops.h): each
// op's forward, autograd node and in-place form are generated here from its line in the list.
// Also the fused backward ops that list entries use as derivatives (tanh_backward,
// threshold_backward), clamp, and the bool-valued tests.
#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "kernels/binary.h"
#include "kernels/unary.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;
using kernels::BinaryOp;
using kernels::UnaryOp;

namespace {

[[maybe_unused]] constexpr bool kFloatingOnly_FLOATING = true;
[[maybe_unused]] constexpr bool kFloatingOnly_NUMERIC = false;
[[maybe_unused]] constexpr bool kFloatingOnly_FLOAT_ONLY = true;
[[maybe_unused]] constexpr bool kRefusesIntegers_FLOATING = false;
[[maybe_unused]] constexpr bool kRefusesIntegers_NUMERIC = false;
[[maybe_unused]] constexpr bool kRefusesIntegers_FLOAT_ONLY = true;
[[maybe_unused]] constexpr bool kSavesX_INPUT = true, kSavesX_OUTPUT = false, kSavesX_NONE = false;
[[maybe_unused]] constexpr bool kSavesY_INPUT = false, kSavesY_OUTPUT = true, kSavesY_NONE = false;

// Ops of the FLOAT_ONLY domain have no integer kernel in PyTorch; its error names the kernel.
void check_domain(bool refuses_integers, const Tensor& x, const char* name) {
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  TG_CHECK(!refuses_integers || is_floating_point(x.scalar_type()), "\"", name,
           "_cpu\" not implemented for '", x.scalar_type(), "'");
}

// The dtype a unary op computes in: integers become float32 for floating functions.
ScalarType unary_compute_type(const Tensor& x, bool floating_only) {
  const ScalarType t = x.scalar_type();
  return floating_only && !is_floating_point(t) ? kFloat : t;
}

Tensor unary_forward(UnaryOp op, const Tensor& x, ScalarType ct, const char* name) {
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  TG_CHECK(x.scalar_type() != kBool || op != UnaryOp::neg,
           "neg: Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
           "to invert a mask, use the `~` or `logical_not()` operator instead.");
  Tensor out = make_empty(x.sizes(), ct);
  // Only a conversion needs a new tensor; a copy of the handle would cost two atomic updates.
  if (x.scalar_type() == ct)
    kernels::unary(op, out, x);
  else
    kernels::unary(op, out, cast_to(x, ct));
  return out;
}

// Where an elementwise backward writes its result: into the incoming gradient itself when nothing
// else can see it (only the engine's list holds it, and it alone holds its memory), else into a
// new tensor. Each element is written where it was just read, so this saves an allocation and the
// cache misses of first writes to a fresh buffer: a quarter of tanh's backward at 32 x 512.
Tensor output_for_grad(const Tensor& g, IntArrayRef sizes, ScalarType dtype) {
  const auto* gi = impl_of(g);
  if (g.use_count() == 1 && gi->storage.use_count() == 1 && !gi->autograd && !gi->is_view &&
      gi->contiguous && gi->dtype == dtype && gi->sizes.ref().equals(sizes))
    return g;
  return make_empty(sizes, dtype);
}

// y = f(x)'s node, with the gradient rule `rule(g, x, y)`, saving x and/or y as the list says.
template <bool kSaveX, bool kSaveY, typename Rule>
void record_unary(const char* node, const Tensor& x, const Tensor& y, Rule rule) {
  if (autograd::should_record({&x}))
    autograd::record(node, {&x}, {&y},
                     {save(kSaveX ? x : Tensor()), save_output(kSaveY ? y : Tensor())},
                     [rule](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{rule(g[0], s[0], s[1])};
                     });
}

// f(x) with the gradient rule `rule(g, x, y)`, saving x and/or y as the list says.
template <bool kSaveX, bool kSaveY, typename Rule>
Tensor unary_op(UnaryOp op, const Tensor& x, bool floating_only, const char* name, const char* node,
                Rule rule) {
  Tensor y = unary_forward(op, x, unary_compute_type(x, floating_only), name);
  record_unary<kSaveX, kSaveY>(node, x, y, rule);
  return y;
}

// f(a, b) with broadcasting and the gradient rules rule_a/rule_b(g, a, b, y), each evaluated only
// for an input that needs a gradient.
template <typename RuleA, typename RuleB>
Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b, bool floating_only,
                 const char* name, const char* node, RuleA rule_a, RuleB rule_b) {
  TG_CHECK(a.defined() && b.defined(), name, ": undefined tensor argument");
  ScalarType ct = result_type(a, b);
  if (floating_only && !is_floating_point(ct)) ct = kFloat;
  Tensor out = make_empty(infer_size(a.sizes(), b.sizes(), name), ct);
  kernels::binary(op, out, cast_to(a, ct), cast_to(b, ct));
  if (autograd::should_record({&a, &b})) {
    const bool need_a = autograd::needs_grad(a), need_b = autograd::needs_grad(b);
    autograd::record(node, {&a, &b}, {&out}, {save(a), save(b), save_output(out)},
                     [rule_a, rule_b, need_a, need_b](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{need_a ? rule_a(g[0], s[0], s[1], s[2]) : Tensor(),
                                          need_b ? rule_b(g[0], s[0], s[1], s[2]) : Tensor()};
                     });
  }
  return out;
}

// Fused-in-PyTorch derivatives that the lists' derivative columns call, written with
// differentiable ops so that their own gradients follow.
Tensor mish_backward(const Tensor& g, const Tensor& x) {
  Tensor s = x.sigmoid();
  Tensor t = x.exp().log1p().tanh();
  return g * (t + x * s * (1 - t * t));
}

// gelu's derivative as PyTorch's gelu_backward computes it, for approximate = none (0) or tanh.
Tensor gelu_backward(const Tensor& g, const Tensor& x, double approximate) {
  constexpr double kSqrt1_2 = 0.70710678118654752440, kTwoOverSqrtPi = 1.12837916709551257390;
  if (approximate == 0) {
    Tensor cdf = 0.5 * (1 + (x * kSqrt1_2).erf());
    Tensor pdf = (-0.5 * x * x).exp() * (kTwoOverSqrtPi * kSqrt1_2 * 0.5);
    return g * (cdf + x * pdf);
  }
  constexpr double kBeta = 1.41421356237309504880 * kTwoOverSqrtPi * 0.5, kKappa = 0.044715;
  Tensor x_sq = x * x;
  Tensor t = (kBeta * (x + kKappa * x_sq * x)).tanh();
  Tensor left_derivative = 0.5 * (1 + t);
  Tensor right_derivative = 0.5 * x * (1 - t * t) * (kBeta * (1 + 3 * kKappa * x_sq));
  return g * (left_derivative + right_derivative);
}

// logit's derivative: NaN outside [0, 1] without eps; 0 where eps clamped the input.
Tensor logit_backward(const Tensor& g, const Tensor& x, double eps) {
  Tensor d = g / (x * (1 - x));
  if (eps < 0) return where((x < 0) | (x > 1), std::numeric_limits<double>::quiet_NaN(), d);
  return where((x < eps) | (x > 1 - eps), 0, d);
}

// A TG_UNARY_PARAM_OPS parameter as the kernel takes it.
double param_value(const Scalar& s) { return s.toDouble(); }
double param_value(int64_t v) { return static_cast<double>(v); }
double param_value(std::optional<double> eps) { return eps ? *eps : -1.0; }  // < 0: none
double param_value(std::string_view approximate) {
  if (approximate == "none") return 0;
  TG_CHECK(approximate == "tanh", "approximate argument must be either none or tanh.");
  return 1;
}

// f(x; params) with the gradient rule `rule(g, x, y)`, saving x and/or y as the list says.
template <bool kSaveX, bool kSaveY, typename Rule>
Tensor param_op(kernels::UnaryParamOp op, const Tensor& x, const std::array<double, 3>& params,
                bool floating_only, const char* node, Rule rule) {
  Tensor y = make_empty(x.sizes(), unary_compute_type(x, floating_only));
  kernels::unary(op, y, cast_to(x, y.scalar_type()), params);
  record_unary<kSaveX, kSaveY>(node, x, y, rule);
  return y;
}

}  // namespace

#define TG_DEFINE_UNARY(name, grad_fn, domain, saved, value, derivative, ...)             \
  Tensor name(const Tensor& x) {                                                          \
    check_domain(kRefusesIntegers_##domain, x, #name);                                    \
    return unary_op<kSavesX_##saved, kSavesY_##saved>(                                    \
        UnaryOp::name, x, kFloatingOnly_##domain, #name, #grad_fn,                        \
        [](const Tensor& g, [[maybe_unused]] const Tensor& x,                             \
           [[maybe_unused]] const Tensor& y) -> Tensor { return derivative; });           \
  }                                                                                       \
  Tensor Tensor::name() const { return tg::name(*this); }                                 \
  Tensor& Tensor::name##_() {                                                             \
    check_domain(kRefusesIntegers_##domain, *this, #name);                                \
    return inplace(                                                                       \
        *this, {}, unary_compute_type(*this, kFloatingOnly_##domain), sizes(), #name "_", \
        [&] { kernels::unary(UnaryOp::name, *this, *this); },                             \
        [](const Tensor& s) { return tg::name(s); });                                     \
  }
TG_UNARY_OPS(TG_DEFINE_UNARY)
#undef TG_DEFINE_UNARY

#define TG_PARAM_VALUE(i, p) TG_PARAM_SEP_##i param_value(TG_PARAM_NAME p)
#define TG_PARAM_LOCAL(i, p) [[maybe_unused]] const double TG_PARAM_NAME p = pv[i];
#define TG_DEFINE_PARAM(name, grad_fn, domain, saved, params, value, derivative)             \
  Tensor name(const Tensor& x, TG_PARAMS_EACH(TG_PARAM_DEF, params)) {                       \
    check_domain(kRefusesIntegers_##domain, x, #name);                                       \
    const std::array<double, 3> pv{TG_PARAMS_EACH(TG_PARAM_VALUE, params)};                  \
    return param_op<kSavesX_##saved, kSavesY_##saved>(                                       \
        kernels::UnaryParamOp::name, x, pv, kFloatingOnly_##domain, #grad_fn,                \
        [pv](const Tensor& g, [[maybe_unused]] const Tensor& x,                              \
             [[maybe_unused]] const Tensor& y) -> Tensor {                                   \
          TG_PARAMS_EACH(TG_PARAM_LOCAL, params)                                             \
          return derivative;                                                                 \
        });                                                                                  \
  }                                                                                          \
  Tensor Tensor::name(TG_PARAMS_EACH(TG_PARAM_DEF, params)) const {                          \
    return tg::name(*this, TG_PARAMS_EACH(TG_PARAM_ARG, params));                            \
  }                                                                                          \
  Tensor& Tensor::name##_(TG_PARAMS_EACH(TG_PARAM_DEF, params)) {                            \
    check_domain(kRefusesIntegers_##domain, *this, #name);                                   \
    const std::array<double, 3> pv{TG_PARAMS_EACH(TG_PARAM_VALUE, params)};                  \
    return inplace(                                                                          \
        *this, {}, unary_compute_type(*this, kFloatingOnly_##domain), sizes(), #name "_",    \
        [&] { kernels::unary(kernels::UnaryParamOp::name, *this, *this, pv); },              \
        [&](const Tensor& s) { return tg::name(s, TG_PARAMS_EACH(TG_PARAM_ARG, params)); }); \
  }
TG_UNARY_PARAM_OPS(TG_DEFINE_PARAM)
#undef TG_DEFINE_PARAM
#undef TG_PARAM_LOCAL
#undef TG_PARAM_VALUE

#define TG_DEFINE_BINARY(name, grad_fn, domain, value, derivative_a, derivative_b, ...)         \
  Tensor name(const Tensor& a, const Tensor& b) {                                               \
    return binary_op(                                                                           \
        BinaryOp::name, a, b, kFloatingOnly_##domain, #name, #grad_fn,                          \
        [](const Tensor& g, [[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b, \
           [[maybe_unused]] const Tensor& y) -> Tensor { return derivative_a; },                \
        [](const Tensor& g, [[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b, \
           [[maybe_unused]] const Tensor& y) -> Tensor { return derivative_b; });               \
  }                                                                                             \
  Tensor Tensor::name(const Tensor& other) const { return tg::name(*this, other); }
TG_BINARY_OPS(TG_DEFINE_BINARY)
#undef TG_DEFINE_BINARY

// ---- fused backward ops, with derivatives of their own (as in PyTorch's derivatives.yaml)

Tensor tanh_backward(const Tensor& grad_output, const Tensor& output) {
  TG_CHECK(grad_output.defined() && output.defined(), "tanh_backward: undefined tensor argument");
  const ScalarType ct = result_type(grad_output, output);
  TG_CHECK(is_floating_point(ct), "tanh_backward: expected floating point tensors, got ",
           grad_output.scalar_type(), " and ", output.scalar_type());
  const bool same = grad_output.sizes().equals(output.sizes());
  const DimVector shape = same ? DimVector(output.sizes())
                               : infer_size(grad_output.sizes(), output.sizes(), "tanh_backward");
  // A recorded node keeps grad_output, so it must not be overwritten then.
  const bool rec = autograd::should_record({&grad_output, &output});
  Tensor out = rec ? make_empty(shape, ct) : output_for_grad(grad_output, shape, ct);
  kernels::tanh_backward(out, cast_to(grad_output, ct), cast_to(output, ct));
  if (rec)
    autograd::record("TanhBackwardBackward0", {&grad_output, &output}, {&out},
                     {save(grad_output), save(output)},
                     [](const tensor_list& g, const tensor_list& s) {
                       // The output's gradient first: tanh_backward may write into g's buffer.
                       Tensor grad_y = g[0] * (s[1] * -2 * s[0]);
                       return tensor_list{tanh_backward(g[0], s[1]), grad_y};
                     });
  return out;
}

Tensor threshold_backward(const Tensor& grad_output, const Tensor& self, const Scalar& threshold) {
  TG_CHECK(grad_output.defined() && self.defined(),
           "threshold_backward: undefined tensor argument");
  const ScalarType ct = result_type(grad_output, self);
  const DimVector shape = infer_size(grad_output.sizes(), self.sizes(), "threshold_backward");
  const bool rec = autograd::should_record({&grad_output, &self});
  Tensor out = rec ? make_empty(shape, ct) : output_for_grad(grad_output, shape, ct);
  const double th = threshold.toDouble();
  kernels::threshold_backward(out, cast_to(grad_output, ct), cast_to(self, ct), th);
  if (rec)
    autograd::record("ThresholdBackwardBackward0", {&grad_output, &self}, {&out}, {save(self)},
                     [th](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{threshold_backward(g[0], s[0], th), zeros_like(g[0])};
                     });
  return out;
}

// ---- clamp

namespace {
Tensor clamp_impl(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi,
                  const char* node) {
  TG_CHECK(x.defined(), "clamp: called on an undefined tensor");
  TG_CHECK(lo || hi, "clamp: At least one of 'min' or 'max' must not be None");
  ScalarType ct = x.scalar_type();
  if (lo) ct = promote_types(ct, result_type(x, *lo));
  if (hi) ct = promote_types(ct, result_type(x, *hi));
  Tensor y = make_empty(x.sizes(), ct);
  std::optional<double> l, h;
  if (lo) l = lo->toDouble();
  if (hi) h = hi->toDouble();
  kernels::clamp(y, cast_to(x, ct), l, h);
  if (autograd::should_record({&x}))
    autograd::record(node, {&x}, {&y}, {save(x)},
                     [l, h](const tensor_list& g, const tensor_list& s) {
                       Tensor mask = ones_like(s[0], kBool);
                       if (l) mask = mask & (s[0] >= *l);
                       if (h) mask = mask & (s[0] <= *h);
                       return tensor_list{where(mask, g[0], 0)};
                     });
  return y;
}
}  // namespace

Tensor clamp(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  return clamp_impl(x, lo, hi, "ClampBackward1");
}
// Separate ops in PyTorch, with their own node names.
Tensor clamp_min(const Tensor& x, const Scalar& m) {
  return clamp_impl(x, m, std::nullopt, "ClampMinBackward0");
}
Tensor clamp_max(const Tensor& x, const Scalar& m) {
  return clamp_impl(x, std::nullopt, m, "ClampMaxBackward0");
}
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const {
  return tg::clamp(*this, lo, hi);
}
Tensor Tensor::clamp_min(const Scalar& min) const { return tg::clamp_min(*this, min); }
Tensor Tensor::clamp_max(const Scalar& max) const { return tg::clamp_max(*this, max); }
Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) {
  ScalarType ct = scalar_type();
  if (lo) ct = promote_types(ct, result_type(*this, *lo));
  if (hi) ct = promote_types(ct, result_type(*this, *hi));
  return inplace(
      *this, {}, ct, sizes(), "clamp_",
      [&] {
        kernels::clamp(*this, *this, lo ? std::optional<double>(lo->toDouble()) : std::nullopt,
                       hi ? std::optional<double>(hi->toDouble()) : std::nullopt);
      },
      [&](const Tensor& s) { return tg::clamp(s, lo, hi); });
}

// ---- polygamma

Tensor polygamma(int64_t n, const Tensor& x) {
  TG_CHECK(x.defined(), "polygamma: called on an undefined tensor");
  TG_CHECK(n >= 0, "polygamma(n, x) does not support negative n.");
  const ScalarType ct = unary_compute_type(x, true);
  Tensor y = make_empty(x.sizes(), ct);
  kernels::polygamma(y, cast_to(x, ct), n);
  if (autograd::should_record({&x}))
    autograd::record("PolygammaBackward0", {&x}, {&y}, {save(x)},
                     [n](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{g[0] * polygamma(n + 1, s[0])};
                     });
  return y;
}
Tensor Tensor::polygamma(int64_t n) const { return tg::polygamma(n, *this); }

// ---- clamp with tensor bounds: min(max(x, lo), hi), NaN wherever an operand is NaN

namespace {
Tensor clamp_tensors(const Tensor& x, const Tensor& lo, const Tensor& hi, const char* node) {
  TG_CHECK(x.defined(), "clamp: called on an undefined tensor");
  TG_CHECK(lo.defined() || hi.defined(), "clamp: At least one of 'min' or 'max' must not be None");
  Tensor y;
  {
    NoGradGuard guard;
    y = lo.defined() ? maximum(x, lo) : x;
    if (hi.defined()) y = minimum(y, hi);
  }
  std::vector<Tensor> inputs{x};
  if (lo.defined()) inputs.push_back(lo);
  if (hi.defined()) inputs.push_back(hi);
  if (!autograd::should_record(inputs)) return y;
  const bool has_lo = lo.defined(), has_hi = hi.defined();
  // Where the bounds cross (lo > hi) the result is hi, so hi takes the gradient (as in PyTorch).
  autograd::record(node, inputs, {&y}, {save(x), save(lo), save(hi)},
                   [has_lo, has_hi](const tensor_list& g, const tensor_list& s) {
                     const Tensor &v = s[0], &l = s[1], &h = s[2];
                     if (has_lo && has_hi)
                       return tensor_list{where((v >= l) & (v <= h), g[0], 0),
                                          where((v < l) & (l < h), g[0], 0),
                                          where((v > h) | (h < l), g[0], 0)};
                     if (has_lo) return tensor_list{where(v >= l, g[0], 0), where(v < l, g[0], 0)};
                     return tensor_list{where(v <= h, g[0], 0), where(v > h, g[0], 0)};
                   });
  return y;
}
}  // namespace

Tensor clamp(const Tensor& x, const Tensor& min, const Tensor& max) {
  return clamp_tensors(x, min, max, "ClampBackward0");
}
Tensor clamp_min(const Tensor& x, const Tensor& min) {
  TG_CHECK(min.defined(), "clamp_min: undefined tensor argument");
  return clamp_tensors(x, min, Tensor(), "ClampMinBackward1");
}
Tensor clamp_max(const Tensor& x, const Tensor& max) {
  TG_CHECK(max.defined(), "clamp_max: undefined tensor argument");
  return clamp_tensors(x, Tensor(), max, "ClampMaxBackward1");
}
Tensor Tensor::clamp(const Tensor& min, const Tensor& max) const {
  return tg::clamp(*this, min, max);
}
Tensor Tensor::clamp_min(const Tensor& min) const { return tg::clamp_min(*this, min); }
Tensor Tensor::clamp_max(const Tensor& max) const { return tg::clamp_max(*this, max); }

// In-place forms: self takes the out-of-place op's value and node (ClampMinBackward0, ...).
namespace {
template <typename Op>
Tensor& clamp_inplace(Tensor& self, std::initializer_list<const Tensor*> bounds, ScalarType ct,
                      const char* name, Op op) {
  DimVector shape(self.sizes());
  for (const Tensor* b : bounds)
    if (b->defined()) shape = infer_size(shape, b->sizes(), name);
  return inplace(
      self, bounds, ct, shape, name, [&] { kernels::copy(self, op(self)); }, op);
}
ScalarType clamp_type(const Tensor& self, const Tensor& a, const Tensor& b) {
  ScalarType ct = self.scalar_type();
  if (a.defined()) ct = promote_types(ct, result_type(self, a));
  if (b.defined()) ct = promote_types(ct, result_type(self, b));
  return ct;
}
}  // namespace

Tensor& Tensor::clamp_(const Tensor& min, const Tensor& max) {
  return clamp_inplace(*this, {&min, &max}, clamp_type(*this, min, max), "clamp_",
                       [&](const Tensor& s) { return tg::clamp(s, min, max); });
}
Tensor& Tensor::clamp_min_(const Tensor& min) {
  TG_CHECK(min.defined(), "clamp_min_: undefined tensor argument");
  return clamp_inplace(*this, {&min}, clamp_type(*this, min, Tensor()), "clamp_min_",
                       [&](const Tensor& s) { return tg::clamp_min(s, min); });
}
Tensor& Tensor::clamp_max_(const Tensor& max) {
  TG_CHECK(max.defined(), "clamp_max_: undefined tensor argument");
  return clamp_inplace(*this, {&max}, clamp_type(*this, max, Tensor()), "clamp_max_",
                       [&](const Tensor& s) { return tg::clamp_max(s, max); });
}
Tensor& Tensor::clamp_min_(const Scalar& min) {
  return clamp_inplace(*this, {}, promote_types(scalar_type(), result_type(*this, min)),
                       "clamp_min_", [&](const Tensor& s) { return tg::clamp_min(s, min); });
}
Tensor& Tensor::clamp_max_(const Scalar& max) {
  return clamp_inplace(*this, {}, promote_types(scalar_type(), result_type(*this, max)),
                       "clamp_max_", [&](const Tensor& s) { return tg::clamp_max(s, max); });
}

// ---- lerp: start + weight * (end - start) for |weight| < 0.5, else end - (end - start) *
// (1 - weight), PyTorch's two forms (each exact at its own end).

namespace {
void check_lerp(const Tensor& start, const Tensor& end, const Tensor* weight) {
  TG_CHECK(start.defined() && end.defined() && (!weight || weight->defined()),
           "lerp: undefined tensor argument");
  TG_CHECK(start.scalar_type() == end.scalar_type(), "expected dtype ",
           dtype_name(start.scalar_type()), " for `end` but got dtype ",
           dtype_name(end.scalar_type()));
  TG_CHECK(!weight || start.scalar_type() == weight->scalar_type(), "expected dtype ",
           dtype_name(start.scalar_type()), " for `weight` but got dtype ",
           dtype_name(weight->scalar_type()));
  TG_CHECK(is_floating_point(start.scalar_type()), "\"lerp_kernel_", weight ? "tensor" : "scalar",
           "\" not implemented for '", start.scalar_type(), "'");
}
}  // namespace

Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight) {
  check_lerp(start, end, nullptr);
  const double w = weight.toDouble();
  Tensor y;
  {
    NoGradGuard guard;
    Tensor diff = end - start;
    y = std::abs(w) < 0.5 ? start + w * diff : end - diff * (1 - w);
  }
  if (autograd::should_record({&start, &end}))
    autograd::record("LerpBackward0", {&start, &end}, {&y}, {},
                     [w](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0] * (1 - w), g[0] * w};
                     });
  return y;
}
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  check_lerp(start, end, &weight);
  Tensor y;
  {
    NoGradGuard guard;
    Tensor diff = end - start;
    y = where(weight.abs() < 0.5, start + weight * diff, end - diff * (1 - weight));
  }
  if (autograd::should_record({&start, &end, &weight}))
    autograd::record("LerpBackward1", {&start, &end, &weight}, {&y},
                     {save(start), save(end), save(weight)},
                     [](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{g[0] * (1 - s[2]), g[0] * s[2], g[0] * (s[1] - s[0])};
                     });
  return y;
}
Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) {
  check_lerp(*this, end, &weight);
  const DimVector shape =
      infer_size(sizes(), infer_size(end.sizes(), weight.sizes(), "lerp_"), "lerp_");
  return inplace(
      *this, {&end, &weight}, scalar_type(), shape, "lerp_",
      [&] { kernels::copy(*this, tg::lerp(*this, end, weight)); },
      [&](const Tensor& s) { return tg::lerp(s, end, weight); });
}
Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const {
  return tg::lerp(*this, end, weight);
}
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const {
  return tg::lerp(*this, end, weight);
}

// ---- fmod and remainder by a number: the tensor op's value, and x's gradient alone

namespace {
template <typename Op>
Tensor by_scalar(const Tensor& x, const Scalar& other, const char* name, const char* node, Op op) {
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  Tensor y;
  {
    NoGradGuard guard;
    y = op(x, wrap_scalar(other, result_type(x, other)));
  }
  if (autograd::should_record({&x}))
    autograd::record(node, {&x}, {&y}, {},
                     [](const tensor_list& g, const tensor_list&) { return tensor_list{g[0]}; });
  return y;
}
}  // namespace

Tensor fmod(const Tensor& x, const Scalar& other) {
  return by_scalar(x, other, "fmod", "FmodBackward0",
                   [](const Tensor& a, const Tensor& b) { return fmod(a, b); });
}
Tensor remainder(const Tensor& x, const Scalar& other) {
  return by_scalar(x, other, "remainder", "RemainderBackward0",
                   [](const Tensor& a, const Tensor& b) { return remainder(a, b); });
}
Tensor Tensor::fmod(const Scalar& other) const { return tg::fmod(*this, other); }
Tensor Tensor::remainder(const Scalar& other) const { return tg::remainder(*this, other); }

// ---- bool-valued tests

namespace {
Tensor predicate(kernels::UnaryPredicate op, const Tensor& x, const char* name) {
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  Tensor out = make_empty(x.sizes(), kBool);
  kernels::unary(op, out, x);
  return out;
}
}  // namespace

Tensor isnan(const Tensor& x) { return predicate(kernels::UnaryPredicate::IsNan, x, "isnan"); }
Tensor isfinite(const Tensor& x) {
  return predicate(kernels::UnaryPredicate::IsFinite, x, "isfinite");
}
Tensor logical_not(const Tensor& x) {
  return predicate(kernels::UnaryPredicate::LogicalNot, x, "logical_not");
}
Tensor Tensor::isnan() const { return tg::isnan(*this); }
Tensor Tensor::isfinite() const { return tg::isfinite(*this); }
Tensor Tensor::logical_not() const { return tg::logical_not(*this); }

Tensor operator~(const Tensor& x) {
  TG_CHECK(x.scalar_type() == kBool || x.scalar_type() == kLong,
           "bitwise_not: only integral and boolean tensors are supported, got ",
           dtype_name(x.scalar_type()));
  if (x.scalar_type() == kBool) return logical_not(x);
  return -x - 1;
}
Tensor operator-(const Tensor& x) { return neg(x); }

}  // namespace tg
