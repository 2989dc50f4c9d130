// Kernels of the losses whose fused forms are measurably faster than their compositions.
#pragma once

#include <optional>

#include "core/tensor_impl.h"

namespace tg::kernels {

// sum((x - y)^2) over contiguous x and y of one shape and floating dtype: each square rounded to
// the dtype, the sum accumulated in double, as mean()/sum() of the squares would be.
double sum_squared_difference(const Tensor& x, const Tensor& y);
// Stores the loss from sum_squared_difference's sum into the zero-dim out: the sum rounded to
// out's dtype, then divided by `count` in it (1 for a summed loss), as div_ would round.
void mse_loss_store(const Tensor& out, double sum, int64_t count);
// MSE loss backward as PyTorch computes it: out = (x - y) * norm * g, each step rounded; x, y
// and g broadcast to out's shape and share its dtype.
void mse_loss_backward(const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& g,
                       double norm);
// nll_loss's selection mask: mask[i, target[i]] = weight[target[i]] (1 without weights), zero
// elsewhere and on rows whose target is ignore_index. mask: contiguous [n, c] double, zeroed.
// Throws for a target outside [0, c).
void nll_loss_mask(const Tensor& mask, const Tensor& target, const Tensor& weight,
                   int64_t ignore_index);

// multilabel_margin_loss's target rows: each row of target lists class indices up to the first
// negative one; counts[i, k] is how often class k is listed in row i (duplicates count, as in
// PyTorch), is_target[i, k] is 1 where it is listed at all. counts and is_target: contiguous
// [n, c] double, zeroed; target: contiguous [n, c] int64. Throws for an index >= c.
void multilabel_margin_counts(const Tensor& counts, const Tensor& is_target, const Tensor& target);

}  // namespace tg::kernels
