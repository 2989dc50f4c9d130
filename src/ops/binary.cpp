// Elementwise binary ops with broadcasting and PyTorch's type promotion; their in-place forms; and
// where/maximum/minimum. The engine sums each gradient back to its input's shape, so the rules
// below are written for the broadcast shape.
#include "kernels/binary.h"

#include <cmath>

#include "kernels/unary.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::tensor_list;
using kernels::BinaryOp;

namespace {

// Forward of an arithmetic op: common dtype, broadcast shape, kernel. No autograd.
Tensor binary_forward(BinaryOp op, const Tensor& a, const Tensor& b, ScalarType ct,
                      const char* name, const Scalar& alpha = 1) {
  const auto* ai = impl_of(a);
  const auto* bi = impl_of(b);
  // Operands of one shape and of the compute dtype (the common case) need neither a broadcast
  // shape nor converted copies.
  Tensor out = ai->sizes.ref().equals(bi->sizes) || bi->sizes.size() == 0
                   ? make_empty(ai->sizes, ct)
                   : make_empty(infer_size(ai->sizes, bi->sizes, name), ct);
  if (ai->dtype == ct && bi->dtype == ct)
    kernels::binary(op, out, a, b, alpha);
  else
    kernels::binary(op, out, cast_to(a, ct), cast_to(b, ct), alpha);
  return out;
}

void check_defined2(const Tensor& a, const Tensor& b, const char* name) {
  TG_CHECK(a.defined() && b.defined(), name, ": undefined tensor argument");
}

ScalarType arith_type(const Tensor& a, const Tensor& b, BinaryOp op, const char* name) {
  ScalarType ct = result_type(a, b);
  if (op == BinaryOp::Div && !is_floating_point(ct)) ct = kFloat;
  if (op == BinaryOp::Sub)
    TG_CHECK(ct != kBool, name,
             ": Subtraction, the `-` operator, with two bool tensors is not "
             "supported. Use the `^` or `logical_xor()` operator instead.");
  return ct;
}

}  // namespace

// ---- add / sub / mul / div
// The Scalar overloads wrap the number in a zero-dim tensor of the result dtype and run the tensor
// op: one derivative per op.

namespace {
Tensor wrapped(const Tensor& a, const Scalar& b, const char* name) {
  TG_CHECK(a.defined(), name, ": undefined tensor argument");
  return wrap_scalar(b, result_type(a, b));
}

// The node of an op called with a number operand: Python wraps the number and records the tensor
// op's node; libtorch records its Scalar overload's (see tg::Dialect).
const char* scalar_node(const char* python, const char* libtorch) {
  return get_dialect() == Dialect::Libtorch ? libtorch : python;
}

Tensor add_sub(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const char* name,
               const char* node) {
  check_defined2(a, b, name);
  Tensor out = binary_forward(op, a, b, arith_type(a, b, op, name), name, alpha);
  if (autograd::should_record({&a, &b})) {
    const double al = op == BinaryOp::Sub ? -alpha.toDouble() : alpha.toDouble();
    const bool need_b = autograd::needs_grad(b);
    autograd::record(node, {&a, &b}, {&out}, {},
                     [al, need_b](const tensor_list& g, const tensor_list&) {
                       if (!need_b) return tensor_list{g[0], Tensor()};
                       return tensor_list{g[0], al == 1.0 ? g[0] : al == -1.0 ? -g[0] : g[0] * al};
                     });
  }
  return out;
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return add_sub(BinaryOp::Add, a, b, alpha, "add", "AddBackward0");
}
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return add_sub(BinaryOp::Add, a, wrapped(a, b, "add"), alpha, "add",
                 scalar_node("AddBackward0", "AddBackward1"));
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return add_sub(BinaryOp::Sub, a, b, alpha, "sub", "SubBackward0");
}
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return add_sub(BinaryOp::Sub, a, wrapped(a, b, "sub"), alpha, "sub",
                 scalar_node("SubBackward0", "SubBackward1"));
}
// scalar - tensor: PyTorch's rsub, sub with the operands swapped (its own node name). libtorch's
// operator- fills a tensor with the number and subtracts in place: SubBackward0.
Tensor rsub(const Tensor& b, const Scalar& a) {
  return add_sub(BinaryOp::Sub, wrapped(b, a, "rsub"), b, 1, "rsub",
                 scalar_node("RsubBackward1", "SubBackward0"));
}

namespace {
Tensor mul_node(const Tensor& a, const Tensor& b, const char* node) {
  check_defined2(a, b, "mul");
  Tensor out = binary_forward(BinaryOp::Mul, a, b, arith_type(a, b, BinaryOp::Mul, "mul"), "mul");
  if (autograd::should_record({&a, &b})) {
    // Each input's gradient needs only the other input.
    autograd::record(node, {&a, &b}, {&out},
                     {save(autograd::needs_grad(a) ? b : Tensor()),
                      save(autograd::needs_grad(b) ? a : Tensor())},
                     [](const tensor_list& g, const tensor_list& s) {
                       return tensor_list{s[0].defined() ? g[0] * s[0] : Tensor(),
                                          s[1].defined() ? g[0] * s[1] : Tensor()};
                     });
  }
  return out;
}
}  // namespace
Tensor mul(const Tensor& a, const Tensor& b) { return mul_node(a, b, "MulBackward0"); }
Tensor mul(const Tensor& a, const Scalar& b) {
  return mul_node(a, wrapped(a, b, "mul"), scalar_node("MulBackward0", "MulBackward1"));
}

namespace {
Tensor div_node(const Tensor& a, const Tensor& b, const char* node) {
  check_defined2(a, b, "div");
  Tensor out = binary_forward(BinaryOp::Div, a, b, arith_type(a, b, BinaryOp::Div, "div"), "div");
  if (autograd::should_record({&a, &b})) {
    const bool need_a = autograd::needs_grad(b);
    autograd::record(node, {&a, &b}, {&out}, {save(need_a ? a : Tensor()), save(b)},
                     [](const tensor_list& g, const tensor_list& s) {
                       const Tensor& a = s[0];
                       const Tensor& b = s[1];
                       return tensor_list{g[0] / b, a.defined() ? -g[0] * a / (b * b) : Tensor()};
                     });
  }
  return out;
}
}  // namespace
Tensor div(const Tensor& a, const Tensor& b) { return div_node(a, b, "DivBackward0"); }
Tensor div(const Tensor& a, const Scalar& b) {
  return div_node(a, wrapped(a, b, "div"), scalar_node("DivBackward0", "DivBackward1"));
}

// ---- pow

Tensor pow(const Tensor& a, const Scalar& e) {
  TG_CHECK(a.defined(), "pow: undefined tensor argument");
  ScalarType ct = result_type(a, e);
  Tensor x = cast_to(a, ct);
  Tensor out = make_empty(a.sizes(), ct);
  kernels::pow_scalar(out, x, e.toDouble());
  if (autograd::should_record({&a})) {
    const double ex = e.toDouble();
    autograd::record("PowBackward0", {&a}, {&out}, {save(a)},
                     [ex](const tensor_list& g, const tensor_list& s) {
                       if (ex == 0.0) return tensor_list{zeros_like(g[0])};
                       return tensor_list{g[0] * ex * pow(s[0], ex - 1.0)};
                     });
  }
  return out;
}

Tensor pow(const Tensor& a, const Tensor& e) {
  check_defined2(a, e, "pow");
  Tensor out = binary_forward(BinaryOp::Pow, a, e, result_type(a, e), "pow");
  if (autograd::should_record({&a, &e})) {
    autograd::record(
        "PowBackward1", {&a, &e}, {&out}, {save(a), save(e), autograd::save_output(out)},
        [](const tensor_list& g, const tensor_list& s) {
          const Tensor& x = s[0];
          const Tensor& ex = s[1];
          const Tensor& y = s[2];
          Tensor ga = where(ex == 0.0, zeros_like(g[0]), g[0] * ex * pow(x, ex - 1.0));
          // d/de x^e = x^e log x, taken as 0 where x == 0 and e >= 0 (PyTorch's rule).
          Tensor gb = where((x == 0.0) & (ex >= 0.0), zeros_like(g[0]), g[0] * y * log(x));
          return tensor_list{ga, gb};
        });
  }
  return out;
}

Tensor pow(const Scalar& base, const Tensor& e) {
  TG_CHECK(e.defined(), "pow: undefined tensor argument");
  ScalarType ct = result_type(e, base);
  Tensor out;
  {
    NoGradGuard guard;
    out = pow(full({}, base, ct), e);
  }
  // PyTorch's pow.Scalar node: d/de b^e = b^e log b, taken as 0 where b == 0 and e >= 0.
  if (autograd::should_record({&e})) {
    const double b = base.toDouble();
    autograd::record("PowBackward2", {&e}, {&out}, {autograd::save_output(out), save(e)},
                     [b](const tensor_list& g, const tensor_list& s) {
                       Tensor d = s[0] * std::log(b);
                       if (b == 0.0) d = where(s[1] >= 0.0, zeros_like(d), d);
                       return tensor_list{g[0] * d};
                     });
  }
  return out;
}

// ---- maximum / minimum / where

Tensor maximum(const Tensor& a, const Tensor& b) {
  check_defined2(a, b, "maximum");
  Tensor out = binary_forward(BinaryOp::Maximum, a, b, result_type(a, b), "maximum");
  if (autograd::should_record({&a, &b}))
    autograd::record("MaximumBackward0", {&a, &b}, {&out}, {save(a), save(b)},
                     [](const tensor_list& g, const tensor_list& s) {
                       Tensor half = where(s[0] == s[1], g[0] / 2, g[0]);
                       return tensor_list{where(s[0] < s[1], zeros_like(half), half),
                                          where(s[0] > s[1], zeros_like(half), half)};
                     });
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  check_defined2(a, b, "minimum");
  Tensor out = binary_forward(BinaryOp::Minimum, a, b, result_type(a, b), "minimum");
  if (autograd::should_record({&a, &b}))
    autograd::record("MinimumBackward0", {&a, &b}, {&out}, {save(a), save(b)},
                     [](const tensor_list& g, const tensor_list& s) {
                       Tensor half = where(s[0] == s[1], g[0] / 2, g[0]);
                       return tensor_list{where(s[0] > s[1], zeros_like(half), half),
                                          where(s[0] < s[1], zeros_like(half), half)};
                     });
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  TG_CHECK(cond.defined() && a.defined() && b.defined(), "where: undefined tensor argument");
  TG_CHECK(cond.scalar_type() == kBool,
           "where: expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_name(cond.scalar_type()));
  const ScalarType ct = result_type(a, b);
  DimVector shape = infer_size(infer_size(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Tensor out = make_empty(shape, ct);
  kernels::where(out, cond, cast_to(a, ct), cast_to(b, ct));
  if (autograd::should_record({&a, &b}))
    autograd::record("WhereBackward0", {&a, &b}, {&out}, {save(cond)},
                     [](const tensor_list& g, const tensor_list& s) {
                       Tensor z = zeros({}, g[0].scalar_type());
                       return tensor_list{where(s[0], g[0], z), where(s[0], z, g[0])};
                     });
  return out;
}

// where's number operand is checked like a fill (PyTorch refuses where(c, x, 1e300) for a float
// x), unlike the arithmetic ops' wrapped numbers.
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b) {
  return where(cond, a, full({}, b, result_type(a, b)));
}
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b) {
  return where(cond, full({}, a, result_type(b, a)), b);
}

// ---- comparisons

namespace {
Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  check_defined2(a, b, name);
  const ScalarType ct = result_type(a, b);
  DimVector shape = infer_size(a.sizes(), b.sizes(), name);
  Tensor out = make_empty(shape, kBool);
  kernels::binary(op, out, cast_to(a, ct), cast_to(b, ct));
  return out;
}
Tensor compare(BinaryOp op, const Tensor& a, const Scalar& b, const char* name) {
  TG_CHECK(a.defined(), name, ": undefined tensor argument");
  const ScalarType ct = result_type(a, b);
  Tensor out = make_empty(a.sizes(), kBool);
  kernels::binary(op, out, cast_to(a, ct), wrap_scalar(b, ct));
  return out;
}
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ge, a, b, "ge"); }
Tensor Tensor::eq(const Tensor& o) const { return tg::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return tg::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return tg::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return tg::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return tg::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return tg::ge(*this, o); }
Tensor Tensor::eq(const Scalar& o) const { return compare(BinaryOp::Eq, *this, o, "eq"); }
Tensor Tensor::ne(const Scalar& o) const { return compare(BinaryOp::Ne, *this, o, "ne"); }
Tensor Tensor::lt(const Scalar& o) const { return compare(BinaryOp::Lt, *this, o, "lt"); }
Tensor Tensor::le(const Scalar& o) const { return compare(BinaryOp::Le, *this, o, "le"); }
Tensor Tensor::gt(const Scalar& o) const { return compare(BinaryOp::Gt, *this, o, "gt"); }
Tensor Tensor::ge(const Scalar& o) const { return compare(BinaryOp::Ge, *this, o, "ge"); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return a.ne(b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return a.le(b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return a.ge(b); }
Tensor operator&(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::LogicalAnd, a, b, "logical_and");
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::LogicalOr, a, b, "logical_or");
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  check_defined2(a, b, "allclose");
  NoGradGuard guard;
  Tensor x = a.to(kDouble), y = b.to(kDouble);
  Tensor diff = abs(x - y);
  Tensor ok = diff <= (atol + rtol * abs(y));
  if (equal_nan) ok = ok | (isnan(x) & isnan(y));
  // Equal infinities are close; with NaN never close unless equal_nan.
  ok = ok | (x == y);
  return ok.all().item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  check_defined2(a, b, "equal");
  if (!a.sizes().equals(b.sizes())) return false;
  NoGradGuard guard;
  return (a == b).all().item<bool>();
}
bool Tensor::allclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return tg::allclose(*this, o, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& o) const { return tg::equal(*this, o); }

// ---- methods and operators

Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const { return tg::add(*this, o, alpha); }
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const { return tg::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const { return tg::sub(*this, o, alpha); }
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const { return tg::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return tg::mul(*this, o); }
Tensor Tensor::mul(const Scalar& o) const { return tg::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return tg::div(*this, o); }
Tensor Tensor::div(const Scalar& o) const { return tg::div(*this, o); }
Tensor Tensor::pow(const Tensor& e) const { return tg::pow(*this, e); }
Tensor Tensor::pow(const Scalar& e) const { return tg::pow(*this, e); }
Tensor Tensor::maximum(const Tensor& o) const { return tg::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return tg::minimum(*this, o); }
Tensor Tensor::square() const { return tg::pow(*this, 2); }
Tensor square(const Tensor& x) { return x.square(); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
// Python computes number / tensor as reciprocal times the number (MulBackward0); libtorch's
// operator/ fills a tensor with the number and divides (DivBackward0).
Tensor operator/(const Scalar& a, const Tensor& b) {
  if (get_dialect() == Dialect::Libtorch) return div(wrapped(b, a, "div"), b);
  return b.reciprocal() * a;
}

// In-place forms.
Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) {
  TG_CHECK(o.defined(), "add_: undefined tensor argument");
  const ScalarType ct = arith_type(*this, o, BinaryOp::Add, "add_");
  // Gradient accumulation lands here every step; equal shapes skip building a broadcast shape.
  const bool same = sizes().equals(o.sizes());
  return inplace(
      *this, {&o}, ct, same ? sizes() : IntArrayRef(infer_size(sizes(), o.sizes(), "add_")), "add_",
      [&] {
        if (o.scalar_type() == scalar_type())
          kernels::binary(BinaryOp::Add, *this, *this, o, alpha);
        else
          kernels::binary(BinaryOp::Add, *this, *this, cast_to(o, scalar_type()), alpha);
      },
      [&](const Tensor& s) { return tg::add(s, o, alpha); });
}
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) {
  const ScalarType ct = result_type(*this, o);
  return inplace(
      *this, {}, ct, sizes(), "add_",
      [&] { kernels::binary(BinaryOp::Add, *this, *this, wrap_scalar(o, scalar_type()), alpha); },
      [&](const Tensor& s) { return tg::add(s, o, alpha); });
}
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) {
  TG_CHECK(o.defined(), "sub_: undefined tensor argument");
  const ScalarType ct = arith_type(*this, o, BinaryOp::Sub, "sub_");
  return inplace(
      *this, {&o}, ct, infer_size(sizes(), o.sizes(), "sub_"), "sub_",
      [&] { kernels::binary(BinaryOp::Sub, *this, *this, cast_to(o, scalar_type()), alpha); },
      [&](const Tensor& s) { return tg::sub(s, o, alpha); });
}
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) {
  const ScalarType ct = result_type(*this, o);
  return inplace(
      *this, {}, ct, sizes(), "sub_",
      [&] { kernels::binary(BinaryOp::Sub, *this, *this, wrap_scalar(o, scalar_type()), alpha); },
      [&](const Tensor& s) { return tg::sub(s, o, alpha); });
}
Tensor& Tensor::mul_(const Tensor& o) {
  TG_CHECK(o.defined(), "mul_: undefined tensor argument");
  const ScalarType ct = arith_type(*this, o, BinaryOp::Mul, "mul_");
  return inplace(
      *this, {&o}, ct, infer_size(sizes(), o.sizes(), "mul_"), "mul_",
      [&] { kernels::binary(BinaryOp::Mul, *this, *this, cast_to(o, scalar_type())); },
      [&](const Tensor& s) { return tg::mul(s, o); });
}
Tensor& Tensor::mul_(const Scalar& o) {
  const ScalarType ct = result_type(*this, o);
  return inplace(
      *this, {}, ct, sizes(), "mul_",
      [&] { kernels::binary(BinaryOp::Mul, *this, *this, wrap_scalar(o, scalar_type())); },
      [&](const Tensor& s) { return tg::mul(s, o); });
}
Tensor& Tensor::div_(const Tensor& o) {
  TG_CHECK(o.defined(), "div_: undefined tensor argument");
  const ScalarType ct = arith_type(*this, o, BinaryOp::Div, "div_");
  return inplace(
      *this, {&o}, ct, infer_size(sizes(), o.sizes(), "div_"), "div_",
      [&] { kernels::binary(BinaryOp::Div, *this, *this, cast_to(o, scalar_type())); },
      [&](const Tensor& s) { return tg::div(s, o); });
}
Tensor& Tensor::div_(const Scalar& o) {
  ScalarType ct = result_type(*this, o);
  if (!tg::is_floating_point(ct)) ct = kFloat;
  return inplace(
      *this, {}, ct, sizes(), "div_",
      [&] { kernels::binary(BinaryOp::Div, *this, *this, wrap_scalar(o, scalar_type())); },
      [&](const Tensor& s) { return tg::div(s, o); });
}

Tensor& Tensor::addcmul_(const Tensor& a, const Tensor& b, const Scalar& value) {
  check_defined2(a, b, "addcmul_");
  const ScalarType ct = promote_types(result_type(*this, a), result_type(*this, b));
  return inplace(
      *this, {&a, &b}, ct,
      infer_size(sizes(), infer_size(a.sizes(), b.sizes(), "addcmul_"), "addcmul_"), "addcmul_",
      [&] { kernels::addcmul(*this, cast_to(a, scalar_type()), cast_to(b, scalar_type()), value); },
      [&](const Tensor& s) { return tg::add(s, tg::mul(tg::mul(a, value), b)); });
}
Tensor& Tensor::addcdiv_(const Tensor& a, const Tensor& b, const Scalar& value) {
  check_defined2(a, b, "addcdiv_");
  const ScalarType ct = promote_types(result_type(*this, a), result_type(*this, b));
  return inplace(
      *this, {&a, &b}, ct,
      infer_size(sizes(), infer_size(a.sizes(), b.sizes(), "addcdiv_"), "addcdiv_"), "addcdiv_",
      [&] { kernels::addcdiv(*this, cast_to(a, scalar_type()), cast_to(b, scalar_type()), value); },
      [&](const Tensor& s) { return tg::add(s, tg::div(tg::mul(a, value), b)); });
}
Tensor& Tensor::lerp_(const Tensor& end, const Scalar& weight) {
  return add_(tg::sub(end, *this), weight);
}

Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator+=(Tensor& a, const Scalar& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Scalar& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Scalar& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Scalar& b) { return a.div_(b); }

}  // namespace tg
