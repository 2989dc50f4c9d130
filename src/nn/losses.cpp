// The losses and distances beyond the basic ones (nn/functional.cpp). They are composed from
// differentiable ops in the order ATen 1.13 composes them, so values, gradients and the grad_fn
// of the result follow PyTorch's; smooth_l1, huber and soft_margin record a node of their own
// (as PyTorch has) whose elementwise derivative is itself differentiable.
#include <cmath>

#include "kernels/loss.h"
#include "nn/loss_util.h"
#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/loss.h"

namespace tg::nn::functional {

using detail::record_loss;
using detail::reduce_loss;

namespace {

void check_pair(const Tensor& input, const Tensor& target, const char* op) {
  TG_CHECK(input.defined() && target.defined(), op, ": undefined input or target");
  infer_size(input.sizes(), target.sizes(), op);
}

// A norm along `dim` with the dimension kept, as a tensor of its own so that clamping it in place
// (below, without recording) leaves the norm's saved output untouched.
Tensor clamped_norm(const Tensor& x, int64_t dim, double eps) {
  Tensor n = x.norm(2, {dim}, true).clone();
  NoGradGuard guard;
  n.clamp_(eps);
  return n;
}

}  // namespace

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& o) {
  check_pair(input, target, "smooth_l1_loss");
  const double beta = o.beta();
  TG_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta.");
  Tensor out;
  {
    NoGradGuard guard;
    Tensor z = (input - target).abs();
    out = reduce_loss(beta == 0 ? z : where(z < beta, z * z * 0.5 / beta, z - 0.5 * beta),
                      o.reduction());
  }
  record_loss("SmoothL1LossBackward0", input, target, out, o.reduction(),
              [beta](const Tensor& x, const Tensor& y) {
                Tensor d = x - y;
                Tensor gi = beta == 0 ? d.sign() : (d / beta).clamp(-1, 1);
                return std::make_pair(gi, -gi);
              });
  return out;
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& o) {
  check_pair(input, target, "huber_loss");
  const double delta = o.delta();
  TG_CHECK(delta > 0, "huber_loss does not support non-positive values for delta.");
  Tensor out;
  {
    NoGradGuard guard;
    Tensor z = (input - target).abs();
    out = reduce_loss(where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta), o.reduction());
  }
  record_loss("HuberLossBackward0", input, target, out, o.reduction(),
              [delta](const Tensor& x, const Tensor& y) {
                Tensor gi = (x - y).clamp(-delta, delta);
                return std::make_pair(gi, -gi);
              });
  return out;
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target,
                        const SoftMarginLossFuncOptions& o) {
  check_pair(input, target, "soft_margin_loss");
  Tensor out;
  {
    NoGradGuard guard;
    out = reduce_loss((-input * target).exp().log1p(), o.reduction());
  }
  // PyTorch differentiates only the input: -y e^{-xy} / (1 + e^{-xy}).
  record_loss("SoftMarginLossBackward0", input, target, out, o.reduction(),
              [](const Tensor& x, const Tensor& y) {
                Tensor z = (-x * y).exp();
                return std::make_pair(-y * z / (z + 1), Tensor());
              });
  return out;
}

Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                   const MultilabelSoftMarginLossFuncOptions& o) {
  check_pair(input, target, "multilabel_soft_margin_loss");
  TG_CHECK(input.dim() >= 1, "multilabel_soft_margin_loss: expected input with a class dimension");
  Tensor loss = -(target * tg::log_sigmoid(input) + (1 - target) * tg::log_sigmoid(-input));
  if (o.weight().defined()) loss = loss * o.weight();
  const int64_t class_dim = input.dim() - 1;
  loss = loss.sum({class_dim}) / input.size(class_dim);
  return reduce_loss(loss, o.reduction());
}

namespace {

// The gradient arriving at a per-row loss of shape [N] (or [] for one row) as a column [N, 1],
// divided by N for the mean.
Tensor row_loss_grad(const Tensor& g, Reduction r, int64_t n) {
  if (r == kNone) return g.reshape({-1, 1});
  return r == kMean ? g / static_cast<double>(n) : g;
}

Tensor reduce_rows(const Tensor& per_row, Reduction r, bool one_row) {
  if (r == kNone) return one_row ? per_row.reshape({}) : per_row;
  return reduce_loss(per_row, r);
}

}  // namespace

Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginLossFuncOptions& o) {
  TG_CHECK(input.defined() && target.defined(), "multi_margin_loss: undefined input or target");
  TG_CHECK((input.dim() == 1 && input.numel() > 0) || (input.dim() == 2 && input.size(1) > 0),
           "multi_margin_loss: Expected non-empty vector or matrix with optional 0-dim batch "
           "size, but got: ",
           input.sizes());
  TG_CHECK(o.p() == 1 || o.p() == 2, "multi_margin_loss: only p == 1 and p == 2 supported");
  TG_CHECK(target.scalar_type() == kLong, "multi_margin_loss: expected scalar type Long but found ",
           dtype_name(target.scalar_type()));
  const bool one_row = input.dim() == 1;
  const int64_t n = one_row ? 1 : input.size(0), c = input.size(-1);
  TG_CHECK(target.dim() <= 1 && target.numel() == n,
           "multi_margin_loss: inconsistent target size, got: ", target.sizes());
  const Tensor& w = o.weight();
  TG_CHECK(!w.defined() || (w.dim() == 1 && w.numel() == c),
           "multi_margin_loss: inconsistent weight size, expected ", c, " but got ",
           w.defined() ? w.sizes() : IntArrayRef());
  Tensor t = target.reshape({n});
  {
    NoGradGuard guard;
    TG_CHECK(n == 0 || (t.min().item<int64_t>() >= 0 && t.max().item<int64_t>() < c),
             "multi_margin_loss: target out of range");
  }
  const Tensor x = input.reshape({n, c});
  // mask: 1 at each row's target class; scale: the row's class weight over C.
  Tensor mask, scale;
  {
    NoGradGuard guard;
    mask = one_hot(t, c).to(input.scalar_type());
    scale = w.defined() ? (mask * w.to(input.scalar_type())).sum({1}, true) / static_cast<double>(c)
                        : full({n, 1}, 1.0 / static_cast<double>(c), input.scalar_type());
  }
  const double margin = o.margin();
  const int64_t p = o.p();
  // z[i, k] = margin - x[i, y_i] + x[i, k], counted for k != y_i where positive.
  auto margins = [mask, margin](const Tensor& xs) {
    return (xs - (xs * mask).sum({1}, true)) + margin;
  };
  Tensor out;
  {
    NoGradGuard guard;
    Tensor h = margins(x).relu();
    if (p == 2) h = h * h;
    out = reduce_rows((h * (1 - mask) * scale).sum({1}), o.reduction(), one_row);
  }
  if (autograd::should_record({&input})) {
    const Reduction r = o.reduction();
    const DimVector shape(input.sizes());
    autograd::record("MultiMarginLossBackward0", {&input}, {&out},
                     {autograd::save(input), autograd::save(mask), autograd::save(scale)},
                     [r, n, c, p, margin, shape](const autograd::tensor_list& g,
                                                 const autograd::tensor_list& s) {
                       const Tensor& mask = s[1];
                       Tensor xs = s[0].reshape({n, c});
                       Tensor z = (xs - (xs * mask).sum({1}, true)) + margin;
                       Tensor dz = p == 1 ? (z > 0).to(xs.scalar_type()) : z.relu() * 2;
                       Tensor gz = dz * (1 - mask) * s[2];
                       Tensor gx = (gz - mask * gz.sum({1}, true)) * row_loss_grad(g[0], r, n);
                       return autograd::tensor_list{gx.reshape(shape)};
                     });
  }
  return out;
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                              const MultilabelMarginLossFuncOptions& o) {
  TG_CHECK(input.defined() && target.defined(),
           "multilabel_margin_loss: undefined input or target");
  TG_CHECK((input.dim() == 1 && input.numel() > 0) || (input.dim() == 2 && input.size(1) > 0),
           "multilabel_margin_loss: Expected non-empty vector or matrix with optional 0-dim "
           "batch size, but got: ",
           input.sizes());
  TG_CHECK(target.scalar_type() == kLong,
           "multilabel_margin_loss: expected scalar type Long but found ",
           dtype_name(target.scalar_type()));
  TG_CHECK(target.sizes().equals(input.sizes()), "multilabel_margin_loss: inconsistent size ",
           target.sizes(), " for argument #2 'target'");
  const bool one_row = input.dim() == 1;
  const int64_t n = one_row ? 1 : input.size(0), c = input.size(-1);
  // pair[i, j, k] weighs the hinge max(0, 1 - (x[i, j] - x[i, k])): the number of times class j
  // is listed for row i, for each class k that is not listed, over C.
  Tensor pair;
  {
    NoGradGuard guard;
    Tensor counts = zeros({n, c}, kDouble), listed = zeros({n, c}, kDouble);
    kernels::multilabel_margin_counts(counts, listed, target.reshape({n, c}).contiguous());
    pair = (counts.unsqueeze(2) * (1 - listed).unsqueeze(1) / static_cast<double>(c))
               .to(input.scalar_type());
  }
  auto hinge = [](const Tensor& xs) { return 1 - xs.unsqueeze(2) + xs.unsqueeze(1); };
  Tensor out;
  {
    NoGradGuard guard;
    Tensor xs = input.reshape({n, c});
    out = reduce_rows((hinge(xs).relu() * pair).sum({1, 2}), o.reduction(), one_row);
  }
  if (autograd::should_record({&input})) {
    const Reduction r = o.reduction();
    const DimVector shape(input.sizes());
    autograd::record(
        "MultilabelMarginLossBackward0", {&input}, {&out},
        {autograd::save(input), autograd::save(pair)},
        [r, n, c, shape, hinge](const autograd::tensor_list& g, const autograd::tensor_list& s) {
          Tensor xs = s[0].reshape({n, c});
          Tensor a = (hinge(xs) > 0).to(xs.scalar_type()) * s[1];
          // d/dx[i, k] of the hinge is -1 where k is the listed class j, +1 where it is the
          // other one.
          Tensor gx = (a.sum({1}) - a.sum({2})) * row_loss_grad(g[0], r, n);
          return autograd::tensor_list{gx.reshape(shape)};
        });
  }
  return out;
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& o) {
  check_pair(input, target, "kl_div");
  TG_CHECK(input.is_floating_point() && target.is_floating_point(),
           "kl_div: Integral inputs not supported.");
  Tensor out;
  if (o.log_target()) {
    out = target.exp() * (target - input);
  } else {
    // xlogy(target, target): 0 where the target is 0.
    out = where(target == 0, zeros_like(target), target * target.log()) - target * input;
  }
  if (o.reduction().is_batchmean()) {
    Tensor summed = out.sum();
    return input.dim() == 0 ? summed : summed / input.size(0);
  }
  return reduce_loss(out, o.reduction().reduction());
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossFuncOptions& o) {
  TG_CHECK(input1.defined() && input2.defined() && target.defined(),
           "margin_ranking_loss: undefined input or target");
  TG_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
           "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
           "input1: ",
           input1.sizes(), ", input2: ", input2.sizes(), ", target: ", target.sizes(), " ");
  return reduce_loss((-target * (input1 - input2) + o.margin()).clamp_min(0), o.reduction());
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target,
                            const HingeEmbeddingLossFuncOptions& o) {
  check_pair(input, target, "hinge_embedding_loss");
  Tensor zeros = zeros_like(input);
  Tensor margin_clamp = (o.margin() - input).clamp_min(0);
  Tensor output_margin = where(target != 1, margin_clamp, zeros);
  Tensor output_self = where(target != -1, input, zeros);
  return reduce_loss(output_margin + output_self, o.reduction());
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossFuncOptions& o) {
  TG_CHECK(input1.defined() && input2.defined() && target.defined(),
           "cosine_embedding_loss: undefined input or target");
  const int64_t targ_dim = target.dim();
  TG_CHECK(targ_dim == 1 || targ_dim == 0,
           "0D or 1D target tensor expected, multi-target not supported");
  if (targ_dim == 1) {
    TG_CHECK(input1.dim() == 2 && input2.dim() == 2,
             "1D target tensor expects 2D input tensors, but found inputs with sizes ",
             input1.sizes(), " and ", input2.sizes(), ".");
  } else {
    TG_CHECK(input1.dim() == 1 && input2.dim() == 1,
             "0D target tensor expects 1D input tensors, but found inputs with sizes ",
             input1.sizes(), " and ", input2.sizes(), ".");
  }
  // ATen's EPSILON keeps the denominator away from zero for all-zero rows.
  constexpr double kEpsilon = 1e-12;
  Tensor prod_sum = (input1 * input2).sum({targ_dim});
  Tensor mag_square1 = (input1 * input1).sum({targ_dim}) + kEpsilon;
  Tensor mag_square2 = (input2 * input2).sum({targ_dim}) + kEpsilon;
  Tensor cos = prod_sum / (mag_square1 * mag_square2).sqrt();
  Tensor zeros = zeros_like(cos);
  Tensor pos = 1 - cos;
  Tensor neg = (cos - o.margin()).clamp_min(0);
  Tensor output = where(target == 1, pos, zeros) + where(target == -1, neg, zeros);
  return reduce_loss(output, o.reduction());
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& o) {
  TG_CHECK(x1.defined() && x2.defined(), "pairwise_distance: undefined input");
  const int64_t output_dim = std::max(x1.dim(), x2.dim());
  TG_CHECK(output_dim >= 1, "pairwise_distance: expected inputs with at least one dimension");
  return (x1 - x2 + o.eps()).norm(o.p(), {output_dim - 1}, o.keepdim());
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginLossFuncOptions& o) {
  TG_CHECK(anchor.defined() && positive.defined() && negative.defined(),
           "triplet_margin_loss: undefined input");
  TG_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(),
           "All inputs should have same dimension but got ", anchor.dim(), "D, ", positive.dim(),
           "D and ", negative.dim(), "D inputs.");
  auto dist = PairwiseDistanceFuncOptions().p(o.p()).eps(o.eps());
  Tensor dist_pos = pairwise_distance(anchor, positive, dist);
  Tensor dist_neg = pairwise_distance(anchor, negative, dist);
  if (o.swap()) dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, dist));
  return reduce_loss((dist_pos - dist_neg + o.margin()).clamp_min(0), o.reduction());
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target,
                        const PoissonNLLLossFuncOptions& o) {
  check_pair(input, target, "poisson_nll_loss");
  Tensor loss =
      o.log_input() ? input.exp() - target * input : input - target * (input + o.eps()).log();
  if (o.full()) {
    // Stirling's approximation of log(target!), counted only for targets above 1.
    Tensor stirling = target * target.log() - target + (target * (2 * M_PI)).log() * 0.5;
    loss = loss + where(target <= 1, zeros_like(stirling), stirling);
  }
  return reduce_loss(loss, o.reduction());
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& o) {
  TG_CHECK(x1.defined() && x2.defined(), "cosine_similarity: undefined input");
  const ScalarType common = result_type(x1, x2);
  TG_CHECK(is_floating_point(common),
           "expected common dtype to be floating point, yet common dtype is ", dtype_name(common));
  const DimVector shape = infer_size(x1.sizes(), x2.sizes(), "cosine_similarity");
  Tensor a = x1.to(common).expand(shape), b = x2.to(common).expand(shape);
  // Each input is divided by its own (clamped) norm before the product, as ATen does, so that
  // large norms cannot overflow and the result stays within [-1, 1].
  return ((a / clamped_norm(a, o.dim(), o.eps())) * (b / clamped_norm(b, o.dim(), o.eps())))
      .sum({o.dim()});
}

Tensor normalize(const Tensor& input, NormalizeFuncOptions o) {
  TG_CHECK(input.defined(), "normalize: undefined input");
  return input / input.norm(o.p(), {o.dim()}, true).clamp_min(o.eps()).expand_as(input);
}

Tensor one_hot(const Tensor& tensor, int64_t num_classes) {
  TG_CHECK(tensor.defined() && tensor.scalar_type() == kLong,
           "one_hot is only applicable to index tensor.");
  NoGradGuard guard;
  if (tensor.numel() == 0) {
    TG_CHECK(num_classes > 0, "Can not infer total number of classes from empty tensor.");
  } else {
    TG_CHECK(tensor.min().item<int64_t>() >= 0, "Class values must be non-negative.");
    const int64_t top = tensor.max().item<int64_t>();
    if (num_classes == -1) {
      num_classes = top + 1;
    } else {
      TG_CHECK(top < num_classes, "Class values must be smaller than num_classes.");
    }
  }
  return (tensor.unsqueeze(-1) == arange(num_classes, kLong)).to(kLong);
}

}  // namespace tg::nn::functional

namespace tg::nn {
namespace F = functional;
#define TG_DEFINE_LOSS_FORWARD(Name, fn)                                  \
  Tensor Name##Impl::forward(const Tensor& input, const Tensor& target) { \
    return F::fn(input, target, options);                                 \
  }
TG_DEFINE_LOSS_FORWARD(SmoothL1Loss, smooth_l1_loss)
TG_DEFINE_LOSS_FORWARD(HuberLoss, huber_loss)
TG_DEFINE_LOSS_FORWARD(SoftMarginLoss, soft_margin_loss)
TG_DEFINE_LOSS_FORWARD(MultiLabelSoftMarginLoss, multilabel_soft_margin_loss)
TG_DEFINE_LOSS_FORWARD(KLDivLoss, kl_div)
TG_DEFINE_LOSS_FORWARD(HingeEmbeddingLoss, hinge_embedding_loss)
TG_DEFINE_LOSS_FORWARD(PoissonNLLLoss, poisson_nll_loss)
TG_DEFINE_LOSS_FORWARD(MultiMarginLoss, multi_margin_loss)
TG_DEFINE_LOSS_FORWARD(MultiLabelMarginLoss, multilabel_margin_loss)
#undef TG_DEFINE_LOSS_FORWARD

Tensor MarginRankingLossImpl::forward(const Tensor& input1, const Tensor& input2,
                                      const Tensor& target) {
  return F::margin_ranking_loss(input1, input2, target, options);
}
Tensor CosineEmbeddingLossImpl::forward(const Tensor& input1, const Tensor& input2,
                                        const Tensor& target) {
  return F::cosine_embedding_loss(input1, input2, target, options);
}
Tensor TripletMarginLossImpl::forward(const Tensor& anchor, const Tensor& positive,
                                      const Tensor& negative) {
  return F::triplet_margin_loss(anchor, positive, negative, options);
}
Tensor CosineSimilarityImpl::forward(const Tensor& input1, const Tensor& input2) {
  return F::cosine_similarity(input1, input2, options);
}
Tensor PairwiseDistanceImpl::forward(const Tensor& input1, const Tensor& input2) {
  return F::pairwise_distance(input1, input2, options);
}
}  // namespace tg::nn
