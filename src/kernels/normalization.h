// Kernels of the normalization layers. Batch norm sees its input as contiguous
// [outer, channels, inner] ([N, C, H*W]); layer and group norm see rows ([rows, 1, row length]).
// Statistics accumulate in double, as ATen's CPU kernels accumulate float inputs.
#pragma once

#include <cstdint>

#include "core/tensor_impl.h"

namespace tg::kernels {

// mean[c] and the sum of squared deviations var_sum[c] of each channel, in double; each deviation
// is formed and squared in x's dtype.
void channel_moments(const Tensor& x, int64_t outer, int64_t channels, int64_t inner, double* mean,
                     double* var_sum);
// out = x * alpha[c] + beta[c] per channel, in x's dtype (alpha and beta rounded to it first).
void channel_affine(const Tensor& out, const Tensor& x, int64_t outer, int64_t channels,
                    int64_t inner, const double* alpha, const double* beta);
// Per channel: sum[c] = sum of gy, dot[c] = sum of (x - mean[c]) * gy.
void channel_grad_sums(const Tensor& gy, const Tensor& x, int64_t outer, int64_t channels,
                       int64_t inner, const double* mean, double* sum, double* dot);
// out = gy * a[c] + x * b[c] + d[c] per channel, in the dtype.
void channel_linear2(const Tensor& out, const Tensor& gy, const Tensor& x, int64_t outer,
                     int64_t channels, int64_t inner, const double* a, const double* b,
                     const double* d);
// Layer norm's output: out[r, j] = (x[r, j] - mean[r]) * rstd[r] * w[j] + b[j] (w and b may be
// null: 1 and 0).
void row_normalize(const Tensor& out, const Tensor& x, int64_t rows, int64_t cols,
                   const double* mean, const double* rstd, const Tensor& weight,
                   const Tensor& bias);

}  // namespace tg::kernels
