// The convolution op and its gradients, padding and unfold/fold. A convolution's input gradient
// is a convolution with the transposed flag flipped, and its weight gradient is an op of its own
// whose derivatives are convolutions again, so every order of gradient runs on the same kernels.
#include "kernels/conv.h"

#include <sstream>
#include <string>

#include "autograd/function.h"
#include "ops/internal.h"
#include "tensorgrad/nn/conv.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;

namespace {

struct ConvParams {
  DimVector stride, padding, dilation, output_padding;
  bool transposed = false;
  int64_t groups = 1;
};

// The spatial part of a shape.
IntArrayRef spatial(IntArrayRef sizes) { return sizes.slice(2, sizes.size() - 2); }

std::string join(IntArrayRef v, const char* sep) {
  std::ostringstream ss;
  for (size_t i = 0; i < v.size(); ++i) ss << (i ? sep : "") << v[i];
  return ss.str();
}

DimVector expand_param(IntArrayRef v, size_t dims, const char* name) {
  if (v.size() == 1) return DimVector(dims, v[0]);
  TG_CHECK(v.size() == dims, "expected ", name, " to be a single integer value or a list of ", dims,
           " values to match the convolution dimensions, but got ", name, "=", v);
  return DimVector(v);
}

// The spatial sizes of the column side (one position per window) from the image side's.
int64_t cols_size(int64_t image, int64_t k, const ConvParams& p, size_t i) {
  return (image + 2 * p.padding[i] - p.dilation[i] * (k - 1) - 1) / p.stride[i] + 1;
}
// A transposed convolution's output size along dim i.
int64_t transposed_size(int64_t in, int64_t k, const ConvParams& p, size_t i) {
  return (in - 1) * p.stride[i] - 2 * p.padding[i] + p.dilation[i] * (k - 1) + p.output_padding[i] +
         1;
}

kernels::ConvShape make_shape(IntArrayRef image, IntArrayRef cols, IntArrayRef kernel,
                              const ConvParams& p) {
  kernels::ConvShape s{};
  const size_t dims = kernel.size(), lead = 3 - dims;
  for (size_t i = 0; i < 3; ++i) {
    const bool pad = i < lead;
    const size_t j = i - lead;
    s.image[i] = pad ? 1 : image[j];
    s.cols[i] = pad ? 1 : cols[j];
    s.kernel[i] = pad ? 1 : kernel[j];
    s.stride[i] = pad ? 1 : p.stride[j];
    s.padding[i] = pad ? 0 : p.padding[j];
    s.dilation[i] = pad ? 1 : p.dilation[j];
  }
  return s;
}

const char* tensor_type_name(ScalarType t) {
  switch (t) {
    case kFloat:
      return "torch.FloatTensor";
    case kDouble:
      return "torch.DoubleTensor";
    case kLong:
      return "torch.LongTensor";
    default:
      return "torch.BoolTensor";
  }
}

void check_conv(const Tensor& input, const Tensor& weight, const Tensor& bias,
                const ConvParams& p) {
  const int64_t k = input.dim(), wd = weight.dim();
  IntArrayRef ws = weight.sizes();
  for (int64_t v : p.padding) TG_CHECK(v >= 0, "negative padding is not supported");
  for (int64_t v : p.output_padding) TG_CHECK(v >= 0, "negative output_padding is not supported");
  for (int64_t v : p.stride) TG_CHECK(v > 0, "non-positive stride is not supported");
  for (int64_t v : p.dilation) TG_CHECK(v > 0, "non-positive dilation is not supported");
  TG_CHECK(wd == k, "Expected ", wd, "-dimensional input for ", wd, "-dimensional weight ", ws,
           ", but got ", k, "-dimensional input of size ", input.sizes(), " instead");
  TG_CHECK(ws[0] >= p.groups, "Given groups=", p.groups, ", expected weight to be at least ",
           p.groups, " at dimension 0, but got weight of size ", ws, " instead");
  TG_CHECK(ws[0] % p.groups == 0, "Given groups=", p.groups,
           ", expected weight to be divisible by ", p.groups,
           " at dimension 0, but got weight of size [", ws, "] instead");
  if (!p.transposed) {
    TG_CHECK(input.size(1) == ws[1] * p.groups, "Given groups=", p.groups, ", weight of size ", ws,
             ", expected input", input.sizes(), " to have ", ws[1] * p.groups,
             " channels, but got ", input.size(1), " channels instead");
    TG_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == ws[0]), "Given weight of size ",
             ws, ", expected bias to be 1-dimensional with ", ws[0],
             " elements, but got bias of size ", bias.sizes(), " instead");
    DimVector padded, kernel;
    bool fits = true;
    for (int64_t i = 2; i < k; ++i) {
      padded.push_back(input.size(i) + 2 * p.padding[i - 2]);
      kernel.push_back(p.dilation[i - 2] * (ws[i] - 1) + 1);
      fits = fits && padded.back() >= kernel.back();
    }
    TG_CHECK(fits, "Calculated padded input size per channel: (", join(padded, " x "),
             "). Kernel size: (", join(kernel, " x "),
             "). Kernel size can't be greater than actual input size");
  } else {
    TG_CHECK(input.size(1) == ws[0], "Given transposed=1, weight of size ", ws, ", expected input",
             input.sizes(), " to have ", ws[0], " channels, but got ", input.size(1),
             " channels instead");
    TG_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == ws[1] * p.groups),
             "Given transposed=1, weight of size ", ws, ", expected bias to be 1-dimensional with ",
             ws[1] * p.groups, " elements, but got bias of size ", bias.sizes(), " instead");
    const size_t dims = p.stride.size();
    bool ok = true;
    for (size_t i = 0; i < dims; ++i)
      ok = ok && (p.output_padding[i] < p.stride[i] || p.output_padding[i] < p.dilation[i]);
    if (!ok) {
      // PyTorch runs 1-d transposed convolutions as 2-d ones of height 1 and says so.
      static const char* names3[] = {"depth", "height", "width"};
      const size_t shown = dims == 1 ? 2 : dims;
      const char** names = names3 + (3 - shown);
      auto at = [&](const DimVector& v, size_t i) -> int64_t {
        return dims == 1 ? (i == 0 ? (&v == &p.output_padding ? 0 : 1) : v[0]) : v[i];
      };
      std::ostringstream ss;
      ss << "output padding must be smaller than either stride or dilation, but got";
      for (size_t i = 0; i < shown; ++i)
        ss << " output_padding_" << names[i] << ": " << at(p.output_padding, i);
      for (size_t i = 0; i < shown; ++i) ss << " stride_" << names[i] << ": " << at(p.stride, i);
      for (size_t i = 0; i < shown; ++i)
        ss << " dilation_" << names[i] << ": " << at(p.dilation, i);
      throw Error(ss.str());
    }
    DimVector in, out;
    bool positive = true;
    for (int64_t i = 2; i < k; ++i) {
      in.push_back(input.size(i));
      out.push_back(transposed_size(input.size(i), ws[i], p, i - 2));
      positive = positive && out.back() > 0;
    }
    TG_CHECK(positive, "Given input size per channel: (", join(in, " x "),
             "). Calculated output size per channel: (", join(out, " x "),
             "). Output size is too small");
  }
}

Tensor convolution_impl(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvParams& p);

// The gradient of a convolution's input, from its output gradient g and a weight w (the
// layer's weight, or the second-order weight gradient): the convolution with the transposed
// flag flipped, cut to the input's size where a transposed convolution's output_padding left
// windows that no input position reaches.
Tensor conv_input_grad(const Tensor& g, const Tensor& w, IntArrayRef input_sizes,
                       const ConvParams& p) {
  ConvParams q = p;
  q.transposed = !p.transposed;
  const size_t dims = p.stride.size();
  if (!p.transposed) {
    for (size_t i = 0; i < dims; ++i) {
      const int64_t k = w.size(static_cast<int64_t>(i) + 2);
      q.output_padding[i] =
          input_sizes[i + 2] - ((g.size(static_cast<int64_t>(i) + 2) - 1) * p.stride[i] -
                                2 * p.padding[i] + p.dilation[i] * (k - 1) + 1);
    }
    return convolution_impl(g, w, Tensor(), q);
  }
  for (auto& v : q.output_padding) v = 0;
  Tensor r = convolution_impl(g, w, Tensor(), q);
  for (size_t i = 0; i < dims; ++i) {
    const int64_t d = static_cast<int64_t>(i) + 2;
    if (r.size(d) != input_sizes[i + 2]) r = r.narrow(d, 0, input_sizes[i + 2]);
  }
  return r;
}

// The weight gradient sum_n g[n] (x) x[n], as an op of its own: it is bilinear in (g, x), and
// its derivatives are the forward convolution (for g) and the input gradient (for x), each with
// the incoming gradient as the weight.
Tensor conv_weight_grad(const Tensor& g_in, const Tensor& x_in, IntArrayRef weight_sizes,
                        const ConvParams& p) {
  const Tensor g = g_in.contiguous(), x = x_in.contiguous();
  Tensor w = make_empty(weight_sizes, x.scalar_type());
  IntArrayRef kernel = spatial(weight_sizes);
  IntArrayRef gs = spatial(g.sizes()), xs = spatial(x.sizes());
  if (!p.transposed)
    kernels::conv_weight_gemm(w, g, x, make_shape(xs, gs, kernel, p), p.groups);
  else
    kernels::conv_weight_gemm(w, x, g, make_shape(gs, xs, kernel, p), p.groups);
  if (autograd::should_record({&g_in, &x_in})) {
    DimVector x_sizes(x.sizes());
    autograd::record("ConvolutionBackwardBackward0", {&g_in, &x_in}, {&w}, {save(g_in), save(x_in)},
                     [p, x_sizes](const tensor_list& gr, const tensor_list& s) {
                       const Tensor& ggw = gr[0];
                       return tensor_list{convolution_impl(s[1], ggw, Tensor(), p),
                                          conv_input_grad(s[0], ggw, x_sizes, p)};
                     });
  }
  return w;
}

Tensor convolution_impl(const Tensor& input_in, const Tensor& weight_in, const Tensor& bias_in,
                        const ConvParams& p) {
  check_conv(input_in, weight_in, bias_in, p);
  const Tensor input = input_in.contiguous(), weight = weight_in.contiguous();
  const Tensor bias = bias_in.defined() ? bias_in.contiguous() : Tensor();
  const int64_t k = input.dim();
  IntArrayRef ws = weight.sizes(), kernel = spatial(ws);
  DimVector out_sizes{input.size(0), p.transposed ? ws[1] * p.groups : ws[0]};
  for (int64_t i = 2; i < k; ++i)
    out_sizes.push_back(p.transposed ? transposed_size(input.size(i), ws[i], p, i - 2)
                                     : cols_size(input.size(i), ws[i], p, i - 2));
  Tensor out = make_empty(out_sizes, input.scalar_type());
  IntArrayRef os = spatial(out_sizes), is = spatial(input.sizes());
  if (!p.transposed)
    kernels::conv_unfold_gemm(out, input, weight, bias, make_shape(is, os, kernel, p), p.groups);
  else
    kernels::conv_gemm_fold(out, input, weight, bias, make_shape(os, is, kernel, p), p.groups);
  if (autograd::should_record({&input_in, &weight_in, &bias_in})) {
    const bool need_x = autograd::needs_grad(input_in), need_w = autograd::needs_grad(weight_in);
    const bool need_b = autograd::needs_grad(bias_in);
    DimVector in_sizes(input.sizes()), w_sizes(ws);
    autograd::record(
        "ConvolutionBackward0", {&input_in, &weight_in, &bias_in}, {&out},
        {save(need_w ? input_in : Tensor()), save(need_x ? weight_in : Tensor())},
        [p, in_sizes, w_sizes, need_x, need_w, need_b](const tensor_list& g, const tensor_list& s) {
          tensor_list r(3);
          if (!g[0].defined()) return r;
          if (need_x) r[0] = conv_input_grad(g[0], s[1], in_sizes, p);
          if (need_w) r[1] = conv_weight_grad(g[0], s[0], w_sizes, p);
          if (need_b) {
            DimVector dims{0};
            for (int64_t d = 2; d < g[0].dim(); ++d) dims.push_back(d);
            r[2] = g[0].sum(dims);
          }
          return r;
        });
  }
  return out;
}

}  // namespace

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool transposed,
                   IntArrayRef output_padding, int64_t groups) {
  TG_CHECK(input.defined() && weight.defined(), "convolution: undefined tensor argument");
  const int64_t dim = weight.dim() - 2;
  TG_CHECK(dim > 0, "weight should have at least three dimensions");
  TG_CHECK(groups > 0, "non-positive groups is not supported");
  ConvParams p;
  p.stride = expand_param(stride, dim, "stride");
  p.padding = expand_param(padding, dim, "padding");
  p.dilation = expand_param(dilation, dim, "dilation");
  p.output_padding = expand_param(output_padding, dim, "output_padding");
  p.transposed = transposed;
  p.groups = groups;
  if (input.scalar_type() != weight.scalar_type()) {
    TG_CHECK(input.scalar_type() != kFloat, "Input type (", tensor_type_name(input.scalar_type()),
             ") and weight type (", tensor_type_name(weight.scalar_type()),
             ") should be the same or input should be a MKLDNN tensor and weight is a dense "
             "tensor");
    TG_ERROR("expected scalar type ", input.scalar_type(), " but found ", weight.scalar_type());
  }
  TG_CHECK(!bias.defined() || bias.scalar_type() == input.scalar_type(), "expected scalar type ",
           input.scalar_type(), " but found ", bias.scalar_type());
  TG_CHECK(input.scalar_type() == kFloat || input.scalar_type() == kDouble,
           "convolution: \"slow_conv2d_cpu\" not implemented for '", input.scalar_type(), "'");
  return convolution_impl(input, weight, bias, p);
}

namespace {

// at::conv1d/2d/3d: an unbatched input gets a batch dim of one for the call.
Tensor conv_nd(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
               IntArrayRef padding, IntArrayRef dilation, int64_t groups, int64_t dims,
               bool transposed, IntArrayRef output_padding, const char* name) {
  TG_CHECK(input.defined() && weight.defined(), name, ": undefined tensor argument");
  TG_CHECK(input.dim() == dims + 1 || input.dim() == dims + 2, "Expected ", dims + 1,
           "D (unbatched) or ", dims + 2, "D (batched) input to ", name,
           ", but got input of size: ", input.sizes());
  const bool batched = input.dim() == dims + 2;
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor y =
      convolution(x, weight, bias, stride, padding, dilation, transposed, output_padding, groups);
  return batched ? y : y.squeeze(0);
}

// padding="same"/"valid" (at::_convolution_mode): "same" pads (dilation * (k - 1)) / 2 on both
// sides and, when that total is odd, one more on the right through constant_pad_nd.
Tensor conv_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                 const std::string& padding, IntArrayRef dilation, int64_t groups, int64_t dims,
                 const char* name) {
  if (padding == "valid")
    return conv_nd(input, weight, bias, stride, 0, dilation, groups, dims, false, 0, name);
  TG_CHECK(padding == "same", "Invalid padding string: '", padding, "'");
  TG_CHECK(weight.defined() && weight.dim() == dims + 2, name, ": expected a ", dims + 2,
           "-dimensional weight, got ", weight.defined() ? weight.sizes() : IntArrayRef());
  const DimVector st = expand_param(stride, dims, "stride");
  for (int64_t s : st) TG_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  const DimVector dil = expand_param(dilation, dims, "dilation");
  DimVector pad(dims, 0), extra(2 * dims, 0);
  bool asymmetric = false;
  for (int64_t i = 0; i < dims; ++i) {
    const int64_t total = dil[i] * (weight.size(i + 2) - 1);
    pad[i] = total / 2;
    if (total % 2) {
      asymmetric = true;
      extra[2 * (dims - 1 - i) + 1] = 1;  // constant_pad_nd lists the last dim first
    }
  }
  Tensor x = asymmetric ? constant_pad_nd(input, extra) : input;
  return conv_nd(x, weight, bias, stride, pad, dilation, groups, dims, false, 0, name);
}

}  // namespace

#define TG_CONV_FORMS(D)                                                                           \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias,                 \
                    IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,                 \
                    int64_t groups) {                                                              \
    return conv_nd(input, weight, bias, stride, padding, dilation, groups, D, false, 0,            \
                   "conv" #D "d");                                                                 \
  }                                                                                                \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias,                 \
                    IntArrayRef stride, const std::string& padding, IntArrayRef dilation,          \
                    int64_t groups) {                                                              \
    return conv_mode(input, weight, bias, stride, padding, dilation, groups, D, "conv" #D "d");    \
  }                                                                                                \
  Tensor conv_transpose##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias,       \
                              IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, \
                              int64_t groups, IntArrayRef dilation) {                              \
    return conv_nd(input, weight, bias, stride, padding, dilation, groups, D, true,                \
                   output_padding, "conv_transpose" #D "d");                                       \
  }
TG_CONV_FORMS(1)
TG_CONV_FORMS(2)
TG_CONV_FORMS(3)
#undef TG_CONV_FORMS

Tensor constant_pad_nd(const Tensor& input, IntArrayRef pad, const Scalar& value) {
  TG_CHECK(input.defined(), "constant_pad_nd: undefined tensor argument");
  const int64_t n = static_cast<int64_t>(pad.size()), nd = input.dim();
  TG_CHECK(n % 2 == 0, "Length of pad must be even but instead it equals ", n);
  TG_CHECK(n / 2 <= nd,
           "Length of pad should be no more than twice the number of dimensions of the input. "
           "Pad length is ",
           n, "while the input has ", nd, "dimensions.");
  DimVector out_sizes(input.sizes());
  for (int64_t i = 0; i < n / 2; ++i) {
    const int64_t d = nd - 1 - i;
    const int64_t size = input.size(d) + pad[2 * i] + pad[2 * i + 1];
    TG_CHECK(size > 0, "The input size ", input.size(d), ", plus negative padding ", pad[2 * i],
             " and ", pad[2 * i + 1],
             " resulted in a negative output size, which is invalid. Check dimension ", d,
             " of your input.");
    out_sizes[d] = size;
  }
  Tensor out;
  {
    NoGradGuard guard;
    out = full(out_sizes, value, input.scalar_type());
    Tensor dst = out, src = input;
    bool empty = false;
    for (int64_t i = 0; i < n / 2; ++i) {
      const int64_t d = nd - 1 - i, l = pad[2 * i], r = pad[2 * i + 1];
      const int64_t len = input.size(d) + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
      if (len <= 0) {
        empty = true;
        break;
      }
      dst = dst.narrow(d, std::max<int64_t>(l, 0), len);
      src = src.narrow(d, std::max<int64_t>(-l, 0), len);
    }
    if (!empty) dst.copy_(src);
  }
  if (autograd::should_record({&input})) {
    DimVector neg(pad);
    for (auto& v : neg) v = -v;
    autograd::record("ConstantPadNdBackward0", {&input}, {&out}, {},
                     [neg](const tensor_list& g, const tensor_list&) {
                       return tensor_list{constant_pad_nd(g[0], neg, 0)};
                     });
  }
  return out;
}

namespace {

enum class PadMode { Reflect, Replicate };

// For each padded dim (last first), out[j] = in[index[j]].
std::vector<std::vector<int64_t>> pad_indices(IntArrayRef sizes, IntArrayRef pad, PadMode mode) {
  const int64_t nd = static_cast<int64_t>(sizes.size()), k = static_cast<int64_t>(pad.size()) / 2;
  std::vector<std::vector<int64_t>> maps(k);
  for (int64_t i = 0; i < k; ++i) {
    const int64_t size = sizes[nd - 1 - i], l = pad[2 * i], r = pad[2 * i + 1];
    const int64_t out = size + l + r;
    for (int64_t j = 0; j < out; ++j) {
      int64_t s = j - l;
      if (mode == PadMode::Replicate) {
        s = std::min(std::max<int64_t>(s, 0), size - 1);
      } else {
        if (s < 0) s = -s;
        if (s >= size) s = 2 * (size - 1) - s;
      }
      maps[i].push_back(s);
    }
  }
  return maps;
}

Tensor index_pad(const Tensor& input, IntArrayRef pad, PadMode mode);

const char* pad_node_name(PadMode mode, int64_t k, bool backward) {
  static const char* names[2][3][2] = {
      {{"ReflectionPad1DBackward0", "ReflectionPad1DBackwardBackward0"},
       {"ReflectionPad2DBackward0", "ReflectionPad2DBackwardBackward0"},
       {"ReflectionPad3DBackward0", "ReflectionPad3DBackwardBackward0"}},
      {{"ReplicationPad1DBackward0", "ReplicationPad1DBackwardBackward0"},
       {"ReplicationPad2DBackward0", "ReplicationPad2DBackwardBackward0"},
       {"ReplicationPad3DBackward0", "ReplicationPad3DBackwardBackward0"}}};
  return names[mode == PadMode::Replicate][k - 1][backward];
}

// reflection_padNd_backward / replication_padNd_backward: sums each output gradient into the
// input position it was copied from.
Tensor index_pad_backward(const Tensor& g_in, IntArrayRef input_sizes, IntArrayRef pad,
                          PadMode mode) {
  const int64_t nd = static_cast<int64_t>(input_sizes.size()), k = pad.size() / 2;
  const auto maps = pad_indices(input_sizes, pad, mode);
  Tensor g = g_in.contiguous();
  DimVector sizes(g.sizes());
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i;
    sizes[d] = input_sizes[d];
    Tensor r = make_empty(sizes, g.scalar_type());
    kernels::gather_dim_backward(r, g, d, maps[i].data());
    g = r;
  }
  if (autograd::should_record({&g_in})) {
    DimVector p(pad);
    autograd::record(pad_node_name(mode, k, true), {&g_in}, {&g}, {},
                     [p, mode](const tensor_list& gr, const tensor_list&) {
                       return tensor_list{index_pad(gr[0], p, mode)};
                     });
  }
  return g;
}

Tensor index_pad(const Tensor& input, IntArrayRef pad, PadMode mode) {
  const int64_t nd = input.dim(), k = pad.size() / 2;
  const auto maps = pad_indices(input.sizes(), pad, mode);
  Tensor x = input.contiguous();
  DimVector sizes(x.sizes());
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i;
    sizes[d] = static_cast<int64_t>(maps[i].size());
    Tensor r = make_empty(sizes, x.scalar_type());
    kernels::gather_dim(r, x, d, maps[i].data());
    x = r;
  }
  if (autograd::should_record({&input})) {
    DimVector p(pad), in_sizes(input.sizes());
    autograd::record(pad_node_name(mode, k, false), {&input}, {&x}, {},
                     [p, in_sizes, mode](const tensor_list& g, const tensor_list&) {
                       return tensor_list{index_pad_backward(g[0], in_sizes, p, mode)};
                     });
  }
  return x;
}

void check_index_pad(const Tensor& input, IntArrayRef pad, PadMode mode) {
  const int64_t nd = input.dim(), k = pad.size() / 2;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, size = input.size(d), l = pad[2 * i], r = pad[2 * i + 1];
    if (mode == PadMode::Reflect) {
      if (!(l < size && r < size)) {
        std::ostringstream ss;
        ss << "Argument #" << 4 + 2 * i
           << ": Padding size should be less than the corresponding input dimension, but got: "
              "padding ("
           << l << ", " << r << ") at dimension " << d << " of input ";
        if (k == 2)
          ss << nd;
        else
          ss << input.sizes();
        throw Error(ss.str());
      }
    }
    const int64_t out = size + l + r;
    if (out < 1) {
      if (k == 1)
        TG_ERROR(mode == PadMode::Reflect ? "2" : "", "input (W: ", size, ")",
                 mode == PadMode::Reflect ? "" : " ", "is too small. Calculated output W: ", out);
      DimVector sizes(input.sizes());
      for (int64_t j = 0; j < k; ++j)
        sizes[nd - 1 - j] = input.size(nd - 1 - j) + pad[2 * j] + pad[2 * j + 1];
      TG_ERROR("Trying to create tensor with negative dimension ", out, ": ", IntArrayRef(sizes));
    }
  }
}

// torch.nn.functional.pad's circular mode (as PyTorch 1.13 composes it from slices).
Tensor circular_pad(const Tensor& input, IntArrayRef pad) {
  const int64_t nd = input.dim(), k = pad.size() / 2;
  TG_CHECK(k == nd - 2, "Invalid padding size, expected ", 2 * (nd - 2), " but got ", pad.size());
  Tensor x = input;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, size = input.size(d), l = pad[2 * i], r = pad[2 * i + 1];
    TG_CHECK(l <= size && r <= size, "Padding value causes wrapping around more than once.");
    TG_CHECK(size + l + r > 0, "Negative padding value is resulting in an empty dimension.");
    // Negative padding crops first; the wrapped borders come from what is left.
    const int64_t len = size + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
    const Tensor core = x.narrow(d, std::max<int64_t>(-l, 0), len);
    std::vector<Tensor> parts;
    if (l > 0) parts.push_back(core.narrow(d, len - l, l));
    parts.push_back(core);
    if (r > 0) parts.push_back(core.narrow(d, 0, r));
    x = parts.size() == 1 ? parts[0] : cat(parts, d);
  }
  return x;
}

}  // namespace

namespace nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  TG_CHECK(input.defined(), "pad: undefined tensor argument");
  IntArrayRef p = options.pad();
  const int64_t n = static_cast<int64_t>(p.size()), nd = input.dim();
  TG_CHECK(n % 2 == 0, "Padding length must be divisible by 2");
  TG_CHECK(n <= nd * 2, "Padding length too large");
  if (std::holds_alternative<enumtype::kConstant>(options.mode()))
    return constant_pad_nd(input, p, options.value());
  const std::string mode = enumtype::get_enum_name(options.mode()).substr(1);
  std::string lower = mode;
  lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
  TG_CHECK(options.value() == 0, "Padding mode \"", lower, "\" doesn't take in value argument");
  const int64_t k = n / 2;
  TG_CHECK(k >= 1 && k <= 3 && (nd == k + 1 || nd == k + 2),
           "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  if (std::holds_alternative<enumtype::kCircular>(options.mode())) return circular_pad(input, p);
  const PadMode m = std::holds_alternative<enumtype::kReflect>(options.mode()) ? PadMode::Reflect
                                                                               : PadMode::Replicate;
  check_index_pad(input, p, m);
  return index_pad(input, p, m);
}

namespace {

struct FoldParams {
  int64_t kernel[2], dilation[2], padding[2], stride[2];
};

std::string pair(const int64_t* v) {
  std::ostringstream ss;
  ss << "(" << v[0] << ", " << v[1] << ")";
  return ss.str();
}

void check_fold_params(const FoldParams& f) {
  TG_CHECK(f.kernel[0] > 0 && f.kernel[1] > 0,
           "kernel size should be greater than zero, but got kernel_height: ", f.kernel[0],
           " kernel_width: ", f.kernel[1]);
  TG_CHECK(f.dilation[0] > 0 && f.dilation[1] > 0,
           "dilation should be greater than zero, but got dilation_height: ", f.dilation[0],
           " dilation_width: ", f.dilation[1]);
  TG_CHECK(f.padding[0] >= 0 && f.padding[1] >= 0,
           "padding should be non-negative, but got pad_height: ", f.padding[0],
           " pad_width: ", f.padding[1]);
  TG_CHECK(f.stride[0] > 0 && f.stride[1] > 0,
           "stride should be greater than zero, but got stride_height: ", f.stride[0],
           " stride_width: ", f.stride[1]);
}

kernels::ConvShape fold_shape(const int64_t* image, const int64_t* blocks, const FoldParams& f) {
  kernels::ConvShape s{};
  s.image[0] = s.cols[0] = s.kernel[0] = s.stride[0] = s.dilation[0] = 1;
  s.padding[0] = 0;
  for (int i = 0; i < 2; ++i) {
    s.image[i + 1] = image[i];
    s.cols[i + 1] = blocks[i];
    s.kernel[i + 1] = f.kernel[i];
    s.stride[i + 1] = f.stride[i];
    s.padding[i + 1] = f.padding[i];
    s.dilation[i + 1] = f.dilation[i];
  }
  return s;
}

void sliding_blocks(const int64_t* image, const FoldParams& f, int64_t* blocks) {
  for (int i = 0; i < 2; ++i)
    blocks[i] =
        (image[i] + 2 * f.padding[i] - f.dilation[i] * (f.kernel[i] - 1) - 1) / f.stride[i] + 1;
}

Tensor col2im_op(const Tensor& input, const int64_t* out_size, const FoldParams& f);

// im2col on a batched [N, C, H, W] input.
Tensor im2col_op(const Tensor& input, const FoldParams& f) {
  const int64_t image[2] = {input.size(2), input.size(3)};
  int64_t blocks[2];
  sliding_blocks(image, f, blocks);
  const Tensor x = input.contiguous();
  const int64_t c = x.size(1), K = f.kernel[0] * f.kernel[1];
  Tensor out = make_empty({x.size(0), c * K, blocks[0] * blocks[1]}, x.scalar_type());
  kernels::im2col(out, x, fold_shape(image, blocks, f));
  if (autograd::should_record({&input})) {
    autograd::record("Im2ColBackward0", {&input}, {&out}, {},
                     [f, image](const tensor_list& g, const tensor_list&) {
                       return tensor_list{col2im_op(g[0], image, f)};
                     });
  }
  return out;
}

// col2im on a batched [N, C * K, L] input.
Tensor col2im_op(const Tensor& input, const int64_t* out_size, const FoldParams& f) {
  const int64_t image[2] = {out_size[0], out_size[1]};
  int64_t blocks[2];
  sliding_blocks(image, f, blocks);
  const Tensor x = input.contiguous();
  const int64_t K = f.kernel[0] * f.kernel[1];
  Tensor out = make_empty({x.size(0), x.size(1) / K, image[0], image[1]}, x.scalar_type());
  kernels::col2im(out, x, fold_shape(image, blocks, f));
  if (autograd::should_record({&input})) {
    autograd::record(
        "Col2ImBackward0", {&input}, {&out}, {},
        [f](const tensor_list& g, const tensor_list&) { return tensor_list{im2col_op(g[0], f)}; });
  }
  return out;
}

FoldParams fold_params(const ExpandingArray<2>& k, const ExpandingArray<2>& d,
                       const ExpandingArray<2>& p, const ExpandingArray<2>& s) {
  return {{k[0], k[1]}, {d[0], d[1]}, {p[0], p[1]}, {s[0], s[1]}};
}

}  // namespace

Tensor unfold(const Tensor& input, const UnfoldFuncOptions& o) {
  TG_CHECK(input.defined(), "unfold: undefined tensor argument");
  const FoldParams f = fold_params(o.kernel_size(), o.dilation(), o.padding(), o.stride());
  check_fold_params(f);
  TG_CHECK(input.dim() >= 3, "Dimension out of range (expected to be in range of [", -input.dim(),
           ", ", input.dim() - 1, "], but got 2)");
  TG_CHECK(input.dim() == 4 || input.dim() == 3,
           "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and non-zero "
           "dimensions for input, but got: ",
           input.sizes());
  const bool batched = input.dim() == 4;
  Tensor x = batched ? input : input.unsqueeze(0);
  const int64_t image[2] = {x.size(2), x.size(3)};
  int64_t blocks[2];
  sliding_blocks(image, f, blocks);
  TG_CHECK(blocks[0] >= 1 && blocks[1] >= 1, "Given input with spatial size ", pair(image),
           ", kernel_size=", pair(f.kernel), ", dilation=", pair(f.dilation),
           ", padding=", pair(f.padding), ", calculated shape of the array of sliding blocks as ",
           pair(blocks), ", but its components must be at least one.");
  Tensor r = im2col_op(x, f);
  return batched ? r : r.squeeze(0);
}

Tensor fold(const Tensor& input, const FoldFuncOptions& o) {
  TG_CHECK(input.defined(), "fold: undefined tensor argument");
  const FoldParams f = fold_params(o.kernel_size(), o.dilation(), o.padding(), o.stride());
  const int64_t out[2] = {o.output_size()[0], o.output_size()[1]};
  TG_CHECK(out[0] > 0 && out[1] > 0, "output_size should be greater than zero, but got ",
           "output_height: ", out[0], " output_width: ", out[1]);
  check_fold_params(f);
  TG_CHECK(input.dim() == 2 || input.dim() == 3,
           "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
           "non-zero dimensions for input, but got: ",
           input.sizes());
  const bool batched = input.dim() == 3;
  Tensor x = batched ? input : input.unsqueeze(0);
  const int64_t K = f.kernel[0] * f.kernel[1];
  TG_CHECK(x.size(1) % K == 0,
           "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
           "but got input.size(1)=",
           x.size(1), " and kernel_size=", pair(f.kernel), ".");
  int64_t blocks[2];
  sliding_blocks(out, f, blocks);
  TG_CHECK(blocks[0] >= 1 && blocks[1] >= 1 && x.size(2) == blocks[0] * blocks[1],
           "Given output_size=", pair(out), ", kernel_size=", pair(f.kernel),
           ", dilation=", pair(f.dilation), ", padding=", pair(f.padding),
           ", stride=", pair(f.stride),
           ", expected size of input's dimension 2 to match the calculated number of sliding "
           "blocks ",
           blocks[0], " * ", blocks[1], " = ", blocks[0] * blocks[1],
           ", but got input.size(2)=", x.size(2), ".");
  Tensor r = col2im_op(x, out, f);
  return batched ? r : r.squeeze(0);
}

}  // namespace nn::functional

}  // namespace tg
