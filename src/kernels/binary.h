// Elementwise kernels of two or more inputs, with broadcasting. The generated part of BinaryOp
// comes from the op list in tensorgrad/ops/pointwise_ops.h.
#pragma once

#include "core/tensor_impl.h"
#include "tensorgrad/ops/pointwise_ops.h"

namespace tg::kernels {

#define TG_BINARY_ENUM(name, ...) name,
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
  LogicalOr,
  TG_BINARY_OPS(TG_BINARY_ENUM)
};
#undef TG_BINARY_ENUM
// out = a op b with broadcasting; a and b share one dtype; out has that dtype, or bool for the
// comparisons. For Add and Sub, b is scaled by alpha first (a + alpha * b).
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b,
            const Scalar& alpha = 1);
// out = cond ? a : b with broadcasting; a, b and out share one dtype.
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
// self += value * t1 * t2 (addcmul) or self += value * t1 / t2 (addcdiv), rounded as PyTorch's
// CPU kernels round; t1 and t2 broadcast to self and share its dtype.
void addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value);
void addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value);

}  // namespace tg::kernels
