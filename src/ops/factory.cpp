// Factories, conversions, copies and fills. Random factories live in src/random.
#include "kernels/factory.h"

#include <cmath>
#include <limits>

#include "autograd/function.h"
#include "core/checked.h"
#include "kernels/copy.h"
#include "kernels/dispatch.h"
#include "ops/internal.h"

namespace tg {

namespace {
Tensor finish(Tensor t, const TensorOptions& o) {
  detail::check_cpu(o.device(), "tensor factory");
  if (o.requires_grad()) t.requires_grad_(true);
  return t;
}
}  // namespace

Tensor empty(IntArrayRef sizes, const TensorOptions& o) {
  return finish(make_empty(sizes, o.dtype()), o);
}

Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& o) {
  // Like PyTorch, full() without a dtype takes the value's type.
  Tensor t = make_empty(sizes, o.has_dtype() ? o.dtype() : value.type());
  kernels::fill(t, value);
  return finish(t, o);
}
Tensor zeros(IntArrayRef sizes, const TensorOptions& o) {
  return full(sizes, 0, o.dtype(o.dtype()));
}
Tensor ones(IntArrayRef sizes, const TensorOptions& o) {
  return full(sizes, 1, o.dtype(o.dtype()));
}
Tensor scalar_tensor(const Scalar& v, const TensorOptions& o) {
  return full({}, v, o.dtype(o.dtype()));
}

Tensor eye(int64_t n, const TensorOptions& o) { return eye(n, n, o); }
Tensor eye(int64_t n, int64_t m, const TensorOptions& o) {
  TG_CHECK(n >= 0 && m >= 0, "eye: n and m must be non-negative, got ", n, " and ", m);
  Tensor t = make_empty({n, m}, o.dtype());
  kernels::fill(t, 0);
  kernels::eye_diagonal(t);
  return finish(t, o);
}

Tensor arange(const Scalar& end, const TensorOptions& o) { return arange(0, end, 1, o); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& o) {
  return arange(start, end, 1, o);
}
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& o) {
  const bool any_float = start.isFloatingPoint() || end.isFloatingPoint() || step.isFloatingPoint();
  const ScalarType dt = o.has_dtype() ? o.dtype() : (any_float ? kFloat : kLong);
  TG_CHECK(dt != kBool, "arange: not implemented for ", dt);
  // RangeFactories.cpp's checks and size rule, in the order PyTorch makes them. An integral
  // result converts the bounds first (checked: a NaN, infinite or out-of-range bound is an
  // error) and counts in integers; the count is done in 128 bits so that no range can wrap.
  if (is_integral(dt)) {
    const int64_t s = start.toLong(), e = end.toLong(), st = step.toLong();
    TG_CHECK(st != 0, "arange: step must be nonzero");
    TG_CHECK((st > 0 && e >= s) || (st < 0 && e <= s),
             "arange: upper bound and larger bound inconsistent with step sign (start ", s,
             ", end ", e, ", step ", st, ")");
    const __int128 sgn = st > 0 ? 1 : -1;
    const __int128 size = (__int128{e} - s + st - sgn) / st;
    TG_CHECK(size >= 0 && size <= std::numeric_limits<int64_t>::max(),
             "arange: invalid size, possible overflow?");
    const auto n = static_cast<int64_t>(size);
    Tensor t = make_empty({n}, dt);
    auto* p = impl_of(t)->data_as<int64_t>();
    // Every value lies in [start, end], but i * step alone may not fit: add modulo 2^64.
    for (int64_t i = 0; i < n; ++i)
      p[i] = static_cast<int64_t>(static_cast<uint64_t>(s) +
                                  static_cast<uint64_t>(i) * static_cast<uint64_t>(st));
    return finish(t, o);
  }
  const double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  TG_CHECK(st > 0 || st < 0, "arange: step must be nonzero");  // also refuses a NaN step
  TG_CHECK(std::isfinite(s) && std::isfinite(e), "arange: unsupported range: ", s, " -> ", e);
  TG_CHECK((st > 0 && e >= s) || (st < 0 && e <= s),
           "arange: upper bound and larger bound inconsistent with step sign (start ", s, ", end ",
           e, ", step ", st, ")");
  const double size_d = std::ceil((e - s) / st);
  // 2^63 itself does not convert to int64_t (PyTorch's <= max lets it through).
  TG_CHECK(size_d >= 0 && size_d < 9223372036854775808.0,
           "arange: invalid size, possible overflow?");
  const auto n = static_cast<int64_t>(size_d);
  Tensor t = make_empty({n}, dt);
  kernels::arange_fill(t, start, step);
  return finish(t, o);
}

Tensor empty_like(const Tensor& t, const TensorOptions& o) {
  return finish(make_empty(t.sizes(), o.has_dtype() ? o.dtype() : t.scalar_type()), o);
}
Tensor zeros_like(const Tensor& t, const TensorOptions& o) {
  return full(t.sizes(), 0, o.dtype(o.has_dtype() ? o.dtype() : t.scalar_type()));
}
Tensor ones_like(const Tensor& t, const TensorOptions& o) {
  return full(t.sizes(), 1, o.dtype(o.has_dtype() ? o.dtype() : t.scalar_type()));
}
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& o) {
  return full(t.sizes(), v, o.dtype(o.has_dtype() ? o.dtype() : t.scalar_type()));
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& o) {
  return from_blob(data, sizes, contiguous_strides(sizes), o);
}
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& o) {
  TG_CHECK(sizes.size() == strides.size(), "from_blob: sizes ", sizes, " and strides ", strides,
           " differ in length");
  for (size_t i = 0; i < sizes.size(); ++i)
    TG_CHECK(sizes[i] >= 0 && strides[i] >= 0, "from_blob: bad sizes ", sizes, " or strides ",
             strides);
  const size_t nbytes = checked::storage_bytes(sizes, strides, element_size(o.dtype()));
  auto impl = make_pooled<TensorImpl>();
  impl->storage = make_pooled<Storage>(data, nbytes);
  impl->storage->inference = inference_mode_enabled;
  impl->sizes = sizes;
  impl->strides = strides;
  impl->dtype = o.dtype();
  impl->refresh();
  return finish(Tensor(std::move(impl)), o);
}

// ---- nested lists

TensorDataContainer::TensorDataContainer(std::initializer_list<TensorDataContainer> l) {
  const TensorDataContainer* first = l.size() ? l.begin() : nullptr;
  sizes_.push_back(static_cast<int64_t>(l.size()));
  if (first) {
    for (int64_t s : first->sizes_) sizes_.push_back(s);
    type_ = first->is_scalar_ ? first->scalar_.type() : first->type_;
  }
  for (const auto& c : l) {
    TG_CHECK(c.sizes_.ref() == first->sizes_.ref(), "tensor: expected sequence of length ",
             first->sizes_.empty() ? 0 : first->sizes_[0], " at dim 1, got ragged nested lists");
    if (c.is_scalar_) {
      values_.push_back(c.scalar_);
      type_ = promote_types(type_, c.scalar_.type());
    } else {
      values_.insert(values_.end(), c.values_.begin(), c.values_.end());
      type_ = promote_types(type_, c.type_);
    }
  }
}

Tensor TensorDataContainer::to_tensor(const TensorOptions& o) const {
  if (is_scalar_) {
    Tensor t = make_empty({}, o.has_dtype() ? o.dtype() : scalar_.type());
    kernels::fill(t, scalar_);
    return finish(t, o);
  }
  const ScalarType dt = o.has_dtype() ? o.dtype() : type_;
  Tensor t = make_empty(sizes_, dt);
  kernels::fill_values(t, values_);
  return finish(t, o);
}

Tensor tensor(const TensorDataContainer& data, const TensorOptions& o) { return data.to_tensor(o); }

// ---- copies and conversions

Tensor make_contiguous_copy(const Tensor& t) {
  Tensor out = make_empty(t.sizes(), t.scalar_type());
  kernels::copy(out, t);
  return out;
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  // Differentiable: the gradient is passed through unchanged (PyTorch names the node
  // CloneBackward0).
  return clone();
}

Tensor Tensor::clone() const {
  TG_CHECK(defined(), "clone: called on an undefined tensor");
  Tensor out = make_contiguous_copy(*this);
  if (autograd::should_record({this}))
    autograd::record("CloneBackward0", {this}, {&out}, {},
                     [](const autograd::tensor_list& g, const autograd::tensor_list&) {
                       return autograd::tensor_list{g[0]};
                     });
  return out;
}

Tensor Tensor::to(ScalarType t, bool, bool copy) const {
  TG_CHECK(defined(), "to: called on an undefined tensor");
  if (t == scalar_type() && !copy) return *this;
  Tensor out = make_empty(sizes(), t);
  kernels::copy(out, *this);
  if (tg::is_floating_point(t) && autograd::should_record({this})) {
    const ScalarType src = scalar_type();
    autograd::record("ToCopyBackward0", {this}, {&out}, {},
                     [src](const autograd::tensor_list& g, const autograd::tensor_list&) {
                       return autograd::tensor_list{g[0].to(src)};
                     });
  }
  return out;
}
Tensor Tensor::to(Device d, ScalarType t, bool nb, bool copy) const {
  detail::check_cpu(d, "to");
  return to(t, nb, copy);
}
Tensor Tensor::to(const TensorOptions& o, bool nb, bool copy) const {
  detail::check_cpu(o.device(), "to");
  return o.has_dtype() ? to(o.dtype(), nb, copy) : (copy ? clone() : *this);
}

Tensor& Tensor::copy_(const Tensor& src, bool) {
  TG_CHECK(defined() && src.defined(), "copy_: undefined tensor");
  TG_CHECK(is_expandable_to(src.sizes(), sizes()), "copy_: the source of shape ", src.sizes(),
           " cannot be broadcast to the destination of shape ", sizes());
  autograd::check_inplace(*this, {&src}, "copy_");
  const bool rec = autograd::should_record({this, &src});
  // Copy through a temporary when src overlaps our memory in a way a forward loop would corrupt.
  Tensor s = src;
  if (impl_of(src)->storage == impl_->storage && !src.is_same(*this)) s = make_contiguous_copy(src);
  kernels::copy(*this, s);
  impl_->bump_version();
  if (rec) {
    const ScalarType src_t = src.scalar_type();
    DimVector src_sizes = src.sizes();
    autograd::record_inplace(
        "CopyBackwards", {this, &src}, *this, {},
        [src_t, src_sizes](const autograd::tensor_list& g, const autograd::tensor_list&) {
          return autograd::tensor_list{zeros_like(g[0]), sum_to(g[0], src_sizes).to(src_t)};
        });
  }
  return *this;
}

Tensor& Tensor::fill_(const Scalar& v) {
  TG_CHECK(defined(), "fill_: called on an undefined tensor");
  autograd::check_inplace(*this, {}, "fill_");
  kernels::fill(*this, v);
  impl_->bump_version();
  autograd::record_overwrite(*this, "FillBackward0");
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0); }

}  // namespace tg
