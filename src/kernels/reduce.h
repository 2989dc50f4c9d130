// Reductions over dims, and the column reductions of a linear layer's backward.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

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

}  // namespace tg::kernels
