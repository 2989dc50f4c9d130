// Indexing that copies: index_select and indexing by an int64 or bool tensor.
#include "kernels/index.h"
#include "ops/internal.h"

namespace tg {

using autograd::tensor_list;

namespace {

// The gradient of index_select: slice k of g is added into slice idx[k] of zeros of the input's
// shape (repeated indices accumulate). One pass over g; its own backward is index_select again.
Tensor index_add_into_zeros(const Tensor& g, IntArrayRef in_sizes, int64_t d, const Tensor& idx) {
  Tensor z = zeros(in_sizes, g.scalar_type());
  kernels::index_add(z, d, idx, g.is_contiguous() ? g : make_contiguous_copy(g));
  if (autograd::should_record({&g}))
    autograd::record("IndexAddBackward0", {&g}, {&z}, {},
                     [d, idx](const tensor_list& gg, const tensor_list&) {
                       return tensor_list{gg[0].index_select(d, idx)};
                     });
  return z;
}

}  // namespace

Tensor Tensor::index_select(int64_t d, const Tensor& index) const {
  TG_CHECK(index.defined() && index.scalar_type() == kLong && index.dim() <= 1,
           "index_select(): Expected a 1-D int64 index tensor, got ",
           index.defined() ? dtype_name(index.scalar_type()) : "undefined", " of shape ",
           index.defined() ? index.sizes() : IntArrayRef());
  d = wrap_dim(d, dim(), "index_select");
  Tensor idx = index.reshape({-1}).contiguous();
  const int64_t n = dim() == 0 ? 1 : size(d);
  kernels::check_indices(idx, n, d, "index_select");
  DimVector os(sizes());
  if (dim() > 0) os[d] = idx.numel();
  Tensor out = make_empty(os, scalar_type());
  kernels::index_select(out, is_contiguous() ? *this : make_contiguous_copy(*this), d, idx);
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    autograd::record("IndexSelectBackward0", {this}, {&out}, {},
                     [in, d, idx](const tensor_list& g, const tensor_list&) {
                       if (in.empty()) return tensor_list{g[0] * static_cast<double>(idx.numel())};
                       return tensor_list{index_add_into_zeros(g[0], in, d, idx)};
                     });
  }
  return out;
}

Tensor Tensor::operator[](const Tensor& index) const {
  TG_CHECK(index.defined(), "index: undefined index tensor");
  if (index.scalar_type() == kBool) {
    TG_CHECK(index.sizes().equals(sizes()), "index: the shape of the mask ", index.sizes(),
             " does not match the shape of the indexed tensor ", sizes());
    Tensor m = index.reshape({-1}).contiguous();
    return reshape({-1}).index_select(0, tensor(kernels::nonzero_flat(m), kLong));
  }
  TG_CHECK(index.scalar_type() == kLong,
           "index: tensors used as indices must be long or bool, got ",
           dtype_name(index.scalar_type()));
  // Advanced indexing accepts indices in [-n, n); index_select only [0, n), so wrap them here (in
  // a copy: the caller's index is left as it was).
  Tensor flat = index.reshape({-1}).clone();
  kernels::wrap_negative_indices(flat, dim() == 0 ? 1 : size(0));
  if (index.dim() <= 1) return index_select(0, flat);
  DimVector os(index.sizes());
  for (int64_t i = 1; i < dim(); ++i) os.push_back(size(i));
  return index_select(0, flat).reshape(os);
}

Tensor index_select(const Tensor& x, int64_t d, const Tensor& i) { return x.index_select(d, i); }

}  // namespace tg
