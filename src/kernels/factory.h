// Fills for the factories whose values follow a pattern: eye, arange, literal lists.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

// Ones on the main diagonal of a zeroed, contiguous 2-d t.
void eye_diagonal(const Tensor& t);
// t[i] = start + i * step for contiguous 1-d t: exactly in int64, in double and rounded once for
// floating dtypes (as PyTorch computes it).
void arange_fill(const Tensor& t, const Scalar& start, const Scalar& step);
// The elements of contiguous t, in order, from values (converted to t's dtype).
void fill_values(const Tensor& t, const std::vector<Scalar>& values);
// For each row of a contiguous [r, k] double tensor, the product of the other elements of the
// row (prod's gradient without dividing by zero).
void exclusive_row_products(const Tensor& out, const Tensor& rows);

}  // namespace tg::kernels
