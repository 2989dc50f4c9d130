// Scans (cumsum, cumprod), logsumexp, the shape ops that rearrange elements (flip, roll,
// tril/triu, outer, diag, unbind, repeat/tile, repeat_interleave) and masked_fill/masked_select.
// Each gradient is written with differentiable ops, so second order works.
#include <cmath>
#include <limits>

#include "kernels/index.h"
#include "kernels/reduce.h"
#include "kernels/scan.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;

namespace {

// PyTorch's reversed_cumsum: sums from each position to the end of dim d.
Tensor reversed_cumsum(const Tensor& w, int64_t d) { return w.flip({d}).cumsum(d).flip({d}); }

Tensor scan_forward(kernels::ScanOp op, const Tensor& x, int64_t d, ScalarType ot) {
  Tensor in = cast_to(x, ot);
  if (!in.is_contiguous()) in = make_contiguous_copy(in);
  Tensor out = make_empty(x.sizes(), ot);
  if (x.numel() > 0) kernels::scan(op, out, in, d);
  return out;
}

ScalarType scan_type(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  // Integer and bool scans are int64, as in PyTorch.
  return x.is_floating_point() ? x.scalar_type() : kLong;
}

// The gradient of cumprod where x has zeros (PyTorch's cumprod_backward divides by x only when it
// has none). Element i's gradient is sum_{j >= i} g_j * prod_{m <= j, m != i} x_m: for each i, the
// cumprod of x with x_i replaced by one, masked to j >= i. Quadratic in the dim's size, but made
// of differentiable ops, so its own gradient follows.
Tensor cumprod_backward_with_zeros(const Tensor& g, const Tensor& x, int64_t d) {
  const int64_t n = x.size(d);
  Tensor xt = x.transpose(d, -1);
  Tensor gt = g.transpose(d, -1);
  Tensor eye_n = eye(n, x.scalar_type());
  Tensor replaced = xt.unsqueeze(-2) * (1 - eye_n) + eye_n;  // [..., i, m]
  Tensor later = ones({n, n}, x.scalar_type()).triu();       // j >= i
  Tensor terms = replaced.cumprod(-1) * later * gt.unsqueeze(-2);
  return terms.sum({-1}).transpose(d, -1);
}

Tensor cumprod_backward(const Tensor& g, const Tensor& x, const Tensor& y, int64_t d) {
  if (x.dim() == 0 || x.size(d) <= 1) return g;
  bool has_zero;
  {
    NoGradGuard guard;
    has_zero = (x == 0).any().item<bool>();
  }
  if (!has_zero) return reversed_cumsum(y * g, d) / x;
  return cumprod_backward_with_zeros(g, x, d);
}

Tensor scan_impl(const Tensor& x, int64_t d, std::optional<ScalarType> dtype, bool prod) {
  const char* name = prod ? "cumprod" : "cumsum";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  d = wrap_dim(d, x.dim(), name);
  const ScalarType ot = scan_type(x, dtype);
  Tensor out = scan_forward(prod ? kernels::ScanOp::Prod : kernels::ScanOp::Sum, x, d, ot);
  if (autograd::should_record({&x})) {
    const ScalarType xt = x.scalar_type();
    if (prod) {
      autograd::record("CumprodBackward0", {&x}, {&out}, {save(x), save_output(out)},
                       [d, xt](const tensor_list& g, const tensor_list& s) {
                         return tensor_list{cumprod_backward(g[0].to(xt), s[0], s[1].to(xt), d)};
                       });
    } else {
      autograd::record("CumsumBackward0", {&x}, {&out}, {},
                       [d, xt](const tensor_list& g, const tensor_list&) {
                         Tensor gx = g[0].to(xt);
                         if (gx.dim() == 0 || gx.size(d) == 1) return tensor_list{gx};
                         return tensor_list{reversed_cumsum(gx, d)};
                       });
    }
  }
  return out;
}

// Tensor's shape with the dims in `dims` kept as size 1 (all dims when the list is empty).
DimVector keepdim_shape(const Tensor& x, IntArrayRef dims) {
  DimVector shape(x.sizes());
  if (x.dim() == 0) {
    for (int64_t d : dims) wrap_dim(d, 0, "logsumexp");
  } else if (dims.empty()) {
    for (auto& s : shape) s = 1;
  } else {
    for (int64_t d : dims) shape[wrap_dim(d, x.dim(), "logsumexp")] = 1;
  }
  return shape;
}

}  // namespace

Tensor Tensor::cumsum(int64_t d, std::optional<ScalarType> dtype) const {
  return scan_impl(*this, d, dtype, false);
}
Tensor Tensor::cumprod(int64_t d, std::optional<ScalarType> dtype) const {
  return scan_impl(*this, d, dtype, true);
}

// In place: the scan computed in dtype (self's by default) and written back into self.
Tensor& Tensor::cumsum_(int64_t d, std::optional<ScalarType> dtype) {
  const ScalarType ct = dtype.value_or(defined() ? scalar_type() : kFloat);
  return inplace(
      *this, {}, ct, sizes(), "cumsum_", [&] { kernels::copy(*this, detach().cumsum(d, ct)); },
      [&](const Tensor& s) { return s.cumsum(d, ct); });
}
Tensor& Tensor::cumprod_(int64_t d, std::optional<ScalarType> dtype) {
  const ScalarType ct = dtype.value_or(defined() ? scalar_type() : kFloat);
  return inplace(
      *this, {}, ct, sizes(), "cumprod_", [&] { kernels::copy(*this, detach().cumprod(d, ct)); },
      [&](const Tensor& s) { return s.cumprod(d, ct); });
}

Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const {
  TG_CHECK(defined(), "logsumexp: called on an undefined tensor");
  // Integer inputs are computed in the default floating type, as PyTorch does.
  Tensor x = is_floating_point() ? *this : to(kFloat);
  Tensor out;
  {
    NoGradGuard guard;
    if (x.numel() == 0) {
      out = x.exp().sum(dims, keepdim).log();
    } else {
      // Shift by the maximum so that exp cannot overflow; an infinite maximum is not subtracted
      // (inf - inf would be nan), which leaves logsumexp of all -inf as -inf.
      Tensor m = x.amax(dims, true);
      m = where(m.abs() == std::numeric_limits<double>::infinity(), 0, m);
      Tensor shifted = (x - m).exp().sum(dims, keepdim).log();
      out = shifted + m.reshape(shifted.sizes());
    }
  }
  if (autograd::should_record({&x})) {
    DimVector keep = keepdim_shape(x, dims);
    autograd::record("LogsumexpBackward0", {&x}, {&out}, {save(x), save_output(out)},
                     [keep](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{g[0].reshape(keep) * (s[0] - s[1].reshape(keep)).exp()};
                     });
  }
  return out;
}

Tensor Tensor::flip(IntArrayRef dims) const {
  TG_CHECK(defined(), "flip: called on an undefined tensor");
  kernels::DimMask mask(std::max<int64_t>(dim(), 0), false, "flip");
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, dim(), "flip");
    if (dim() == 0) continue;
    TG_CHECK(!mask[w], "dim ", w, " appears multiple times in the list of dims");
    mask.set(w);
  }
  Tensor out;
  {
    NoGradGuard guard;
    out = *this;
    // One gather of the reversed positions per flipped dim.
    for (int64_t d = 0; d < dim(); ++d)
      if (mask[d] && size(d) > 1) out = out.index_select(d, arange(size(d) - 1, -1, -1, kLong));
    if (impl_of(out) == impl_of(*this)) out = clone();
  }
  if (autograd::should_record({this})) {
    DimVector ds(dims);
    autograd::record(
        "FlipBackward0", {this}, {&out}, {},
        [ds](const tensor_list& g, const tensor_list&) { return tensor_list{g[0].flip(ds)}; });
  }
  return out;
}

Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const {
  TG_CHECK(defined(), "roll: called on an undefined tensor");
  TG_CHECK(!shifts.empty(), "`shifts` required");
  if (dims.empty()) {
    // Without dims the tensor is rolled as if flattened.
    TG_CHECK(shifts.size() == 1, "shifts and dimensions must align. shifts: ", shifts.size(),
             ", dims:", dims.size());
  } else {
    TG_CHECK(shifts.size() == dims.size(),
             "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:", dims.size());
  }
  Tensor out;
  {
    NoGradGuard guard;
    Tensor cur = dims.empty() ? reshape({-1}) : *this;
    DimVector ds(dims);
    if (ds.empty()) ds.push_back(0);
    bool moved = false;
    for (size_t k = 0; k < ds.size(); ++k) {
      const int64_t d = wrap_dim(ds[k], cur.dim(), "roll");
      const int64_t n = cur.dim() == 0 ? 1 : cur.size(d);
      if (cur.dim() == 0 || n == 0) continue;
      const int64_t start = ((n - shifts[k]) % n + n) % n;
      if (start == 0) continue;
      cur = cat({cur.narrow(d, start, n - start), cur.narrow(d, 0, start)}, d);
      moved = true;
    }
    out = dims.empty() ? cur.reshape(sizes()) : cur;
    if (!moved) out = clone();
  }
  if (autograd::should_record({this})) {
    DimVector neg;
    for (int64_t s : shifts) neg.push_back(-s);
    DimVector ds(dims);
    autograd::record("RollBackward0", {this}, {&out}, {},
                     [neg, ds](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0].roll(neg, ds)};
                     });
  }
  return out;
}

namespace {

Tensor triangle(const Tensor& x, int64_t k, bool lower) {
  const char* name = lower ? "tril" : "triu";
  TG_CHECK(x.defined(), name, ": called on an undefined tensor");
  TG_CHECK(x.dim() >= 2, name, ": input tensor must have at least 2 dimensions");
  Tensor out;
  {
    NoGradGuard guard;
    const int64_t r = x.size(-2), c = x.size(-1);
    // Column minus row of every position of the last two dims.
    Tensor diff = arange(c, kLong).reshape({1, c}) - arange(r, kLong).reshape({r, 1});
    Tensor keep = lower ? diff <= k : diff >= k;
    out = where(keep, x, zeros({}, x.scalar_type()));
  }
  if (autograd::should_record({&x}))
    autograd::record(lower ? "TrilBackward0" : "TriuBackward0", {&x}, {&out}, {},
                     [k, lower](const tensor_list& g, const tensor_list&) {
                       return tensor_list{lower ? g[0].tril(k) : g[0].triu(k)};
                     });
  return out;
}

void check_1d(const Tensor& t, const char* arg, const char* fn) {
  TG_CHECK(t.defined(), fn, ": called on an undefined tensor");
  TG_CHECK(t.dim() == 1, fn, ": Expected 1-D argument ", arg, ", but got ", t.dim(), "-D");
}

}  // namespace

Tensor Tensor::tril(int64_t k) const { return triangle(*this, k, true); }
Tensor Tensor::triu(int64_t k) const { return triangle(*this, k, false); }

// A composite, as in PyTorch: the column times the row, so its node is MulBackward0.
Tensor Tensor::outer(const Tensor& o) const {
  check_1d(*this, "self", "outer");
  check_1d(o, "vec2", "outer");
  return reshape({size(0), 1}) * o;
}

namespace {

// Where diagonal k of an r x c matrix lies, as flat row-major positions.
std::vector<int64_t> diagonal_positions(int64_t r, int64_t c, int64_t k) {
  const int64_t r0 = k < 0 ? -k : 0, c0 = k > 0 ? k : 0;
  std::vector<int64_t> pos;
  for (int64_t i = 0; i + r0 < r && i + c0 < c; ++i) pos.push_back((i + r0) * c + i + c0);
  return pos;
}

// v's elements placed at the flat positions `pos` of a zero tensor of `shape` (one gather from v
// with a zero in front, so the result is differentiable and its gradient a gather again).
Tensor place_at(const Tensor& v, const std::vector<int64_t>& pos, IntArrayRef shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<int64_t> from(static_cast<size_t>(n), 0);
  for (size_t i = 0; i < pos.size(); ++i) from[pos[i]] = static_cast<int64_t>(i) + 1;
  Tensor padded = cat({zeros({1}, v.scalar_type()), v.reshape({-1})}, 0);
  return padded.index_select(0, tensor(from, kLong)).reshape(shape);
}

Tensor take_at(const Tensor& x, const std::vector<int64_t>& pos) {
  return x.reshape({-1}).index_select(0, tensor(pos, kLong));
}

}  // namespace

Tensor Tensor::diag(int64_t k) const {
  TG_CHECK(defined(), "diag: called on an undefined tensor");
  TG_CHECK(dim() == 1 || dim() == 2, "matrix or a vector expected");
  Tensor out;
  DimVector in(sizes());
  {
    NoGradGuard guard;
    if (dim() == 1) {
      const int64_t m = size(0) + (k < 0 ? -k : k);
      out = place_at(*this, diagonal_positions(m, m, k), {m, m});
    } else {
      out = take_at(*this, diagonal_positions(size(0), size(1), k));
    }
  }
  if (autograd::should_record({this}))
    autograd::record("DiagBackward0", {this}, {&out}, {},
                     [in, k](const tensor_list& g, const tensor_list&) {
                       // PyTorch's diag_backward: a vector's or a square matrix's is diag again.
                       if (in.size() == 1 || in[0] == in[1]) return tensor_list{g[0].diag(k)};
                       return tensor_list{place_at(g[0], diagonal_positions(in[0], in[1], k), in)};
                     });
  return out;
}

std::vector<Tensor> Tensor::unbind(int64_t d) const {
  TG_CHECK(defined(), "unbind: called on an undefined tensor");
  TG_CHECK(dim() > 0, "Dimension specified as ", d, " but tensor has no dimensions");
  d = wrap_dim(d, dim(), "unbind");
  std::vector<Tensor> out;
  {
    NoGradGuard guard;
    for (int64_t i = 0; i < size(d); ++i) out.push_back(select(d, i));
  }
  // One node for all the pieces, as in PyTorch; pieces that get no gradient contribute zeros.
  if (autograd::should_record({this})) {
    DimVector piece(sizes());
    piece.erase(static_cast<size_t>(d));
    const ScalarType dt = scalar_type();
    autograd::record("UnbindBackward0", {this}, out, {},
                     [piece, d, dt](const tensor_list& g, const tensor_list&) {
                       tensor_list pieces;
                       for (const Tensor& t : g)
                         pieces.push_back(t.defined() ? t : zeros(piece, dt));
                       return tensor_list{stack(pieces, d)};
                     });
  }
  return out;
}

Tensor Tensor::repeat(IntArrayRef repeats) const {
  TG_CHECK(defined(), "repeat: called on an undefined tensor");
  TG_CHECK(static_cast<int64_t>(repeats.size()) >= dim(),
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
           "tensor");
  const size_t lead = repeats.size() - static_cast<size_t>(dim());
  // x seen as [1, s0, 1, s1, ...] and expanded to [r0, s0, r1, s1, ...]: each pair flattens to
  // r * s with the whole dim repeated r times.
  DimVector pairs, expanded, result;
  for (size_t i = 0; i < repeats.size(); ++i) {
    const int64_t s = i < lead ? 1 : size(static_cast<int64_t>(i - lead));
    pairs.push_back(1);
    pairs.push_back(s);
    expanded.push_back(repeats[i]);
    expanded.push_back(s);
    result.push_back(repeats[i] * s);
  }
  for (int64_t r : result)
    TG_CHECK(r >= 0, "Trying to create tensor with negative dimension ", r, ": ", result);
  Tensor out;
  {
    NoGradGuard guard;
    out = reshape(pairs).expand(expanded).contiguous().reshape(result);
  }
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    DimVector sum_dims;
    for (size_t i = 0; i < repeats.size(); ++i) sum_dims.push_back(static_cast<int64_t>(2 * i));
    autograd::record("RepeatBackward0", {this}, {&out}, {},
                     [in, expanded, sum_dims](const tensor_list& g, const tensor_list&) {
                       Tensor gx = g[0].reshape(expanded);
                       if (!sum_dims.empty()) gx = gx.sum(sum_dims);
                       return tensor_list{gx.reshape(in)};
                     });
  }
  return out;
}

Tensor Tensor::tile(IntArrayRef dims) const {
  // Fewer entries than dims repeat the trailing dims once each, as in PyTorch.
  DimVector reps(dims);
  while (static_cast<int64_t>(reps.size()) < dim()) reps.insert(0, 1);
  return repeat(reps);
}

// A composite of index_select, as in PyTorch, so its node is IndexSelectBackward0.
Tensor Tensor::repeat_interleave(int64_t repeats, std::optional<int64_t> d) const {
  TG_CHECK(defined(), "repeat_interleave: called on an undefined tensor");
  TG_CHECK(repeats >= 0, "repeats can not be negative");
  Tensor x = d ? *this : reshape({-1});
  const int64_t w = d ? wrap_dim(*d, dim(), "repeat_interleave") : 0;
  const int64_t n = x.dim() == 0 ? 1 : x.size(w);
  std::vector<int64_t> idx;
  idx.reserve(static_cast<size_t>(n * repeats));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < repeats; ++r) idx.push_back(i);
  return x.index_select(w, tensor(idx, kLong));
}

namespace {

Tensor masked_fill_impl(const Tensor& x, const Tensor& mask, const Tensor& value, bool value_grad) {
  TG_CHECK(x.defined() && mask.defined(), "masked_fill: called on an undefined tensor");
  TG_CHECK(mask.scalar_type() == kBool,
           "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_name(mask.scalar_type()));
  TG_CHECK(value.dim() == 0,
           "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.dim(), " dimension(s).");
  Tensor out;
  {
    NoGradGuard guard;
    out = where(mask, value.to(x.scalar_type()), x);
    if (!out.sizes().equals(x.sizes()) || out.is_contiguous() == false) out = out.contiguous();
  }
  const bool rec =
      value_grad ? autograd::should_record({&x, &value}) : autograd::should_record({&x});
  if (rec) {
    DimVector in(x.sizes());
    if (value_grad)
      autograd::record(
          "MaskedFillBackward1", {&x, &value}, {&out}, {},
          [in, mask](const tensor_list& g, const tensor_list&) {
            return tensor_list{sum_to(where(mask, 0, g[0]), in), where(mask, g[0], 0).sum()};
          });
    else
      autograd::record("MaskedFillBackward0", {&x}, {&out}, {},
                       [in, mask](const tensor_list& g, const tensor_list&) {
                         return tensor_list{sum_to(where(mask, 0, g[0]), in)};
                       });
  }
  return out;
}

}  // namespace

Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return masked_fill_impl(*this, mask, full({}, value, scalar_type()), false);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  TG_CHECK(value.defined(), "masked_fill: called with an undefined value");
  return masked_fill_impl(*this, mask, value, true);
}

Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) {
  TG_CHECK(mask.defined(), "masked_fill_: called with an undefined mask");
  Tensor v = full({}, value, defined() ? scalar_type() : kFloat);
  return inplace(
      *this, {&mask}, scalar_type(), infer_size(sizes(), mask.sizes(), "masked_fill_"),
      "masked_fill_", [&] { kernels::copy(*this, masked_fill_impl(*this, mask, v, false)); },
      [&](const Tensor& s) { return s.masked_fill(mask, value); });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& value) {
  TG_CHECK(mask.defined() && value.defined(), "masked_fill_: called on an undefined tensor");
  return inplace(
      *this, {&mask, &value}, scalar_type(), infer_size(sizes(), mask.sizes(), "masked_fill_"),
      "masked_fill_",
      [&] { kernels::copy(*this, masked_fill_impl(*this, mask, value.detach(), false)); },
      [&](const Tensor& s) { return s.masked_fill(mask, value); });
}

Tensor Tensor::masked_select(const Tensor& mask) const {
  TG_CHECK(defined() && mask.defined(), "masked_select: called on an undefined tensor");
  TG_CHECK(mask.scalar_type() == kBool,
           "masked_select: expected BoolTensor or ByteTensor for mask");
  const DimVector shape = infer_size(sizes(), mask.sizes(), "masked_select");
  std::vector<int64_t> pos = kernels::nonzero_flat(mask.expand(shape).contiguous());
  Tensor out;
  {
    NoGradGuard guard;
    out = take_at(expand(shape), pos);
  }
  if (autograd::should_record({this})) {
    DimVector in(sizes());
    autograd::record("MaskedSelectBackward0", {this}, {&out}, {},
                     [in, shape, pos](const tensor_list& g, const tensor_list&) {
                       return tensor_list{sum_to(place_at(g[0], pos, shape), in)};
                     });
  }
  return out;
}

Tensor cumsum(const Tensor& x, int64_t d, std::optional<ScalarType> dtype) {
  return x.cumsum(d, dtype);
}
Tensor cumprod(const Tensor& x, int64_t d, std::optional<ScalarType> dtype) {
  return x.cumprod(d, dtype);
}
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim) {
  return x.logsumexp(dims, keepdim);
}
Tensor flip(const Tensor& x, IntArrayRef dims) { return x.flip(dims); }
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) { return x.roll(shifts, dims); }
Tensor tril(const Tensor& x, int64_t k) { return x.tril(k); }
Tensor triu(const Tensor& x, int64_t k) { return x.triu(k); }
Tensor outer(const Tensor& a, const Tensor& b) { return a.outer(b); }
Tensor diag(const Tensor& x, int64_t diagonal) { return x.diag(diagonal); }
std::vector<Tensor> unbind(const Tensor& x, int64_t d) { return x.unbind(d); }
Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> d) {
  return x.repeat_interleave(repeats, d);
}
Tensor tile(const Tensor& x, IntArrayRef dims) { return x.tile(dims); }
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  return x.masked_fill(mask, value);
}
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  return x.masked_fill(mask, value);
}
Tensor masked_select(const Tensor& x, const Tensor& mask) { return x.masked_select(mask); }

}  // namespace tg
