// Indexing: index_select, libtorch's index lists (x.index({Slice(), idx}), x.index_put_(...)) and
// the advanced indexing beneath them, nonzero and the ops that pick or place elements by position
// (take, put, index_fill, index_copy, masked_scatter, repeat_interleave with tensor repeats).
#include <cstring>
#include <limits>
#include <sstream>

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

// ---------------------------------------------------------------------------- advanced indexing

namespace {

using OptTensors = std::vector<std::optional<Tensor>>;

// Where advanced indexing reads and writes: for each element of the result (of result_shape), its
// offset in a contiguous tensor of the indexed tensor's shape.
struct IndexPlan {
  DimVector result_shape;
  Tensor offsets;  // int64, contiguous, result_shape
};

std::string shapes_list(const std::vector<Tensor>& ts) {
  std::ostringstream os;
  bool first = true;
  for (const Tensor& t : ts) {
    if (!t.defined()) continue;
    os << (first ? "" : ", ") << t.sizes();
    first = false;
  }
  return os.str();
}

bool broadcastable(IntArrayRef a, IntArrayRef b) {
  for (size_t k = 1; k <= std::min(a.size(), b.size()); ++k) {
    const int64_t x = a[a.size() - k], y = b[b.size() - k];
    if (x != y && x != 1 && y != 1) return false;
  }
  return true;
}

IndexPlan plan_index(const Tensor& self, const OptTensors& indices) {
  NoGradGuard guard;
  const int64_t nd = self.dim();
  TG_CHECK(static_cast<int64_t>(indices.size()) <= nd, "too many indices for tensor of dimension ",
           nd, " (got ", indices.size(), ")");
  for (const auto& i : indices)
    TG_CHECK(!i || !i->defined() || i->scalar_type() == kLong || i->scalar_type() == kBool,
             "tensors used as indices must be long, byte or bool tensors");
  // Masks become the columns of their nonzero coordinates, one index per dim they cover.
  std::vector<Tensor> idx;
  for (const auto& i : indices) {
    if (!i || !i->defined()) {
      idx.emplace_back();
    } else if (i->scalar_type() == kBool) {
      const int64_t first = static_cast<int64_t>(idx.size());
      for (int64_t j = 0; j < i->dim(); ++j)
        TG_CHECK(first + j < nd && i->size(j) == self.size(first + j), "The shape of the mask ",
                 i->sizes(), " at index ", j, " does not match the shape of the indexed tensor ",
                 self.sizes(), " at index ", first + j);
      Tensor nz = i->nonzero();
      for (int64_t j = 0; j < i->dim(); ++j) idx.push_back(nz.select(1, j));
    } else {
      idx.push_back(*i);
    }
  }
  TG_CHECK(static_cast<int64_t>(idx.size()) <= nd, "too many indices for tensor of dimension ", nd,
           " (got ", idx.size(), ")");
  idx.resize(static_cast<size_t>(nd));
  // The indices broadcast together; where they sit decides the result's layout.
  DimVector b;
  std::vector<int64_t> at;
  for (int64_t d = 0; d < nd; ++d) {
    if (!idx[d].defined()) continue;
    if (at.empty()) {
      b = DimVector(idx[d].sizes());
    } else {
      TG_CHECK(broadcastable(b, idx[d].sizes()),
               "shape mismatch: indexing tensors could not be broadcast together with shapes ",
               shapes_list(idx));
      b = infer_size(b, idx[d].sizes());
    }
    at.push_back(d);
  }
  IndexPlan plan;
  const DimVector cs = contiguous_strides(self.sizes());
  if (at.empty()) {  // nothing to index with: every element, in order
    plan.result_shape = DimVector(self.sizes());
    plan.offsets = arange(self.numel(), kLong).reshape(self.sizes());
    return plan;
  }
  const bool adjacent = at.back() - at.front() + 1 == static_cast<int64_t>(at.size());
  // Result dims: [before..., b..., after...] when the indexed dims are adjacent, else
  // [b..., every unindexed dim...] (PyTorch moves them to the front).
  DimVector shape;
  const int64_t lead = adjacent ? at.front() : 0;
  for (int64_t d = 0; d < lead; ++d) shape.push_back(self.size(d));
  for (int64_t s : b) shape.push_back(s);
  for (int64_t d = 0; d < nd; ++d)
    if ((adjacent && d > at.back()) || (!adjacent && !idx[d].defined()))
      shape.push_back(self.size(d));
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t nb = static_cast<int64_t>(b.size());
  // The offsets: the indexed dims' part (of shape b) plus each unindexed dim's arange, each
  // placed at its own position in the result and broadcast.
  Tensor off = zeros(b, kLong);
  for (size_t k = 0; k < at.size(); ++k) {
    Tensor i = idx[at[k]].contiguous().clone();
    // PyTorch's message numbers the tensor indices, not the dims they index.
    kernels::wrap_indices(i, self.size(at[k]), static_cast<int64_t>(k));
    off = off + i * cs[at[k]];
  }
  auto placed = [&](const Tensor& t, int64_t pos, int64_t n) {
    DimVector s(static_cast<size_t>(rank), 1);
    for (int64_t j = 0; j < n; ++j) s[pos + j] = t.size(j);
    return t.reshape(s);
  };
  off = placed(off, lead, nb);
  int64_t pos = 0;
  for (int64_t d = 0; d < nd; ++d) {
    if (idx[d].defined()) continue;
    if (adjacent) {
      pos = d < at.front() ? d : d - static_cast<int64_t>(at.size()) + nb;
    }
    off = off + placed(arange(self.size(d), kLong) * cs[d], adjacent ? pos : nb + pos, 1);
    if (!adjacent) ++pos;
  }
  plan.offsets = off.expand(shape).contiguous();
  plan.result_shape = shape;
  return plan;
}

// The values of the plan's elements of self (no autograd).
Tensor gather_plan(const Tensor& self, const IndexPlan& plan) {
  NoGradGuard guard;
  Tensor flat = self.contiguous().reshape({-1});
  return flat.index_select(0, plan.offsets.reshape({-1})).reshape(plan.result_shape);
}

// Writes values (broadcast to the plan's result) into the contiguous `out` at the plan's elements:
// the last write wins, or they add up with accumulate.
void put_plan(const Tensor& out, const IndexPlan& plan, const Tensor& values, bool accumulate) {
  NoGradGuard guard;
  TG_CHECK(is_expandable_to(values.sizes(), plan.result_shape),
           "shape mismatch: value tensor of shape ", values.sizes(),
           " cannot be broadcast to indexing result of shape ", IntArrayRef(plan.result_shape));
  Tensor v = values.expand(plan.result_shape).contiguous().reshape({-1});
  Tensor o = out.reshape({-1});
  Tensor i = plan.offsets.reshape({-1});
  if (accumulate)
    kernels::index_add(o, 0, i, v);
  else
    kernels::put(o, i, v);
}

void check_put_dtypes(const Tensor& self, const Tensor& values) {
  TG_CHECK(self.defined() && values.defined(), "index_put_: called on an undefined tensor");
  TG_CHECK(values.scalar_type() == self.scalar_type(),
           "Index put requires the source and destination dtypes match, got ", self.scalar_type(),
           " for the destination and ", values.scalar_type(), " for the source.");
}

}  // namespace

Tensor Tensor::index(const std::vector<std::optional<Tensor>>& indices) const {
  TG_CHECK(defined(), "index: called on an undefined tensor");
  IndexPlan plan = plan_index(*this, indices);
  Tensor out = gather_plan(*this, plan);
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    const ScalarType dt = scalar_type();
    autograd::record("IndexBackward0", {this}, {&out}, {},
                     [in, dt, indices](const tensor_list& g, const tensor_list&) {
                       return tensor_list{zeros(in, dt).index_put(indices, g[0], true)};
                     });
  }
  return out;
}

Tensor Tensor::index_put(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                         bool accumulate) const {
  check_put_dtypes(*this, values);
  IndexPlan plan = plan_index(*this, indices);
  Tensor out = make_contiguous_copy(*this);
  put_plan(out, plan, values, accumulate);
  if (autograd::should_record({this, &values})) {
    DimVector vs(values.sizes());
    autograd::record(
        "IndexPutBackward0", {this, &values}, {&out}, {},
        [indices, vs, accumulate](const tensor_list& g, const tensor_list&) {
          Tensor gs = accumulate ? g[0] : g[0].index_put(indices, zeros(vs, g[0].scalar_type()));
          return tensor_list{gs, sum_to(g[0].index(indices), vs)};
        });
  }
  return out;
}

Tensor& Tensor::index_put_(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                           bool accumulate) {
  check_put_dtypes(*this, values);
  return inplace(
      *this, {&values}, scalar_type(), sizes(), "index_put_",
      [&] {
        if (is_contiguous()) {
          put_plan(*this, plan_index(*this, indices), values.detach(), accumulate);
        } else {
          kernels::copy(*this, detach().index_put(indices, values.detach(), accumulate));
        }
      },
      [&](const Tensor& s) { return s.index_put(indices, values, accumulate); });
}

Tensor index(const Tensor& x, const std::vector<std::optional<Tensor>>& indices) {
  return x.index(indices);
}
Tensor index_put(const Tensor& x, const std::vector<std::optional<Tensor>>& indices,
                 const Tensor& values, bool accumulate) {
  return x.index_put(indices, values, accumulate);
}
Tensor& index_put_(Tensor& x, const std::vector<std::optional<Tensor>>& indices,
                   const Tensor& values, bool accumulate) {
  return x.index_put_(indices, values, accumulate);
}

// ---------------------------------------------------------------------------- libtorch's index
// lists

namespace indexing {

namespace {
constexpr int64_t kIndexMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kIndexMin = std::numeric_limits<int64_t>::min();
}  // namespace

Slice::Slice(std::optional<int64_t> start, std::optional<int64_t> stop,
             std::optional<int64_t> step) {
  step_ = step.value_or(1);
  TG_CHECK(step_ != 0, "slice step cannot be zero");
  // -INT64_MIN does not exist; -INT64_MAX slices the same way.
  if (step_ < -kIndexMax) step_ = -kIndexMax;
  start_ = start ? *start : (step_ < 0 ? kIndexMax : 0);
  stop_ = stop ? *stop : (step_ < 0 ? kIndexMin : kIndexMax);
}

std::ostream& operator<<(std::ostream& os, const Slice& s) {
  return os << s.start() << ":" << s.stop() << ":" << s.step();
}

TensorIndex::TensorIndex(const char* str) : type_(TensorIndexType::Ellipsis) {
  TG_CHECK(str != nullptr && std::strcmp(str, "...") == 0,
           "Expected \"...\" to represent an ellipsis index, but got \"", str ? str : "", "\"");
}

std::ostream& operator<<(std::ostream& os, const TensorIndex& i) {
  switch (i.type()) {
    case TensorIndexType::None:
      return os << "None";
    case TensorIndexType::Ellipsis:
      return os << "...";
    case TensorIndexType::Integer:
      return os << i.integer();
    case TensorIndexType::Boolean:
      return os << (i.boolean() ? "true" : "false");
    case TensorIndexType::Slice:
      return os << i.slice();
    case TensorIndexType::Tensor:
      return os << i.tensor();
  }
  return os;
}

}  // namespace indexing

namespace {

using indexing::TensorIndex;

Tensor apply_select(const Tensor& t, int64_t d, int64_t i, int64_t real_dim) {
  TG_CHECK(t.dim() > 0,
           "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
           "in C++ to convert a 0-dim tensor to a number");
  const int64_t n = t.size(d);
  TG_CHECK(i >= -n && i < n, "index ", i, " is out of bounds for dimension ", real_dim,
           " with size ", n);
  return t.select(d, i < 0 ? i + n : i);
}

// A full slice with step 1 is t itself unless `always` asks for the view.
Tensor apply_slice(const Tensor& t, int64_t d, const indexing::Slice& s, bool always) {
  TG_CHECK(s.step() > 0, "step must be greater than zero");
  TG_CHECK(t.dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  if (!always && s.start() == 0 && s.stop() == t.size(d) && s.step() == 1) return t;
  return t.slice(d, s.start(), s.stop(), s.step());
}

// The index a Python bool stands for in the new dim of size 1 it adds: all of it, or nothing.
Tensor bool_index(bool b) { return b ? zeros({1}, kLong) : empty({0}, kLong); }

// Python's x[...] with a view of the elements the integers, slices, None and Ellipsis pick, and
// the tensor (and bool) indices left for the advanced indexing, by the dim of that view they index.
Tensor apply_slicing(const Tensor& self, ArrayRef<TensorIndex> ix, OptTensors& tensor_ix) {
  int64_t specified = 0;
  for (const TensorIndex& i : ix) {
    if (i.is_tensor())
      specified += i.tensor().scalar_type() == kBool ? i.tensor().dim() : 1;
    else if (!i.is_none() && !i.is_ellipsis() && !i.is_boolean())
      ++specified;
  }
  TG_CHECK(specified <= self.dim(), "too many indices for tensor of dimension ", self.dim());
  auto record = [&](int64_t& d, const Tensor& t) {
    tensor_ix.resize(static_cast<size_t>(d + 1));
    tensor_ix[d] = t;
    ++d;
  };
  Tensor r = self;
  int64_t d = 0;
  for (size_t k = 0; k < ix.size(); ++k) {
    const TensorIndex& i = ix[k];
    const auto real_dim = static_cast<int64_t>(k);
    switch (i.type()) {
      case indexing::TensorIndexType::Integer:
        r = apply_select(r, d, i.integer(), real_dim);
        break;
      case indexing::TensorIndexType::Slice:
        r = apply_slice(r, d++, i.slice(), false);
        break;
      case indexing::TensorIndexType::Ellipsis:
        d += self.dim() - specified;
        break;
      case indexing::TensorIndexType::None:
        r = r.unsqueeze(d++);
        break;
      case indexing::TensorIndexType::Boolean:
        r = r.unsqueeze(d);
        record(d, bool_index(i.boolean()));
        break;
      case indexing::TensorIndexType::Tensor: {
        const Tensor& t = i.tensor();
        TG_CHECK(t.defined(), "index: an undefined tensor as index");
        if (t.dim() == 0 && t.scalar_type() == kLong) {
          r = apply_select(r, d, t.item<int64_t>(), real_dim);
        } else if (t.dim() == 0 && t.scalar_type() == kBool) {
          r = r.unsqueeze(d);
          record(d, bool_index(t.item<bool>()));
        } else {
          record(d, t);
        }
        break;
      }
    }
  }
  return r;
}

// A view of all of t with its own node, as at::alias: x.index({"..."}) is not x.
Tensor alias_of(const Tensor& t) {
  Tensor out = make_view(t, t.sizes(), t.strides(), t.storage_offset());
  if (autograd::should_record({&t}))
    autograd::record("AliasBackward0", {&t}, {&out}, {},
                     [](const tensor_list& g, const tensor_list&) { return tensor_list{g[0]}; });
  return out;
}

// Python's `x[...] = v` for a view: v broadcast into it (leading 1s of v's shape dropped first).
void copy_to(Tensor dst, const Tensor& src) {
  if (dst.sizes().equals(src.sizes()) || src.dim() == 0) {
    dst.copy_(src);
    return;
  }
  IntArrayRef s = src.sizes();
  size_t lead = 0;
  while (lead < s.size() && s[lead] == 1) ++lead;
  dst.copy_(src.view(s.slice(lead, s.size() - lead)).expand(dst.sizes()));
}

Tensor get_item(const Tensor& self, ArrayRef<TensorIndex> ix) {
  TG_CHECK(self.defined(), "index: called on an undefined tensor");
  if (ix.size() == 1) {
    const TensorIndex& i = ix[0];
    switch (i.type()) {
      case indexing::TensorIndexType::Integer:
        return apply_select(self, 0, i.integer(), 0);
      case indexing::TensorIndexType::Slice:
        return apply_slice(self, 0, i.slice(), true);
      case indexing::TensorIndexType::None:
        return self.unsqueeze(0);
      case indexing::TensorIndexType::Ellipsis:
        return alias_of(self);
      case indexing::TensorIndexType::Boolean:
        return self.unsqueeze(0).index(OptTensors{bool_index(i.boolean())});
      case indexing::TensorIndexType::Tensor:
        break;
    }
  }
  OptTensors tensor_ix;
  Tensor sliced = apply_slicing(self, ix, tensor_ix);
  if (tensor_ix.empty()) return sliced.is_same(self) ? alias_of(sliced) : sliced;
  return sliced.index(tensor_ix);
}

void set_item(const Tensor& self, ArrayRef<TensorIndex> ix, const Tensor& value) {
  TG_CHECK(self.defined() && value.defined(), "index_put_: called on an undefined tensor");
  if (ix.size() == 1) {
    const TensorIndex& i = ix[0];
    switch (i.type()) {
      case indexing::TensorIndexType::Boolean:
        if (i.boolean()) copy_to(self.unsqueeze(0), value);
        return;
      case indexing::TensorIndexType::Ellipsis:
        copy_to(self, value);
        return;
      case indexing::TensorIndexType::None:
        copy_to(self.unsqueeze(0), value);
        return;
      case indexing::TensorIndexType::Integer:
        copy_to(apply_select(self, 0, i.integer(), 0), value);
        return;
      case indexing::TensorIndexType::Slice:
        copy_to(apply_slice(self, 0, i.slice(), false), value);
        return;
      case indexing::TensorIndexType::Tensor:
        break;
    }
  }
  OptTensors tensor_ix;
  Tensor sliced = apply_slicing(self, ix, tensor_ix);
  if (tensor_ix.empty()) {
    copy_to(sliced, value);
    return;
  }
  IntArrayRef s = value.sizes();
  size_t lead = 0;
  while (lead < s.size() && s[lead] == 1) ++lead;
  Tensor v = lead == 0 ? value : value.view(s.slice(lead, s.size() - lead));
  sliced.index_put_(tensor_ix, v);
}

Tensor scalar_value(const Scalar& v, const Tensor& self) {
  TG_CHECK(self.defined(), "index_put_: called on an undefined tensor");
  return scalar_tensor(v, self.scalar_type());
}

}  // namespace

Tensor Tensor::index(ArrayRef<indexing::TensorIndex> indices) const {
  return get_item(*this, indices);
}
Tensor Tensor::index(std::initializer_list<indexing::TensorIndex> indices) const {
  return get_item(*this, ArrayRef<indexing::TensorIndex>(indices));
}
Tensor& Tensor::index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& rhs) {
  set_item(*this, indices, rhs);
  return *this;
}
Tensor& Tensor::index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& v) {
  set_item(*this, indices, scalar_value(v, *this));
  return *this;
}
Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices,
                           const Tensor& rhs) {
  return index_put_(ArrayRef<indexing::TensorIndex>(indices), rhs);
}
Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& v) {
  return index_put_(ArrayRef<indexing::TensorIndex>(indices), v);
}

Tensor Tensor::operator[](const Tensor& index) const {
  return get_item(*this, indexing::TensorIndex(index));
}

// ---------------------------------------------------------------------------- positions

namespace {

Tensor contiguous_of(const Tensor& t) { return t.is_contiguous() ? t : make_contiguous_copy(t); }

// index flattened into a new contiguous int64 tensor that the caller may change.
Tensor owned_flat(const Tensor& index) { return make_contiguous_copy(index.reshape({-1})); }

// The indices of index_fill and index_copy on dim d: all of dim 0 .. d-1, then `index`.
std::vector<std::optional<Tensor>> along(int64_t d, const Tensor& index) {
  std::vector<std::optional<Tensor>> ix(static_cast<size_t>(d));
  ix.emplace_back(index);
  return ix;
}

}  // namespace

Tensor Tensor::nonzero() const {
  TG_CHECK(defined(), "nonzero: called on an undefined tensor");
  return kernels::nonzero(contiguous_of(*this));
}

std::vector<Tensor> Tensor::nonzero_numpy() const {
  Tensor nz = dim() == 0 ? unsqueeze(0).nonzero() : nonzero();
  return nz.unbind(1);
}

Tensor Tensor::argwhere() const { return nonzero(); }

Tensor Tensor::count_nonzero(IntArrayRef dims) const {
  Tensor nz = ne(0);
  return dims.empty() ? nz.sum() : nz.sum(dims);
}

Tensor Tensor::count_nonzero(std::optional<int64_t> d) const {
  return d ? count_nonzero(IntArrayRef(*d)) : ne(0).sum();
}

Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size) {
  TG_CHECK(repeats.defined() && repeats.dim() == 1,
           "repeat_interleave only accept 1D vector as repeat");
  TG_CHECK(repeats.scalar_type() == kLong, "\"repeat_interleave_cpu\" not implemented for '",
           repeats.scalar_type(), "'");
  Tensor r = contiguous_of(repeats);
  TG_CHECK(r.numel() == 0 || r.min().item<int64_t>() >= 0, "repeats can not be negative");
  std::vector<int64_t> pos = kernels::repeat_positions(r);
  TG_CHECK(!output_size || *output_size == static_cast<int64_t>(pos.size()),
           "allocated size does not match required size");
  return tensor(pos, kLong);
}

Tensor Tensor::repeat_interleave(const Tensor& repeats, std::optional<int64_t> d,
                                 std::optional<int64_t> output_size) const {
  TG_CHECK(defined() && repeats.defined(), "repeat_interleave: called on an undefined tensor");
  Tensor input = d ? *this : flatten();
  const int64_t dd = d ? wrap_dim(*d, dim(), "repeat_interleave") : 0;
  Tensor r = repeats;
  const int64_t n = input.dim() == 0 ? 1 : input.size(dd);
  if (r.dim() == 0 || (r.dim() == 1 && r.size(0) == 1)) r = r.reshape({1}).expand({n});
  TG_CHECK(r.dim() != 1 || r.size(0) == n, "repeats must have the same size as input along dim");
  return input.index_select(dd, tg::repeat_interleave(r, output_size));
}

Tensor Tensor::take(const Tensor& index) const {
  TG_CHECK(defined() && index.defined(), "take: called on an undefined tensor");
  TG_CHECK(index.scalar_type() == kLong, "take(): Expected a long tensor for index, but got ",
           index.scalar_type());
  Tensor i = owned_flat(index);
  kernels::wrap_flat_indices(i, numel());
  Tensor out;
  {
    NoGradGuard guard;
    out = contiguous_of(*this).reshape({-1}).index_select(0, i).reshape(index.sizes());
  }
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    const ScalarType dt = scalar_type();
    autograd::record("TakeBackward0", {this}, {&out}, {},
                     [in, dt, index](const tensor_list& g, const tensor_list&) {
                       return tensor_list{zeros(in, dt).put(index, g[0], true)};
                     });
  }
  return out;
}

Tensor Tensor::put(const Tensor& index, const Tensor& source, bool accumulate) const {
  TG_CHECK(defined() && index.defined() && source.defined(), "put_: called on an undefined tensor");
  TG_CHECK(source.scalar_type() == scalar_type(),
           "put_(): self and source expected to have the same dtype, but got self.dtype = ",
           scalar_type(), " and source.dtype = ", source.scalar_type());
  TG_CHECK(index.scalar_type() == kLong, "put_(): Expected a long tensor for index, but got ",
           index.scalar_type());
  TG_CHECK(source.numel() == index.numel(),
           "put_(): Expected source and index to have the same number of elements, but got "
           "source.numel() = ",
           source.numel(), ", index.numel() = ", index.numel());
  Tensor i = owned_flat(index);
  kernels::wrap_flat_indices(i, numel());
  Tensor out = make_contiguous_copy(*this);
  {
    NoGradGuard guard;
    Tensor flat = out.reshape({-1});
    Tensor src = contiguous_of(source.reshape({-1}));
    if (accumulate)
      kernels::index_add(flat, 0, i, src);
    else
      kernels::put(flat, i, src);
  }
  if (autograd::should_record({this, &source})) {
    DimVector ss(source.sizes());
    autograd::record(
        "PutBackward0", {this, &source}, {&out}, {},
        [index, ss, accumulate](const tensor_list& g, const tensor_list&) {
          Tensor gs = accumulate ? g[0] : g[0].put(index, zeros(ss, g[0].scalar_type()), false);
          return tensor_list{gs, g[0].take(index).reshape(ss)};
        });
  }
  return out;
}

Tensor& Tensor::put_(const Tensor& index, const Tensor& source, bool accumulate) {
  return inplace(
      *this, {&source}, scalar_type(), sizes(), "put_",
      [&] { kernels::copy(*this, detach().put(index, source.detach(), accumulate)); },
      [&](const Tensor& s) { return s.put(index, source, accumulate); });
}

namespace {

// index_fill's checks; the index it writes along d, wrapped. A 0-dim self is seen as [1].
Tensor fill_positions(const Tensor& self, int64_t& d, const Tensor& index) {
  TG_CHECK(self.defined() && index.defined(), "index_fill_: called on an undefined tensor");
  d = wrap_dim(d, self.dim(), "index_fill_");
  TG_CHECK(index.scalar_type() == kLong, "index_fill_(): Expected dtype int64 for index.");
  TG_CHECK(index.dim() <= 1, "Index has to be a vector/scalar");
  Tensor i = owned_flat(index);
  kernels::wrap_indices(i, self.dim() == 0 ? 1 : self.size(d), d);
  return i;
}

Tensor filled(const Tensor& self, int64_t d, const Tensor& i, const Tensor& value) {
  NoGradGuard guard;
  Tensor base = self.dim() == 0 ? self.reshape({1}) : self;
  return base.index_put(along(d, i), value.to(self.scalar_type())).reshape(self.sizes());
}

}  // namespace

Tensor Tensor::index_fill(int64_t d, const Tensor& index, const Scalar& value) const {
  Tensor i = fill_positions(*this, d, index);
  Tensor out = filled(*this, d, i, scalar_tensor(value, scalar_type()));
  if (autograd::should_record({this}))
    autograd::record("IndexFillBackward0", {this}, {&out}, {},
                     [d, i](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0].index_fill(d, i, 0)};
                     });
  return out;
}

Tensor Tensor::index_fill(int64_t d, const Tensor& index, const Tensor& value) const {
  TG_CHECK(value.defined() && value.dim() == 0,
           "index_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.defined() ? value.dim() : 0, " dimension(s).");
  Tensor i = fill_positions(*this, d, index);
  Tensor out = filled(*this, d, i, value);
  if (autograd::should_record({this, &value})) {
    // The value lands once per position however often the index names it.
    Tensor once;
    {
      NoGradGuard guard;
      once = zeros({dim() == 0 ? 1 : size(d)}, kBool)
                 .index_put({i}, scalar_tensor(true, kBool))
                 .nonzero()
                 .reshape({-1});
    }
    autograd::record("IndexFillBackward1", {this, &value}, {&out}, {},
                     [d, i, once](const tensor_list& g, const tensor_list&) {
                       Tensor g0 = g[0].dim() == 0 ? g[0].reshape({1}) : g[0];
                       return tensor_list{g[0].index_fill(d, i, 0), g0.index_select(d, once).sum()};
                     });
  }
  return out;
}

Tensor& Tensor::index_fill_(int64_t d, const Tensor& index, const Scalar& value) {
  return inplace(
      *this, {}, scalar_type(), sizes(), "index_fill_",
      [&] { kernels::copy(*this, detach().index_fill(d, index, value)); },
      [&](const Tensor& s) { return s.index_fill(d, index, value); });
}

Tensor& Tensor::index_fill_(int64_t d, const Tensor& index, const Tensor& value) {
  return inplace(
      *this, {&value}, scalar_type(), sizes(), "index_fill_",
      [&] { kernels::copy(*this, detach().index_fill(d, index, value.detach())); },
      [&](const Tensor& s) { return s.index_fill(d, index, value); });
}

Tensor Tensor::index_copy(int64_t d, const Tensor& index, const Tensor& source) const {
  TG_CHECK(defined() && index.defined() && source.defined(),
           "index_copy_: called on an undefined tensor");
  d = wrap_dim(d, dim(), "index_copy_");
  TG_CHECK(index.dim() <= 1, "index_copy_(): Index should have dimension 1 or 0 (got ", index.dim(),
           ")");
  TG_CHECK(source.scalar_type() == scalar_type(),
           "index_copy_(): self and source expected to have the same dtype, but got (self) ",
           scalar_type(), " and (source) ", source.scalar_type());
  TG_CHECK(index.scalar_type() == kLong,
           "index_copy_(): Expected a long tensor for index, but got ", index.scalar_type());
  const int64_t n = source.dim() == 0 ? 1 : source.size(d);
  TG_CHECK(index.numel() == n, "index_copy_(): Number of indices (", index.numel(),
           ") should be equal to source.size(dim) (", n, ")");
  bool same = std::max<int64_t>(source.dim(), 1) == std::max<int64_t>(dim(), 1);
  for (int64_t k = 0; same && k < dim() && k < source.dim(); ++k)
    same = k == d || source.size(k) == size(k);
  TG_CHECK(same, "index_copy_(): Source/destination tensor must have same slice shapes. ",
           "Destination slice shape: ", sizes(), " at dimension ", d,
           " and source slice shape: ", source.sizes(), " at dimension ", d, ".");
  Tensor i = owned_flat(index);
  kernels::wrap_indices(i, dim() == 0 ? 1 : size(d), d, "index_copy_(): ", false);
  Tensor out;
  {
    NoGradGuard guard;
    Tensor base = dim() == 0 ? reshape({1}) : *this;
    Tensor src = source.reshape(base.sizes().size() == 1 && source.dim() == 0 ? IntArrayRef{1}
                                                                              : source.sizes());
    out = base.index_put(along(d, i), src).reshape(sizes());
  }
  if (autograd::should_record({this, &source})) {
    DimVector ss(source.sizes());
    autograd::record(
        "IndexCopyBackward0", {this, &source}, {&out}, {},
        [d, i, ss](const tensor_list& g, const tensor_list&) {
          Tensor g0 = g[0].dim() == 0 ? g[0].reshape({1}) : g[0];
          return tensor_list{g[0].index_fill(d, i, 0), g0.index_select(d, i).reshape(ss)};
        });
  }
  return out;
}

Tensor& Tensor::index_copy_(int64_t d, const Tensor& index, const Tensor& source) {
  return inplace(
      *this, {&source}, scalar_type(), sizes(), "index_copy_",
      [&] { kernels::copy(*this, detach().index_copy(d, index, source.detach())); },
      [&](const Tensor& s) { return s.index_copy(d, index, source); });
}

Tensor Tensor::masked_scatter(const Tensor& mask, const Tensor& source) const {
  TG_CHECK(defined() && mask.defined() && source.defined(),
           "masked_scatter: called on an undefined tensor");
  TG_CHECK(mask.scalar_type() == kBool,
           "masked_scatter_ only supports boolean masks, but got mask with dtype ",
           mask.scalar_type());
  TG_CHECK(source.scalar_type() == scalar_type(),
           "masked_scatter: expected self and source to have same dtypes but got", scalar_type(),
           " and ", source.scalar_type());
  DimVector shape = infer_size(sizes(), mask.sizes(), "masked_scatter");
  Tensor out;
  Tensor m = contiguous_of(mask.expand(shape));
  {
    NoGradGuard guard;
    std::vector<int64_t> pos = kernels::nonzero_flat(m);
    const auto count = static_cast<int64_t>(pos.size());
    TG_CHECK(source.numel() >= count, "Number of elements of source < number of ones in mask");
    out = make_contiguous_copy(expand(shape));
    Tensor src = contiguous_of(source.reshape({-1}).slice(0, 0, count));
    kernels::put(out.reshape({-1}), tensor(pos, kLong), src);
  }
  if (autograd::should_record({this, &source})) {
    DimVector in(sizes()), ss(source.sizes());
    autograd::record("MaskedScatterBackward0", {this, &source}, {&out}, {},
                     [m, in, ss](const tensor_list& g, const tensor_list&) {
                       Tensor picked = g[0].masked_select(m);
                       const int64_t rest = numel_of(ss) - picked.numel();
                       if (rest > 0) picked = cat({picked, zeros({rest}, picked.scalar_type())});
                       return tensor_list{sum_to(g[0].masked_fill(m, 0), in), picked.reshape(ss)};
                     });
  }
  return out;
}

Tensor& Tensor::masked_scatter_(const Tensor& mask, const Tensor& source) {
  return inplace(
      *this, {&source}, scalar_type(), sizes(), "masked_scatter_",
      [&] { kernels::copy(*this, detach().masked_scatter(mask, source.detach())); },
      [&](const Tensor& s) { return s.masked_scatter(mask, source); });
}

Tensor nonzero(const Tensor& x) { return x.nonzero(); }
std::vector<Tensor> nonzero_numpy(const Tensor& x) { return x.nonzero_numpy(); }
std::vector<Tensor> where(const Tensor& cond) { return cond.nonzero_numpy(); }
Tensor argwhere(const Tensor& x) { return x.argwhere(); }
Tensor count_nonzero(const Tensor& x, IntArrayRef dims) { return x.count_nonzero(dims); }
Tensor count_nonzero(const Tensor& x, std::optional<int64_t> d) { return x.count_nonzero(d); }
Tensor repeat_interleave(const Tensor& x, const Tensor& repeats, std::optional<int64_t> d,
                         std::optional<int64_t> output_size) {
  return x.repeat_interleave(repeats, d, output_size);
}
Tensor index_fill(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value) {
  return x.index_fill(d, index, value);
}
Tensor index_fill(const Tensor& x, int64_t d, const Tensor& index, const Tensor& value) {
  return x.index_fill(d, index, value);
}
Tensor index_copy(const Tensor& x, int64_t d, const Tensor& index, const Tensor& source) {
  return x.index_copy(d, index, source);
}
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source) {
  return x.masked_scatter(mask, source);
}
Tensor take(const Tensor& x, const Tensor& index) { return x.take(index); }
Tensor put(const Tensor& x, const Tensor& index, const Tensor& source, bool accumulate) {
  return x.put(index, source, accumulate);
}

Tensor index_select(const Tensor& x, int64_t d, const Tensor& i) { return x.index_select(d, i); }

}  // namespace tg
