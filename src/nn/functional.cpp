// nn::functional: linear, activations, dropout and the losses. Each loss records one node with
// PyTorch's name and backward rule (e.g. MseLossBackward0), written with differentiable ops so
// that higher-order gradients work.
#include "tensorgrad/nn/functional.h"

#include "autograd/function.h"
#include "kernels/loss.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/loss.h"

namespace tg::nn::functional {

using autograd::save;
using autograd::tensor_list;

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  TG_CHECK(input.defined() && weight.defined(), "linear: undefined input or weight");
  TG_CHECK(weight.dim() == 2, "linear: weight must be 2-D, got shape ", weight.sizes());
  TG_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1),
           "linear: mat1 and mat2 shapes cannot be multiplied (input ", input.sizes(),
           " and weight ", weight.sizes(), ")");
  if (input.dim() == 2 && bias.defined()) return tg::addmm(bias, input, weight.t());
  Tensor out = tg::matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor relu(const Tensor& x) { return tg::relu(x); }
Tensor tanh(const Tensor& x) { return tg::tanh(x); }
Tensor sigmoid(const Tensor& x) { return tg::sigmoid(x); }
Tensor leaky_relu(const Tensor& x, const LeakyReLUFuncOptions& o) {
  return tg::where(x > 0, x, x * o.negative_slope());
}
Tensor softmax(const Tensor& x, const SoftmaxFuncOptions& o) { return tg::softmax(x, o.dim()); }
Tensor log_softmax(const Tensor& x, const LogSoftmaxFuncOptions& o) {
  return tg::log_softmax(x, o.dim());
}

Tensor dropout(const Tensor& x, const DropoutFuncOptions& o) {
  TG_CHECK(o.p() >= 0 && o.p() <= 1, "dropout: probability has to be between 0 and 1, but got ",
           o.p());
  if (!o.training() || o.p() == 0) return x;
  if (o.p() == 1) return x * zeros_like(x);
  // PyTorch's mask: bernoulli_(1 - p) drawn into empty_like(x), divided by 1 - p in x's dtype.
  Tensor keep;
  {
    NoGradGuard guard;
    keep = tg::bernoulli(x, 1 - o.p());
    keep.div_(1 - o.p());
  }
  return x * keep;
}

namespace {

// The gradient arriving at a reduced loss, spread back over the elementwise losses.
Tensor expand_loss_grad(const Tensor& g, IntArrayRef shape, Reduction r, int64_t n) {
  if (r == kNone) return g;
  Tensor e = g.expand(shape);
  return r == kMean ? e / static_cast<double>(n) : e;
}

Tensor reduce_loss(const Tensor& elementwise, Reduction r) {
  switch (r) {
    case kNone:
      return elementwise;
    case kSum:
      return elementwise.sum();
    case kMean:
      return elementwise.mean();
  }
  return elementwise;
}

// Records `name` for a loss of (input, target) whose elementwise derivatives are given by
// grad_fn(input, target) -> (d/dinput, d/dtarget).
template <typename GradFn>
void record_loss(const char* name, const Tensor& input, const Tensor& target, Tensor& out,
                 Reduction r, GradFn grad_fn) {
  if (!autograd::should_record({&input, &target})) return;
  DimVector shape = infer_size(input.sizes(), target.sizes(), name);
  const int64_t n = numel_of(shape);
  autograd::record(name, {&input, &target}, {&out}, {save(input), save(target)},
                   [shape, n, r, grad_fn](const tensor_list& g, const tensor_list& s) {
                     Tensor gk = expand_loss_grad(g[0], shape, r, n);
                     auto [gi, gt] = grad_fn(s[0], s[1]);
                     return tensor_list{gi * gk, gt.defined() ? gt * gk : Tensor()};
                   });
}

void check_loss_args(const Tensor& input, const Tensor& target, const char* op) {
  TG_CHECK(input.defined() && target.defined(), op, ": undefined input or target");
  infer_size(input.sizes(), target.sizes(), op);
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& o) {
  check_loss_args(input, target, "mse_loss");
  Tensor out;
  const Reduction r = o.reduction();
  if (r != kNone && input.sizes().equals(target.sizes()) && input.is_floating_point() &&
      input.scalar_type() == target.scalar_type() && input.is_contiguous() &&
      target.is_contiguous()) {
    // One pass for the common case; the same roundings as the composite below (squares rounded
    // to the dtype, summed in double, the mean divided in the dtype).
    const double sum = kernels::sum_squared_difference(input, target);
    out = make_empty({}, input.scalar_type());
    kernels::mse_loss_store(out, sum, r == kMean ? input.numel() : 1);
  } else {
    NoGradGuard guard;
    Tensor d = input - target;
    out = reduce_loss(d * d, r);
  }
  if (autograd::should_record({&input, &target})) {
    const bool target_grad = autograd::needs_grad(target);
    autograd::record("MseLossBackward0", {&input, &target}, {&out}, {save(input), save(target)},
                     [r, target_grad](const tensor_list& g, const tensor_list& s) {
                       // The target's gradient is the input's with the two swapped.
                       return tensor_list{
                           mse_loss_backward(g[0], s[0], s[1], r),
                           target_grad ? mse_loss_backward(g[0], s[1], s[0], r) : Tensor()};
                     });
  }
  return out;
}

Tensor mse_loss_backward(const Tensor& grad_output, const Tensor& input, const Tensor& target,
                         Reduction r) {
  TG_CHECK(grad_output.defined() && input.defined() && target.defined(),
           "mse_loss_backward: undefined tensor argument");
  const DimVector shape = infer_size(input.sizes(), target.sizes(), "mse_loss_backward");
  // PyTorch's norm: 2 / numel for the mean, 2 otherwise.
  const double norm = r == kMean ? 2.0 / static_cast<double>(numel_of(shape)) : 2.0;
  const ScalarType ct = promote_types(grad_output.scalar_type(), result_type(input, target));
  TG_CHECK(is_floating_point(ct), "mse_loss_backward: expected floating point tensors, got ", ct);
  Tensor out = make_empty(shape, ct);
  kernels::mse_loss_backward(out, cast_to(input, ct), cast_to(target, ct), cast_to(grad_output, ct),
                             norm);
  if (autograd::should_record({&grad_output, &input, &target}))
    autograd::record("MseLossBackwardBackward0", {&grad_output, &input, &target}, {&out},
                     {save(grad_output), save(input), save(target)},
                     [r, norm](const tensor_list& g, const tensor_list& s) {
                       // out = (input - target) * norm * grad_output, linear in each argument.
                       Tensor d = g[0] * s[0] * norm;
                       return tensor_list{mse_loss_backward(g[0], s[1], s[2], r), d, -d};
                     });
  return out;
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& o) {
  check_loss_args(input, target, "l1_loss");
  // Composite, as in PyTorch 1.13 (its node is AbsBackward0 / MeanBackward0 / SumBackward0).
  return reduce_loss((input - target).abs(), o.reduction());
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& o) {
  check_loss_args(input, target, "binary_cross_entropy");
  TG_CHECK(input.sizes().equals(target.sizes()), "binary_cross_entropy: Using a target size (",
           target.sizes(), ") that is different to the input size (", input.sizes(),
           ") is deprecated. Please ensure they have the same size.");
  {
    NoGradGuard guard;
    TG_CHECK(((input >= 0) & (input <= 1)).all().item<bool>(),
             "binary_cross_entropy: all elements of input should be between 0 and 1 (shape ",
             input.sizes(), ")");
  }
  Tensor w = o.weight();
  Tensor out;
  {
    NoGradGuard guard;
    // log is clamped at -100 as in PyTorch, so a prediction of exactly 0 or 1 gives a finite loss.
    Tensor l =
        -(target * input.log().clamp_min(-100) + (1 - target) * (1 - input).log().clamp_min(-100));
    if (w.defined()) l = l * w;
    out = reduce_loss(l, o.reduction());
  }
  record_loss("BinaryCrossEntropyBackward0", input, target, out, o.reduction(),
              [w](const Tensor& x, const Tensor& y) {
                Tensor gi = (x - y) / tg::clamp_min((1 - x) * x, 1e-12);
                Tensor gt = ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100));
                if (w.defined()) {
                  gi = gi * w;
                  gt = gt * w;
                }
                return std::make_pair(gi, gt);
              });
  return out;
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& o) {
  check_loss_args(input, target, "binary_cross_entropy_with_logits");
  TG_CHECK(input.sizes().equals(target.sizes()), "binary_cross_entropy_with_logits: Target size (",
           target.sizes(), ") must be the same as input size (", input.sizes(), ")");
  Tensor w = o.weight(), pw = o.pos_weight();
  Tensor out;
  {
    NoGradGuard guard;
    // Stable form: (1 - t) x + lw * (log(1 + exp(-|x|)) + max(-x, 0)), lw = 1 + (pw - 1) t.
    Tensor max_val = (-input).clamp_min(0);
    Tensor log_term = ((-max_val).exp() + (-input - max_val).exp()).log() + max_val;
    Tensor l;
    if (pw.defined()) {
      Tensor lw = (pw - 1) * target + 1;
      l = (1 - target) * input + lw * log_term;
    } else {
      l = (1 - target) * input + log_term;
    }
    if (w.defined()) l = l * w;
    out = reduce_loss(l, o.reduction());
  }
  record_loss("BinaryCrossEntropyWithLogitsBackward0", input, target, out, o.reduction(),
              [w, pw](const Tensor& x, const Tensor& y) {
                Tensor s = x.sigmoid();
                Tensor gi, gt;
                if (pw.defined()) {
                  Tensor t = pw * y;
                  gi = (t + 1 - y) * s - t;
                  // d/dt of (1 - t) x + (1 + (pw - 1) t) * softplus(-x), softplus(-x) = -log(s).
                  gt = -x - (pw - 1) * s.log();
                } else {
                  gi = s - y;
                  gt = -x;
                }
                if (w.defined()) {
                  gi = gi * w;
                  gt = gt * w;
                }
                return std::make_pair(gi, gt);
              });
  return out;
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& o) {
  TG_CHECK(input.defined() && target.defined(), "nll_loss: undefined input or target");
  TG_CHECK(input.dim() == 1 || input.dim() == 2,
           "nll_loss: expected input of shape [C] or [N, C], got ", input.sizes());
  TG_CHECK(target.scalar_type() == kLong,
           "nll_loss: expected target of dtype int64 (class indices), got ",
           dtype_name(target.scalar_type()));
  Tensor x = input.dim() == 1 ? input.unsqueeze(0) : input;
  Tensor t = input.dim() == 1 ? target.reshape({1}) : target;
  TG_CHECK(t.dim() == 1 && t.size(0) == x.size(0), "nll_loss: Expected input batch_size (",
           x.size(0), ") to match target batch_size (", t.dim() == 1 ? t.size(0) : -1, "); shapes ",
           input.sizes(), " and ", target.sizes());
  const int64_t n = x.size(0), c = x.size(1);
  Tensor w = o.weight();
  TG_CHECK(!w.defined() || (w.dim() == 1 && w.size(0) == c),
           "nll_loss: weight tensor should be defined either for all ", c,
           " classes or no classes but got weight tensor of shape: ",
           w.defined() ? w.sizes() : IntArrayRef());
  // mask[i, k] = w[k] where k == target[i] (and target[i] is not ignored), else 0; built in
  // double, then converted once.
  Tensor mask64 = zeros({n, c}, kDouble);
  kernels::nll_loss_mask(mask64, t, w.defined() ? w.to(kDouble) : Tensor(), o.ignore_index());
  Tensor mask = mask64.to(x.scalar_type());
  Tensor out;
  Tensor total_weight;
  {
    NoGradGuard guard;
    Tensor per_sample = -(x * mask).sum({1});
    total_weight = mask.sum();
    switch (o.reduction()) {
      case kNone:
        out = input.dim() == 1 ? per_sample.reshape({}) : per_sample;
        break;
      case kSum:
        out = per_sample.sum();
        break;
      case kMean:
        out = per_sample.sum() / total_weight;
        break;
    }
  }
  if (autograd::should_record({&input})) {
    const Reduction r = o.reduction();
    const bool one_d = input.dim() == 1;
    autograd::record("NllLossBackward0", {&input}, {&out}, {save(mask), save(total_weight)},
                     [r, one_d](const tensor_list& g, const tensor_list& s) {
                       Tensor gk;
                       if (r == kNone)
                         gk = g[0].reshape({-1, 1});
                       else if (r == kSum)
                         gk = g[0];
                       else
                         gk = g[0] / s[1];
                       Tensor gi = -s[0] * gk;
                       return tensor_list{one_d ? gi.reshape({-1}) : gi};
                     });
  }
  return out;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  TG_CHECK(input.defined() && target.defined(), "cross_entropy: undefined input or target");
  TG_CHECK(o.label_smoothing() == 0.0, "cross_entropy: label_smoothing is not supported");
  TG_CHECK(target.scalar_type() == kLong,
           "cross_entropy: expected class indices of dtype int64 as target, got ",
           dtype_name(target.scalar_type()), " (probability targets are not supported)");
  TG_CHECK(input.dim() >= 1, "cross_entropy: input must have at least one dimension");
  return nll_loss(
      tg::log_softmax(input, input.dim() == 1 ? 0 : 1), target,
      NLLLossFuncOptions(o.reduction()).weight(o.weight()).ignore_index(o.ignore_index()));
}

}  // namespace tg::nn::functional

namespace tg::nn {
namespace F = functional;
Tensor MSELossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::mse_loss(input, target, options);
}
Tensor L1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::l1_loss(input, target, options);
}
Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, options);
}
Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, options);
}
Tensor BCELossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, options);
}
Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, options);
}
}  // namespace tg::nn
