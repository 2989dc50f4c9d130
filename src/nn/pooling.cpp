// Pooling ops, their functional forms and modules. The 2- and 3-d poolings are ops with nodes of
// their own (MaxPool2DWithIndicesBackward0, AvgPool2DBackward0, ...); the 1-d ones run the 2-d op
// on an unsqueezed input, as ATen does, so their grad_fn is SqueezeBackward1 as in PyTorch.
#include "tensorgrad/nn/pooling.h"

#include <sstream>

#include "autograd/function.h"
#include "kernels/pooling.h"
#include "nn/repr.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;

namespace {

using kernels::PoolGeometry;

std::string join_sizes(IntArrayRef v, const char* sep) {
  std::ostringstream ss;
  for (size_t i = 0; i < v.size(); ++i) ss << (i ? sep : "") << v[i];
  return ss.str();
}

// One value per spatial dimension from a libtorch-style list of one or nd values.
DimVector expand_arg(IntArrayRef v, int64_t nd, const char* op, const char* what,
                     const char* allowed) {
  TG_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == nd, op, ": ", what, " must ", allowed,
           " a tuple of ", nd == 2 ? "two" : "three", " ints");
  DimVector out;
  for (int64_t i = 0; i < nd; ++i) out.push_back(v.size() == 1 ? v[0] : v[static_cast<size_t>(i)]);
  return out;
}

// PyTorch's pooling_output_shape: floor or ceil division, and a window that would start entirely
// in the right padding is dropped in ceil mode.
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation,
                    bool ceil_mode) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

const char* axis_names(int64_t nd, int64_t i) {
  static const char* two[] = {"H", "W"};
  static const char* three[] = {"T", "H", "W"};
  return nd == 2 ? two[i] : three[i];
}

// The geometry of a 2- or 3-d pooling of `input` ([N, C, *] or [C, *]) with PyTorch's checks
// (pool2d_shape_check / pool3d_shape_check), and the output's shape.
PoolGeometry pool_geometry(const Tensor& input, int64_t nd, const char* op, IntArrayRef kernel,
                           IntArrayRef stride_arg, IntArrayRef padding, IntArrayRef dilation,
                           bool ceil_mode, DimVector& out_shape) {
  TG_CHECK(input.defined(), op, ": undefined input");
  const DimVector k = expand_arg(kernel, nd, op, "kernel_size", "either be a single int, or");
  const DimVector s = stride_arg.empty() ? k
                                         : expand_arg(stride_arg, nd, op, "stride",
                                                      "either be omitted, a single int, or");
  const DimVector p = expand_arg(padding, nd, op, "padding", "either be a single int, or");
  const DimVector d = expand_arg(dilation, nd, op, "dilation", "be either a single int, or");
  const int64_t dim = input.dim();
  TG_CHECK(dim == nd + 1 || dim == nd + 2, op, ": non-empty ", nd + 1, "D or ", nd + 2,
           "D (batch mode) tensor expected for input, but got input of size ", input.sizes());
  TG_CHECK(is_floating_point(input.scalar_type()), op, ": \"", op, "\" not implemented for '",
           input.scalar_type(), "'");
  auto list = [&](const char* prefix, const DimVector& v) {
    std::ostringstream ss;
    for (int64_t i = 0; i < nd; ++i)
      ss << (i ? " " : "") << prefix << axis_names(nd, i) << ": " << v[static_cast<size_t>(i)];
    return ss.str();
  };
  for (int64_t i = 0; i < nd; ++i) {
    TG_CHECK(k[static_cast<size_t>(i)] > 0, op,
             ": kernel size should be greater than zero, but got ", list("k", k));
    TG_CHECK(s[static_cast<size_t>(i)] > 0, op, ": stride should be greater than zero, but got ",
             list("d", s));
    TG_CHECK(d[static_cast<size_t>(i)] > 0, op, ": dilation should be greater than zero, but got ",
             list("dilation", d));
  }
  for (int64_t i = dim - nd - 1; i < dim; ++i) {
    TG_CHECK(
        input.size(i) > 0, op, ": Expected ", nd + 1, "D or ", nd + 2,
        "D (batch mode) tensor with optional 0 dim batch size for input, but got:", input.sizes());
  }
  for (int64_t i = 0; i < nd; ++i) {
    const size_t u = static_cast<size_t>(i);
    if (p[u] >= 0 && p[u] <= k[u] / 2) continue;
    std::ostringstream ss;
    if (nd == 2)
      ss << "padW = " << p[1] << ", padH = " << p[0] << ", kW = " << k[1] << ", kH = " << k[0];
    else
      ss << "kT: " << k[0] << " kW: " << k[2] << " kH: " << k[1] << " padT: " << p[0]
         << " padW: " << p[2] << " padH: " << p[1];
    TG_ERROR(op, ": pad should be smaller than or equal to half of kernel size, but got ",
             ss.str());
  }
  PoolGeometry g;
  const int64_t planes_dims = dim - nd;
  g.planes = 1;
  out_shape.clear();
  for (int64_t i = 0; i < planes_dims; ++i) {
    g.planes *= input.size(i);
    out_shape.push_back(input.size(i));
  }
  DimVector in_sp, out_sp;
  bool too_small = false;
  for (int64_t i = 0; i < nd; ++i) {
    const size_t u = static_cast<size_t>(i);
    const int64_t in = input.size(planes_dims + i);
    const int64_t o = pooled_size(in, k[u], p[u], s[u], d[u], ceil_mode);
    too_small = too_small || o < 1;
    in_sp.push_back(in);
    out_sp.push_back(o);
    out_shape.push_back(o);
    const size_t slot = static_cast<size_t>(3 - nd + i);
    g.in[slot] = in;
    g.out[slot] = o;
    g.kernel[slot] = k[u];
    g.stride[slot] = s[u];
    g.padding[slot] = p[u];
    g.dilation[slot] = d[u];
  }
  g.ceil_mode = ceil_mode;
  const int64_t channels = input.size(planes_dims - 1);
  TG_CHECK(!too_small, op, ": Given input size: (", channels, "x", join_sizes(in_sp, "x"),
           "). Calculated output size: (", channels, "x", join_sizes(out_sp, "x"),
           "). Output size is too small");
  return g;
}

// The gradient of an indexed pooling (max pooling, adaptive max pooling): grad_output added at the
// indexed positions of a zero tensor of the input's shape. `name` is the node this op records;
// its own gradient gathers at the same indices.
Tensor indexed_pool_backward(const Tensor& grad_output, const Tensor& self, const Tensor& indices,
                             int64_t nd, const char* name) {
  const int64_t planes =
      numel_of(self.sizes().slice(0, self.sizes().size() - static_cast<size_t>(nd)));
  Tensor g = grad_output.contiguous();
  Tensor idx = indices.contiguous();
  Tensor out = zeros(self.sizes(), grad_output.scalar_type());
  kernels::scatter_add_planes(out, g, idx, planes);
  if (autograd::should_record({&grad_output, &self})) {
    autograd::record(name, {&grad_output, &self}, {&out}, {save(indices)},
                     [planes](const tensor_list& gr, const tensor_list& s) {
                       // max_pool_double_backward: gather the incoming gradient at the indices,
                       // as a differentiable gather.
                       const Tensor& ix = s[0];
                       const int64_t per = planes ? ix.numel() / planes : 0;
                       Tensor flat = gr[0].reshape({planes, -1});
                       return tensor_list{
                           flat.gather(1, ix.reshape({planes, per})).reshape(ix.sizes()), Tensor()};
                     });
  }
  return out;
}

std::tuple<Tensor, Tensor> max_pool_nd(const Tensor& self, IntArrayRef kernel, IntArrayRef stride,
                                       IntArrayRef padding, IntArrayRef dilation, bool ceil_mode,
                                       int64_t nd) {
  const char* op = nd == 2 ? "max_pool2d" : "max_pool3d";
  DimVector out_shape;
  const PoolGeometry g =
      pool_geometry(self, nd, op, kernel, stride, padding, dilation, ceil_mode, out_shape);
  Tensor x = self.contiguous();
  Tensor out = make_empty(out_shape, self.scalar_type());
  Tensor indices = make_empty(out_shape, kLong);
  kernels::max_pool_forward(out, indices, x, g);
  if (autograd::should_record({&self})) {
    autograd::record(
        nd == 2 ? "MaxPool2DWithIndicesBackward0" : "MaxPool3DWithIndicesBackward0", {&self},
        {&out}, {save(self), save(indices)}, [nd](const tensor_list& gr, const tensor_list& s) {
          return tensor_list{nd == 2 ? max_pool2d_with_indices_backward(gr[0], s[0], s[1])
                                     : max_pool3d_with_indices_backward(gr[0], s[0], s[1])};
        });
  }
  return {out, indices};
}

Tensor avg_pool_nd(const Tensor& self, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding,
                   bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override,
                   int64_t nd);

// avg_pool's gradient as an op (AvgPool2DBackward0's backward); linear in grad_output, whose
// gradient is the pooling again.
Tensor avg_pool_backward(const Tensor& grad_output, const Tensor& self, const PoolGeometry& g,
                         bool count_include_pad, int64_t divisor, int64_t nd) {
  Tensor go = grad_output.contiguous();
  Tensor out = zeros(self.sizes(), grad_output.scalar_type());
  kernels::avg_pool_backward(out, go, g, count_include_pad, divisor);
  if (autograd::should_record({&grad_output, &self})) {
    autograd::record(
        nd == 2 ? "AvgPool2DBackwardBackward0" : "AvgPool3DBackwardBackward0",
        {&grad_output, &self}, {&out}, {},
        [g, count_include_pad, divisor, nd](const tensor_list& gr, const tensor_list&) {
          const size_t first = static_cast<size_t>(3 - nd);
          DimVector k, s, p;
          for (size_t i = first; i < 3; ++i) {
            k.push_back(g.kernel[i]);
            s.push_back(g.stride[i]);
            p.push_back(g.padding[i]);
          }
          Tensor r = avg_pool_nd(gr[0], k, s, p, g.ceil_mode, count_include_pad,
                                 divisor > 0 ? std::optional<int64_t>(divisor) : std::nullopt, nd);
          return tensor_list{r, Tensor()};
        });
  }
  return out;
}

Tensor avg_pool_nd(const Tensor& self, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding,
                   bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override,
                   int64_t nd) {
  const char* op = nd == 2 ? "avg_pool2d" : "avg_pool3d";
  TG_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor must be not zero");
  DimVector out_shape;
  const PoolGeometry g =
      pool_geometry(self, nd, op, kernel, stride, padding, 1, ceil_mode, out_shape);
  const int64_t divisor = divisor_override ? *divisor_override : 0;
  Tensor x = self.contiguous();
  Tensor out = make_empty(out_shape, self.scalar_type());
  kernels::avg_pool_forward(out, x, g, count_include_pad, divisor);
  if (autograd::should_record({&self})) {
    autograd::record(
        nd == 2 ? "AvgPool2DBackward0" : "AvgPool3DBackward0", {&self}, {&out}, {save(self)},
        [g, count_include_pad, divisor, nd](const tensor_list& gr, const tensor_list& sv) {
          return tensor_list{avg_pool_backward(gr[0], sv[0], g, count_include_pad, divisor, nd)};
        });
  }
  return out;
}

// The geometry of an adaptive pooling of `input` to `output_size` (nd values).
PoolGeometry adaptive_geometry(const Tensor& input, IntArrayRef output_size, int64_t nd,
                               const char* op, DimVector& out_shape) {
  TG_CHECK(input.defined(), op, ": undefined input");
  const int64_t dim = input.dim();
  TG_CHECK(dim == nd + 1 || dim == nd + 2, op, "(): Expected ", nd + 1, "D or ", nd + 2,
           "D tensor, but got ", input.sizes());
  TG_CHECK(is_floating_point(input.scalar_type()), op, ": \"", op, "\" not implemented for '",
           input.scalar_type(), "'");
  for (int64_t i = dim - nd; i < dim; ++i)
    TG_CHECK(input.size(i) > 0, op,
             "(): Expected input to have non-zero size for non-batch dimensions, but input has "
             "sizes ",
             input.sizes(), " with dimension ", i, " being empty");
  PoolGeometry g;
  g.planes = 1;
  out_shape.clear();
  for (int64_t i = 0; i < dim - nd; ++i) {
    g.planes *= input.size(i);
    out_shape.push_back(input.size(i));
  }
  for (int64_t i = 0; i < nd; ++i) {
    const size_t slot = static_cast<size_t>(3 - nd + i);
    g.in[slot] = input.size(dim - nd + i);
    g.out[slot] = output_size[static_cast<size_t>(i)];
    out_shape.push_back(g.out[slot]);
  }
  return g;
}

Tensor adaptive_avg_pool_nd(const Tensor& self, IntArrayRef output_size, int64_t nd);

Tensor adaptive_avg_pool_backward(const Tensor& grad_output, const Tensor& self,
                                  const PoolGeometry& g, int64_t nd) {
  Tensor go = grad_output.contiguous();
  Tensor out = zeros(self.sizes(), grad_output.scalar_type());
  kernels::adaptive_avg_pool_backward(out, go, g);
  if (autograd::should_record({&grad_output, &self})) {
    DimVector out_size;
    for (size_t i = static_cast<size_t>(3 - nd); i < 3; ++i) out_size.push_back(g.out[i]);
    autograd::record(
        nd == 2 ? "AdaptiveAvgPool2DBackwardBackward0" : "AdaptiveAvgPool3DBackwardBackward0",
        {&grad_output, &self}, {&out}, {},
        [out_size, nd](const tensor_list& gr, const tensor_list&) {
          return tensor_list{adaptive_avg_pool_nd(gr[0], out_size, nd), Tensor()};
        });
  }
  return out;
}

// ATen's _adaptive_avg_pool2d/3d: the kernel itself, without the mean shortcut.
Tensor adaptive_avg_pool_nd(const Tensor& self, IntArrayRef output_size, int64_t nd) {
  const char* op = nd == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d";
  DimVector out_shape;
  const PoolGeometry g = adaptive_geometry(self, output_size, nd, op, out_shape);
  Tensor x = self.contiguous();
  Tensor out = make_empty(out_shape, self.scalar_type());
  kernels::adaptive_avg_pool_forward(out, x, g);
  if (autograd::should_record({&self})) {
    autograd::record(nd == 2 ? "AdaptiveAvgPool2DBackward0" : "AdaptiveAvgPool3DBackward0", {&self},
                     {&out}, {save(self)}, [g, nd](const tensor_list& gr, const tensor_list& sv) {
                       return tensor_list{adaptive_avg_pool_backward(gr[0], sv[0], g, nd)};
                     });
  }
  return out;
}

Tensor adaptive_avg_pool(const Tensor& self, IntArrayRef output_size, int64_t nd) {
  const char* op = nd == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d";
  TG_CHECK(static_cast<int64_t>(output_size.size()) == nd, op, ": output_size must be ", nd);
  for (int64_t v : output_size)
    TG_CHECK(v >= 0, op,
             ": elements of output_size must be greater than or equal to 0 but received ",
             output_size);
  bool all_one = true;
  for (int64_t v : output_size) all_one = all_one && v == 1;
  if (all_one) {
    // A single output per plane is the mean over the spatial dims, which ATen takes as a
    // shortcut (its grad_fn is MeanBackward1).
    DimVector out_shape;
    adaptive_geometry(self, output_size, nd, op, out_shape);
    DimVector dims;
    for (int64_t i = 1; i <= nd; ++i) dims.push_back(-i);
    return self.mean(dims, true);
  }
  return adaptive_avg_pool_nd(self, output_size, nd);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  return max_pool_nd(self, kernel_size, stride, padding, dilation, ceil_mode, 2);
}
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  return max_pool_nd(self, kernel_size, stride, padding, dilation, ceil_mode, 3);
}
Tensor max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool_nd(self, kernel_size, stride, padding, dilation, ceil_mode, 2));
}
Tensor max_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool_nd(self, kernel_size, stride, padding, dilation, ceil_mode, 3));
}

Tensor max_pool2d_with_indices_backward(const Tensor& grad_output, const Tensor& self,
                                        const Tensor& indices) {
  return indexed_pool_backward(grad_output, self, indices, 2,
                               "MaxPool2DWithIndicesBackwardBackward0");
}
Tensor max_pool3d_with_indices_backward(const Tensor& grad_output, const Tensor& self,
                                        const Tensor& indices) {
  return indexed_pool_backward(grad_output, self, indices, 3,
                               "MaxPool3DWithIndicesBackwardBackward0");
}

namespace {

// The checks of ATen's max_pool1d, then the 2-d pooling of the input viewed as [.., 1, L].
std::tuple<Tensor, Tensor> max_pool1d_impl(const Tensor& self, IntArrayRef kernel_size,
                                           IntArrayRef stride, IntArrayRef padding,
                                           IntArrayRef dilation, bool ceil_mode) {
  TG_CHECK(self.defined(), "max_pool1d: undefined input");
  TG_CHECK(self.dim() == 2 || self.dim() == 3,
           "max_pool1d() Expected 2D or 3D input tensor, but got ", self.sizes());
  TG_CHECK(kernel_size.size() == 1,
           "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but "
           "got size ",
           kernel_size.size());
  TG_CHECK(stride.size() <= 1,
           "max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 "
           "but got size ",
           stride.size());
  TG_CHECK(padding.size() == 1,
           "max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but "
           "got size ",
           padding.size());
  TG_CHECK(dilation.size() == 1,
           "max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1 but "
           "got size ",
           dilation.size());
  const int64_t k = kernel_size[0], s = stride.empty() ? k : stride[0], p = padding[0],
                d = dilation[0];
  TG_CHECK(k > 0, "max_pool1d() kernel_size must be greater than zero, but got ", k);
  TG_CHECK(s > 0, "max_pool1d() stride must be greater than zero, but got ", s);
  TG_CHECK(p >= 0, "max_pool1d() padding must be non-negative, but got ", p);
  TG_CHECK(p <= k / 2,
           "max_pool1d() padding should be at most half of kernel size, but got padding=", p,
           " and kernel_size=", k);
  TG_CHECK(d > 0, "max_pool1d() dilation must be greater than zero, but got ", d);
  const int64_t ol = pooled_size(self.size(-1), k, p, s, d, ceil_mode);
  TG_CHECK(ol >= 0, "max_pool1d() Invalid computed output size: ", ol);
  auto [out, indices] =
      max_pool_nd(self.unsqueeze(-2), {1, k}, {1, s}, {0, p}, {1, d}, ceil_mode, 2);
  return {out.squeeze(-2), indices.squeeze(-2)};
}

void check_1d_input(const Tensor& self, const char* op) {
  TG_CHECK(self.defined(), op, ": undefined input");
  TG_CHECK(self.dim() == 2 || self.dim() == 3, op, ": Expected 2 to 3 dimensions, but got ",
           self.dim(), "-dimensional tensor for argument #1 'self' (while checking arguments for ",
           op, ")");
}

void check_1d_arg(IntArrayRef v, const char* op, const char* name) {
  TG_CHECK(v.size() == 1, op, "() argument '", name, "' should contain one int (got ", v.size(),
           ")");
}

}  // namespace

Tensor max_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool1d_impl(self, kernel_size, stride, padding, dilation, ceil_mode));
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  return max_pool1d_impl(self, kernel_size, stride, padding, dilation, ceil_mode);
}

Tensor avg_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad) {
  check_1d_input(self, "avg_pool1d");
  check_1d_arg(kernel_size, "avg_pool1d", "kernel_size");
  if (!stride.empty()) check_1d_arg(stride, "avg_pool1d", "stride");
  check_1d_arg(padding, "avg_pool1d", "padding");
  const int64_t k = kernel_size[0], s = stride.empty() ? k : stride[0];
  return avg_pool_nd(self.unsqueeze(-2), {1, k}, {1, s}, {0, padding[0]}, ceil_mode,
                     count_include_pad, std::nullopt, 2)
      .squeeze(-2);
}
Tensor avg_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd(self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2);
}
Tensor avg_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd(self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 3);
}

Tensor adaptive_avg_pool1d(const Tensor& self, IntArrayRef output_size) {
  check_1d_input(self, "adaptive_avg_pool1d");
  check_1d_arg(output_size, "adaptive_avg_pool1d", "output_size");
  return adaptive_avg_pool(self.unsqueeze(-2), {1, output_size[0]}, 2).squeeze(-2);
}
Tensor adaptive_avg_pool2d(const Tensor& self, IntArrayRef output_size) {
  return adaptive_avg_pool(self, output_size, 2);
}
Tensor adaptive_avg_pool3d(const Tensor& self, IntArrayRef output_size) {
  return adaptive_avg_pool(self, output_size, 3);
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, IntArrayRef output_size) {
  TG_CHECK(output_size.size() == 2,
           "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  DimVector out_shape;
  const PoolGeometry g = adaptive_geometry(self, output_size, 2, "adaptive_max_pool2d", out_shape);
  Tensor x = self.contiguous();
  Tensor out = make_empty(out_shape, self.scalar_type());
  Tensor indices = make_empty(out_shape, kLong);
  kernels::adaptive_max_pool_forward(out, indices, x, g);
  if (autograd::should_record({&self})) {
    autograd::record("AdaptiveMaxPool2DBackward0", {&self}, {&out}, {save(self), save(indices)},
                     [](const tensor_list& gr, const tensor_list& s) {
                       return tensor_list{indexed_pool_backward(
                           gr[0], s[0], s[1], 2, "AdaptiveMaxPool2DBackwardBackward0")};
                     });
  }
  return {out, indices};
}
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, IntArrayRef output_size) {
  check_1d_input(self, "adaptive_max_pool1d");
  check_1d_arg(output_size, "adaptive_max_pool1d", "output_size");
  auto [out, indices] = adaptive_max_pool2d(self.unsqueeze(-2), {1, output_size[0]});
  return {out.squeeze(-2), indices.squeeze(-2)};
}

Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size) {
  TG_CHECK(self.defined() && indices.defined(), "max_unpool2d: undefined input or indices");
  TG_CHECK(indices.scalar_type() == kLong,
           "max_unpool2d: elements in indices should be type int64 but got: ",
           dtype_name(indices.scalar_type()));
  TG_CHECK(output_size.size() == 2,
           "max_unpool2d: There should be exactly two elements (height, width) in output_size, "
           "but got ",
           output_size.size(), " elements.");
  TG_CHECK(self.dim() == 3 || self.dim() == 4,
           "max_unpool2d: Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor "
           "with ",
           self.dim(), " dimensions.");
  TG_CHECK(self.sizes().equals(indices.sizes()),
           "max_unpool2d: Expected shape of indices to be same as that of the input tensor (",
           self.sizes(), ") but got indices tensor with shape: ", indices.sizes());
  for (int64_t i = 1; i < self.dim(); ++i)
    TG_CHECK(self.size(i) > 0,
             "max_unpool2d: max_unpooling2d_forward_out_cpu(): Expected input to have non-zero "
             "size for non-batch dimensions, but got ",
             self.sizes(), " with dimension ", i, " being empty.");
  TG_CHECK(is_floating_point(self.scalar_type()),
           "max_unpool2d: \"max_unpooling2d_forward_out_frame\" not implemented for '",
           self.scalar_type(), "'");
  DimVector out_shape;
  int64_t planes = 1;
  for (int64_t i = 0; i < self.dim() - 2; ++i) {
    out_shape.push_back(self.size(i));
    planes *= self.size(i);
  }
  out_shape.push_back(output_size[0]);
  out_shape.push_back(output_size[1]);
  Tensor out = zeros(out_shape, self.scalar_type());
  const int64_t bad = kernels::scatter_planes(out, self.contiguous(), indices.contiguous(), planes);
  TG_CHECK(bad < 0, "max_unpool2d: Found an invalid max index: ", bad,
           " (output volumes are of size ", output_size[0], "x", output_size[1]);
  if (autograd::should_record({&self})) {
    autograd::record(
        "MaxUnpool2DBackward0", {&self}, {&out}, {save(indices)},
        [planes](const tensor_list& gr, const tensor_list& s) {
          const Tensor& ix = s[0];
          const int64_t per = planes ? ix.numel() / planes : 0;
          return tensor_list{
              gr[0].reshape({planes, -1}).gather(1, ix.reshape({planes, per})).reshape(ix.sizes())};
        });
  }
  return out;
}

namespace nn {
namespace functional {

namespace {

// output_size with its absent values taken from the input's trailing sizes, as libtorch's
// _list_with_default.
template <size_t D>
DimVector with_default(const ExpandingArrayWithOptionalElem<D>& size, const Tensor& input) {
  TG_CHECK(input.dim() >= static_cast<int64_t>(D), "Input dimension should be at least ", D + 1);
  DimVector out;
  for (size_t i = 0; i < D; ++i) {
    const auto& v = size[i];
    out.push_back(v ? *v
                    : input.size(input.dim() - static_cast<int64_t>(D) + static_cast<int64_t>(i)));
  }
  return out;
}

// The unpooled output size: the default (in - 1) * stride + kernel - 2 * padding, or the given
// sizes (spatial, or with batch and channels) when within a stride of it.
template <size_t D>
DimVector unpool_output_size(const Tensor& input, const MaxUnpoolFuncOptions<D>& o) {
  const int64_t dim = input.dim();
  DimVector def;
  for (size_t d = 0; d < D; ++d)
    def.push_back((input.size(dim - static_cast<int64_t>(D) + static_cast<int64_t>(d)) - 1) *
                      o.stride()[d] +
                  o.kernel_size()[d] - 2 * o.padding()[d]);
  if (!o.output_size()) return def;
  std::vector<int64_t> given = *o.output_size();
  if (given.size() == D + 2) given.erase(given.begin(), given.begin() + 2);
  TG_CHECK(given.size() == D, "output_size should be a sequence containing ", D, " or ", D + 2,
           " elements, but it has a length of '", given.size(), "'");
  for (size_t d = 0; d < D; ++d) {
    const int64_t lo = def[d] - o.stride()[d], hi = def[d] + o.stride()[d];
    TG_CHECK(lo <= given[d] && given[d] <= hi, "invalid output_size ", IntArrayRef(given), " (dim ",
             d, " must be between ", lo, " and ", hi, ")");
  }
  return DimVector(IntArrayRef(given));
}

}  // namespace

Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return tg::max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                        o.ceil_mode());
}
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return tg::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                        o.ceil_mode());
}
Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& o) {
  return tg::max_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                        o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                   const MaxPool1dFuncOptions& o) {
  return tg::max_pool1d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                                     o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& o) {
  return tg::max_pool2d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                                     o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input,
                                                   const MaxPool3dFuncOptions& o) {
  return tg::max_pool3d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),
                                     o.ceil_mode());
}
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& o) {
  return tg::avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(),
                        o.count_include_pad());
}
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  return tg::avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(),
                        o.count_include_pad(), o.divisor_override());
}
Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& o) {
  return tg::avg_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(),
                        o.count_include_pad(), o.divisor_override());
}
Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& o) {
  return tg::adaptive_avg_pool1d(input, o.output_size());
}
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& o) {
  return tg::adaptive_avg_pool2d(input, with_default(o.output_size(), input));
}
Tensor adaptive_avg_pool3d(const Tensor& input, const AdaptiveAvgPool3dFuncOptions& o) {
  return tg::adaptive_avg_pool3d(input, with_default(o.output_size(), input));
}
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input,
                                                            const AdaptiveMaxPool1dFuncOptions& o) {
  return tg::adaptive_max_pool1d(input, o.output_size());
}
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input,
                                                            const AdaptiveMaxPool2dFuncOptions& o) {
  return tg::adaptive_max_pool2d(input, with_default(o.output_size(), input));
}
Tensor adaptive_max_pool1d(const Tensor& input, const AdaptiveMaxPool1dFuncOptions& o) {
  return std::get<0>(adaptive_max_pool1d_with_indices(input, o));
}
Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& o) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, o));
}
Tensor max_unpool1d(const Tensor& input, const Tensor& indices, const MaxUnpool1dFuncOptions& o) {
  TG_CHECK(input.defined() && input.dim() >= 2 && input.dim() <= 3,
           "max_unpool1d: Expected 2D or 3D input, but got ",
           input.defined() ? input.sizes() : IntArrayRef());
  DimVector size = unpool_output_size(input, o);
  return tg::max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), {size[0], 1}).squeeze(-1);
}
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const MaxUnpool2dFuncOptions& o) {
  TG_CHECK(input.defined() && input.dim() >= 3 && input.dim() <= 4,
           "max_unpool2d: Expected 3D or 4D input, but got ",
           input.defined() ? input.sizes() : IntArrayRef());
  return tg::max_unpool2d(input, indices, unpool_output_size(input, o));
}
Tensor lp_pool1d(const Tensor& input, const LPPool1dFuncOptions& o) {
  const double p = o.norm_type();
  Tensor out = tg::avg_pool1d(input.pow(p), o.kernel_size(), o.stride(), 0, o.ceil_mode());
  return (tg::sign(out) * tg::relu(tg::abs(out)))
      .mul(static_cast<double>(o.kernel_size()[0]))
      .pow(1.0 / p);
}
Tensor lp_pool2d(const Tensor& input, const LPPool2dFuncOptions& o) {
  const double p = o.norm_type();
  const int64_t kh = o.kernel_size()[0], kw = o.kernel_size()[1];
  Tensor out = tg::avg_pool2d(input.pow(p), o.kernel_size(), o.stride(), 0, o.ceil_mode());
  return (tg::sign(out) * tg::relu(tg::abs(out))).mul(static_cast<double>(kw * kh)).pow(1.0 / p);
}

}  // namespace functional

namespace F = functional;

namespace {

// A size option as Python prints it: one value when all are equal, else a tuple.
template <size_t D>
std::string repr(const ExpandingArray<D>& a) {
  bool same = true;
  for (size_t i = 1; i < D; ++i) same = same && a[i] == a[0];
  if (same) return std::to_string(a[0]);
  std::string s = "(";
  for (size_t i = 0; i < D; ++i) s += (i ? ", " : "") + std::to_string(a[i]);
  return s + ")";
}
template <size_t D>
std::string repr(const ExpandingArrayWithOptionalElem<D>& a) {
  auto one = [](const std::optional<int64_t>& v) {
    return v ? std::to_string(*v) : std::string("None");
  };
  bool same = true;
  for (size_t i = 1; i < D; ++i) same = same && a[i] == a[0];
  if (same) return one(a[0]);
  std::string s = "(";
  for (size_t i = 0; i < D; ++i) s += (i ? ", " : "") + one(a[i]);
  return s + ")";
}
std::string py_bool(bool b) { return b ? "True" : "False"; }

template <typename Options>
std::string max_pool_repr(const Options& o) {
  return "kernel_size=" + repr(o.kernel_size()) + ", stride=" + repr(o.stride()) +
         ", padding=" + repr(o.padding()) + ", dilation=" + repr(o.dilation()) +
         ", ceil_mode=" + py_bool(o.ceil_mode());
}
template <typename Options>
std::string avg_pool_repr(const Options& o) {
  return "kernel_size=" + repr(o.kernel_size()) + ", stride=" + repr(o.stride()) +
         ", padding=" + repr(o.padding());
}

}  // namespace

#define TG_MAX_POOL_MODULE(Name, fn)                                                 \
  Tensor Name##Impl::forward(const Tensor& input) { return F::fn(input, options); }  \
  std::tuple<Tensor, Tensor> Name##Impl::forward_with_indices(const Tensor& input) { \
    return F::fn##_with_indices(input, options);                                     \
  }                                                                                  \
  std::string Name##Impl::extra_repr() const { return max_pool_repr(options); }
TG_MAX_POOL_MODULE(MaxPool1d, max_pool1d)
TG_MAX_POOL_MODULE(MaxPool2d, max_pool2d)
TG_MAX_POOL_MODULE(MaxPool3d, max_pool3d)
#undef TG_MAX_POOL_MODULE

#define TG_AVG_POOL_MODULE(Name, fn)                                                \
  Tensor Name##Impl::forward(const Tensor& input) { return F::fn(input, options); } \
  std::string Name##Impl::extra_repr() const { return avg_pool_repr(options); }
TG_AVG_POOL_MODULE(AvgPool1d, avg_pool1d)
TG_AVG_POOL_MODULE(AvgPool2d, avg_pool2d)
TG_AVG_POOL_MODULE(AvgPool3d, avg_pool3d)
#undef TG_AVG_POOL_MODULE

#define TG_ADAPTIVE_MODULE(Name, fn)                                                \
  Tensor Name##Impl::forward(const Tensor& input) { return F::fn(input, options); } \
  std::string Name##Impl::extra_repr() const {                                      \
    return "output_size=" + repr(options.output_size());                            \
  }
TG_ADAPTIVE_MODULE(AdaptiveAvgPool1d, adaptive_avg_pool1d)
TG_ADAPTIVE_MODULE(AdaptiveAvgPool2d, adaptive_avg_pool2d)
TG_ADAPTIVE_MODULE(AdaptiveAvgPool3d, adaptive_avg_pool3d)
TG_ADAPTIVE_MODULE(AdaptiveMaxPool1d, adaptive_max_pool1d)
TG_ADAPTIVE_MODULE(AdaptiveMaxPool2d, adaptive_max_pool2d)
#undef TG_ADAPTIVE_MODULE
std::tuple<Tensor, Tensor> AdaptiveMaxPool1dImpl::forward_with_indices(const Tensor& input) {
  return F::adaptive_max_pool1d_with_indices(input, options);
}
std::tuple<Tensor, Tensor> AdaptiveMaxPool2dImpl::forward_with_indices(const Tensor& input) {
  return F::adaptive_max_pool2d_with_indices(input, options);
}

#define TG_UNPOOL_MODULE(Name, fn, D)                                                  \
  Tensor Name##Impl::forward(const Tensor& input, const Tensor& indices,               \
                             const std::optional<std::vector<int64_t>>& output_size) { \
    return F::fn(input, indices,                                                       \
                 F::MaxUnpoolFuncOptions<D>(options.kernel_size())                     \
                     .stride(options.stride())                                         \
                     .padding(options.padding())                                       \
                     .output_size(output_size));                                       \
  }                                                                                    \
  std::string Name##Impl::extra_repr() const { return avg_pool_repr(options); }
TG_UNPOOL_MODULE(MaxUnpool1d, max_unpool1d, 1)
TG_UNPOOL_MODULE(MaxUnpool2d, max_unpool2d, 2)
#undef TG_UNPOOL_MODULE

#define TG_LP_POOL_MODULE(Name, fn)                                                                \
  Tensor Name##Impl::forward(const Tensor& input) { return F::fn(input, options); }                \
  std::string Name##Impl::extra_repr() const {                                                     \
    return "norm_type=" + detail::py_float(options.norm_type()) +                                  \
           ", kernel_size=" + repr(options.kernel_size()) + ", stride=" + repr(options.stride()) + \
           ", ceil_mode=" + py_bool(options.ceil_mode());                                          \
  }
TG_LP_POOL_MODULE(LPPool1d, lp_pool1d)
TG_LP_POOL_MODULE(LPPool2d, lp_pool2d)
#undef TG_LP_POOL_MODULE

}  // namespace nn
}  // namespace tg
