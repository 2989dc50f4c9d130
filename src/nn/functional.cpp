// nn::functional: linear, activations, dropout and the losses. Each loss records one node with
// PyTorch's name and backward rule (e.g. MseLossBackward0), written with differentiable ops so
// that higher-order gradients work.
#include "tensorgrad/nn/functional.h"

#include "autograd/function.h"
#include "kernels/loss.h"
#include "nn/loss_util.h"
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

using detail::record_loss;
using detail::reduce_loss;

namespace {

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
  TG_CHECK(input.dim() >= 1, "nll_loss: Expected 1 or more dimensions (got ", input.dim(), ")");
  TG_CHECK(target.scalar_type() == kLong, "nll_loss: expected scalar type Long but found ",
           dtype_name(target.scalar_type()));
  const int64_t dim = input.dim();
  if (dim <= 2) {
    TG_CHECK(target.dim() <= 1,
             "nll_loss: 0D or 1D target tensor expected, multi-target not supported");
    const bool no_batch_dim = dim == 1 && target.dim() == 0;
    TG_CHECK(no_batch_dim || (dim == 2 && target.dim() == 1 && input.size(0) == target.size(0)),
             "nll_loss: Expected input batch_size (", dim == 1 ? 1 : input.size(0),
             ") to match target batch_size (", target.dim() == 0 ? 1 : target.size(0), ").");
  } else {
    TG_CHECK(target.dim() >= 1 && input.size(0) == target.size(0),
             "nll_loss: Expected input batch_size (", input.size(0),
             ") to match target batch_size (", target.dim() == 0 ? 1 : target.size(0), ").");
    DimVector want{input.size(0)};
    for (int64_t d = 2; d < dim; ++d) want.push_back(input.size(d));
    TG_CHECK(target.sizes().equals(want), "nll_loss: Expected target size ", IntArrayRef(want),
             ", got ", target.sizes());
  }
  const int64_t c = input.size(dim == 1 ? 0 : 1);
  Tensor w = o.weight();
  TG_CHECK(!w.defined() || (w.dim() == 1 && w.size(0) == c),
           "nll_loss: weight tensor should be defined either for all ", c,
           " classes or no classes but got weight tensor of shape: ",
           w.defined() ? w.sizes() : IntArrayRef());
  // mask has the input's shape: mask[..., k, ...] = w[k] where k is the element's target (and
  // that target is not ignored), else 0. It is built in double as rows of [elements, classes]
  // (the class dimension moved last), then moved back and converted once. The loss is then
  // -(input * mask) summed over the class dimension, and its gradient -mask * grad.
  Tensor mask;
  {
    NoGradGuard guard;
    const int64_t m = target.numel();
    Tensor rows = zeros({m, c}, kDouble);
    kernels::nll_loss_mask(rows, target.reshape({-1}).contiguous(),
                           w.defined() ? w.to(kDouble).contiguous() : Tensor(), o.ignore_index());
    if (dim <= 2) {
      mask = rows.reshape(input.sizes());
    } else {
      DimVector moved{input.size(0)}, inverse{0, dim - 1};
      for (int64_t d = 2; d < dim; ++d) {
        moved.push_back(input.size(d));
        inverse.push_back(d - 1);
      }
      moved.push_back(c);
      mask = rows.reshape(moved).permute(inverse);
    }
    mask = mask.to(input.scalar_type()).contiguous();
  }
  const int64_t class_dim = dim == 1 ? 0 : 1;
  Tensor out;
  Tensor total_weight;
  {
    NoGradGuard guard;
    Tensor per_sample = -(input * mask).sum({class_dim});
    total_weight = mask.sum();
    switch (o.reduction()) {
      case kNone:
        out = per_sample;
        break;
      case kSum:
        out = per_sample.sum();
        break;
      case kMean:
        out = per_sample.sum() / total_weight;
        break;
    }
  }
  const Reduction r = o.reduction();
  // PyTorch runs inputs of 3 or more dimensions through nll_loss2d, viewing those other than
  // [N, C, H, W] as [N, C, 1, rest]; unreduced, its result is then viewed back (ViewBackward0).
  const bool spatial = dim >= 3;
  const bool view_back = spatial && dim != 4 && r == kNone;
  if (view_back) out = out.reshape({out.size(0), 1, -1});
  if (autograd::should_record({&input})) {
    const DimVector out_shape(target.sizes());
    autograd::record(spatial ? "NllLoss2DBackward0" : "NllLossBackward0", {&input}, {&out},
                     {save(mask), save(total_weight)},
                     [r, class_dim, out_shape](const tensor_list& g, const tensor_list& s) {
                       Tensor gk;
                       if (r == kNone)
                         gk = g[0].reshape(out_shape).unsqueeze(class_dim);
                       else if (r == kSum)
                         gk = g[0];
                       else
                         gk = g[0] / s[1];
                       return tensor_list{-s[0] * gk};
                     });
  }
  return view_back ? out.view(target.sizes()) : out;
}

namespace {

// x / n recorded as ATen records a division by a Scalar (DivBackward1).
Tensor div_by_count(const Tensor& x, double n) {
  Tensor out;
  {
    NoGradGuard guard;
    out = x / n;
  }
  if (autograd::should_record({&x}))
    autograd::record(
        "DivBackward1", {&x}, {&out}, {},
        [n](const tensor_list& g, const tensor_list&) { return tensor_list{g[0] / n}; });
  return out;
}

// The weight viewed so that it broadcasts along the class dimension of an input of `dim` dims.
Tensor class_weight_view(const Tensor& w, int64_t dim, int64_t class_dim) {
  DimVector shape(static_cast<size_t>(dim), 1);
  shape[static_cast<size_t>(class_dim)] = w.size(0);
  return w.reshape(shape);
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  TG_CHECK(input.defined() && target.defined(), "cross_entropy: undefined input or target");
  TG_CHECK(input.dim() >= 1, "cross_entropy: Expected 1 or more dimensions (got ", input.dim(),
           ")");
  const double ls = o.label_smoothing();
  TG_CHECK(ls >= 0.0 && ls <= 1.0,
           "cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: ", ls);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t c = input.size(class_dim);
  const Tensor& w = o.weight();
  const Reduction r = o.reduction();
  if (input.sizes().equals(target.sizes())) {
    // Class probabilities as targets.
    TG_CHECK(
        target.is_floating_point(),
        "cross_entropy: Expected floating point type for target with class probabilities, got ",
        dtype_name(target.scalar_type()));
    TG_CHECK(o.ignore_index() < 0,
             "cross_entropy: ignore_index is not supported for floating point target");
    TG_CHECK(!w.defined() || (w.dim() == 1 && w.numel() == c),
             "cross_entropy: weight tensor should be defined either for all ", c,
             " classes or no classes but got weight tensor of shape: ",
             w.defined() ? w.sizes() : IntArrayRef());
    Tensor logp = tg::log_softmax(input, class_dim);
    Tensor t = ls > 0 ? target * (1 - ls) + ls / static_cast<double>(c) : target;
    Tensor prod = logp * t;
    if (w.defined()) prod = prod * class_weight_view(w, input.dim(), class_dim);
    switch (r) {
      case kNone:
        return -prod.sum({class_dim});
      case kSum:
        return -prod.sum();
      case kMean:
        // Integer division, as ATen divides numel by the class count.
        return div_by_count(-prod.sum(),
                            static_cast<double>(input.numel() / std::max<int64_t>(c, 1)));
    }
  }
  TG_CHECK(target.scalar_type() == kLong,
           "cross_entropy: expected class indices of dtype int64 as target, got ",
           dtype_name(target.scalar_type()), " (class probabilities need the input's shape)");
  Tensor logp = tg::log_softmax(input, class_dim);
  Tensor nll =
      nll_loss(logp, target, NLLLossFuncOptions(r).weight(w).ignore_index(o.ignore_index()));
  if (ls == 0) return nll;
  // Label smoothing mixes in the loss against the uniform distribution, with ignored targets
  // left out and, for the mean, the same normaliser as the nll term.
  Tensor ignore_mask = target == o.ignore_index();
  Tensor smooth = w.defined()
                      ? -(logp * class_weight_view(w, input.dim(), class_dim)).sum({class_dim})
                      : -logp.sum({class_dim});
  smooth = where(ignore_mask, zeros_like(smooth), smooth);
  Tensor ret;
  switch (r) {
    case kNone:
      ret = smooth;
      break;
    case kSum:
      ret = smooth.sum();
      break;
    case kMean: {
      Tensor denom;
      {
        NoGradGuard guard;
        Tensor kept = logical_not(ignore_mask);
        if (w.defined()) {
          Tensor safe = where(ignore_mask, zeros_like(target), target);
          Tensor per = (one_hot(safe, c).to(w.scalar_type()) * w).sum({-1});
          denom = where(kept, per, zeros_like(per)).sum();
        } else {
          denom = kept.sum();
        }
      }
      ret = smooth.sum() / denom;
      break;
    }
  }
  return (1 - ls) * nll + ret * (ls / static_cast<double>(c));
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
