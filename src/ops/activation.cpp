// The activations that are not one line of the elementwise lists: selu and relu6 (elu and
// hardtanh with fixed parameters, as in PyTorch, so their nodes are EluBackward0 and
// HardtanhBackward0), glu (halves along a dimension) and prelu (a learnt slope per channel).
#include "ops/internal.h"
#include "tensorgrad/autograd.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;

Tensor selu(const Tensor& x) {
  return elu(x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946);
}

Tensor relu6(const Tensor& x) { return hardtanh(x, 0, 6); }

Tensor glu(const Tensor& x, int64_t dim) {
  TG_CHECK(x.defined(), "glu: called on an undefined tensor");
  TG_CHECK(x.dim() > 0, "glu does not support scalars because halving size must be even");
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  TG_CHECK(d >= 0 && d < x.dim(), "Dimension out of range (expected to be in range of [", -x.dim(),
           ", ", x.dim() - 1, "], but got ", dim, ")");
  const int64_t n = x.size(d);
  TG_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  TG_CHECK(is_floating_point(x.scalar_type()), "\"glu_cpu\" not implemented for '", x.scalar_type(),
           "'");
  Tensor y;
  {
    NoGradGuard guard;
    y = x.narrow(d, 0, n / 2) * x.narrow(d, n / 2, n / 2).sigmoid();
  }
  if (autograd::should_record({&x}))
    autograd::record("GluBackward0", {&x}, {&y}, {save(x)},
                     [d, n](const tensor_list& g, const tensor_list& s) {
                       Tensor a = s[0].narrow(d, 0, n / 2);
                       Tensor sb = s[0].narrow(d, n / 2, n / 2).sigmoid();
                       Tensor ga = g[0] * sb;
                       Tensor gb = g[0] * a * sb * (1 - sb);
                       return tensor_list{cat({ga, gb}, d)};
                     });
  return y;
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  TG_CHECK(x.defined() && weight.defined(), "prelu: undefined tensor argument");
  TG_CHECK(weight.dim() <= 1,
           "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = ", weight.dim());
  TG_CHECK(is_floating_point(x.scalar_type()), "\"prelu_cpu\" not implemented for '",
           x.scalar_type(), "'");
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  const int64_t w_numel = weight.numel();
  TG_CHECK(w_numel == 1 || w_numel == channels,
           "Mismatch of parameter numbers and input channel size. Found parameter numbers = ",
           w_numel, " and channel size = ", channels, ".");
  // The slope as it broadcasts against x: one value, or one per channel along dim 1.
  DimVector wshape;
  if (w_numel != 1) {
    wshape.push_back(channels);
    for (int64_t k = 2; k < x.dim(); ++k) wshape.push_back(1);
  }
  Tensor y;
  {
    NoGradGuard guard;
    y = where(x > 0, x, weight.reshape(wshape) * x);
  }
  if (autograd::should_record({&x, &weight}))
    autograd::record("PreluBackward0", {&x, &weight}, {&y}, {save(x), save(weight)},
                     [wshape](const tensor_list& g, const tensor_list& s) {
                       const Tensor &v = s[0], &w = s[1];
                       Tensor positive = v > 0;
                       Tensor gx = where(positive, g[0], w.reshape(wshape) * g[0]);
                       Tensor gw = sum_to(where(positive, 0, v * g[0]), wshape).reshape(w.sizes());
                       return tensor_list{gx, gw};
                     });
  return y;
}

}  // namespace tg
