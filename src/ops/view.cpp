// View and shape ops. A view shares its input's storage; its backward puts the gradient back in
// the input's shape (summing over expanded dims, scattering into the selected slice, ...).
#include <numeric>

#include "autograd/function.h"
#include "core/checked.h"
#include "ops/internal.h"

namespace tg {

using autograd::tensor_list;

namespace {

// Applies a view's geometry change and, when recording, a node whose backward is `bw`.
template <typename BW>
Tensor make_view_op(const Tensor& self, IntArrayRef sizes, IntArrayRef strides, int64_t offset,
                    const char* name, BW&& bw) {
  Tensor out = make_view(self, sizes, strides, offset);
  if (autograd::should_record({&self}))
    autograd::record(name, {&self}, {&out}, {},
                     [bw = std::forward<BW>(bw)](const tensor_list& g, const tensor_list&) {
                       return tensor_list{bw(g[0])};
                     });
  // After the view's own history: set_history stops tracking the tensor it is given.
  if (autograd::grad_mode()) autograd::track_view(out, self);
  return out;
}

// The gradient of a slicing view: zeros of the input's shape with g written where the view looks.
// Itself differentiable (its backward is the slicing again), so double backward works.
Tensor scatter_into_zeros(const Tensor& g, IntArrayRef in_sizes,
                          const std::function<Tensor(const Tensor&)>& view_fn, const char* name) {
  Tensor z = zeros(in_sizes, g.scalar_type());
  {
    NoGradGuard guard;
    kernels::copy(view_fn(z), g);
  }
  if (autograd::should_record({&g}))
    autograd::record(name, {&g}, {&z}, {}, [view_fn](const tensor_list& gg, const tensor_list&) {
      return tensor_list{view_fn(gg[0])};
    });
  return z;
}

// Strides for viewing `self` as `shape` without copying, or nullopt (PyTorch's computeStride).
std::optional<DimVector> view_strides(const TensorImpl& self, IntArrayRef shape) {
  if (self.contiguous) return contiguous_strides(shape);
  IntArrayRef old_sizes = self.sizes, old_strides = self.strides;
  DimVector new_strides(shape.size(), 0);
  if (self.numel == 0) return contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_sizes.size()) - 1; tensor_d >= 0; tensor_d--) {
    tensor_numel *= old_sizes[tensor_d];
    if (tensor_d == 0 || (old_sizes[tensor_d - 1] != 1 &&
                          old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

DimVector infer_shape(IntArrayRef shape, int64_t numel, const char* op, IntArrayRef in_sizes) {
  DimVector out(shape);
  int64_t known = 1;
  int64_t infer = -1;
  bool overflow = false, zero = false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      TG_CHECK(infer < 0, op, ": only one dimension can be inferred (shape ", shape, ")");
      infer = static_cast<int64_t>(i);
    } else {
      TG_CHECK(out[i] >= 0, op, ": invalid shape dimension ", out[i], " in ", shape);
      zero |= out[i] == 0;
      overflow |= checked::mul_overflows(known, out[i], &known);
    }
  }
  // A product past int64 cannot be the input's numel (unless a size is 0); left wrapped, it could
  // look equal to it.
  if (zero) known = 0;
  TG_CHECK(zero || !overflow, op, ": shape '", shape, "' is invalid for input of size ", numel,
           " (input shape ", in_sizes, ")");
  if (infer >= 0) {
    TG_CHECK(known != 0 && numel % known == 0, op, ": shape '", shape,
             "' is invalid for input of size ", numel, " (input shape ", in_sizes, ")");
    out[infer] = numel / known;
  } else {
    TG_CHECK(known == numel, op, ": shape '", shape, "' is invalid for input of size ", numel,
             " (input shape ", in_sizes, ")");
  }
  return out;
}

}  // namespace

Tensor Tensor::view(IntArrayRef shape) const {
  TG_CHECK(defined(), "view: called on an undefined tensor");
  DimVector s = infer_shape(shape, numel(), "view", sizes());
  auto st = view_strides(*impl_, s);
  TG_CHECK(st.has_value(), "view: view size ", shape,
           " is not compatible with input tensor's size ", sizes(), " and stride ", strides(),
           " (at least one dimension spans across two contiguous subspaces). Use .reshape(...) "
           "instead.");
  DimVector in(sizes());
  return make_view_op(*this, s, *st, impl_->offset, "ViewBackward0",
                      [in](const Tensor& g) { return g.reshape(in); });
}

Tensor Tensor::reshape(IntArrayRef shape) const {
  TG_CHECK(defined(), "reshape: called on an undefined tensor");
  DimVector s = infer_shape(shape, numel(), "reshape", sizes());
  DimVector in(sizes());
  if (auto st = view_strides(*impl_, s))
    return make_view_op(*this, s, *st, impl_->offset, "ReshapeAliasBackward0",
                        [in](const Tensor& g) { return g.reshape(in); });
  Tensor out = make_contiguous_copy(*this);
  auto* oi = impl_of(out);
  oi->sizes = s;
  oi->strides = contiguous_strides(s);
  oi->refresh();
  if (autograd::should_record({this}))
    autograd::record(
        "UnsafeViewBackward0", {this}, {&out}, {},
        [in](const tensor_list& g, const tensor_list&) { return tensor_list{g[0].reshape(in)}; });
  return out;
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  const int64_t nd = dim();
  if (nd == 0) return reshape({1});
  start = wrap_dim(start, nd, "flatten");
  end = wrap_dim(end, nd, "flatten");
  TG_CHECK(start <= end, "flatten: start_dim ", start, " cannot come after end_dim ", end);
  if (start == end) return *this;
  DimVector s;
  for (int64_t i = 0; i < start; ++i) s.push_back(size(i));
  // Sizes with a zero among them can multiply past int64 elsewhere.
  int64_t m = checked::compute_numel(sizes().slice(start, end - start + 1));
  s.push_back(m);
  for (int64_t i = end + 1; i < nd; ++i) s.push_back(size(i));
  return reshape(s);
}

Tensor Tensor::squeeze() const {
  DimVector s, st;
  for (int64_t i = 0; i < dim(); ++i)
    if (size(i) != 1) {
      s.push_back(size(i));
      st.push_back(stride(i));
    }
  DimVector in(sizes());
  return make_view_op(*this, s, st, impl_->offset, "SqueezeBackward0",
                      [in](const Tensor& g) { return g.reshape(in); });
}

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  DimVector s(sizes()), st(strides());
  if (dim() > 0 && s[d] == 1) {
    s.erase(d);
    st.erase(d);
  }
  DimVector in(sizes());
  return make_view_op(*this, s, st, impl_->offset, "SqueezeBackward1",
                      [in](const Tensor& g) { return g.reshape(in); });
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  DimVector s(sizes()), st(strides());
  int64_t new_stride = d < dim() ? s[d] * st[d] : 1;
  s.insert(d, 1);
  st.insert(d, new_stride);
  return make_view_op(*this, s, st, impl_->offset, "UnsqueezeBackward0",
                      [d](const Tensor& g) { return g.squeeze(d); });
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  const int64_t nd = dim();
  d0 = wrap_dim(d0, nd, "transpose");
  d1 = wrap_dim(d1, nd, "transpose");
  DimVector s(sizes()), st(strides());
  if (nd > 0) {
    std::swap(s[d0], s[d1]);
    std::swap(st[d0], st[d1]);
  }
  return make_view_op(*this, s, st, impl_->offset, "TransposeBackward0",
                      [d0, d1](const Tensor& g) { return g.transpose(d0, d1); });
}

Tensor Tensor::t() const {
  TG_CHECK(dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", dim(),
           "D (shape ", sizes(), ")");
  if (dim() < 2) {
    return make_view_op(*this, sizes(), strides(), impl_->offset, "TBackward0",
                        [](const Tensor& g) { return g; });
  }
  DimVector s{size(1), size(0)}, st{stride(1), stride(0)};
  return make_view_op(*this, s, st, impl_->offset, "TBackward0",
                      [](const Tensor& g) { return g.t(); });
}

Tensor Tensor::permute(IntArrayRef dims) const {
  const int64_t nd = dim();
  TG_CHECK(static_cast<int64_t>(dims.size()) == nd, "permute: number of dims ", dims,
           " don't match the tensor's shape ", sizes());
  DimVector s(nd), st(nd), inv(nd);
  std::vector<bool> seen(nd, false);
  for (int64_t i = 0; i < nd; ++i) {
    int64_t d = wrap_dim(dims[i], nd, "permute");
    TG_CHECK(!seen[d], "permute: repeated dim in ", dims);
    seen[d] = true;
    s[i] = size(d);
    st[i] = stride(d);
    inv[d] = i;
  }
  return make_view_op(*this, s, st, impl_->offset, "PermuteBackward0",
                      [inv](const Tensor& g) { return g.permute(inv); });
}

Tensor Tensor::expand(IntArrayRef shape) const {
  const int64_t nd = dim();
  const int64_t nn = static_cast<int64_t>(shape.size());
  TG_CHECK(nn >= nd, "expand: the number of sizes provided (", nn,
           ") must be greater or equal to the number of dimensions in the tensor (", nd,
           "), shape ", sizes());
  DimVector s(nn), st(nn);
  for (int64_t i = nn - 1; i >= 0; --i) {
    int64_t j = i - (nn - nd);
    int64_t want = shape[i];
    if (j >= 0) {
      int64_t have = size(j);
      if (want == -1) want = have;
      TG_CHECK(want >= 0 && (have == want || have == 1),
               "expand: the expanded size of the tensor (", want,
               ") must match the existing size (", have, ") at non-singleton dimension ", i,
               ".  Target sizes: ", shape, ".  Tensor sizes: ", sizes());
      s[i] = want;
      st[i] = have == want ? stride(j) : 0;
    } else {
      TG_CHECK(want >= 0, "expand: -1 is not allowed in a leading, non-existing dimension (", shape,
               ")");
      s[i] = want;
      st[i] = 0;
    }
  }
  DimVector in(sizes());
  return make_view_op(*this, s, st, impl_->offset, "ExpandBackward0",
                      [in](const Tensor& g) { return sum_to(g, in); });
}

Tensor Tensor::select(int64_t d, int64_t i) const {
  TG_CHECK(dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, dim(), "select");
  const int64_t n = size(d);
  TG_CHECK(i >= -n && i < n, "select(): index ", i, " out of range for tensor of size ", sizes(),
           " at dimension ", d);
  if (i < 0) i += n;
  DimVector s(sizes()), st(strides());
  int64_t off = impl_->offset + i * st[d];
  s.erase(d);
  st.erase(d);
  DimVector in(sizes());
  return make_view_op(*this, s, st, off, "SelectBackward0", [in, d, i](const Tensor& g) {
    return scatter_into_zeros(
        g, in, [d, i](const Tensor& z) { return z.select(d, i); }, "SelectBackwardBackward0");
  });
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_opt, std::optional<int64_t> end_opt,
                     int64_t step) const {
  TG_CHECK(dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, dim(), "slice");
  TG_CHECK(step > 0, "slice: slice step must be positive, got ", step);
  const int64_t n = size(d);
  int64_t start = start_opt.value_or(0), end = end_opt.value_or(n);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  DimVector s(sizes()), st(strides());
  int64_t off = impl_->offset + start * st[d];
  s[d] = end == start ? 0 : (end - start - 1) / step + 1;  // ceil, without end - start + step
  // A step past the dim's extent leaves at most one element, whose stride is never used.
  if (checked::mul_overflows(st[d], step, &st[d])) {
    TG_CHECK(s[d] <= 1, "slice: step ", step, " overflows the stride of dimension ", d);
    st[d] = strides()[d];
  }
  DimVector in(sizes());
  return make_view_op(
      *this, s, st, off, "SliceBackward0", [in, d, start, end, step](const Tensor& g) {
        return scatter_into_zeros(
            g, in, [d, start, end, step](const Tensor& z) { return z.slice(d, start, end, step); },
            "SliceBackwardBackward0");
      });
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  TG_CHECK(dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, dim(), "narrow");
  const int64_t n = size(d);
  if (start < 0) start += n;
  TG_CHECK(start >= 0 && length >= 0 && length <= n - start, "narrow: start (", start,
           ") + length (", length, ") exceeds dimension size (", n, ") of shape ", sizes());
  return slice(d, start, start + length, 1);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  TG_CHECK(dim() > 0, "split expects at least a 1-dimensional tensor");
  TG_CHECK(split_size >= 0, "split expects split_size be non-negative, but got ", split_size);
  d = wrap_dim(d, dim(), "split");
  const int64_t n = size(d);
  std::vector<Tensor> out;
  if (split_size == 0) {
    TG_CHECK(n == 0,
             "split: split_size can only be 0 if dimension size is 0, but got dimension size of ",
             n);
    return {*this};
  }
  {
    NoGradGuard guard;
    for (int64_t s = 0; s < n || (n == 0 && out.empty()); s += split_size)
      out.push_back(narrow(d, s, std::min(split_size, n - s)));
  }
  // One SplitBackward0 node with an output per piece, as in PyTorch; pieces that get no
  // gradient contribute zeros.
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    const ScalarType dt = scalar_type();
    auto node_fn = [in, d, split_size, dt](const tensor_list& g, const tensor_list&) {
      tensor_list pieces;
      for (size_t k = 0; k < g.size(); ++k) {
        if (g[k].defined()) {
          pieces.push_back(g[k]);
        } else {
          DimVector s(in);
          s[d] = std::min(split_size, in[d] - static_cast<int64_t>(k) * split_size);
          pieces.push_back(zeros(s, dt));
        }
      }
      return tensor_list{cat(pieces, d)};
    };
    autograd::record("SplitBackward0", {this}, out, {}, std::move(node_fn));
  }
  return out;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  TG_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  TG_CHECK(dim() > 0, "chunk expects at least a 1-dimensional tensor");
  const int64_t n = size(wrap_dim(d, dim(), "chunk"));
  return split((n + chunks - 1) / chunks, d);
}

Tensor reshape(const Tensor& x, IntArrayRef shape) { return x.reshape(shape); }
Tensor flatten(const Tensor& x, int64_t s, int64_t e) { return x.flatten(s, e); }
Tensor squeeze(const Tensor& x) { return x.squeeze(); }
Tensor squeeze(const Tensor& x, int64_t d) { return x.squeeze(d); }
Tensor unsqueeze(const Tensor& x, int64_t d) { return x.unsqueeze(d); }
Tensor t(const Tensor& x) { return x.t(); }
Tensor transpose(const Tensor& x, int64_t a, int64_t b) { return x.transpose(a, b); }
Tensor permute(const Tensor& x, IntArrayRef dims) { return x.permute(dims); }
Tensor select(const Tensor& x, int64_t d, int64_t i) { return x.select(d, i); }
Tensor narrow(const Tensor& x, int64_t d, int64_t s, int64_t l) { return x.narrow(d, s, l); }
std::vector<Tensor> chunk(const Tensor& x, int64_t c, int64_t d) { return x.chunk(c, d); }
std::vector<Tensor> split(const Tensor& x, int64_t s, int64_t d) { return x.split(s, d); }

}  // namespace tg
