// Diagonals and products built on the matrix products: diagonal, diag_embed, trace, einsum,
// tensordot, kron, addmv, addr, baddbmm, addbmm, dist, cdist and the cross product. Each forward
// runs without recording and leaves one node with PyTorch's name and derivative, written with
// differentiable ops so that gradients of gradients follow; einsum, tensordot and kron are
// compositions (as in PyTorch), so their graphs are those of the permutes, reshapes and bmm.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "autograd/function.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;

namespace {

Tensor needs(const Tensor& t, bool cond) { return cond ? t : Tensor(); }

void append(DimVector& v, IntArrayRef xs) {
  for (int64_t x : xs) v.push_back(x);
}

void check_defined(std::initializer_list<const Tensor*> ts, const char* op) {
  for (const Tensor* t : ts) TG_CHECK(t->defined(), op, ": undefined tensor argument");
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  TG_CHECK(a.scalar_type() == b.scalar_type(), op, ": expected scalar type ", a.scalar_type(),
           " but found ", b.scalar_type(), " (shapes ", a.sizes(), " and ", b.sizes(), ")");
}

// The geometry of the diagonal view: sizes/strides without dim1 and dim2, plus the diagonal.
struct DiagonalGeometry {
  DimVector sizes, strides;
  int64_t offset;
};

DiagonalGeometry diagonal_geometry(const Tensor& t, int64_t offset, int64_t d1, int64_t d2) {
  const int64_t s1 = t.size(d1), s2 = t.size(d2);
  int64_t len = offset >= 0 ? std::min(s1, s2 - offset) : std::min(s1 + offset, s2);
  len = std::max<int64_t>(len, 0);
  DiagonalGeometry g;
  g.offset = t.storage_offset();
  if (len > 0) g.offset += offset >= 0 ? offset * t.stride(d2) : -offset * t.stride(d1);
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d == d1 || d == d2) continue;
    g.sizes.push_back(t.size(d));
    g.strides.push_back(t.stride(d));
  }
  g.sizes.push_back(len);
  g.strides.push_back(t.stride(d1) + t.stride(d2));
  return g;
}

std::pair<int64_t, int64_t> diagonal_dims(int64_t ndim, int64_t dim1, int64_t dim2,
                                          const char* op) {
  const int64_t d1 = wrap_dim(dim1, ndim, op), d2 = wrap_dim(dim2, ndim, op);
  TG_CHECK(d1 != d2, op, ": diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  return {d1, d2};
}

// Zeros of `sizes` with g written on the diagonal (offset, d1, d2): diagonal's backward and
// diag_embed's forward. Recorded under `name`; its own backward takes the diagonal again.
Tensor embed_diagonal(const Tensor& g, IntArrayRef sizes, int64_t offset, int64_t d1, int64_t d2,
                      const char* name) {
  Tensor z = zeros(sizes, g.scalar_type());
  DiagonalGeometry geo = diagonal_geometry(z, offset, d1, d2);
  kernels::copy(make_view(z, geo.sizes, geo.strides, geo.offset), g);
  if (autograd::should_record({&g}))
    autograd::record(name, {&g}, {&z}, {},
                     [offset, d1, d2](const tensor_list& gg, const tensor_list&) {
                       return tensor_list{gg[0].diagonal(offset, d1, d2)};
                     });
  return z;
}

// beta * self + alpha * product, with self ignored when beta is 0 (NaN included), as in PyTorch.
// The Scalars keep their kind, so integer tensors stay integer (as the Scalar overloads of mul do).
Tensor scaled_sum(const Tensor& self, const Tensor& product, const Scalar& beta,
                  const Scalar& alpha) {
  Tensor p = alpha.toDouble() == 1.0 ? product : product * alpha;
  if (beta.toDouble() == 0.0) return p;
  Tensor s = beta.toDouble() == 1.0 ? self : self * beta;
  return p + s;
}

Tensor scaled(const Tensor& t, double s) {
  if (!t.defined()) return t;
  return s == 1.0 ? t : t * s;
}

// Checks that self broadcasts to `shape`, naming the op and both shapes.
void check_expandable(const Tensor& self, IntArrayRef shape, const char* op) {
  TG_CHECK(is_expandable_to(self.sizes(), shape), op, ": The expanded size of the tensor (",
           shape.empty() ? 0 : shape.back(), ") must match the existing size (",
           self.dim() == 0 ? 0 : self.size(-1), "): the input of shape ", self.sizes(),
           " cannot be broadcast to the product's shape ", shape);
}

}  // namespace

// ---------------------------------------------------------------------------- diagonals

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  check_defined({&self}, "diagonal");
  TG_CHECK(self.dim() >= 2, "diagonal: expected a tensor of at least 2 dims, got shape ",
           self.sizes());
  auto [d1, d2] = diagonal_dims(self.dim(), dim1, dim2, "diagonal");
  DiagonalGeometry geo = diagonal_geometry(self, offset, d1, d2);
  Tensor out = make_view(self, geo.sizes, geo.strides, geo.offset);
  if (autograd::should_record({&self})) {
    DimVector in(self.sizes());
    autograd::record(
        "DiagonalBackward0", {&self}, {&out}, {},
        [in, offset, d1 = d1, d2 = d2](const tensor_list& g, const tensor_list&) {
          return tensor_list{embed_diagonal(g[0], in, offset, d1, d2, "DiagonalBackwardBackward0")};
        });
  }
  return out;
}

Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  check_defined({&self}, "diag_embed");
  TG_CHECK(self.dim() >= 1, "diag_embed: expected a tensor of at least 1 dim, got shape ",
           self.sizes());
  const int64_t nd = self.dim() + 1;
  auto [d1, d2] = diagonal_dims(nd, dim1, dim2, "diag_embed");
  const int64_t n = self.size(-1) + std::abs(offset);
  DimVector shape(self.sizes().slice(0, self.dim() - 1));
  const int64_t lo = std::min(d1, d2), hi = std::max(d1, d2);
  shape.insert(static_cast<size_t>(lo), n);
  shape.insert(static_cast<size_t>(hi), n);
  Tensor out;
  {
    NoGradGuard guard;
    out = embed_diagonal(self, shape, offset, d1, d2, "DiagEmbedBackward0");
  }
  if (autograd::should_record({&self}))
    autograd::record("DiagEmbedBackward0", {&self}, {&out}, {},
                     [offset, d1 = d1, d2 = d2](const tensor_list& g, const tensor_list&) {
                       return tensor_list{g[0].diagonal(offset, d1, d2)};
                     });
  return out;
}

Tensor trace(const Tensor& self) {
  check_defined({&self}, "trace");
  TG_CHECK(self.dim() == 2, "trace: expected a matrix, but got tensor with dim ", self.dim(),
           " (shape ", self.sizes(), ")");
  Tensor out;
  {
    NoGradGuard guard;
    out = self.diagonal().sum();
  }
  if (autograd::should_record({&self})) {
    const int64_t n = self.size(0), m = self.size(1);
    autograd::record("TraceBackward0", {&self}, {&out}, {},
                     [n, m](const tensor_list& g, const tensor_list&) {
                       return tensor_list{eye(n, m, g[0].scalar_type()) * g[0]};
                     });
  }
  return out;
}

// ---------------------------------------------------------------------------- beta/alpha products

Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta,
             const Scalar& alpha) {
  check_defined({&self, &mat, &vec}, "addmv");
  TG_CHECK(mat.dim() == 2 && vec.dim() == 1 && self.dim() <= 1,
           "addmv: vector + matrix @ vector expected, got ", self.dim(), ", ", mat.dim(), ", ",
           vec.dim(), " (shapes ", self.sizes(), ", ", mat.sizes(), ", ", vec.sizes(), ")");
  TG_CHECK(mat.size(1) == vec.size(0) && (mat.size(0) == self.numel() || self.numel() == 1),
           "addmv: size mismatch, got ", self.dim() == 0 ? 1 : self.size(0), ", ", mat.size(0), "x",
           mat.size(1), ",", vec.size(0));
  check_same_dtype(mat, vec, "addmv");
  check_same_dtype(self, mat, "addmv");
  const double b = beta.toDouble(), a = alpha.toDouble();
  Tensor out;
  {
    NoGradGuard guard;
    out = scaled_sum(self, mat.matmul(vec), beta, alpha).expand({mat.size(0)}).contiguous();
  }
  if (autograd::should_record({&self, &mat, &vec}))
    autograd::record(
        "AddmvBackward0", {&self, &mat, &vec}, {&out},
        {save(needs(vec, autograd::needs_grad(mat))), save(needs(mat, autograd::needs_grad(vec)))},
        [a, b](const tensor_list& g, const tensor_list& s) {
          Tensor gm = s[0].defined() ? g[0].unsqueeze(1).mm(s[0].unsqueeze(0)) : Tensor();
          Tensor gv = s[1].defined() ? s[1].t().matmul(g[0]) : Tensor();
          return tensor_list{scaled(g[0], b), scaled(gm, a), scaled(gv, a)};
        });
  return out;
}

Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, const Scalar& beta,
            const Scalar& alpha) {
  check_defined({&self, &vec1, &vec2}, "addr");
  TG_CHECK(vec1.dim() == 1, "addr: Expected 1-D argument vec1, but got ", vec1.dim(), "-D");
  TG_CHECK(vec2.dim() == 1, "addr: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  check_same_dtype(vec1, vec2, "addr");
  check_same_dtype(self, vec1, "addr");
  TG_CHECK(self.scalar_type() != kBool, "addr: not implemented for 'Bool' tensors");
  DimVector shape{vec1.size(0), vec2.size(0)};
  check_expandable(self, shape, "addr");
  const double b = beta.toDouble(), a = alpha.toDouble();
  Tensor out;
  {
    NoGradGuard guard;
    out = scaled_sum(self, vec1.unsqueeze(1) * vec2.unsqueeze(0), beta, alpha)
              .expand(shape)
              .contiguous();
  }
  if (autograd::should_record({&self, &vec1, &vec2}))
    autograd::record("AddrBackward0", {&self, &vec1, &vec2}, {&out},
                     {save(needs(vec2, autograd::needs_grad(vec1))),
                      save(needs(vec1, autograd::needs_grad(vec2)))},
                     [a, b](const tensor_list& g, const tensor_list& s) {
                       Tensor g1 = s[0].defined() ? g[0].matmul(s[0]) : Tensor();
                       Tensor g2 = s[1].defined() ? g[0].t().matmul(s[1]) : Tensor();
                       return tensor_list{scaled(g[0], b), scaled(g1, a), scaled(g2, a)};
                     });
  return out;
}

namespace {

void check_batches(const Tensor& b1, const Tensor& b2, const char* op) {
  TG_CHECK(b1.dim() == 3, op, ": batch1 must be a 3D tensor (shape ", b1.sizes(), ")");
  TG_CHECK(b2.dim() == 3, op, ": batch2 must be a 3D tensor (shape ", b2.sizes(), ")");
  TG_CHECK(b2.size(0) == b1.size(0) && b2.size(1) == b1.size(2), op,
           ": Expected size for first two dimensions of batch2 tensor to be: [", b1.size(0), ", ",
           b1.size(2), "] but got: [", b2.size(0), ", ", b2.size(1), "]. (batch1 ", b1.sizes(),
           ", batch2 ", b2.sizes(), ")");
  check_same_dtype(b1, b2, op);
}

}  // namespace

Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
               const Scalar& alpha) {
  check_defined({&self, &batch1, &batch2}, "baddbmm");
  check_batches(batch1, batch2, "baddbmm");
  check_same_dtype(self, batch1, "baddbmm");
  DimVector shape{batch1.size(0), batch1.size(1), batch2.size(2)};
  check_expandable(self, shape, "baddbmm");
  const double b = beta.toDouble(), a = alpha.toDouble();
  Tensor out;
  {
    NoGradGuard guard;
    out = scaled_sum(self, batch1.bmm(batch2), beta, alpha).expand(shape).contiguous();
  }
  if (autograd::should_record({&self, &batch1, &batch2}))
    autograd::record("BaddbmmBackward0", {&self, &batch1, &batch2}, {&out},
                     {save(needs(batch2, autograd::needs_grad(batch1))),
                      save(needs(batch1, autograd::needs_grad(batch2)))},
                     [a, b](const tensor_list& g, const tensor_list& s) {
                       Tensor g1 = s[0].defined() ? g[0].bmm(s[0].transpose(1, 2)) : Tensor();
                       Tensor g2 = s[1].defined() ? s[1].transpose(1, 2).bmm(g[0]) : Tensor();
                       return tensor_list{scaled(g[0], b), scaled(g1, a), scaled(g2, a)};
                     });
  return out;
}

Tensor addbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
              const Scalar& alpha) {
  check_defined({&self, &batch1, &batch2}, "addbmm");
  check_batches(batch1, batch2, "addbmm");
  check_same_dtype(self, batch1, "addbmm");
  DimVector shape{batch1.size(1), batch2.size(2)};
  check_expandable(self, shape, "addbmm");
  const double b = beta.toDouble(), a = alpha.toDouble();
  Tensor out;
  {
    NoGradGuard guard;
    out = scaled_sum(self, batch1.bmm(batch2).sum({0}), beta, alpha).expand(shape).contiguous();
  }
  if (autograd::should_record({&self, &batch1, &batch2})) {
    const int64_t nb = batch1.size(0);
    autograd::record("AddbmmBackward0", {&self, &batch1, &batch2}, {&out},
                     {save(needs(batch2, autograd::needs_grad(batch1))),
                      save(needs(batch1, autograd::needs_grad(batch2)))},
                     [a, b, nb](const tensor_list& g, const tensor_list& s) {
                       Tensor ge = g[0].unsqueeze(0).expand({nb, g[0].size(0), g[0].size(1)});
                       Tensor g1 = s[0].defined() ? ge.bmm(s[0].transpose(1, 2)) : Tensor();
                       Tensor g2 = s[1].defined() ? s[1].transpose(1, 2).bmm(ge) : Tensor();
                       return tensor_list{scaled(g[0], b), scaled(g1, a), scaled(g2, a)};
                     });
  }
  return out;
}

// ---------------------------------------------------------------------------- distances

namespace {

// The gradient of y = ||x||_p (over all elements of x) for the incoming g: PyTorch's
// norm_backward, written with differentiable ops.
Tensor norm_backward(const Tensor& g, const Tensor& x, const Tensor& y, double p) {
  if (p == 0) return zeros_like(x);
  if (p == 1) return x.sign() * g;
  if (std::isinf(p)) {
    Tensor mask = ((x.abs() == y) | x.isnan()).to(x.scalar_type());
    return x.sign() * ((g / mask.sum()) * mask);
  }
  Tensor scaled_x = p < 1 ? (x.sign() * x.abs().pow(p - 1)).masked_fill(x == 0, 0)
                          : (p == 2 ? x : x * x.abs().pow(p - 2));
  Tensor scale = p == 2 ? g / y : g / y.pow(p - 1);
  return scaled_x * scale.masked_fill(y == 0, 0);
}

}  // namespace

Tensor dist(const Tensor& self, const Tensor& other, const Scalar& p) {
  check_defined({&self, &other}, "dist");
  const double pv = p.toDouble();
  Tensor out;
  {
    NoGradGuard guard;
    out = (self - other).norm(p);
  }
  if (autograd::should_record({&self, &other}))
    autograd::record("DistBackward0", {&self, &other}, {&out},
                     {save(self), save(other), save_output(out)},
                     [pv](const tensor_list& g, const tensor_list& s) {
                       Tensor gd = norm_backward(g[0], s[0] - s[1], s[2], pv);
                       return tensor_list{gd, -gd};
                     });
  return out;
}

namespace {

// PyTorch's matrix-product form of the Euclidean distances (|a|^2 - 2 a.b + |b|^2, clamped and
// square-rooted), used for p = 2 on many rows; differentiable through its parts.
Tensor euclidean_dist(const Tensor& x1, const Tensor& x2) {
  Tensor n1 = x1.pow(2).sum({-1}, true), n2 = x2.pow(2).sum({-1}, true);
  Tensor a = cat({x1 * -2, n1, ones_like(n1)}, -1);
  Tensor b = cat({x2, ones_like(n2), n2}, -1);
  return a.matmul(b.transpose(-1, -2)).clamp_min(1e-30).sqrt();
}

// The direct p-distances of rows, [..., r1, r2] from [..., r1, m] and [..., r2, m].
Tensor pairwise_p_dist(const Tensor& x1, const Tensor& x2, double p) {
  Tensor diff = (x1.unsqueeze(-2) - x2.unsqueeze(-3)).abs();
  if (diff.size(-1) == 0) return diff.sum({-1});
  if (p == 0) return (diff != 0).to(x1.scalar_type()).sum({-1});
  if (p == 1) return diff.sum({-1});
  if (p == 2) return diff.pow(2).sum({-1}).sqrt();
  if (std::isinf(p)) return diff.amax({-1});
  return diff.pow(p).sum({-1}).pow(1.0 / p);
}

// PyTorch's _cdist_backward for one side: the gradient of x1 given g and the distances y.
Tensor cdist_grad_x1(const Tensor& g, const Tensor& x1, const Tensor& x2, const Tensor& y,
                     double p) {
  Tensor diff = x1.unsqueeze(-2) - x2.unsqueeze(-3);
  Tensor gk = g.unsqueeze(-1), yk = y.unsqueeze(-1);
  Tensor term;
  if (p == 0) return zeros_like(x1);
  if (p == 1) {
    term = diff.sign();
  } else if (std::isinf(p)) {
    term = diff.sign() * (diff.abs() == yk).to(x1.scalar_type());
  } else if (p < 2) {
    Tensor zero = yk == 0;
    if (p < 1) zero = zero | (diff == 0);
    term = (diff.sign() * diff.abs().pow(p - 1) / yk.pow(p - 1)).masked_fill(zero, 0);
  } else if (p == 2) {
    term = (diff / yk).masked_fill(yk == 0, 0);
  } else {
    term = (diff * diff.abs().pow(p - 2) / yk.pow(p - 1)).masked_fill(yk == 0, 0);
  }
  return (gk * term).sum({-2});
}

}  // namespace

Tensor cdist(const Tensor& x1, const Tensor& x2, double p, std::optional<int64_t> compute_mode) {
  check_defined({&x1, &x2}, "cdist");
  TG_CHECK(x1.dim() >= 2, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
  TG_CHECK(x2.dim() >= 2, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
  TG_CHECK(x1.size(-1) == x2.size(-1),
           "X1 and X2 must have the same number of columns. X1: ", x1.size(-1),
           " X2: ", x2.size(-1), " (shapes ", x1.sizes(), " and ", x2.sizes(), ")");
  TG_CHECK(x1.is_floating_point(),
           "cdist only supports floating-point dtypes, X1 got: ", x1.scalar_type());
  TG_CHECK(x2.is_floating_point(),
           "cdist only supports floating-point dtypes, X2 got: ", x2.scalar_type());
  check_same_dtype(x1, x2, "cdist");
  TG_CHECK(p >= 0, "cdist only supports non-negative p values");
  const int64_t mode = compute_mode.value_or(0);
  TG_CHECK(mode >= 0 && mode <= 2, mode, " is not a valid value for compute_mode");
  const int64_t r1 = x1.size(-2), r2 = x2.size(-2);
  DimVector batch =
      infer_size(x1.sizes().slice(0, x1.dim() - 2), x2.sizes().slice(0, x2.dim() - 2), "cdist");
  DimVector out_shape(batch);
  out_shape.push_back(r1);
  out_shape.push_back(r2);
  if (p == 2 && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)))) {
    // PyTorch folds the batch and views the result back (the ViewBackward0 on top).
    DimVector e1(batch), e2(batch);
    append(e1, {r1, x1.size(-1)});
    append(e2, {r2, x2.size(-1)});
    const int64_t nb = numel_of(batch);
    Tensor a = x1.expand(e1).reshape({nb, r1, x1.size(-1)});
    Tensor b = x2.expand(e2).reshape({nb, r2, x2.size(-1)});
    return euclidean_dist(a, b).view(out_shape);
  }
  Tensor out;
  {
    NoGradGuard guard;
    out = pairwise_p_dist(x1, x2, p).expand(out_shape).contiguous();
  }
  if (autograd::should_record({&x1, &x2}))
    autograd::record("CdistBackward0", {&x1, &x2}, {&out}, {save(x1), save(x2), save_output(out)},
                     [p](const tensor_list& g, const tensor_list& s) {
                       // The x2 side is the x1 side of the transposed distances (every term is
                       // odd in the difference).
                       Tensor g1 = cdist_grad_x1(g[0], s[0], s[1], s[2], p);
                       Tensor g2 = cdist_grad_x1(g[0].transpose(-1, -2), s[1], s[0],
                                                 s[2].transpose(-1, -2), p);
                       return tensor_list{g1, g2};
                     });
  return out;
}

// ---------------------------------------------------------------------------- cross, kron

Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim) {
  check_defined({&self, &other}, "linalg.cross");
  TG_CHECK(self.dim() == other.dim(),
           "linalg.cross: inputs must have the same number of dimensions. (shapes ", self.sizes(),
           " and ", other.sizes(), ")");
  check_same_dtype(self, other, "linalg.cross");
  DimVector shape = infer_size(self.sizes(), other.sizes(), "linalg.cross");
  const int64_t d = wrap_dim(dim, static_cast<int64_t>(shape.size()), "linalg.cross");
  TG_CHECK(self.size(d) == 3 && other.size(d) == 3, "linalg.cross: inputs dimension ", dim,
           " must have length 3. Got ", self.size(d), " and ", other.size(d));
  Tensor out;
  {
    NoGradGuard guard;
    Tensor a = self.expand(shape), b = other.expand(shape);
    auto c = [&](const Tensor& t, int64_t i) { return t.select(d, i); };
    out = stack({c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1), c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
                 c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)},
                d);
  }
  if (autograd::should_record({&self, &other}))
    autograd::record("LinalgCrossBackward0", {&self, &other}, {&out},
                     {save(needs(other, autograd::needs_grad(self))),
                      save(needs(self, autograd::needs_grad(other)))},
                     [d](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{s[0].defined() ? linalg_cross(s[0], g[0], d) : Tensor(),
                                          s[1].defined() ? linalg_cross(g[0], s[1], d) : Tensor()};
                     });
  return out;
}

Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim) {
  check_defined({&self, &other}, "cross");
  if (dim) return linalg_cross(self, other, *dim);
  DimVector shape = infer_size(self.sizes(), other.sizes(), "cross");
  for (size_t d = 0; d < shape.size(); ++d)
    if (self.dim() == static_cast<int64_t>(shape.size()) && self.size(d) == 3)
      return linalg_cross(self, other, static_cast<int64_t>(d));
  TG_ERROR("cross: no dimension of size 3 in input (shape ", self.sizes(), ")");
}

Tensor kron(const Tensor& self, const Tensor& other) {
  check_defined({&self, &other}, "kron");
  const int64_t nd = std::max(self.dim(), other.dim());
  DimVector sa(nd - self.dim(), 1), sb(nd - other.dim(), 1);
  append(sa, self.sizes());
  append(sb, other.sizes());
  // a[i0, 1, i1, 1, ...] * b[1, j0, 1, j1, ...], then each pair of dims merged.
  DimVector ia, ib, out;
  for (int64_t d = 0; d < nd; ++d) {
    append(ia, {sa[d], 1});
    append(ib, {1, sb[d]});
    out.push_back(sa[d] * sb[d]);
  }
  return (self.reshape(ia) * other.reshape(ib)).reshape(out);
}

Tensor tensordot(const Tensor& self, const Tensor& other, IntArrayRef dims_self,
                 IntArrayRef dims_other) {
  check_defined({&self, &other}, "tensordot");
  TG_CHECK(dims_self.size() == dims_other.size(),
           "tensordot: both dimension lists should have same length (got ", dims_self, " and ",
           dims_other, ")");
  check_same_dtype(self, other, "tensordot");
  Tensor a = self, b = other;
  std::vector<bool> ca(self.dim(), false), cb(other.dim(), false);
  int64_t csize = 1;
  DimVector pa, pb;  // contracted dims, in pairs
  for (size_t i = 0; i < dims_self.size(); ++i) {
    const int64_t da = wrap_dim(dims_self[i], self.dim(), "tensordot");
    const int64_t db = wrap_dim(dims_other[i], other.dim(), "tensordot");
    TG_CHECK(!ca[da] && !cb[db], "tensordot: dim ", ca[da] ? dims_self[i] : dims_other[i],
             " appears multiple times in the list of dims");
    const int64_t s1 = a.size(da), s2 = b.size(db);
    if (s1 != s2) {
      // A dim of size 1 on one side contracts with a sum over the other side.
      TG_CHECK(s1 == 1 || s2 == 1,
               "tensordot: contracted dimensions need to match, but first has size ", s1,
               " in dim ", dims_self[i], " and second has size ", s2, " in dim ", dims_other[i]);
      if (s1 == 1)
        b = b.sum({db}, true);
      else
        a = a.sum({da}, true);
    }
    ca[da] = cb[db] = true;
    pa.push_back(da);
    pb.push_back(db);
    csize *= a.size(da);
  }
  DimVector perm_a, perm_b, out_shape;
  int64_t ra = 1, rb = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!ca[d]) {
      perm_a.push_back(d);
      out_shape.push_back(a.size(d));
      ra *= a.size(d);
    }
  append(perm_a, pa);
  perm_b = pb;
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!cb[d]) {
      perm_b.push_back(d);
      out_shape.push_back(b.size(d));
      rb *= b.size(d);
    }
  Tensor am = a.permute(perm_a).reshape({ra, csize});
  Tensor bm = b.permute(perm_b).reshape({csize, rb});
  return am.mm(bm).reshape(out_shape);
}

// ---------------------------------------------------------------------------- einsum

namespace {

constexpr int kLabels = 52;

int label_of(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26; }
char char_of(int l) { return static_cast<char>(l < 26 ? 'A' + l : 'a' + (l - 26)); }
bool is_subscript(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// One operand's subscripts: labels in order, with -1 where its ellipsis stands.
using Subscripts = std::vector<int>;

// a and b hold every dim of the einsum (size 1 where they lack it). Multiplies them and sums
// over sum_dims, keeping every dim (size 1 where summed): the dims both have and keep are the
// bmm's batch, the kept dims of one side its rows or columns, the summed dims both have its inner
// dim. A summed dim that only one side has is summed on that side first.
Tensor sumproduct_pair(Tensor a, Tensor b, const std::vector<bool>& sum_dims) {
  const int64_t nd = a.dim();
  DimVector batch, left, right, inner, summed;
  for (int64_t d = 0; d < nd; ++d) {
    const bool ha = a.size(d) != 1, hb = b.size(d) != 1;
    if (sum_dims[d]) {
      if (ha && hb)
        inner.push_back(d);
      else if (ha)
        a = a.sum({d}, true);
      else if (hb)
        b = b.sum({d}, true);
      summed.push_back(d);
    } else if (ha && hb) {
      batch.push_back(d);
    } else if (hb) {
      right.push_back(d);
    } else {
      left.push_back(d);
    }
  }
  auto numel_over = [](const Tensor& t, const DimVector& ds) {
    int64_t n = 1;
    for (int64_t d : ds) n *= t.size(d);
    return n;
  };
  auto concat = [](std::initializer_list<const DimVector*> parts) {
    DimVector out;
    for (const DimVector* p : parts) append(out, *p);
    return out;
  };
  DimVector lone;  // summed dims that are size 1 on both sides by now
  for (int64_t d : summed)
    if (std::find(inner.begin(), inner.end(), d) == inner.end()) lone.push_back(d);
  const int64_t nb = numel_over(a, batch), nl = numel_over(a, left), ni = numel_over(a, inner),
                nr = numel_over(b, right);
  // Every dim is named in each permutation; those of size 1 on a side are placed anywhere.
  Tensor am = a.permute(concat({&batch, &left, &inner, &right, &lone})).reshape({nb, nl, ni});
  Tensor bm = b.permute(concat({&batch, &inner, &right, &left, &lone})).reshape({nb, ni, nr});
  Tensor r = am.bmm(bm);
  DimVector shape;
  for (int64_t d : batch) shape.push_back(a.size(d));
  for (int64_t d : left) shape.push_back(a.size(d));
  for (int64_t d : right) shape.push_back(b.size(d));
  for (size_t k = 0; k < summed.size(); ++k) shape.push_back(1);
  DimVector order = concat({&batch, &left, &right, &summed});
  DimVector inverse(nd);
  for (int64_t i = 0; i < nd; ++i) inverse[order[i]] = i;
  return r.reshape(shape).permute(inverse);
}

}  // namespace

Tensor einsum(std::string_view equation, TensorList tensors) {
  const int64_t num_ops = static_cast<int64_t>(tensors.size());
  TG_CHECK(num_ops > 0, "einsum(): must provide at least one operand");
  for (const Tensor& t : tensors) TG_CHECK(t.defined(), "einsum(): undefined tensor argument");
  const size_t arrow = equation.find("->");
  const std::string_view lhs = equation.substr(0, arrow);

  // Parse the inputs' subscripts.
  std::vector<Subscripts> subs(1);
  int64_t curr = 0;
  for (size_t i = 0; i < lhs.size(); ++i) {
    const char c = lhs[i];
    if (c == ' ') continue;
    if (c == '.') {
      TG_CHECK(std::find(subs[curr].begin(), subs[curr].end(), -1) == subs[curr].end(),
               "einsum(): found '.' for operand ", curr,
               " for which an ellipsis was already found");
      TG_CHECK(i + 2 < lhs.size() && lhs[i + 1] == '.' && lhs[i + 2] == '.',
               "einsum(): found '.' for operand ", curr, " that is not part of any ellipsis");
      subs[curr].push_back(-1);
      i += 2;
    } else if (c == ',') {
      ++curr;
      TG_CHECK(curr < num_ops,
               "einsum(): fewer operands were provided than specified in the equation");
      subs.emplace_back();
    } else {
      TG_CHECK(is_subscript(c), "einsum(): invalid subscript given at index ", i,
               " in the equation string, subscripts must be in [a-zA-Z]");
      subs[curr].push_back(label_of(c));
    }
  }
  TG_CHECK(curr == num_ops - 1,
           "einsum(): more operands were provided than specified in the equation");

  // Dims covered by each ellipsis, and how often each label occurs.
  std::array<int64_t, kLabels> count{};
  int64_t ell_dims = 0;
  std::vector<int64_t> op_ell(num_ops, 0);
  for (int64_t i = 0; i < num_ops; ++i) {
    const Tensor& t = tensors[i];
    const bool has_ell = std::find(subs[i].begin(), subs[i].end(), -1) != subs[i].end();
    const int64_t nlabels = static_cast<int64_t>(subs[i].size()) - (has_ell ? 1 : 0);
    if (has_ell) {
      TG_CHECK(nlabels <= t.dim(), "einsum(): the number of subscripts in the equation (", nlabels,
               ") is more than the number of dimensions (", t.dim(), ") for operand ", i);
      op_ell[i] = t.dim() - nlabels;
      ell_dims = std::max(ell_dims, op_ell[i]);
    } else {
      TG_CHECK(nlabels == t.dim(), "einsum(): the number of subscripts in the equation (", nlabels,
               ") does not match the number of dimensions (", t.dim(), ") for operand ", i,
               " and no ellipsis was given");
    }
    for (int l : subs[i])
      if (l >= 0) ++count[l];
    if (i > 0) check_same_dtype(tensors[0], t, "einsum()");
  }

  // The output's dims: positions 0 .. out_dims-1 (labels and the ellipsis block), then one
  // position per label summed away.
  std::array<int64_t, kLabels> pos;
  pos.fill(-1);
  int64_t ell_pos = -1, out_dims = 0;
  if (arrow != std::string_view::npos) {
    const std::string_view rhs = equation.substr(arrow + 2);
    for (size_t i = 0; i < rhs.size(); ++i) {
      const char c = rhs[i];
      if (c == ' ') continue;
      if (c == '.') {
        TG_CHECK(ell_pos < 0,
                 "einsum(): found '.' for output but an ellipsis (...) was already found");
        TG_CHECK(i + 2 < rhs.size() && rhs[i + 1] == '.' && rhs[i + 2] == '.',
                 "einsum(): found '.' for output that is not part of any ellipsis (...)");
        ell_pos = out_dims;
        out_dims += ell_dims;
        i += 2;
        continue;
      }
      TG_CHECK(is_subscript(c), "einsum(): invalid subscript given at index ", arrow + 2 + i,
               " in the equation string, subscripts must be in [a-zA-Z]");
      const int l = label_of(c);
      TG_CHECK(pos[l] < 0, "einsum(): output subscript ", c,
               " appears more than once in the output");
      TG_CHECK(count[l] > 0, "einsum(): output subscript ", c,
               " does not appear in the equation for any input operand");
      pos[l] = out_dims++;
    }
  } else {
    // Implicit output: the ellipsis dims, then the labels seen once, in alphabetical order
    // (upper case first).
    ell_pos = 0;
    out_dims = ell_dims;
    for (int l = 0; l < kLabels; ++l)
      if (count[l] == 1) pos[l] = out_dims++;
  }
  int64_t total = out_dims;
  // Ellipsis dims left out of an explicit output are summed like labels.
  const bool ell_summed = ell_pos < 0;
  if (ell_summed) {
    ell_pos = total;
    total += ell_dims;
  }
  for (int l = 0; l < kLabels; ++l)
    if (count[l] > 0 && pos[l] < 0) pos[l] = total++;

  // Each operand: repeated labels to diagonals, then permuted and unsqueezed to all dims.
  std::vector<int64_t> size_of(static_cast<size_t>(total), 1);
  std::vector<Tensor> ops;
  for (int64_t i = 0; i < num_ops; ++i) {
    Tensor t = tensors[i];
    std::vector<int64_t> where_dim;  // the global position of each of t's dims
    std::array<int64_t, kLabels> seen;
    seen.fill(-1);
    int64_t d = 0;
    for (int l : subs[i]) {
      if (l < 0) {
        for (int64_t k = 0; k < op_ell[i]; ++k) {
          const int64_t p = ell_pos + (ell_dims - op_ell[i]) + k;
          const int64_t s = t.size(d);
          TG_CHECK(size_of[p] == 1 || s == 1 || size_of[p] == s, "einsum(): dimension ",
                   ell_dims - op_ell[i] + k, " covered by ellipsis in operand ", i, " has size ", s,
                   " which does not broadcast with previously seen ellipsis with size ", size_of[p],
                   " for the respective dimension");
          if (s != 1) size_of[p] = s;
          where_dim.push_back(p);
          ++d;
        }
        continue;
      }
      if (seen[l] >= 0) {
        TG_CHECK(t.size(seen[l]) == t.size(d), "einsum(): subscript ", char_of(l),
                 " is repeated for operand ", i, " but the sizes don't match, ", t.size(d),
                 " != ", t.size(seen[l]));
        // The diagonal lands last; move it to where the label first appeared.
        t = t.diagonal(0, seen[l], d);
        DimVector perm;
        for (int64_t k = 0; k < t.dim() - 1; ++k) {
          if (k == seen[l]) perm.push_back(t.dim() - 1);
          perm.push_back(k);
        }
        if (seen[l] == t.dim() - 1) perm.push_back(t.dim() - 1);
        t = t.permute(perm);
        continue;  // d is not advanced: the dim is gone
      }
      const int64_t p = pos[l], s = t.size(d);
      TG_CHECK(size_of[p] == 1 || s == 1 || size_of[p] == s, "einsum(): subscript ", char_of(l),
               " has size ", s, " for operand ", i,
               " which does not broadcast with previously seen size ", size_of[p]);
      if (s != 1) size_of[p] = s;
      seen[l] = d;
      where_dim.push_back(p);
      ++d;
    }
    // Permute t's dims into increasing global position, then insert the missing ones.
    DimVector perm(where_dim.size());
    for (size_t k = 0; k < perm.size(); ++k) perm[k] = static_cast<int64_t>(k);
    std::sort(perm.begin(), perm.end(),
              [&](int64_t x, int64_t y) { return where_dim[x] < where_dim[y]; });
    std::vector<bool> present(static_cast<size_t>(total), false);
    for (int64_t p : where_dim) present[p] = true;
    t = t.permute(perm);
    for (int64_t p = 0; p < total; ++p)
      if (!present[p]) t = t.unsqueeze(p);
    ops.push_back(t);
  }

  // Sum away each summed dim as soon as no later operand has it (size > 1).
  std::vector<int64_t> last_op(static_cast<size_t>(total), -1);
  for (int64_t i = 0; i < num_ops; ++i)
    for (int64_t p = out_dims; p < total; ++p)
      if (ops[i].size(p) != 1) last_op[p] = i;
  auto sum_dims_at = [&](int64_t i) {
    std::vector<bool> s(static_cast<size_t>(total), false);
    for (int64_t p = out_dims; p < total; ++p) s[p] = last_op[p] <= i;
    return s;
  };
  Tensor result = ops[0];
  if (num_ops == 1) {
    DimVector ds;
    for (int64_t p = out_dims; p < total; ++p)
      if (result.size(p) != 1) ds.push_back(p);
    if (!ds.empty()) result = result.sum(ds, true);
  } else {
    for (int64_t i = 1; i < num_ops; ++i) result = sumproduct_pair(result, ops[i], sum_dims_at(i));
  }
  // An output dim that every operand has as size 1 stays 1, as in PyTorch.
  DimVector out_shape(result.sizes().slice(0, out_dims));
  return result.reshape(out_shape);
}

// ---------------------------------------------------------------------------- methods

Tensor Tensor::diagonal(int64_t offset, int64_t dim1, int64_t dim2) const {
  return tg::diagonal(*this, offset, dim1, dim2);
}
Tensor Tensor::diag_embed(int64_t offset, int64_t dim1, int64_t dim2) const {
  return tg::diag_embed(*this, offset, dim1, dim2);
}
Tensor Tensor::trace() const { return tg::trace(*this); }
Tensor Tensor::addmv(const Tensor& mat, const Tensor& vec, const Scalar& beta,
                     const Scalar& alpha) const {
  return tg::addmv(*this, mat, vec, beta, alpha);
}
Tensor Tensor::addr(const Tensor& vec1, const Tensor& vec2, const Scalar& beta,
                    const Scalar& alpha) const {
  return tg::addr(*this, vec1, vec2, beta, alpha);
}
Tensor Tensor::baddbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
                       const Scalar& alpha) const {
  return tg::baddbmm(*this, batch1, batch2, beta, alpha);
}
Tensor Tensor::addbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
                      const Scalar& alpha) const {
  return tg::addbmm(*this, batch1, batch2, beta, alpha);
}
Tensor Tensor::kron(const Tensor& other) const { return tg::kron(*this, other); }
Tensor Tensor::dist(const Tensor& other, const Scalar& p) const {
  return tg::dist(*this, other, p);
}
Tensor Tensor::cross(const Tensor& other, std::optional<int64_t> dim) const {
  return tg::cross(*this, other, dim);
}

}  // namespace tg
