// Elementwise kernels of one input. The ops layer allocates the output, picks the compute dtype and
// calls these; UnaryOp comes from the op list in tensorgrad/ops/pointwise_ops.h.
#pragma once

#include <array>
#include <optional>

#include "core/tensor_impl.h"
#include "tensorgrad/ops/pointwise_ops.h"

namespace tg::kernels {

#define TG_UNARY_ENUM(name, ...) name,
enum class UnaryOp { TG_UNARY_OPS(TG_UNARY_ENUM) };
#undef TG_UNARY_ENUM
// out = f(in); out has in's shape and dtype.
void unary(UnaryOp op, const Tensor& out, const Tensor& in);

// The ops of TG_UNARY_PARAM_OPS: out = f(in; params), the parameters as doubles in the order
// the op's line lists them.
#define TG_PARAM_ENUM(name, ...) name,
enum class UnaryParamOp { TG_UNARY_PARAM_OPS(TG_PARAM_ENUM) };
#undef TG_PARAM_ENUM
void unary(UnaryParamOp op, const Tensor& out, const Tensor& in,
           const std::array<double, 3>& params);
// out = polygamma(n, in), floating dtypes.
void polygamma(const Tensor& out, const Tensor& in, int64_t n);

// Elementwise tests with bool results (never differentiable).
enum class UnaryPredicate { IsNan, IsFinite, LogicalNot };
void unary(UnaryPredicate op, const Tensor& out, const Tensor& in);

void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi);
void pow_scalar(const Tensor& out, const Tensor& in, double exponent);

// tanh's backward as PyTorch's kernel computes it: out = g * (1 - y*y) with 1 - y*y rounded once
// (a fused multiply-add). g and y broadcast to out's shape and share its floating dtype.
void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y);
// PyTorch's threshold_backward (ReLU's backward): out = x <= threshold ? 0 : g. g, x and out share
// one dtype; g and x broadcast to out's shape.
void threshold_backward(const Tensor& out, const Tensor& g, const Tensor& x, double threshold);

}  // namespace tg::kernels
