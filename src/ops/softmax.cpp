// softmax and log_softmax along a dim, computed stably (shifted by the max) with their own
// backward rules, which are cheaper and more accurate than differentiating the composition.
#include "autograd/function.h"
#include "ops/internal.h"

namespace tg {

using autograd::save_output;
using autograd::tensor_list;

namespace {
Tensor prepare(const Tensor& x, int64_t& d, std::optional<ScalarType> dtype, const char* op) {
  TG_CHECK(x.defined(), op, ": called on an undefined tensor");
  d = wrap_dim(d, x.dim(), op);
  Tensor in = dtype ? x.to(*dtype) : x;
  TG_CHECK(in.is_floating_point(), op, ": expected a floating point tensor, got ", dtype_name(in.scalar_type()));
  return in;
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t d, std::optional<ScalarType> dtype) {
  Tensor in = prepare(x, d, dtype, "softmax");
  Tensor y;
  {
    NoGradGuard guard;
    if (in.dim() == 0) {
      y = ones_like(in);
    } else {
      Tensor e = (in - in.amax({d}, true)).exp();
      y = e / e.sum({d}, true);
    }
  }
  if (autograd::should_record({&in}))
    autograd::record("SoftmaxBackward0", {&in}, {&y}, {save_output(y)}, [d](const tensor_list& g, const tensor_list& s) {
      const Tensor& y = s[0];
      if (y.dim() == 0) return tensor_list{zeros_like(g[0])};
      return tensor_list{y * (g[0] - (g[0] * y).sum({d}, true))};
    });
  return y;
}

Tensor log_softmax(const Tensor& x, int64_t d, std::optional<ScalarType> dtype) {
  Tensor in = prepare(x, d, dtype, "log_softmax");
  Tensor y;
  {
    NoGradGuard guard;
    if (in.dim() == 0) {
      y = zeros_like(in);
    } else {
      Tensor shifted = in - in.amax({d}, true);
      y = shifted - shifted.exp().sum({d}, true).log();
    }
  }
  if (autograd::should_record({&in}))
    autograd::record("LogSoftmaxBackward0", {&in}, {&y}, {save_output(y)}, [d](const tensor_list& g, const tensor_list& s) {
      const Tensor& y = s[0];
      if (y.dim() == 0) return tensor_list{zeros_like(g[0])};
      return tensor_list{g[0] - y.exp() * g[0].sum({d}, true)};
    });
  return y;
}

Tensor Tensor::softmax(int64_t d, std::optional<ScalarType> dtype) const { return tg::softmax(*this, d, dtype); }
Tensor Tensor::log_softmax(int64_t d, std::optional<ScalarType> dtype) const {
  return tg::log_softmax(*this, d, dtype);
}

}  // namespace tg
