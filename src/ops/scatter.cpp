// gather, scatter (tensor and value), scatter_add and index_add, with their in-place forms. The
// gradients are gathers and scatters again, so second order follows.
#include "kernels/scatter.h"

#include "kernels/index.h"
#include "ops/internal.h"

namespace tg {

using autograd::tensor_list;

namespace {

// The kernels address a 0-dim tensor as one of shape [1].
Tensor at_least_1d(const Tensor& t) { return t.dim() == 0 ? t.reshape({1}) : t; }
Tensor contiguous_of(const Tensor& t) { return t.is_contiguous() ? t : make_contiguous_copy(t); }

// Checks gather's and scatter's arguments as PyTorch does; wraps d.
void check_index(const Tensor& self, int64_t& d, const Tensor& index, const Tensor* src,
                 const char* op) {
  TG_CHECK(self.defined() && index.defined(), op, "(): called on an undefined tensor");
  d = wrap_dim(d, self.dim(), op);
  TG_CHECK(index.scalar_type() == kLong, op, "(): Expected dtype int64 for index");
  TG_CHECK(std::max<int64_t>(index.dim(), 1) == std::max<int64_t>(self.dim(), 1),
           "Index tensor must have the same number of dimensions as input tensor");
  if (src) {
    TG_CHECK(src->scalar_type() == self.scalar_type(),
             "scatter(): Expected self.dtype to be equal to src.dtype");
    TG_CHECK(std::max<int64_t>(src->dim(), 1) == std::max<int64_t>(self.dim(), 1),
             "Index tensor must have the same number of dimensions as src tensor");
  }
  if (index.numel() == 0 || index.dim() == 0) return;
  const bool is_gather = std::string(op) == "gather";
  for (int64_t i = 0; i < index.dim(); ++i) {
    const int64_t s = self.dim() == 0 ? 1 : self.size(i);
    if (is_gather) {
      TG_CHECK(i == d || index.size(i) <= s, "Size does not match at dimension ", i,
               " expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
               " apart from dimension ", d);
    } else if (src) {
      TG_CHECK(
          (i == d || index.size(i) <= s) && index.size(i) <= (src->dim() == 0 ? 1 : src->size(i)),
          "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
          " apart from dimension ", d, " and to be smaller size than src ", src->sizes());
    } else {
      TG_CHECK(i == d || index.size(i) <= s, "Expected index ", index.sizes(),
               " to be smaller than self ", self.sizes(), " apart from dimension ", d);
    }
  }
}

// src's leading part of index's shape, contiguous: the elements a scatter reads.
Tensor fit_to_index(const Tensor& src, const Tensor& index) {
  Tensor s = at_least_1d(src);
  Tensor i = at_least_1d(index);
  for (int64_t k = 0; k < i.dim(); ++k) s = s.narrow(k, 0, i.size(k));
  return s.contiguous();
}

// g (of index's shape) widened with zeros to src's shape: the gradient of the elements a
// scatter did not read is zero.
Tensor pad_to(Tensor g, IntArrayRef shape) {
  if (shape.empty()) return g.reshape({});
  for (int64_t k = 0; k < g.dim(); ++k)
    if (g.size(k) < shape[k]) {
      DimVector z(g.sizes());
      z[k] = shape[k] - g.size(k);
      g = cat({g, zeros(z, g.scalar_type())}, k);
    }
  return g;
}

Tensor gather_forward(const Tensor& self, int64_t d, const Tensor& index) {
  Tensor out = make_empty(index.sizes(), self.scalar_type());
  kernels::gather(at_least_1d(out), contiguous_of(at_least_1d(self)), d,
                  contiguous_of(at_least_1d(index)), "gather");
  return out;
}

Tensor self_copy_reduced(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src,
                         kernels::ScatterReduce op, bool include_self) {
  Tensor out = self.clone().contiguous();
  kernels::scatter_reduce(at_least_1d(out), d, contiguous_of(at_least_1d(index)),
                          fit_to_index(src, index), op, include_self, "scatter_reduce");
  return out;
}

Tensor scatter_forward(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src,
                       bool accumulate, const char* op) {
  Tensor out = self.clone().contiguous();
  kernels::scatter(at_least_1d(out), d, contiguous_of(at_least_1d(index)), fit_to_index(src, index),
                   accumulate, op);
  return out;
}

}  // namespace

Tensor Tensor::gather(int64_t d, const Tensor& index) const {
  check_index(*this, d, index, nullptr, "gather");
  Tensor out = gather_forward(*this, d, index);
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    const ScalarType dt = scalar_type();
    autograd::record("GatherBackward0", {this}, {&out}, {},
                     [in, d, index, dt](const tensor_list& g, const tensor_list&) {
                       return tensor_list{zeros(in, dt).scatter_add(d, index, g[0])};
                     });
  }
  return out;
}

Tensor Tensor::scatter(int64_t d, const Tensor& index, const Tensor& src) const {
  TG_CHECK(src.defined(), "scatter(): called with an undefined src");
  check_index(*this, d, index, &src, "scatter");
  Tensor out = scatter_forward(*this, d, index, src, false, "scatter");
  if (autograd::should_record({this, &src})) {
    DimVector ss(src.sizes());
    autograd::record(
        "ScatterBackward0", {this, &src}, {&out}, {},
        [d, index, ss](const tensor_list& g, const tensor_list&) {
          return tensor_list{g[0].scatter(d, index, 0), pad_to(g[0].gather(d, index), ss)};
        });
  }
  return out;
}

Tensor Tensor::scatter(int64_t d, const Tensor& index, const Scalar& value) const {
  check_index(*this, d, index, nullptr, "scatter");
  Tensor src = full(index.sizes(), value, scalar_type());
  Tensor out = scatter_forward(*this, d, index, src, false, "scatter");
  if (autograd::should_record({this}))
    autograd::record("ScatterBackward1", {this}, {&out}, {},
                     [d, index](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0].scatter(d, index, 0)};
                     });
  return out;
}

Tensor Tensor::scatter_add(int64_t d, const Tensor& index, const Tensor& src) const {
  TG_CHECK(src.defined(), "scatter_add(): called with an undefined src");
  check_index(*this, d, index, &src, "scatter_add");
  Tensor out = scatter_forward(*this, d, index, src, true, "scatter_add");
  if (autograd::should_record({this, &src})) {
    DimVector ss(src.sizes());
    autograd::record("ScatterAddBackward0", {this, &src}, {&out}, {},
                     [d, index, ss](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0], pad_to(g[0].gather(d, index), ss)};
                     });
  }
  return out;
}

Tensor Tensor::index_add(int64_t d, const Tensor& index, const Tensor& source,
                         const Scalar& alpha) const {
  TG_CHECK(defined() && index.defined() && source.defined(),
           "index_add_(): called on an undefined tensor");
  d = wrap_dim(d, dim(), "index_add_");
  TG_CHECK(index.dim() <= 1,
           "index_add_(): Index is supposed to be a vector, but got dim: ", index.dim(),
           " with type: ", dtype_name(index.scalar_type()), " and size: ", index.sizes());
  TG_CHECK(index.scalar_type() == kLong, "index_add_(): Expected dtype int64 for index but got: ",
           dtype_name(index.scalar_type()));
  TG_CHECK(source.scalar_type() == scalar_type(), "index_add_(): self (", dtype_name(scalar_type()),
           ") and source (", dtype_name(source.scalar_type()), ") must have the same scalar type");
  const int64_t n = source.dim() == 0 ? 1 : source.size(d);
  TG_CHECK(index.numel() == n, "index_add_(): Number of indices (", index.numel(),
           ") should be equal to source.size(dim): (", n, "), for dim: ", d);
  bool shapes_match = std::max<int64_t>(source.dim(), 1) == std::max<int64_t>(dim(), 1);
  for (int64_t i = 0; shapes_match && i < dim() && i < source.dim(); ++i)
    shapes_match = i == d || source.size(i) == size(i);
  TG_CHECK(shapes_match,
           "index_add_(): source tensor shape must match self tensor shape, excluding the "
           "specified dimension. Got self.shape = ",
           sizes(), " source.shape = ", source.sizes());
  Tensor idx = index.reshape({-1}).contiguous();
  kernels::check_indices(idx, dim() == 0 ? 1 : size(d), d, "index_add_");
  Tensor out;
  {
    NoGradGuard guard;
    out = clone().contiguous();
    Tensor src = alpha.toDouble() == 1.0 ? source : source * alpha;
    kernels::index_add(out, d, idx, contiguous_of(src.to(scalar_type())));
  }
  if (autograd::should_record({this, &source})) {
    DimVector ss(source.sizes());
    autograd::record("IndexAddBackward0", {this, &source}, {&out}, {},
                     [d, idx, ss, alpha](const tensor_list& g, const tensor_list&) {
                       Tensor gs = g[0].index_select(d, idx).reshape(ss);
                       return tensor_list{g[0], alpha.toDouble() == 1.0 ? gs : gs * alpha};
                     });
  }
  return out;
}

namespace {

// The reductions of scatter(reduce=), which PyTorch gives no derivative: its node refuses backward.
kernels::ScatterReduce scatter_reduce_kind(std::string_view reduce) {
  TG_CHECK(reduce == "add" || reduce == "multiply",
           "reduce argument must be either add or multiply.");
  return reduce == "add" ? kernels::ScatterReduce::Sum : kernels::ScatterReduce::Prod;
}

Tensor scatter_with_reduce(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src,
                           kernels::ScatterReduce op, const char* name) {
  Tensor out = self.clone().contiguous();
  kernels::scatter_reduce(at_least_1d(out), d, contiguous_of(at_least_1d(index)),
                          fit_to_index(src, index), op, true, name);
  return out;
}

void record_not_implemented(const Tensor& self, const Tensor* src, const Tensor& out) {
  auto refuse = [] {
    return [](const tensor_list&, const tensor_list&) -> tensor_list {
      TG_ERROR("the derivative for 'scatter' is not implemented.");
    };
  };
  if (src && autograd::should_record({&self, src}))
    autograd::record("NotImplemented", {&self, src}, {&out}, {}, refuse());
  else if (!src && autograd::should_record({&self}))
    autograd::record("NotImplemented", {&self}, {&out}, {}, refuse());
}

}  // namespace

Tensor Tensor::scatter(int64_t d, const Tensor& index, const Tensor& src,
                       std::string_view reduce) const {
  TG_CHECK(src.defined(), "scatter(): called with an undefined src");
  check_index(*this, d, index, &src, "scatter");
  const kernels::ScatterReduce op = scatter_reduce_kind(reduce);
  Tensor out = scatter_with_reduce(*this, d, index, src, op, "scatter");
  record_not_implemented(*this, &src, out);
  return out;
}

Tensor Tensor::scatter(int64_t d, const Tensor& index, const Scalar& value,
                       std::string_view reduce) const {
  check_index(*this, d, index, nullptr, "scatter");
  const kernels::ScatterReduce op = scatter_reduce_kind(reduce);
  Tensor out = scatter_with_reduce(*this, d, index, full(index.sizes(), value, scalar_type()), op,
                                   "scatter");
  record_not_implemented(*this, nullptr, out);
  return out;
}

Tensor Tensor::scatter_reduce(int64_t d, const Tensor& index, const Tensor& src,
                              std::string_view reduce, bool include_self) const {
  TG_CHECK(src.defined(), "scatter_reduce(): called with an undefined src");
  check_index(*this, d, index, &src, "scatter_reduce");
  kernels::ScatterReduce op;
  if (reduce == "sum")
    op = kernels::ScatterReduce::Sum;
  else if (reduce == "prod")
    op = kernels::ScatterReduce::Prod;
  else if (reduce == "mean")
    op = kernels::ScatterReduce::Mean;
  else if (reduce == "amax")
    op = kernels::ScatterReduce::Amax;
  else if (reduce == "amin")
    op = kernels::ScatterReduce::Amin;
  else
    TG_ERROR("reduce argument must be either sum, prod, mean, amax or amin.");
  Tensor out = self_copy_reduced(*this, d, index, src, op, include_self);
  if (autograd::should_record({this, &src})) {
    DimVector ss(src.sizes());
    const std::string how(reduce);
    // The inputs and the result, for the derivatives of prod, amax and amin (as PyTorch's
    // scatter_reduce_backward).
    autograd::record(
        "ScatterReduceBackward0", {this, &src}, {&out},
        {autograd::save(*this), autograd::save(src), autograd::save_output(out)},
        [d, index, ss, op, how, include_self](const tensor_list& g, const tensor_list& saved) {
          const Tensor &self_v = saved[0], &src_v = saved[1], &out_v = saved[2];
          const Tensor& grad = g[0];
          Tensor gs, gsrc;
          switch (op) {
            case kernels::ScatterReduce::Sum:
              gs = grad;
              gsrc = grad.gather(d, index);
              break;
            case kernels::ScatterReduce::Mean: {
              Tensor n = include_self ? ones_like(grad) : zeros_like(grad);
              n = n.scatter_add(d, index, ones_like(fit_to_index(src_v, index)));
              n.masked_fill_(n == 0, 1);
              gs = grad / n;
              gsrc = grad.gather(d, index) / n.gather(d, index);
              break;
            }
            case kernels::ScatterReduce::Prod: {
              Tensor src_i = fit_to_index(src_v, index);
              Tensor masked_self = self_v.masked_fill(self_v == 0, 1);
              Tensor masked_self_result =
                  masked_self.scatter_reduce(d, index, src_i, how, include_self);
              gs = grad * masked_self_result / masked_self;
              Tensor src_zero = src_i == 0;
              Tensor src_zeros = zeros_like(self_v)
                                     .scatter_add(d, index, src_zero.to(self_v.scalar_type()))
                                     .gather(d, index);
              Tensor single_zero = src_zero & (src_zeros == 1);
              Tensor masked_src_result = self_v.scatter_reduce(
                  d, index, src_i.masked_fill(single_zero, 1), how, include_self);
              gsrc = where(single_zero, (grad * masked_src_result).gather(d, index),
                           (grad * out_v).gather(d, index) / src_i.masked_fill(src_zero, 1));
              break;
            }
            case kernels::ScatterReduce::Amax:
            case kernels::ScatterReduce::Amin: {
              Tensor src_i = fit_to_index(src_v, index);
              Tensor value = out_v.gather(d, index);
              Tensor self_is = (self_v == out_v).to(self_v.scalar_type());
              Tensor src_is = (src_i == value).to(self_v.scalar_type());
              Tensor shared = grad / self_is.scatter_add(d, index, src_is);
              gs = self_is * shared;
              gsrc = src_is * shared.gather(d, index);
              break;
            }
          }
          if (!include_self) gs = gs.scatter(d, index, 0);
          return tensor_list{gs, pad_to(gsrc, ss)};
        });
  }
  return out;
}

Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Tensor& src,
                         std::string_view reduce) {
  return inplace(
      *this, {&src}, scalar_type(), sizes(), "scatter_",
      [&] { kernels::copy(*this, detach().scatter(d, index, src.detach(), reduce)); },
      [&](const Tensor& s) { return s.scatter(d, index, src, reduce); });
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Scalar& value,
                         std::string_view reduce) {
  return inplace(
      *this, {}, scalar_type(), sizes(), "scatter_",
      [&] { kernels::copy(*this, detach().scatter(d, index, value, reduce)); },
      [&](const Tensor& s) { return s.scatter(d, index, value, reduce); });
}
Tensor& Tensor::scatter_reduce_(int64_t d, const Tensor& index, const Tensor& src,
                                std::string_view reduce, bool include_self) {
  return inplace(
      *this, {&src}, scalar_type(), sizes(), "scatter_reduce_",
      [&] {
        kernels::copy(*this, detach().scatter_reduce(d, index, src.detach(), reduce, include_self));
      },
      [&](const Tensor& s) { return s.scatter_reduce(d, index, src, reduce, include_self); });
}

Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Tensor& src) {
  return inplace(
      *this, {&src}, scalar_type(), sizes(), "scatter_",
      [&] { kernels::copy(*this, detach().scatter(d, index, src.detach())); },
      [&](const Tensor& s) { return s.scatter(d, index, src); });
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Scalar& value) {
  return inplace(
      *this, {}, scalar_type(), sizes(), "scatter_",
      [&] { kernels::copy(*this, detach().scatter(d, index, value)); },
      [&](const Tensor& s) { return s.scatter(d, index, value); });
}
Tensor& Tensor::scatter_add_(int64_t d, const Tensor& index, const Tensor& src) {
  return inplace(
      *this, {&src}, scalar_type(), sizes(), "scatter_add_",
      [&] { kernels::copy(*this, detach().scatter_add(d, index, src.detach())); },
      [&](const Tensor& s) { return s.scatter_add(d, index, src); });
}
Tensor& Tensor::index_add_(int64_t d, const Tensor& index, const Tensor& source,
                           const Scalar& alpha) {
  return inplace(
      *this, {&source}, scalar_type(), sizes(), "index_add_",
      [&] { kernels::copy(*this, detach().index_add(d, index, source.detach(), alpha)); },
      [&](const Tensor& s) { return s.index_add(d, index, source, alpha); });
}

Tensor gather(const Tensor& x, int64_t d, const Tensor& index) { return x.gather(d, index); }
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src) {
  return x.scatter(d, index, src);
}
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value) {
  return x.scatter(d, index, value);
}
Tensor scatter_add(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src) {
  return x.scatter_add(d, index, src);
}
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src,
               std::string_view reduce) {
  return x.scatter(d, index, src, reduce);
}
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value,
               std::string_view reduce) {
  return x.scatter(d, index, value, reduce);
}
Tensor scatter_reduce(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src,
                      std::string_view reduce, bool include_self) {
  return x.scatter_reduce(d, index, src, reduce, include_self);
}
Tensor index_add(const Tensor& x, int64_t d, const Tensor& index, const Tensor& source,
                 const Scalar& alpha) {
  return x.index_add(d, index, source, alpha);
}

}  // namespace tg
