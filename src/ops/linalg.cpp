// Matrix products: mm, mv, bmm, dot, addmm, and matmul's dispatch over 1-d, 2-d and batched
// (broadcast) operands.
#include "autograd/function.h"
#include "kernels/gemm.h"
#include "kernels/reduce.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;

namespace {

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  TG_CHECK(a.defined() && b.defined(), op, ": undefined tensor argument");
  TG_CHECK(a.scalar_type() == b.scalar_type(), op,
           ": expected both operands to have the same dtype, but got ", dtype_name(a.scalar_type()),
           " and ", dtype_name(b.scalar_type()), " (shapes ", a.sizes(), " and ", b.sizes(), ")");
  TG_CHECK(a.scalar_type() != kBool, op, ": not implemented for 'Bool' tensors");
}

Tensor needs(const Tensor& t, bool cond) { return cond ? t : Tensor(); }

// at::_unsafe_view: a freshly computed (contiguous) result given another shape, recorded as
// UnsafeViewBackward0, the node PyTorch's matmul leaves on its folded and batched results.
Tensor unsafe_view(const Tensor& r, IntArrayRef shape) {
  Tensor out;
  {
    NoGradGuard guard;
    out = r.view(shape);
  }
  impl_of(out)->is_view = false;
  if (autograd::should_record({&r})) {
    DimVector in(r.sizes());
    autograd::record(
        "UnsafeViewBackward0", {&r}, {&out}, {},
        [in](const tensor_list& g, const tensor_list&) { return tensor_list{g[0].reshape(in)}; });
  }
  return out;
}

// A matrix stored column by column, as weight.t() of a contiguous weight is. PyTorch's
// mm_mat1_backward/mm_mat2_backward return such an operand's gradient in the same layout
// ((W^T)' = (g^T x)^T instead of x^T g), so that the gradient reaching the leaf W is contiguous
// like W and accumulates into W.grad in one linear pass.
bool column_major(const Tensor& t) { return t.stride(0) == 1 && t.stride(1) == t.size(0); }

// The gradients of mat1 and mat2 in out = mat1 @ mat2 (before any alpha), in the layout of
// each operand; an undefined saved operand means that gradient is not needed.
Tensor mm_mat1_backward(const Tensor& g, const Tensor& mat2, bool mat1_column_major) {
  if (!mat2.defined()) return Tensor();
  return mat1_column_major ? mat2.mm(g.t()).t() : g.mm(mat2.t());
}
Tensor mm_mat2_backward(const Tensor& g, const Tensor& mat1, bool mat2_column_major) {
  if (!mat1.defined()) return Tensor();
  return mat2_column_major ? g.t().mm(mat1).t() : mat1.t().mm(g);
}

// PyTorch 1.13's test for doing a matmul with one mm/mv by folding the batch dims of t (the
// operand with >= 3 dims) into its rows.
bool should_fold(const Tensor& t, int64_t other_dim) {
  if (t.dim() < 3 || other_dim > 2) return false;
  // Batch-major with the matrix dims transposed (e.g. permute(0, 2, 1)): bmm avoids a copy.
  return !(t.dim() == 3 && other_dim == 2 && t.stride(2) != 1 &&
           t.stride(0) == t.size(1) * t.size(2));
}

// The bias and weight gradients of a linear layer with one input feature (addmm with m1 of shape
// [m, 1]): sum = g.sum(0) and dot = m1^T g, from one pass over g (kernels::column_sum_and_dot)
// instead of two. An op of its own, with its derivative, so gradients of gradients see it.
std::pair<Tensor, Tensor> column_sum_and_dot(const Tensor& g, const Tensor& x, bool sum_2d) {
  const int64_t m = g.size(0), n = g.size(1);
  Tensor sum = sum_2d ? make_empty({1, n}, g.scalar_type()) : make_empty({n}, g.scalar_type());
  Tensor dot = make_empty({1, n}, g.scalar_type());
  kernels::column_sum_and_dot(sum, dot, g, x);
  if (autograd::should_record({&g, &x}))
    autograd::record("ColumnSumAndDotBackward0", {&g, &x}, {&sum, &dot}, {save(g), save(x)},
                     [m, n](const tensor_list& gr, const tensor_list& s) {
                       Tensor dg, dx;
                       if (gr[0].defined()) dg = gr[0].reshape({1, n}).expand({m, n});
                       if (gr[1].defined()) {
                         Tensor t = s[1].reshape({m, 1}) * gr[1].reshape({1, n});
                         dg = dg.defined() ? dg + t : t;
                         dx = s[0].mm(gr[1].reshape({n, 1})).reshape(s[1].sizes());
                       }
                       return tensor_list{dg, dx};
                     });
  return {sum, dot};
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.defined() && b.defined(), "mm: undefined tensor argument");
  TG_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got shapes ", a.sizes(),
           " and ", b.sizes());
  TG_CHECK(a.size(1) == b.size(0), "mm: mat1 and mat2 shapes cannot be multiplied (", a.size(0),
           "x", a.size(1), " and ", b.size(0), "x", b.size(1), ")");
  check_same_dtype(a, b, "mm");
  Tensor out = make_empty({a.size(0), b.size(1)}, a.scalar_type());
  kernels::gemm(out, a, b, 1.0, 0.0);
  if (autograd::should_record({&a, &b}))
    autograd::record(
        "MmBackward0", {&a, &b}, {&out},
        {save(needs(b, autograd::needs_grad(a))), save(needs(a, autograd::needs_grad(b)))},
        [a_cm = column_major(a), b_cm = column_major(b)](const tensor_list& g,
                                                         const tensor_list& s) {
          return tensor_list{mm_mat1_backward(g[0], s[0], a_cm),
                             mm_mat2_backward(g[0], s[1], b_cm)};
        });
  return out;
}

Tensor mv(const Tensor& m, const Tensor& v) {
  TG_CHECK(m.dim() == 2 && v.dim() == 1, "mv: expected a 2-D matrix and a 1-D vector, got shapes ",
           m.sizes(), " and ", v.sizes());
  TG_CHECK(m.size(1) == v.size(0), "mv: size mismatch, got matrix of shape ", m.sizes(),
           " and vector of shape ", v.sizes());
  check_same_dtype(m, v, "mv");
  Tensor out = make_empty({m.size(0), 1}, m.scalar_type());
  kernels::gemm(out, m, v.reshape({-1, 1}), 1.0, 0.0);
  out = make_view(out, {m.size(0)}, {1}, 0);
  impl_of(out)->is_view = false;
  if (autograd::should_record({&m, &v}))
    autograd::record(
        "MvBackward0", {&m, &v}, {&out},
        {save(needs(v, autograd::needs_grad(m))), save(needs(m, autograd::needs_grad(v)))},
        [](const tensor_list& g, const tensor_list& s) {
          return tensor_list{s[0].defined() ? g[0].unsqueeze(1).mm(s[0].unsqueeze(0)) : Tensor(),
                             s[1].defined() ? s[1].t().mm(g[0].unsqueeze(1)).squeeze(1) : Tensor()};
        });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.defined() && b.defined(), "bmm: undefined tensor argument");
  TG_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-D tensors, got shapes ", a.sizes(),
           " and ", b.sizes());
  TG_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1),
           "bmm: batch1 and batch2 shapes cannot be multiplied (", a.sizes(), " and ", b.sizes(),
           ")");
  check_same_dtype(a, b, "bmm");
  Tensor out = make_empty({a.size(0), a.size(1), b.size(2)}, a.scalar_type());
  for (int64_t i = 0; i < a.size(0); ++i) {
    Tensor o = make_view(out, {a.size(1), b.size(2)}, {b.size(2), 1}, i * a.size(1) * b.size(2));
    Tensor ai = make_view(a, {a.size(1), a.size(2)}, {a.stride(1), a.stride(2)},
                          a.storage_offset() + i * a.stride(0));
    Tensor bi = make_view(b, {b.size(1), b.size(2)}, {b.stride(1), b.stride(2)},
                          b.storage_offset() + i * b.stride(0));
    kernels::gemm(o, ai, bi, 1.0, 0.0);
  }
  if (autograd::should_record({&a, &b}))
    autograd::record(
        "BmmBackward0", {&a, &b}, {&out},
        {save(needs(b, autograd::needs_grad(a))), save(needs(a, autograd::needs_grad(b)))},
        [](const tensor_list& g, const tensor_list& s) {
          return tensor_list{s[0].defined() ? g[0].bmm(s[0].transpose(1, 2)) : Tensor(),
                             s[1].defined() ? s[1].transpose(1, 2).bmm(g[0]) : Tensor()};
        });
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.defined() && b.defined(), "dot: undefined tensor argument");
  TG_CHECK(a.dim() == 1 && b.dim() == 1, "dot: 1D tensors expected, but got ", a.dim(), "D and ",
           b.dim(), "D tensors (shapes ", a.sizes(), " and ", b.sizes(), ")");
  TG_CHECK(a.size(0) == b.size(0), "dot: inconsistent tensor size, expected tensor [", a.size(0),
           "] and src [", b.size(0), "] to have the same number of elements, but got ", a.size(0),
           " and ", b.size(0), " elements respectively");
  check_same_dtype(a, b, "dot");
  Tensor out;
  {
    NoGradGuard guard;
    out = (a * b).sum();
  }
  if (autograd::should_record({&a, &b}))
    autograd::record(
        "DotBackward0", {&a, &b}, {&out},
        {save(needs(b, autograd::needs_grad(a))), save(needs(a, autograd::needs_grad(b)))},
        [](const tensor_list& g, const tensor_list& s) {
          return tensor_list{s[0].defined() ? g[0] * s[0] : Tensor(),
                             s[1].defined() ? g[0] * s[1] : Tensor()};
        });
  return out;
}

Tensor addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta,
             const Scalar& alpha) {
  TG_CHECK(self.defined() && m1.defined() && m2.defined(), "addmm: undefined tensor argument");
  TG_CHECK(m1.dim() == 2 && m2.dim() == 2, "addmm: expected 2-D matrices, got shapes ", m1.sizes(),
           " and ", m2.sizes());
  TG_CHECK(m1.size(1) == m2.size(0), "addmm: mat1 and mat2 shapes cannot be multiplied (",
           m1.size(0), "x", m1.size(1), " and ", m2.size(0), "x", m2.size(1), ")");
  check_same_dtype(m1, m2, "addmm");
  check_same_dtype(self, m1, "addmm");
  DimVector shape{m1.size(0), m2.size(1)};
  TG_CHECK(is_expandable_to(self.sizes(), shape), "addmm: the input of shape ", self.sizes(),
           " cannot be broadcast to the product's shape ", IntArrayRef(shape));
  Tensor out = make_empty(shape, m1.scalar_type());
  const double b = beta.toDouble(), a = alpha.toDouble();
  // self goes into the product's first pass (no broadcast copy of a bias first); with beta = 0
  // it is ignored, nan or not, as in PyTorch.
  kernels::gemm(out, m1, m2, a, b, self);
  if (autograd::should_record({&self, &m1, &m2})) {
    // Linear with one input feature: self is its bias, one value per column. When both the bias
    // and m2 (weight.t()) want gradients, they are computed together in one pass over g instead
    // of a column sum (left to the engine's sum_to) and a product that each read all of g.
    // (One output column is a dot product, which the gemv sums in eight partial sums: left to it.)
    const bool bias_row = shape[1] > 1 && self.numel() == shape[1] &&
                          (self.dim() == 1 || (self.dim() == 2 && self.size(0) == 1));
    const bool one_pass =
        a == 1.0 && b == 1.0 && m1.size(1) == 1 && bias_row && autograd::needs_grad(self);
    autograd::record(
        "AddmmBackward0", {&self, &m1, &m2}, {&out},
        {save(needs(m2, autograd::needs_grad(m1))), save(needs(m1, autograd::needs_grad(m2)))},
        [a, b, m1_cm = column_major(m1), m2_cm = column_major(m2), one_pass,
         bias_2d = self.dim() == 2](const tensor_list& g, const tensor_list& s) {
          if (one_pass && s[1].defined() && g[0].is_contiguous() &&
              g[0].scalar_type() == s[1].scalar_type()) {
            auto [bias, weight] = column_sum_and_dot(g[0], s[1], bias_2d);
            return tensor_list{bias, mm_mat1_backward(g[0], s[0], m1_cm), weight};
          }
          Tensor gs = b == 1.0 ? g[0] : g[0] * b;
          Tensor g1 = mm_mat1_backward(g[0], s[0], m1_cm);
          Tensor g2 = mm_mat2_backward(g[0], s[1], m2_cm);
          if (a != 1.0) {
            if (g1.defined()) g1 = g1 * a;
            if (g2.defined()) g2 = g2 * a;
          }
          return tensor_list{gs, g1, g2};
        });
  }
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.defined() && b.defined(), "matmul: undefined tensor argument");
  const int64_t da = a.dim(), db = b.dim();
  TG_CHECK(da > 0 && db > 0,
           "matmul: both arguments to matmul need to be at least 1D, but they are ", da, "D and ",
           db, "D (shapes ", a.sizes(), " and ", b.sizes(), ")");
  const int64_t ka = a.size(-1), kb = db == 1 ? b.size(0) : b.size(-2);
  TG_CHECK(ka == kb, "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied (",
           ka, " != ", kb, ")");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) {
    // PyTorch computes a.unsqueeze(0).mm(b).squeeze_(0); the in-place squeeze_ names the node.
    Tensor r = mm(a.unsqueeze(0), b);
    Tensor out;
    {
      NoGradGuard guard;
      out = r.squeeze(0);
    }
    if (autograd::should_record({&r}))
      autograd::record(
          "SqueezeBackward3", {&r}, {&out}, {},
          [](const tensor_list& g, const tensor_list&) { return tensor_list{g[0].unsqueeze(0)}; });
    return out;
  }
  if (da == 2 && db == 2) return mm(a, b);
  if (should_fold(a, db) || should_fold(b, da)) {
    // Fold the batch into the rows: one GEMM instead of many. With the batched operand on the
    // right, compute (b^T a^T)^T, as PyTorch does.
    const bool transpose = db > da;
    Tensor t1 = transpose ? b.transpose(-1, -2) : a;
    Tensor t2 = transpose ? (da == 2 ? a.t() : a) : b;
    DimVector out_shape(t1.sizes().slice(0, t1.dim() - 1));
    Tensor t1f = t1.reshape({numel_of(out_shape), t1.size(-1)});
    if (t2.dim() == 1) return unsafe_view(mv(t1f, t2), out_shape);
    out_shape.push_back(t2.size(1));
    Tensor out = unsafe_view(t1f.mm(t2), out_shape);
    return transpose ? out.transpose(-1, -2).contiguous() : out;
  }
  // General batched case with broadcasting of the batch dims.
  Tensor A = da == 1 ? a.unsqueeze(0) : a;
  Tensor B = db == 1 ? b.unsqueeze(-1) : b;
  IntArrayRef bsa = A.sizes().slice(0, A.dim() - 2), bsb = B.sizes().slice(0, B.dim() - 2);
  // Checked here so that the message shows the operands' shapes, not just their batch dims.
  for (size_t i = 1; i <= std::min(bsa.size(), bsb.size()); ++i) {
    const int64_t sa = bsa[bsa.size() - i], sb = bsb[bsb.size() - i];
    TG_CHECK(sa == sb || sa == 1 || sb == 1, "matmul: The size of tensor a (", sa,
             ") must match the size of tensor b (", sb,
             ") at non-singleton batch dimension (shapes ", a.sizes(), " and ", b.sizes(), ")");
  }
  DimVector batch = infer_size(bsa, bsb, "matmul");
  const int64_t n = A.size(-2), m = B.size(-1);
  int64_t nb = numel_of(batch);
  DimVector ea(batch), eb(batch);
  ea.push_back(n);
  ea.push_back(ka);
  eb.push_back(kb);
  eb.push_back(m);
  Tensor A3 = A.expand(ea).reshape({nb, n, ka});
  Tensor B3 = B.expand(eb).reshape({nb, kb, m});
  DimVector out_shape(batch);
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return unsafe_view(A3.bmm(B3), out_shape);
}

Tensor Tensor::matmul(const Tensor& o) const { return tg::matmul(*this, o); }
Tensor Tensor::mm(const Tensor& o) const { return tg::mm(*this, o); }
Tensor Tensor::bmm(const Tensor& o) const { return tg::bmm(*this, o); }
Tensor Tensor::dot(const Tensor& o) const { return tg::dot(*this, o); }
Tensor Tensor::addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta,
                     const Scalar& alpha) const {
  return tg::addmm(*this, m1, m2, beta, alpha);
}

}  // namespace tg
