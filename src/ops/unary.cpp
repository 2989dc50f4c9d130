// Elementwise unary ops and their derivatives. Integer inputs to floating functions are promoted
// to float32, as in PyTorch.
#include "autograd/function.h"
#include "kernels/kernels.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;
using kernels::UnaryOp;

namespace {

Tensor unary_forward(UnaryOp op, const Tensor& x, bool float_only, const char* name) {
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  // Only an integer input needs a converted copy; otherwise x is used as is (no handle copy).
  Tensor converted;
  if (float_only && !x.is_floating_point()) converted = x.to(kFloat);
  const Tensor& in = converted.defined() ? converted : x;
  TG_CHECK(x.scalar_type() != kBool || op != UnaryOp::Neg,
           "neg: Negation, the `-` operator, on a bool tensor is not supported.");
  Tensor out = make_empty(in.sizes(), in.scalar_type());
  kernels::unary(op, out, in);
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

// Defines f(x) with gradient rule `rule(g, x, y)`; saves x and/or y as asked.
template <typename Rule>
Tensor unary_op(UnaryOp op, const Tensor& x, bool float_only, const char* name, const char* node,
                bool save_x, bool save_y, Rule rule) {
  Tensor y = unary_forward(op, x, float_only, name);
  if (autograd::should_record({&x}))
    autograd::record(node, {&x}, {&y},
                     {save(save_x ? x : Tensor()), save_output(save_y ? y : Tensor())},
                     [rule](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{rule(g[0], s[0], s[1])};
                     });
  return y;
}

}  // namespace

Tensor neg(const Tensor& x) {
  return unary_op(UnaryOp::Neg, x, false, "neg", "NegBackward0", false, false,
                  [](const Tensor& g, const Tensor&, const Tensor&) { return -g; });
}
Tensor exp(const Tensor& x) {
  return unary_op(UnaryOp::Exp, x, true, "exp", "ExpBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return g * y; });
}
Tensor log(const Tensor& x) {
  return unary_op(UnaryOp::Log, x, true, "log", "LogBackward0", true, false,
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return g / x; });
}
Tensor log1p(const Tensor& x) {
  return unary_op(UnaryOp::Log1p, x, true, "log1p", "Log1PBackward0", true, false,
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x + 1); });
}
Tensor sin(const Tensor& x) {
  return unary_op(UnaryOp::Sin, x, true, "sin", "SinBackward0", true, false,
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return g * cos(x); });
}
Tensor cos(const Tensor& x) {
  return unary_op(UnaryOp::Cos, x, true, "cos", "CosBackward0", true, false,
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return g * -sin(x); });
}
Tensor tan(const Tensor& x) {
  return unary_op(UnaryOp::Tan, x, true, "tan", "TanBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (y * y + 1); });
}
Tensor tanh(const Tensor& x) {
  return unary_op(UnaryOp::Tanh, x, true, "tanh", "TanhBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) {
                    // PyTorch's kernel computes 1 - y*y with one rounding (a fused multiply-add);
                    // addcmul_ does the same, so gradients match it bit for bit (the unfused form
                    // loses most of its digits near saturation). With create_graph the rule must
                    // stay differentiable.
                    if (autograd::GradMode::is_enabled()) return g * ((1 - y) * (1 + y));
                    if (g.sizes().equals(y.sizes()) && g.scalar_type() == y.scalar_type() &&
                        g.is_contiguous() && y.is_contiguous()) {
                      Tensor out = output_for_grad(g, y.sizes(), y.scalar_type());
                      kernels::tanh_backward(out, g, y);
                      return out;
                    }
                    Tensor one_minus_y2 = ones_like(y);
                    one_minus_y2.addcmul_(y, y, -1);
                    return g * one_minus_y2;
                  });
}
Tensor sigmoid(const Tensor& x) {
  return unary_op(UnaryOp::Sigmoid, x, true, "sigmoid", "SigmoidBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (1 - y) * y; });
}
Tensor relu(const Tensor& x) {
  return unary_op(UnaryOp::Relu, x, false, "relu", "ReluBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) {
                    // With create_graph the rule must stay differentiable; otherwise one fused
                    // pass (PyTorch's threshold_backward) instead of a mask and a select.
                    // Both forms give g where y is NaN, as PyTorch's threshold_backward does.
                    if (autograd::GradMode::is_enabled() || g.scalar_type() != y.scalar_type())
                      return where(y <= 0, zeros_like(g), g);
                    Tensor out = output_for_grad(
                        g, infer_size(g.sizes(), y.sizes(), "relu_backward"), y.scalar_type());
                    kernels::threshold_backward(out, g, y, 0.0);
                    return out;
                  });
}
Tensor abs(const Tensor& x) {
  return unary_op(UnaryOp::Abs, x, false, "abs", "AbsBackward0", true, false,
                  [](const Tensor& g, const Tensor& x, const Tensor&) { return g * sign(x); });
}
Tensor sqrt(const Tensor& x) {
  return unary_op(UnaryOp::Sqrt, x, true, "sqrt", "SqrtBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return g / (2 * y); });
}
Tensor rsqrt(const Tensor& x) {
  return unary_op(
      UnaryOp::Rsqrt, x, true, "rsqrt", "RsqrtBackward0", false, true,
      [](const Tensor& g, const Tensor&, const Tensor& y) { return g * y.pow(3) * -0.5; });
}
Tensor reciprocal(const Tensor& x) {
  return unary_op(UnaryOp::Reciprocal, x, true, "reciprocal", "ReciprocalBackward0", false, true,
                  [](const Tensor& g, const Tensor&, const Tensor& y) { return -g * y * y; });
}
Tensor sign(const Tensor& x) {
  return unary_op(UnaryOp::Sign, x, false, "sign", "SignBackward0", false, false,
                  [](const Tensor& g, const Tensor&, const Tensor&) { return zeros_like(g); });
}

namespace {
Tensor clamp_impl(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi,
                  const char* node) {
  TG_CHECK(x.defined(), "clamp: called on an undefined tensor");
  TG_CHECK(lo || hi, "clamp: At least one of 'min' or 'max' must not be None");
  ScalarType ct = x.scalar_type();
  if (lo) ct = result_type(x, *lo) == ct ? ct : promote_types(ct, result_type(x, *lo));
  if (hi) ct = result_type(x, *hi) == ct ? ct : promote_types(ct, result_type(x, *hi));
  Tensor in = x.to(ct);
  Tensor y = make_empty(x.sizes(), ct);
  std::optional<double> l, h;
  if (lo) l = lo->toDouble();
  if (hi) h = hi->toDouble();
  kernels::clamp(y, in, l, h);
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

Tensor isnan(const Tensor& x) {
  Tensor out = make_empty(x.sizes(), kBool);
  kernels::unary(UnaryOp::IsNan, out, x);
  return out;
}
Tensor isfinite(const Tensor& x) {
  Tensor out = make_empty(x.sizes(), kBool);
  kernels::unary(UnaryOp::IsFinite, out, x);
  return out;
}
Tensor logical_not(const Tensor& x) {
  Tensor out = make_empty(x.sizes(), kBool);
  kernels::unary(UnaryOp::LogicalNot, out, x);
  return out;
}
Tensor operator~(const Tensor& x) {
  TG_CHECK(x.scalar_type() == kBool || x.scalar_type() == kLong,
           "bitwise_not: only integral and boolean tensors are supported, got ",
           dtype_name(x.scalar_type()));
  if (x.scalar_type() == kBool) return logical_not(x);
  return -x - 1;
}
Tensor operator-(const Tensor& x) { return neg(x); }

Tensor Tensor::sqrt() const { return tg::sqrt(*this); }
Tensor Tensor::rsqrt() const { return tg::rsqrt(*this); }
Tensor Tensor::exp() const { return tg::exp(*this); }
Tensor Tensor::log() const { return tg::log(*this); }
Tensor Tensor::log1p() const { return tg::log1p(*this); }
Tensor Tensor::sin() const { return tg::sin(*this); }
Tensor Tensor::cos() const { return tg::cos(*this); }
Tensor Tensor::tan() const { return tg::tan(*this); }
Tensor Tensor::tanh() const { return tg::tanh(*this); }
Tensor Tensor::sigmoid() const { return tg::sigmoid(*this); }
Tensor Tensor::relu() const { return tg::relu(*this); }
Tensor Tensor::abs() const { return tg::abs(*this); }
Tensor Tensor::neg() const { return tg::neg(*this); }
Tensor Tensor::sign() const { return tg::sign(*this); }
Tensor Tensor::reciprocal() const { return tg::reciprocal(*this); }
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const {
  return tg::clamp(*this, lo, hi);
}
Tensor Tensor::clamp_min(const Scalar& min) const { return tg::clamp_min(*this, min); }
Tensor Tensor::clamp_max(const Scalar& max) const { return tg::clamp_max(*this, max); }
Tensor Tensor::isnan() const { return tg::isnan(*this); }
Tensor Tensor::isfinite() const { return tg::isfinite(*this); }
Tensor Tensor::logical_not() const { return tg::logical_not(*this); }

namespace {
// In-place unary: no autograd support needed beyond the checks (optimizers run these under
// no_grad); with grad recording they go through the out-of-place op.
template <typename F>
Tensor& unary_inplace(Tensor& self, const char* name, F&& f) {
  autograd::check_inplace(self, {}, name);
  if (autograd::should_record({&self})) {
    Tensor r = f(self.clone());
    kernels::copy(self, r);
    impl_of(self)->bump_version();
    autograd::set_history(self, impl_of(r)->autograd->grad_fn, impl_of(r)->autograd->output_nr);
    return self;
  }
  Tensor r;
  {
    NoGradGuard guard;
    r = f(self);
  }
  TG_CHECK(r.scalar_type() == self.scalar_type(), name, ": result type ", r.scalar_type(),
           " can't be cast to the desired output type ", self.scalar_type());
  kernels::copy(self, r);
  impl_of(self)->bump_version();
  return self;
}
}  // namespace

Tensor& Tensor::sqrt_() {
  return unary_inplace(*this, "sqrt_", [](const Tensor& t) { return tg::sqrt(t); });
}
Tensor& Tensor::neg_() {
  return unary_inplace(*this, "neg_", [](const Tensor& t) { return tg::neg(t); });
}
Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) {
  return unary_inplace(*this, "clamp_", [&](const Tensor& t) { return tg::clamp(t, lo, hi); });
}

}  // namespace tg
