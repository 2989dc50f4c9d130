// Reductions and their gradients: sum, mean, prod, max/min (all, over a dim, amax/amin),
// argmax/argmin, norm, var, std; and sum_to, the engine's un-broadcast.
#include "kernels/reduce.h"

#include <cmath>
#include <limits>

#include "autograd/function.h"
#include "kernels/dispatch.h"
#include "kernels/factory.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;
using kernels::DimMask;
using kernels::ReduceOp;

namespace {

// Which dims a reduction covers; an empty list means all of them.
DimMask dim_mask(IntArrayRef dims, int64_t nd, const char* op) {
  DimMask mask(std::max<int64_t>(nd, 0), dims.empty(), op);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, nd, op);
    if (nd == 0) continue;
    TG_CHECK(!mask[w] || dims.empty(), op, ": dim ", w,
             " appears multiple times in the list of dims");
    mask.set(w);
  }
  return mask;
}

DimVector reduced_shape(IntArrayRef sizes, const DimMask& mask, bool keepdim) {
  DimVector out;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (!mask[d])
      out.push_back(sizes[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

Tensor reduce_forward(ReduceOp op, const Tensor& x, const DimMask& mask, bool keepdim,
                      ScalarType out_t) {
  Tensor out = make_empty(reduced_shape(x.sizes(), mask, keepdim), out_t);
  if (x.dim() == 0) {
    if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin)
      kernels::fill(out, 0);
    else
      kernels::copy(out, x);
    return out;
  }
  kernels::reduce(op, out, x, mask);
  return out;
}

// g of a reduced shape, viewed with the reduced dims restored as size 1 (ready to broadcast).
Tensor unsqueeze_reduced(const Tensor& g, IntArrayRef in_sizes, const DimMask& mask, bool keepdim) {
  if (keepdim || in_sizes.empty()) return g;
  return g.reshape(reduced_shape(in_sizes, mask, true));
}

ScalarType sum_type(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  // Integer and bool sums are int64, as in PyTorch.
  return x.is_floating_point() ? x.scalar_type() : kLong;
}

int64_t reduced_count(IntArrayRef sizes, const DimMask& mask) {
  int64_t n = 1;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (mask[d]) n *= sizes[d];
  return n;
}

Tensor sum_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype,
                const char* node) {
  TG_CHECK(x.defined(), "sum: called on an undefined tensor");
  auto mask = dim_mask(dims, x.dim(), "sum");
  const ScalarType ot = sum_type(x, dtype);
  Tensor in = x.scalar_type() == ot || !is_floating_point(ot) ? x : x.to(ot);
  Tensor out = reduce_forward(ReduceOp::Sum, in, mask, keepdim, ot);
  if (autograd::should_record({&x})) {
    DimVector in_sizes(x.sizes());
    if (dims.empty()) {
      // Every dim reduced: the gradient is g expanded back to the input's shape (PyTorch's
      // sum_backward), and the node needs no mask (which would cost an allocation per node).
      autograd::record(node, {&x}, {&out}, {},
                       [in_sizes](const tensor_list& g, const tensor_list&) {
                         return tensor_list{g[0].expand(in_sizes)};
                       });
    } else {
      autograd::record(
          node, {&x}, {&out}, {},
          [in_sizes, mask, keepdim](const tensor_list& g, const tensor_list&) {
            return tensor_list{unsqueeze_reduced(g[0], in_sizes, mask, keepdim).expand(in_sizes)};
          });
    }
  }
  return out;
}

Tensor mean_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype,
                 const char* node) {
  TG_CHECK(x.defined(), "mean: called on an undefined tensor");
  const ScalarType ot = dtype.value_or(x.scalar_type());
  TG_CHECK(is_floating_point(ot),
           "mean(): could not infer output dtype. Input dtype must be either a "
           "floating point or complex dtype. Got: ",
           ot);
  auto mask = dim_mask(dims, x.dim(), "mean");
  const int64_t n = reduced_count(x.sizes(), mask);
  Tensor in = x.scalar_type() == ot ? x : x.to(ot);
  Tensor out = reduce_forward(ReduceOp::Sum, in, mask, keepdim, ot);
  {
    NoGradGuard guard;
    out.div_(static_cast<double>(n));
  }
  impl_of(out)->storage->version = 0;
  if (autograd::should_record({&x})) {
    DimVector in_sizes(x.sizes());
    autograd::record(
        node, {&x}, {&out}, {},
        [in_sizes, mask, keepdim, n](const tensor_list& g, const tensor_list&) {
          return tensor_list{unsqueeze_reduced(g[0], in_sizes, mask, keepdim).expand(in_sizes) /
                             static_cast<double>(n)};
        });
  }
  return out;
}

// Gradient that spreads g evenly over the positions equal to the extreme value (PyTorch's
// rule for max()/min()/amax/amin, so ties share the gradient).
Tensor distribute_to_ties(const Tensor& g, const Tensor& x, const Tensor& y, const DimMask& mask,
                          bool keepdim) {
  Tensor yk = unsqueeze_reduced(y, x.sizes(), mask, keepdim);
  Tensor gk = unsqueeze_reduced(g, x.sizes(), mask, keepdim);
  Tensor is_ext = (x == yk).to(g.scalar_type());
  DimVector dims;
  for (int64_t d = 0; d < mask.size(); ++d)
    if (mask[d]) dims.push_back(d);
  Tensor count = dims.empty() ? is_ext : is_ext.sum(dims, true);
  return gk * is_ext / count;
}

Tensor extreme_all(const Tensor& x, bool is_max) {
  const char* name = is_max ? "max" : "min";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  TG_CHECK(x.numel() > 0, name,
           "(): Expected reduction dim to be specified for input.numel() == 0. "
           "Specify the reduction dim with the 'dim' argument (shape ",
           x.sizes(), ")");
  auto mask = dim_mask({}, x.dim(), name);
  Tensor out =
      reduce_forward(is_max ? ReduceOp::Max : ReduceOp::Min, x, mask, false, x.scalar_type());
  if (autograd::should_record({&x}))
    autograd::record(is_max ? "MaxBackward1" : "MinBackward1", {&x}, {&out},
                     {save(x), save_output(out)},
                     [mask](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{distribute_to_ties(g[0], s[0], s[1], mask, false)};
                     });
  return out;
}

std::tuple<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t d, bool keepdim, bool is_max) {
  const char* name = is_max ? "max" : "min";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  d = wrap_dim(d, x.dim(), name);
  TG_CHECK(x.dim() == 0 || x.size(d) > 0, name, "(): Expected reduction dim ", d,
           " to have non-zero size (shape ", x.sizes(), ")");
  DimMask mask(x.dim(), false, name);
  if (x.dim() > 0) mask.set(d);
  Tensor values =
      reduce_forward(is_max ? ReduceOp::Max : ReduceOp::Min, x, mask, keepdim, x.scalar_type());
  Tensor indices =
      reduce_forward(is_max ? ReduceOp::ArgMax : ReduceOp::ArgMin, x, mask, keepdim, kLong);
  if (autograd::should_record({&x})) {
    DimVector in_sizes(x.sizes());
    autograd::record(is_max ? "MaxBackward0" : "MinBackward0", {&x}, {&values}, {save(indices)},
                     [in_sizes, d, keepdim, mask](const tensor_list& g, const tensor_list& s) {
                       // Route each gradient to the position its value came from.
                       Tensor idx = unsqueeze_reduced(s[0], in_sizes, mask, keepdim);
                       Tensor gk = unsqueeze_reduced(g[0], in_sizes, mask, keepdim);
                       if (in_sizes.empty()) return tensor_list{g[0]};
                       DimVector shape(in_sizes.size(), 1);
                       shape[d] = in_sizes[d];
                       Tensor pos = arange(in_sizes[d], kLong).reshape(shape);
                       return tensor_list{where(pos == idx, gk, 0)};
                     });
  }
  return {values, indices};
}

Tensor amax_impl(const Tensor& x, IntArrayRef dims, bool keepdim, bool is_max) {
  const char* name = is_max ? "amax" : "amin";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  auto mask = dim_mask(dims, x.dim(), name);
  Tensor out =
      reduce_forward(is_max ? ReduceOp::Max : ReduceOp::Min, x, mask, keepdim, x.scalar_type());
  if (autograd::should_record({&x}))
    autograd::record(is_max ? "AmaxBackward0" : "AminBackward0", {&x}, {&out},
                     {save(x), save_output(out)},
                     [mask, keepdim](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{distribute_to_ties(g[0], s[0], s[1], mask, keepdim)};
                     });
  return out;
}

Tensor arg_impl(const Tensor& x, std::optional<int64_t> d, bool keepdim, bool is_max) {
  const char* name = is_max ? "argmax" : "argmin";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  if (!d) {
    TG_CHECK(x.numel() > 0, name,
             "(): Expected reduction dim to be specified for input.numel() == 0.");
    Tensor flat = x.reshape({-1});
    DimMask mask(1, true);
    return reduce_forward(is_max ? ReduceOp::ArgMax : ReduceOp::ArgMin, flat, mask, false, kLong);
  }
  int64_t w = wrap_dim(*d, x.dim(), name);
  DimMask mask(x.dim(), false, name);
  if (x.dim() > 0) {
    mask.set(w);
    TG_CHECK(x.size(w) > 0, name, "(): Expected reduction dim ", w,
             " to have non-zero size (shape ", x.sizes(), ")");
  }
  return reduce_forward(is_max ? ReduceOp::ArgMax : ReduceOp::ArgMin, x, mask, keepdim, kLong);
}

// For each element, the product of the other elements along the reduced dims (all dims, or one).
Tensor prod_of_others(const Tensor& x, const DimMask& mask) {
  NoGradGuard guard;
  int64_t d = -1;
  int64_t count = 0;
  for (int64_t i = 0; i < mask.size(); ++i)
    if (mask[i]) {
      d = i;
      ++count;
    }
  const bool all = count != 1 || x.dim() <= 1;
  Tensor t = all ? x.reshape({1, -1}) : x.transpose(d, -1);
  Tensor rows = t.contiguous().to(kDouble).reshape({-1, t.size(-1)});
  Tensor out = empty_like(rows);
  kernels::exclusive_row_products(out, rows);
  Tensor res = out.reshape(t.contiguous().sizes());
  res = all ? res.reshape(x.sizes()) : res.transpose(d, -1);
  return res.to(x.scalar_type()).contiguous();
}

Tensor prod_impl(const Tensor& x, std::optional<int64_t> d, bool keepdim,
                 std::optional<ScalarType> dtype) {
  TG_CHECK(x.defined(), "prod: called on an undefined tensor");
  DimMask mask;
  if (d) {
    int64_t w = wrap_dim(*d, x.dim(), "prod");
    mask = DimMask(x.dim(), false, "prod");
    if (x.dim() > 0) mask.set(w);
  } else {
    mask = DimMask(x.dim(), true, "prod");
  }
  const ScalarType ot = sum_type(x, dtype);
  Tensor in = x.scalar_type() == ot || !is_floating_point(ot) ? x : x.to(ot);
  Tensor out = reduce_forward(ReduceOp::Prod, in, mask, d ? keepdim : false, ot);
  if (autograd::should_record({&x})) {
    const bool kd = d ? keepdim : false;
    autograd::record(d ? "ProdBackward1" : "ProdBackward0", {&x}, {&out},
                     {save(x), save_output(out)},
                     [mask, kd](const tensor_list& g, const tensor_list& s) {
                       const Tensor& x = s[0];
                       Tensor yk = unsqueeze_reduced(s[1], x.sizes(), mask, kd);
                       Tensor gk = unsqueeze_reduced(g[0], x.sizes(), mask, kd);
                       // Product of the other elements: y / x when no element is 0, otherwise
                       // prefix and suffix products (exact with any number of zeros).
                       bool has_zero = (x == 0).any().item<bool>();
                       if (!has_zero) return tensor_list{gk * yk / x};
                       Tensor others = prod_of_others(x, mask);
                       return tensor_list{gk * others};
                     });
  }
  return out;
}

double correction_of(bool unbiased) { return unbiased ? 1.0 : 0.0; }

Tensor var_impl(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim, bool take_sqrt) {
  const char* name = take_sqrt ? "std" : "var";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  TG_CHECK(x.is_floating_point(), name, ": only floating point tensors are supported, got ",
           dtype_name(x.scalar_type()));
  auto mask = dim_mask(dims, x.dim(), name);
  const int64_t n = reduced_count(x.sizes(), mask);
  const double c = correction_of(unbiased);
  Tensor out;
  {
    NoGradGuard guard;
    DimVector ds;
    for (int64_t d = 0; d < mask.size(); ++d)
      if (mask[d]) ds.push_back(d);
    Tensor m = ds.empty() ? x : x.mean(ds, true);
    Tensor dev = x - m;
    Tensor ss = ds.empty() ? dev * dev : (dev * dev).sum(ds, keepdim);
    if (x.dim() == 0 && !keepdim) ss = ss.reshape({});
    out = ss / std::max(0.0, static_cast<double>(n) - c);
    if (take_sqrt) out = out.sqrt();
  }
  if (autograd::should_record({&x})) {
    autograd::record(take_sqrt ? "StdBackward0" : "VarBackward0", {&x}, {&out},
                     {save(x), save_output(out)},
                     [mask, keepdim, n, c, take_sqrt](const tensor_list& g, const tensor_list& s) {
                       const Tensor& x = s[0];
                       DimVector ds;
                       for (int64_t d = 0; d < mask.size(); ++d)
                         if (mask[d]) ds.push_back(d);
                       Tensor m = ds.empty() ? x : x.mean(ds, true);
                       Tensor gk = unsqueeze_reduced(g[0], x.sizes(), mask, keepdim);
                       Tensor scale = (x - m) * (2.0 / (static_cast<double>(n) - c));
                       if (!take_sqrt) return tensor_list{gk * scale};
                       Tensor yk = unsqueeze_reduced(s[1], x.sizes(), mask, keepdim);
                       // A zero std has a zero gradient, as in PyTorch (not 0/0).
                       Tensor r = gk * scale / (2 * yk);
                       return tensor_list{where(yk == 0, zeros_like(r), r)};
                     });
  }
  return out;
}

Tensor norm_impl(const Tensor& x, const Scalar& p_s, IntArrayRef dims, bool keepdim) {
  TG_CHECK(x.defined(), "norm: called on an undefined tensor");
  TG_CHECK(x.is_floating_point(), "norm(): input dtype should be floating point, got ",
           dtype_name(x.scalar_type()));
  const double p = p_s.toDouble();
  auto mask = dim_mask(dims, x.dim(), "norm");
  DimVector ds;
  for (int64_t d = 0; d < mask.size(); ++d)
    if (mask[d]) ds.push_back(d);
  Tensor out;
  {
    NoGradGuard guard;
    Tensor a = x.abs();
    auto total = [&](const Tensor& t) { return ds.empty() ? t : t.sum(ds, keepdim); };
    if (std::isinf(p)) {
      out = p > 0 ? (ds.empty() ? a : a.amax(ds, keepdim)) : (ds.empty() ? a : a.amin(ds, keepdim));
    } else if (p == 0) {
      out = total((a != 0).to(x.scalar_type()));
    } else if (p == 1) {
      out = total(a);
    } else if (p == 2) {
      out = total(x * x).sqrt();
    } else {
      out = total(a.pow(p)).pow(1.0 / p);
    }
    if (x.dim() == 0 && !keepdim) out = out.reshape({});
  }
  if (autograd::should_record({&x})) {
    autograd::record(
        "NormBackward1", {&x}, {&out}, {save(x), save_output(out)},
        [p, mask, keepdim](const tensor_list& g, const tensor_list& s) {
          const Tensor& x = s[0];
          Tensor gk = unsqueeze_reduced(g[0], x.sizes(), mask, keepdim);
          Tensor yk = unsqueeze_reduced(s[1], x.sizes(), mask, keepdim);
          if (p == 0) return tensor_list{zeros_like(x)};
          if (p == 1) return tensor_list{gk * sign(x)};
          if (std::isinf(p))
            return tensor_list{distribute_to_ties(g[0], x.abs(), s[1], mask, keepdim) * sign(x)};
          // Zero norm gives zero gradient, as in PyTorch.
          Tensor safe = where(yk == 0, ones_like(yk), yk);
          Tensor r = p == 2 ? x / safe : x * x.abs().pow(p - 2) / safe.pow(p - 1);
          return tensor_list{where(yk == 0, zeros_like(r), gk * r)};
        });
  }
  return out;
}

}  // namespace

Tensor sum_to(const Tensor& g, IntArrayRef shape) {
  if (g.sizes().equals(shape)) return g;
  const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
  DimVector dims;
  for (int64_t i = 0; i < lead; ++i) dims.push_back(i);
  for (int64_t i = lead; i < g.dim(); ++i)
    if (shape[i - lead] == 1 && g.size(i) != 1) dims.push_back(i);
  // Only the leading dims summed away (a bias's gradient): the sum has the target shape as is.
  // With grad mode on (create_graph) the result keeps PyTorch's history: a sum, then a view.
  if (!dims.empty() && static_cast<int64_t>(dims.size()) == lead && !autograd::grad_mode())
    return g.sum(dims, false);
  Tensor r = dims.empty() ? g : g.sum(dims, true);
  return lead > 0 || !r.sizes().equals(shape) ? r.reshape(shape) : r;
}

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype) {
  return sum_impl(x, {}, false, dtype, "SumBackward0");
}
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  return sum_impl(x, dims, keepdim, dtype, "SumBackward1");
}
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype) {
  return mean_impl(x, {}, false, dtype, "MeanBackward0");
}
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  return mean_impl(x, dims, keepdim, dtype, "MeanBackward1");
}
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype) {
  return prod_impl(x, std::nullopt, false, dtype);
}
Tensor prod(const Tensor& x, int64_t d, bool keepdim, std::optional<ScalarType> dtype) {
  return prod_impl(x, d, keepdim, dtype);
}
Tensor max(const Tensor& x) { return extreme_all(x, true); }
Tensor min(const Tensor& x) { return extreme_all(x, false); }
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t d, bool keepdim) {
  return extreme_dim(x, d, keepdim, true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t d, bool keepdim) {
  return extreme_dim(x, d, keepdim, false);
}
Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) {
  return amax_impl(x, dims, keepdim, true);
}
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) {
  return amax_impl(x, dims, keepdim, false);
}
Tensor argmax(const Tensor& x, std::optional<int64_t> d, bool keepdim) {
  return arg_impl(x, d, keepdim, true);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> d, bool keepdim) {
  return arg_impl(x, d, keepdim, false);
}
Tensor norm(const Tensor& x, const Scalar& p) { return norm_impl(x, p, {}, false); }
Tensor norm(const Tensor& x, const Scalar& p, IntArrayRef dims, bool keepdim) {
  return norm_impl(x, p, dims, keepdim);
}
Tensor var(const Tensor& x, bool unbiased) { return var_impl(x, {}, unbiased, false, false); }
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  return var_impl(x, dims, unbiased, keepdim, false);
}
Tensor std(const Tensor& x, bool unbiased) { return var_impl(x, {}, unbiased, false, true); }
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  return var_impl(x, dims, unbiased, keepdim, true);
}

Tensor Tensor::sum(std::optional<ScalarType> dtype) const { return tg::sum(*this, dtype); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(std::optional<ScalarType> dtype) const { return tg::mean(*this, dtype); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<ScalarType> dtype) const { return tg::prod(*this, dtype); }
Tensor Tensor::prod(int64_t d, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::prod(*this, d, keepdim, dtype);
}
Tensor Tensor::max() const { return tg::max(*this); }
Tensor Tensor::min() const { return tg::min(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t d, bool keepdim) const {
  return tg::max(*this, d, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t d, bool keepdim) const {
  return tg::min(*this, d, keepdim);
}
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const { return tg::amax(*this, dims, keepdim); }
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const { return tg::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> d, bool keepdim) const {
  return tg::argmax(*this, d, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> d, bool keepdim) const {
  return tg::argmin(*this, d, keepdim);
}
Tensor Tensor::norm(const Scalar& p) const { return tg::norm(*this, p); }
Tensor Tensor::norm(const Scalar& p, IntArrayRef dims, bool keepdim) const {
  return tg::norm(*this, p, dims, keepdim);
}
Tensor Tensor::var(bool unbiased) const { return tg::var(*this, unbiased); }
Tensor Tensor::var(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return tg::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::std(bool unbiased) const { return tg::std(*this, unbiased); }
Tensor Tensor::std(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return tg::std(*this, dims, unbiased, keepdim);
}

Tensor Tensor::any() const {
  Tensor out = make_empty({}, kBool);
  if (numel() == 0) {
    kernels::fill(out, false);
    return out;
  }
  kernels::reduce(ReduceOp::Any, out, reshape({-1}), DimMask(1, true));
  return out;
}
Tensor Tensor::all() const {
  Tensor out = make_empty({}, kBool);
  if (numel() == 0) {
    kernels::fill(out, true);
    return out;
  }
  kernels::reduce(ReduceOp::All, out, reshape({-1}), DimMask(1, true));
  return out;
}

Tensor Tensor::sum_to_size(IntArrayRef s) const {
  TG_CHECK(is_expandable_to(s, sizes()), "sum_to_size: size ", s, " is not expandable to size ",
           sizes());
  return sum_to(*this, s);
}

}  // namespace tg
