// The selection steps of multinomial: the top k of each row, and samples drawn from each row's
// cumulative distribution.
#pragma once

#include <cstdint>
#include <functional>

#include "core/tensor_impl.h"

namespace tg::kernels {

// out[r, :k] (int64, [rows, k] or [k] for one row) = the indices of the k largest keys of row r of
// `keys` (contiguous float or double, [rows, n]), largest first; NaN counts as largest.
void top_indices(const Tensor& out, const Tensor& keys, int64_t k);
// out[r, j] = the category of sample j of row r of `probs` (contiguous float or double,
// [rows, n]), each sample one value of `uniform` in [0, 1) looked up in the row's normalised
// cumulative sums. Entries must be finite and >= 0 with a positive sum (checked).
void sample_categories(const Tensor& out, const Tensor& probs, int64_t samples,
                       const std::function<double()>& uniform);

}  // namespace tg::kernels
