// Normalization ops, functional forms and modules. Batch, layer and group norm compute their
// statistics and outputs in fused kernels (src/kernels/normalization.cpp) and record PyTorch's
// nodes (NativeBatchNormBackward0, NativeLayerNormBackward0, NativeGroupNormBackward0).
#include "tensorgrad/nn/normalization.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "autograd/function.h"
#include "kernels/normalization.h"
#include "nn/repr.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/pooling.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;

namespace {

std::vector<double> to_doubles(const Tensor& t) {
  Tensor d = t.to(kDouble).contiguous();
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

Tensor from_doubles(const std::vector<double>& v, IntArrayRef shape, ScalarType dt) {
  Tensor t = make_empty({static_cast<int64_t>(v.size())}, kDouble);
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t.to(dt).reshape(shape);
}

void check_features(const char* what, int64_t expected, const Tensor& t) {
  TG_CHECK(t.numel() == expected, "batch_norm: ", what, " should contain ", expected,
           " elements not ", t.numel());
}

// Input viewed as [N, C, L] for the per-channel formulas of the second derivative.
Tensor as_ncl(const Tensor& t, int64_t n, int64_t c) { return t.reshape({n, c, -1}); }

// A running statistic as the batch-norm nodes save it: only in evaluation, where the backward
// reads it. In training the backward uses the batch statistics, and saving the running ones would
// make the next forward's in-place update fail this graph's version check.
autograd::ToSave save_running_stat(const Tensor& stat, bool training) {
  return save(training ? Tensor() : stat);
}

// The gradients of native_batch_norm_backward's outputs (grad_input, grad_weight, grad_bias) with
// respect to its inputs (grad_out, input, weight), written with differentiable ops; in training the
// statistics are recomputed from the input so that they are differentiated too.
tensor_list batch_norm_double_backward(const tensor_list& gg, const Tensor& gy_in,
                                       const Tensor& x_in, const Tensor& w, const Tensor& rmean,
                                       const Tensor& rvar, bool train, double eps) {
  const int64_t n = x_in.size(0), c = x_in.size(1);
  const DimVector shape(x_in.sizes());
  Tensor x = as_ncl(x_in, n, c), gy = as_ncl(gy_in, n, c);
  const double m = static_cast<double>(x.numel() / std::max<int64_t>(c, 1));
  const std::vector<int64_t> red{0, 2};
  auto mean_ = [&](const Tensor& t) { return t.mean(red, true); };
  Tensor mu, s;
  if (train) {
    mu = mean_(x);
    s = (mean_((x - mu) * (x - mu)) + eps).pow(-0.5);
  } else {
    mu = rmean.reshape({1, c, 1});
    s = (rvar.reshape({1, c, 1}) + eps).pow(-0.5);
  }
  Tensor xh = (x - mu) * s;
  Tensor w3 = w.defined() ? w.reshape({1, c, 1}) : Tensor();
  Tensor ggx = gg[0].defined() ? as_ncl(gg[0], n, c) : Tensor();
  Tensor ggw = gg.size() > 1 && gg[1].defined() ? gg[1].reshape({1, c, 1}) : Tensor();
  Tensor ggb = gg.size() > 2 && gg[2].defined() ? gg[2].reshape({1, c, 1}) : Tensor();
  Tensor h = w3.defined() ? gy * w3 : gy;
  Tensor g_gy, g_x, g_w;
  if (train) {
    if (ggx.defined()) {
      Tensor p = s * (ggx - mean_(ggx) - xh * mean_(ggx * xh));
      g_gy = w3.defined() ? p * w3 : p;
      if (w.defined()) g_w = (ggx * s * (gy - mean_(gy) - xh * mean_(gy * xh))).sum(red);
      Tensor hx = mean_(h * xh);
      Tensor big_g = -s * (ggx * hx + h * mean_(ggx * xh));
      if (ggw.defined()) big_g = big_g + ggw * gy;
      Tensor l_s = (ggx * (h - mean_(h) - xh * hx)).sum(red, true);
      g_x = s * (big_g - mean_(big_g) - xh * mean_(big_g * xh)) - l_s * s * s * xh / m;
    } else if (ggw.defined()) {
      Tensor big_g = ggw * gy;
      g_x = s * (big_g - mean_(big_g) - xh * mean_(big_g * xh));
    }
  } else {
    if (ggx.defined()) {
      g_gy = w3.defined() ? ggx * s * w3 : ggx * s;
      if (w.defined()) g_w = (ggx * s * gy).sum(red);
    }
    if (ggw.defined()) g_x = ggw * gy * s;
  }
  if (ggw.defined()) g_gy = g_gy.defined() ? g_gy + ggw * xh : ggw * xh;
  if (ggb.defined()) g_gy = g_gy.defined() ? g_gy + ggb : ggb.expand(gy.sizes());
  return tensor_list{g_gy.defined() ? g_gy.reshape(shape) : Tensor(),
                     g_x.defined() ? g_x.reshape(shape) : Tensor(), g_w};
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& input, const Tensor& weight,
                                                     const Tensor& bias, const Tensor& running_mean,
                                                     const Tensor& running_var, bool training,
                                                     double momentum, double eps) {
  TG_CHECK(input.defined(), "batch_norm: undefined input");
  TG_CHECK(input.dim() >= 2, "batch_norm: Expected at least 2 dimensions for input (got ",
           input.dim(), "D input of size ", input.sizes(), ")");
  TG_CHECK(is_floating_point(input.scalar_type()),
           "batch_norm: \"batch_norm\" not implemented for '", input.scalar_type(), "'");
  const int64_t n = input.size(0), c = input.size(1);
  const int64_t inner = n * c > 0 ? input.numel() / (n * c) : 0;
  if (running_mean.defined())
    check_features("running_mean", c, running_mean);
  else
    TG_CHECK(training, "batch_norm: running_mean must be defined in evaluation mode");
  if (running_var.defined())
    check_features("running_var", c, running_var);
  else
    TG_CHECK(training, "batch_norm: running_var must be defined in evaluation mode");
  if (weight.defined()) check_features("weight", c, weight);
  if (bias.defined()) check_features("bias", c, bias);
  const ScalarType dt = input.scalar_type();
  Tensor x = input.contiguous();
  std::vector<double> mean(static_cast<size_t>(c)), invstd(static_cast<size_t>(c));
  if (training) {
    std::vector<double> var_sum(static_cast<size_t>(c));
    kernels::channel_moments(x, n, c, inner, mean.data(), var_sum.data());
    const double count = static_cast<double>(n * inner);
    for (size_t k = 0; k < mean.size(); ++k) invstd[k] = 1.0 / std::sqrt(var_sum[k] / count + eps);
    if (running_mean.defined() || running_var.defined()) {
      NoGradGuard guard;
      if (running_mean.defined()) {
        std::vector<double> rm = to_doubles(running_mean);
        for (size_t k = 0; k < rm.size(); ++k) rm[k] = momentum * mean[k] + (1 - momentum) * rm[k];
        Tensor(running_mean)
            .copy_(from_doubles(rm, running_mean.sizes(), running_mean.scalar_type()));
      }
      if (running_var.defined()) {
        std::vector<double> rv = to_doubles(running_var);
        for (size_t k = 0; k < rv.size(); ++k)
          rv[k] = momentum * var_sum[k] / (count - 1) + (1 - momentum) * rv[k];
        Tensor(running_var).copy_(from_doubles(rv, running_var.sizes(), running_var.scalar_type()));
      }
    }
    // The saved statistics are rounded to the dtype, and the output formed from the rounded ones.
    for (size_t k = 0; k < mean.size(); ++k) {
      if (dt == kFloat) invstd[k] = static_cast<float>(invstd[k]);
    }
  } else {
    mean = to_doubles(running_mean);
    std::vector<double> rv = to_doubles(running_var);
    for (size_t k = 0; k < rv.size(); ++k) {
      if (dt == kFloat) {
        invstd[k] = 1.0f / std::sqrt(static_cast<float>(rv[k]) + static_cast<float>(eps));
      } else {
        invstd[k] = 1.0 / std::sqrt(rv[k] + eps);
      }
    }
  }
  std::vector<double> alpha(static_cast<size_t>(c)), beta(static_cast<size_t>(c));
  {
    const std::vector<double> w = weight.defined() ? to_doubles(weight) : std::vector<double>();
    const std::vector<double> b = bias.defined() ? to_doubles(bias) : std::vector<double>();
    for (size_t k = 0; k < alpha.size(); ++k) {
      const double wk = w.empty() ? 1.0 : w[k], bk = b.empty() ? 0.0 : b[k];
      if (dt == kFloat) {
        const float a = static_cast<float>(invstd[k]) * static_cast<float>(wk);
        alpha[k] = a;
        beta[k] = static_cast<float>(bk) - static_cast<float>(mean[k]) * a;
      } else {
        alpha[k] = invstd[k] * wk;
        beta[k] = bk - mean[k] * alpha[k];
      }
    }
  }
  Tensor out = make_empty(input.sizes(), dt);
  kernels::channel_affine(out, x, n, c, inner, alpha.data(), beta.data());
  Tensor save_mean = training ? from_doubles(mean, {c}, dt) : make_empty({0}, dt);
  Tensor save_invstd = training ? from_doubles(invstd, {c}, dt) : make_empty({0}, dt);
  if (autograd::should_record({&input, &weight, &bias})) {
    autograd::record("NativeBatchNormBackward0", {&input, &weight, &bias}, {&out},
                     {save(input), save(weight), save_running_stat(running_mean, training),
                      save_running_stat(running_var, training), save(save_mean), save(save_invstd)},
                     [training, eps](const tensor_list& g, const tensor_list& s) {
                       auto [gx, gw, gb] = native_batch_norm_backward(g[0], s[0], s[1], s[2], s[3],
                                                                      s[4], s[5], training, eps);
                       return tensor_list{gx, gw, gb};
                     });
  }
  return {out, save_mean, save_invstd};
}

std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(
    const Tensor& grad_out, const Tensor& input, const Tensor& weight, const Tensor& running_mean,
    const Tensor& running_var, const Tensor& save_mean, const Tensor& save_invstd, bool train,
    double eps) {
  const int64_t n = input.size(0), c = input.size(1);
  const int64_t inner = n * c > 0 ? input.numel() / (n * c) : 0;
  const ScalarType dt = input.scalar_type();
  Tensor x = input.contiguous();
  Tensor gy = cast_to(grad_out, dt).contiguous();
  std::vector<double> mean, invstd;
  if (train) {
    mean = to_doubles(save_mean);
    invstd = to_doubles(save_invstd);
  } else {
    mean = to_doubles(running_mean);
    invstd = to_doubles(running_var);
    for (double& v : invstd)
      v = dt == kFloat ? 1.0f / std::sqrt(static_cast<float>(v) + static_cast<float>(eps))
                       : 1.0 / std::sqrt(v + eps);
  }
  std::vector<double> sum(static_cast<size_t>(c)), dot(static_cast<size_t>(c));
  kernels::channel_grad_sums(gy, x, n, c, inner, mean.data(), sum.data(), dot.data());
  const std::vector<double> w = weight.defined() ? to_doubles(weight) : std::vector<double>();
  const double count = static_cast<double>(n * inner);
  // grad_input = gy * a + x * b + d per channel: in training (gy - sum / count - (x - mean) * k)
  // * invstd * w with k = dot * invstd^2 / count; in evaluation gy * invstd * w.
  std::vector<double> a(static_cast<size_t>(c)), b(static_cast<size_t>(c), 0.0),
      d(static_cast<size_t>(c), 0.0);
  for (size_t k = 0; k < a.size(); ++k) {
    a[k] = invstd[k] * (w.empty() ? 1.0 : w[k]);
    if (train) {
      const double kk = dot[k] * invstd[k] * invstd[k] / count;
      b[k] = -kk * a[k];
      d[k] = (mean[k] * kk - sum[k] / count) * a[k];
    }
  }
  Tensor gx = make_empty(input.sizes(), dt);
  kernels::channel_linear2(gx, gy, x, n, c, inner, a.data(), b.data(), d.data());
  Tensor gw, gb;
  if (weight.defined()) {
    std::vector<double> gwv(static_cast<size_t>(c));
    for (size_t k = 0; k < gwv.size(); ++k) gwv[k] = dot[k] * invstd[k];
    gw = from_doubles(gwv, {c}, weight.scalar_type());
    gb = from_doubles(sum, {c}, weight.scalar_type());
  }
  if (autograd::should_record({&grad_out, &input, &weight})) {
    std::vector<Tensor> outs{gx};
    if (gw.defined()) {
      outs.push_back(gw);
      outs.push_back(gb);
    }
    autograd::record(
        "NativeBatchNormBackwardBackward0", {&grad_out, &input, &weight}, outs,
        {save(grad_out), save(input), save(weight), save_running_stat(running_mean, train),
         save_running_stat(running_var, train)},
        [train, eps](const tensor_list& g, const tensor_list& s) {
          return batch_norm_double_backward(g, s[0], s[1], s[2], s[3], s[4], train, eps);
        });
    gx = outs[0];
    if (gw.defined()) {
      gw = outs[1];
      gb = outs[2];
    }
  }
  return {gx, gw, gb};
}

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps, bool /*cudnn_enabled*/) {
  return std::get<0>(
      native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps));
}

Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& running_mean, const Tensor& running_var, bool use_input_stats,
                     double momentum, double eps, bool cudnn_enabled) {
  TG_CHECK(use_input_stats || (running_mean.defined() && running_var.defined()),
           "instance_norm: Expected running_mean and running_var to be defined when "
           "use_input_stats is false");
  TG_CHECK(input.defined() && input.dim() >= 2,
           "instance_norm: Expected at least 2 dimensions for input");
  const int64_t b = input.size(0), c = input.size(1);
  DimVector shape(input.sizes());
  shape[0] = 1;
  shape[1] = b * c;
  auto repeat = [b](const Tensor& t) { return t.defined() ? t.repeat({b}) : Tensor(); };
  Tensor rm = repeat(running_mean), rv = repeat(running_var);
  Tensor out = batch_norm(input.contiguous().view(shape), repeat(weight), repeat(bias), rm, rv,
                          use_input_stats, momentum, eps, cudnn_enabled);
  {
    NoGradGuard guard;
    if (running_mean.defined()) Tensor(running_mean).copy_(rm.view({b, c}).mean({0}, false));
    if (running_var.defined()) Tensor(running_var).copy_(rv.view({b, c}).mean({0}, false));
  }
  return out.view(input.sizes());
}

namespace {

// The gradients of layer or group norm with differentiable ops: x viewed with the normalized
// elements along `red` (statistics recomputed from x, so that gradients of these gradients are
// right), the weight broadcast in that view and summed back over `wred`.
tensor_list normalized_backward(const Tensor& gy, const Tensor& x, const Tensor& w, IntArrayRef red,
                                IntArrayRef wred, double eps, IntArrayRef w_shape) {
  Tensor mu = x.mean(red, true);
  Tensor xc = x - mu;
  Tensor s = ((xc * xc).mean(red, true) + eps).pow(-0.5);
  Tensor xh = xc * s;
  Tensor h = w.defined() ? gy * w : gy;
  Tensor gx = s * (h - h.mean(red, true) - xh * (h * xh).mean(red, true));
  Tensor gw, gb;
  if (w.defined()) {
    gw = (gy * xh).sum(wred).reshape(w_shape);
    gb = gy.sum(wred).reshape(w_shape);
  }
  return tensor_list{gx, gw, gb};
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> native_layer_norm(const Tensor& input,
                                                     IntArrayRef normalized_shape,
                                                     const Tensor& weight, const Tensor& bias,
                                                     double eps) {
  TG_CHECK(input.defined(), "layer_norm: undefined input");
  const int64_t nd = static_cast<int64_t>(normalized_shape.size());
  TG_CHECK(nd >= 1,
           "layer_norm: Expected normalized_shape to be at least 1-dimensional, i.e., containing "
           "at least one element, but got normalized_shape = ",
           normalized_shape);
  TG_CHECK(!weight.defined() || weight.sizes().equals(normalized_shape),
           "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight "
           "of shape ",
           weight.sizes(), " and normalized_shape = ", normalized_shape);
  TG_CHECK(!bias.defined() || bias.sizes().equals(normalized_shape),
           "layer_norm: Expected bias to be of same shape as normalized_shape, but got bias of "
           "shape ",
           bias.sizes(), " and normalized_shape = ", normalized_shape);
  const int64_t dim = input.dim();
  if (dim < nd || !input.sizes()
                       .slice(static_cast<size_t>(dim - nd), static_cast<size_t>(nd))
                       .equals(normalized_shape)) {
    std::ostringstream ss;
    ss << "layer_norm: Given normalized_shape=" << normalized_shape
       << ", expected input with shape [*";
    for (int64_t v : normalized_shape) ss << ", " << v;
    ss << "], but got input of size" << input.sizes();
    throw Error(ss.str());
  }
  TG_CHECK(is_floating_point(input.scalar_type()),
           "layer_norm: \"LayerNormKernelImpl\" not implemented for '", input.scalar_type(), "'");
  const ScalarType dt = input.scalar_type();
  const int64_t cols = numel_of(normalized_shape);
  const int64_t rows = cols > 0 ? input.numel() / cols : 0;
  Tensor x = input.contiguous();
  std::vector<double> mean(static_cast<size_t>(rows)), rstd(static_cast<size_t>(rows));
  kernels::channel_moments(x, 1, rows, cols, mean.data(), rstd.data());
  for (size_t r = 0; r < rstd.size(); ++r) {
    rstd[r] = 1.0 / std::sqrt(std::max(rstd[r] / static_cast<double>(cols), 0.0) + eps);
    if (dt == kFloat) rstd[r] = static_cast<float>(rstd[r]);
  }
  Tensor out = make_empty(input.sizes(), dt);
  kernels::row_normalize(out, x, rows, cols, mean.data(), rstd.data(),
                         weight.defined() ? cast_to(weight, dt).contiguous() : Tensor(),
                         bias.defined() ? cast_to(bias, dt).contiguous() : Tensor());
  DimVector stat_shape(input.sizes());
  for (int64_t i = dim - nd; i < dim; ++i) stat_shape[static_cast<size_t>(i)] = 1;
  Tensor mean_t = from_doubles(mean, stat_shape, dt), rstd_t = from_doubles(rstd, stat_shape, dt);
  if (autograd::should_record({&input, &weight, &bias})) {
    const DimVector w_shape(normalized_shape);
    autograd::record(
        "NativeLayerNormBackward0", {&input, &weight, &bias}, {&out}, {save(input), save(weight)},
        [rows, cols, eps, w_shape](const tensor_list& g, const tensor_list& s) {
          Tensor w = s[1].defined() ? s[1].reshape({1, cols}) : Tensor();
          tensor_list r = normalized_backward(
              g[0].reshape({rows, cols}), s[0].reshape({rows, cols}), w, {1}, {0}, eps, w_shape);
          r[0] = r[0].reshape(s[0].sizes());
          return r;
        });
  }
  return {out, mean_t, rstd_t};
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps, bool /*cudnn_enable*/) {
  return std::get<0>(native_layer_norm(input, normalized_shape, weight, bias, eps));
}

std::tuple<Tensor, Tensor, Tensor> native_group_norm(const Tensor& input, const Tensor& weight,
                                                     const Tensor& bias, int64_t N, int64_t C,
                                                     int64_t HxW, int64_t group, double eps) {
  TG_CHECK(input.defined(), "group_norm: undefined input");
  TG_CHECK(group > 0 && C % group == 0,
           "group_norm: Expected number of channels in input to be divisible by num_groups, but "
           "got input of shape ",
           input.sizes(), " and num_groups=", group);
  TG_CHECK(input.numel() == N * C * HxW, "group_norm: Expected the input to have ", N * C * HxW,
           " elements, but got input of shape ", input.sizes());
  TG_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == C),
           "group_norm: Expected weight to be a vector of size equal to the number of channels in "
           "input, but got weight of shape ",
           weight.sizes(), " and input of shape ", input.sizes());
  TG_CHECK(!bias.defined() || (bias.dim() == 1 && bias.numel() == C),
           "group_norm: Expected bias to be a vector of size equal to the number of channels in "
           "input, but got bias of shape ",
           bias.sizes(), " and input of shape ", input.sizes());
  TG_CHECK(is_floating_point(input.scalar_type()),
           "group_norm: \"GroupNormKernelImpl\" not implemented for '", input.scalar_type(), "'");
  const ScalarType dt = input.scalar_type();
  const int64_t rows = N * group, cols = (C / group) * HxW, per = C / group;
  Tensor x = input.contiguous();
  std::vector<double> mean(static_cast<size_t>(rows)), rstd(static_cast<size_t>(rows));
  kernels::channel_moments(x, 1, rows, cols, mean.data(), rstd.data());
  for (size_t r = 0; r < rstd.size(); ++r) {
    rstd[r] = 1.0 / std::sqrt(std::max(rstd[r] / static_cast<double>(cols), 0.0) + eps);
    if (dt == kFloat) rstd[r] = static_cast<float>(rstd[r]);
  }
  const std::vector<double> w = weight.defined() ? to_doubles(weight) : std::vector<double>();
  const std::vector<double> b = bias.defined() ? to_doubles(bias) : std::vector<double>();
  std::vector<double> alpha(static_cast<size_t>(N * C)), beta(static_cast<size_t>(N * C));
  for (int64_t nn = 0; nn < N; ++nn)
    for (int64_t ch = 0; ch < C; ++ch) {
      const size_t r = static_cast<size_t>(nn * group + ch / per);
      const size_t k = static_cast<size_t>(nn * C + ch);
      const double wk = w.empty() ? 1.0 : w[static_cast<size_t>(ch)];
      const double bk = b.empty() ? 0.0 : b[static_cast<size_t>(ch)];
      alpha[k] = rstd[r] * wk;
      beta[k] = bk - mean[r] * alpha[k];
    }
  Tensor out = make_empty(input.sizes(), dt);
  kernels::channel_affine(out, x, 1, N * C, HxW, alpha.data(), beta.data());
  Tensor mean_t = from_doubles(mean, {N, group}, dt), rstd_t = from_doubles(rstd, {N, group}, dt);
  if (autograd::should_record({&input, &weight, &bias})) {
    autograd::record("NativeGroupNormBackward0", {&input, &weight, &bias}, {&out},
                     {save(input), save(weight)},
                     [N, C, HxW, group, per, eps](const tensor_list& g, const tensor_list& s) {
                       const DimVector view{N, group, per, HxW};
                       Tensor w = s[1].defined() ? s[1].reshape({1, group, per, 1}) : Tensor();
                       tensor_list r = normalized_backward(g[0].reshape(view), s[0].reshape(view),
                                                           w, {2, 3}, {0, 3}, eps, {C});
                       r[0] = r[0].reshape(s[0].sizes());
                       return r;
                     });
  }
  return {out, mean_t, rstd_t};
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps, bool /*cudnn_enabled*/) {
  TG_CHECK(input.defined() && input.dim() >= 2,
           "group_norm: Expected at least 2 dimensions for input tensor but received ",
           input.defined() ? input.dim() : 0);
  const int64_t n = input.size(0), c = input.size(1);
  const int64_t hw = n * c > 0 ? input.numel() / (n * c) : 1;
  return std::get<0>(native_group_norm(input, weight, bias, n, c, hw, num_groups, eps));
}

namespace nn {
namespace functional {

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  TG_CHECK(input.defined() && input.dim() >= 2,
           "batch_norm: Expected at least 2 dimensions for input");
  if (o.training()) {
    int64_t per_channel = input.size(0);
    for (int64_t i = 2; i < input.dim(); ++i) per_channel *= input.size(i);
    TG_CHECK(per_channel != 1,
             "Expected more than 1 value per channel when training, got input size ",
             input.sizes());
  }
  return tg::batch_norm(input, o.weight(), o.bias(), running_mean, running_var, o.training(),
                        o.momentum() ? *o.momentum() : 0.0, o.eps());
}

Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& o) {
  if (o.use_input_stats()) {
    TG_CHECK(input.defined() && input.dim() >= 2,
             "instance_norm: Expected at least 2 dimensions for input");
    int64_t spatial = 1;
    for (int64_t i = 2; i < input.dim(); ++i) spatial *= input.size(i);
    TG_CHECK(spatial != 1, "Expected more than 1 spatial element when training, got input size ",
             input.sizes());
  }
  return tg::instance_norm(input, o.weight(), o.bias(), o.running_mean(), o.running_var(),
                           o.use_input_stats(), o.momentum(), o.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  return tg::layer_norm(input, o.normalized_shape(), o.weight(), o.bias(), o.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  return tg::group_norm(input, o.num_groups(), o.weight(), o.bias(), o.eps());
}

Tensor local_response_norm(const Tensor& input, const LocalResponseNormFuncOptions& o) {
  TG_CHECK(input.defined() && input.dim() >= 3, "Expected 3D or higher dimensionality input (got ",
           input.defined() ? input.dim() : 0, " dimensions)");
  if (input.numel() == 0) return input;
  const int64_t size = o.size();
  // The squares summed over a window of `size` channels, zero-padded as PyTorch pads them.
  Tensor div = input.mul(input).unsqueeze(1);
  auto pad_channels = [&](const Tensor& t) {
    DimVector before(t.sizes()), after(t.sizes());
    before[2] = size / 2;
    after[2] = (size - 1) / 2;
    std::vector<Tensor> parts;
    if (before[2] > 0) parts.push_back(zeros(before, t.scalar_type()));
    parts.push_back(t);
    if (after[2] > 0) parts.push_back(zeros(after, t.scalar_type()));
    return parts.size() == 1 ? t : tg::cat(parts, 2);
  };
  if (input.dim() == 3) {
    div = tg::avg_pool2d(pad_channels(div), {size, 1}, 1).squeeze(1);
  } else {
    const DimVector sizes(input.sizes());
    div = div.view({sizes[0], 1, sizes[1], sizes[2], -1});
    div = tg::avg_pool3d(pad_channels(div), {size, 1, 1}, 1).squeeze(1);
    div = div.view(sizes);
  }
  div = div.mul(o.alpha()).add(o.k()).pow(o.beta());
  return input / div;
}

}  // namespace functional

namespace F = functional;

namespace {
std::string py_bool(bool b) { return b ? "True" : "False"; }
using detail::py_float;
}  // namespace

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& o) : options(o) {
  if (o.affine()) {
    weight = register_parameter("weight", empty({o.num_features()}));
    bias = register_parameter("bias", empty({o.num_features()}));
  }
  if (o.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({o.num_features()}));
    running_var = register_buffer("running_var", ones({o.num_features()}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kLong));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard guard;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  check_input_dim(input);
  double factor = options.momentum() ? *options.momentum() : 0.0;
  if (is_training() && options.track_running_stats() && num_batches_tracked.defined()) {
    {
      NoGradGuard guard;
      num_batches_tracked.add_(1);
    }
    factor = options.momentum() ? *options.momentum()
                                : 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  return F::batch_norm(input, running_mean, running_var,
                       F::BatchNormFuncOptions()
                           .weight(weight)
                           .bias(bias)
                           .training(is_training() || !options.track_running_stats())
                           .momentum(factor)
                           .eps(options.eps()));
}

std::string BatchNormImplBase::extra_repr() const {
  return std::to_string(options.num_features()) + ", eps=" + py_float(options.eps()) +
         ", momentum=" + (options.momentum() ? py_float(*options.momentum()) : "None") +
         ", affine=" + py_bool(options.affine()) +
         ", track_running_stats=" + py_bool(options.track_running_stats());
}

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 2 || input.dim() == 3, "BatchNorm1d: expected 2D or 3D input (got ",
           input.dim(), "D input)");
}
void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 4, "BatchNorm2d: expected 4D input (got ", input.dim(), "D input)");
}
void BatchNorm3dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 5, "BatchNorm3d: expected 5D input (got ", input.dim(), "D input)");
}

InstanceNormImplBase::InstanceNormImplBase(const InstanceNormOptions& o) : options(o) {
  if (o.affine()) {
    weight = register_parameter("weight", empty({o.num_features()}));
    bias = register_parameter("bias", empty({o.num_features()}));
  }
  if (o.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({o.num_features()}));
    running_var = register_buffer("running_var", ones({o.num_features()}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kLong));
  }
  reset_parameters();
}

void InstanceNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard guard;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void InstanceNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor InstanceNormImplBase::forward(const Tensor& input) {
  check_input_dim(input);
  const bool unbatched = input.dim() == no_batch_dim();
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  Tensor out =
      F::instance_norm(x, F::InstanceNormFuncOptions()
                              .running_mean(running_mean)
                              .running_var(running_var)
                              .weight(weight)
                              .bias(bias)
                              .use_input_stats(is_training() || !options.track_running_stats())
                              .momentum(options.momentum())
                              .eps(options.eps()));
  return unbatched ? out.squeeze(0) : out;
}

std::string InstanceNormImplBase::extra_repr() const {
  return std::to_string(options.num_features()) + ", eps=" + py_float(options.eps()) +
         ", momentum=" + py_float(options.momentum()) + ", affine=" + py_bool(options.affine()) +
         ", track_running_stats=" + py_bool(options.track_running_stats());
}

void InstanceNorm1dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 2 || input.dim() == 3, "InstanceNorm1d: expected 2D or 3D input (got ",
           input.dim(), "D input)");
}
void InstanceNorm2dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 3 || input.dim() == 4, "InstanceNorm2d: expected 3D or 4D input (got ",
           input.dim(), "D input)");
}
void InstanceNorm3dImpl::check_input_dim(const Tensor& input) const {
  TG_CHECK(input.dim() == 4 || input.dim() == 5, "InstanceNorm3d: expected 4D or 5D input (got ",
           input.dim(), "D input)");
}
int64_t InstanceNorm1dImpl::no_batch_dim() const { return 2; }
int64_t InstanceNorm2dImpl::no_batch_dim() const { return 3; }
int64_t InstanceNorm3dImpl::no_batch_dim() const { return 4; }

LayerNormImpl::LayerNormImpl(const LayerNormOptions& o) : options(o) {
  if (o.elementwise_affine()) {
    weight = register_parameter("weight", tg::empty(IntArrayRef(o.normalized_shape())));
    bias = register_parameter("bias", tg::empty(IntArrayRef(o.normalized_shape())));
  }
  reset_parameters();
}
void LayerNormImpl::reset_parameters() {
  if (options.elementwise_affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}
Tensor LayerNormImpl::forward(const Tensor& input) {
  return F::layer_norm(input, F::LayerNormFuncOptions(options.normalized_shape())
                                  .weight(weight)
                                  .bias(bias)
                                  .eps(options.eps()));
}
std::string LayerNormImpl::extra_repr() const {
  // Python's tuple: (8,) for one dimension, (4, 5) for more.
  const auto& shape = options.normalized_shape();
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + "), eps=" + py_float(options.eps()) +
         ", elementwise_affine=" + py_bool(options.elementwise_affine());
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& o) : options(o) {
  TG_CHECK(o.num_groups() > 0 && o.num_channels() % o.num_groups() == 0,
           "GroupNorm: num_channels must be divisible by num_groups");
  if (o.affine()) {
    weight = register_parameter("weight", empty({o.num_channels()}));
    bias = register_parameter("bias", empty({o.num_channels()}));
  }
  reset_parameters();
}
void GroupNormImpl::reset_parameters() {
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}
Tensor GroupNormImpl::forward(const Tensor& input) {
  return F::group_norm(
      input,
      F::GroupNormFuncOptions(options.num_groups()).weight(weight).bias(bias).eps(options.eps()));
}
std::string GroupNormImpl::extra_repr() const {
  return std::to_string(options.num_groups()) + ", " + std::to_string(options.num_channels()) +
         ", eps=" + py_float(options.eps()) + ", affine=" + py_bool(options.affine());
}

Tensor LocalResponseNormImpl::forward(const Tensor& input) {
  return F::local_response_norm(input, options);
}
std::string LocalResponseNormImpl::extra_repr() const {
  return std::to_string(options.size()) + ", alpha=" + py_float(options.alpha()) +
         ", beta=" + py_float(options.beta()) + ", k=" + py_float(options.k());
}

}  // namespace nn
}  // namespace tg
