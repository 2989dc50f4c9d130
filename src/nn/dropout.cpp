// Dropout1d/2d/3d, AlphaDropout and FeatureAlphaDropout as ATen's _dropout_impl computes them:
// the noise (one value per element, or per channel) is bernoulli_(1 - p) drawn into a fresh
// tensor of the input's dtype, then scaled; the input is multiplied by it (MulBackward0), and
// the alpha variants add an offset (AddBackward0).
#include "tensorgrad/nn/dropout.h"

#include <cmath>

#include "nn/repr.h"
#include "tensorgrad/autograd.h"

namespace tg::nn {

namespace functional {

namespace {

Tensor dropout_impl(const Tensor& x, double p, bool train, bool inplace, bool feature, bool alpha) {
  TG_CHECK(x.defined(), "dropout: undefined input");
  TG_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ",
           detail::py_float(p));
  if (p == 0 || !train || x.numel() == 0) return x;
  if (p == 1) {
    if (!inplace) return x * zeros({}, x.scalar_type());
    Tensor y = x;
    return y.mul_(zeros({}, x.scalar_type()));
  }
  Tensor noise, offset;
  {
    NoGradGuard guard;
    if (feature) {
      TG_CHECK(x.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
      std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
      shape[0] = x.size(0);
      shape[1] = x.size(1);
      noise = empty(shape, x.scalar_type());
    } else {
      noise = empty_like(x);
    }
    noise.bernoulli_(1 - p);
    if (alpha) {
      constexpr double kAlpha = 1.7580993408473766;
      const double a = 1. / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
      offset = noise.add(-1).mul_(kAlpha * a).add_(kAlpha * a * p);
      noise.mul_(a);
    } else {
      noise.div_(1 - p);
    }
  }
  if (!inplace) return alpha ? x * noise + offset : x * noise;
  Tensor y = x;
  y.mul_(noise);
  if (alpha) y.add_(offset);
  return y;
}

// Runs a channel dropout on an unbatched input as on a batch of one.
Tensor batched(const Tensor& x, bool unbatched, const DropoutFuncOptions& o) {
  if (!unbatched) return dropout_impl(x, o.p(), o.training(), o.inplace(), true, false);
  Tensor y = dropout_impl(x.unsqueeze(0), o.p(), o.training(), o.inplace(), true, false);
  return o.inplace() ? x : y.squeeze(0);
}

}  // namespace

Tensor dropout1d(const Tensor& input, const Dropout1dFuncOptions& o) {
  TG_CHECK(input.defined(), "dropout1d: undefined input");
  TG_CHECK(input.dim() == 2 || input.dim() == 3, "dropout1d: Expected 2D or 3D input, but ",
           "received a ", input.dim(), "D input. Note that dropout1d exists to provide channel-",
           "wise dropout on inputs with 1 spatial dimension, a channel dimension, and an ",
           "optional batch dimension (i.e. 2D or 3D inputs).");
  TG_CHECK(o.p() >= 0 && o.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
           detail::py_float(o.p()));
  return batched(input, input.dim() == 2, o);
}

Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& o) {
  TG_CHECK(input.defined(), "dropout2d: undefined input");
  TG_CHECK(o.p() >= 0 && o.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
           detail::py_float(o.p()));
  return batched(input, false, o);
}

Tensor dropout3d(const Tensor& input, const Dropout3dFuncOptions& o) {
  TG_CHECK(input.defined(), "dropout3d: undefined input");
  TG_CHECK(o.p() >= 0 && o.p() <= 1, "dropout probability has to be between 0 and 1, but got ",
           detail::py_float(o.p()));
  return batched(input, input.dim() == 4, o);
}

Tensor alpha_dropout(const Tensor& input, const AlphaDropoutFuncOptions& o) {
  return dropout_impl(input, o.p(), o.training(), o.inplace(), false, true);
}

Tensor feature_alpha_dropout(const Tensor& input, const FeatureAlphaDropoutFuncOptions& o) {
  return dropout_impl(input, o.p(), o.training(), o.inplace(), true, true);
}

}  // namespace functional

namespace {
std::string repr_of(const DropoutOptions& o) {
  return "p=" + detail::py_float(o.p()) + ", inplace=" + (o.inplace() ? "True" : "False");
}
void check_p(double p) {
  TG_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ",
           detail::py_float(p));
}
}  // namespace

#define TG_DEFINE_DROPOUT(Name, call, Func)                                                    \
  Name##Impl::Name##Impl(const DropoutOptions& o) : options(o) { check_p(o.p()); }             \
  Tensor Name##Impl::forward(const Tensor& input) {                                            \
    return functional::call(                                                                   \
        input,                                                                                 \
        functional::Func().p(options.p()).training(is_training()).inplace(options.inplace())); \
  }                                                                                            \
  std::string Name##Impl::extra_repr() const { return repr_of(options); }
TG_DEFINE_DROPOUT(Dropout1d, dropout1d, Dropout1dFuncOptions)
TG_DEFINE_DROPOUT(Dropout2d, dropout2d, Dropout2dFuncOptions)
TG_DEFINE_DROPOUT(Dropout3d, dropout3d, Dropout3dFuncOptions)
TG_DEFINE_DROPOUT(AlphaDropout, alpha_dropout, AlphaDropoutFuncOptions)
TG_DEFINE_DROPOUT(FeatureAlphaDropout, feature_alpha_dropout, FeatureAlphaDropoutFuncOptions)
#undef TG_DEFINE_DROPOUT

}  // namespace tg::nn
