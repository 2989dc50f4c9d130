// CPU kernels: loops over raw memory, no autograd. The ops layer allocates outputs, picks the
// compute dtype and broadcast shape, and calls these.
#pragma once

#include <optional>

#include "core/tensor_impl.h"

namespace tg::kernels {

// dst[...] = src[...] converted to dst's dtype; src broadcasts to dst's shape.
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, const Scalar& v);

enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  LogicalAnd,
  LogicalOr
};
// out = a op b with broadcasting; a and b share one dtype; out has that dtype, or bool for the
// comparisons. For Add and Sub, b is scaled by alpha first (a + alpha * b).
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b,
            const Scalar& alpha = 1);
// ReLU's (and threshold's) backward, PyTorch's threshold_backward: out = y <= threshold ? 0 : g.
// g, y and out share one dtype and out's shape; g and y may broadcast.
void threshold_backward(const Tensor& out, const Tensor& g, const Tensor& y, double threshold);
// sum((x - y)^2) over contiguous x and y of one shape and floating dtype: each square rounded to
// the dtype, the sum accumulated in double, as mean()/sum() of the squares would be.
double sum_squared_difference(const Tensor& x, const Tensor& y);
// MSE loss backward as PyTorch computes it: out = (x - y) * norm * g, each step rounded; x, y
// and g broadcast to out's shape and share its dtype.
void mse_loss_backward(const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& g,
                       double norm);
// out = cond ? a : b with broadcasting; a, b and out share one dtype.
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

enum class UnaryOp {
  Neg,
  Exp,
  Log,
  Log1p,
  Sin,
  Cos,
  Tan,
  Tanh,
  Sigmoid,
  Relu,
  Abs,
  Sqrt,
  Rsqrt,
  Sign,
  Reciprocal,
  Square,
  IsNan,
  IsFinite,
  LogicalNot
};
// out = f(in); out has in's shape and dtype (bool for IsNan, IsFinite, LogicalNot).
void unary(UnaryOp op, const Tensor& out, const Tensor& in);
void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi);
void pow_scalar(const Tensor& out, const Tensor& in, double exponent);
// Fused backward of tanh: out = g * (1 - y*y) for contiguous float/double tensors of one shape.
void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y);

enum class ReduceOp { Sum, Prod, Max, Min, ArgMax, ArgMin, Any, All };
// Reduces `in` over the dims marked in `reduce_dim` (size in.dim()) into `out`, which is
// contiguous with in's shape minus (or keeping as 1) those dims. ArgMax/ArgMin want one dim and
// an int64 out.
void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const std::vector<bool>& reduce_dim);
// For a contiguous floating g of shape [m, n] and x of m elements (any stride, g's dtype), in one
// pass over g: sum[j] = sum_i g[i, j] and dot[j] = sum_i x[i] * g[i, j] (sum and dot: n contiguous
// elements). These are the bias and weight gradients of a linear layer with one input feature,
// added and rounded as the separate column sum and product do it, so with their bits.
void column_sum_and_dot(const Tensor& sum, const Tensor& dot, const Tensor& g, const Tensor& x);

// C = alpha * A B + beta * C for 2-d tensors of any strides; C contiguous. With `self` (addmm's
// input, broadcastable to C's shape and of C's dtype), C's prior content is ignored and
// beta * self is added instead: C = alpha * A B + beta * self.
void gemm(const Tensor& c, const Tensor& a, const Tensor& b, double alpha, double beta,
          const Tensor& self = Tensor());

void set_blas_threads(int n);

// SGD with momentum (not Nesterov) on an existing momentum buffer, in one pass:
// d = grad + weight_decay * param; buf = buf * momentum + (1 - dampening) * d; param -= lr * buf.
// param, grad and buf: contiguous, one shape, one floating dtype.
void sgd_momentum_step(const Tensor& param, const Tensor& grad, const Tensor& buf, double lr,
                       double momentum, double dampening, double weight_decay);

}  // namespace tg::kernels
