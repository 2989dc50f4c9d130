// Copies and fills: the kernels behind to(), clone(), copy_() and the factories.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

// dst[...] = src[...] converted to dst's dtype; src broadcasts to dst's shape.
void copy(const Tensor& dst, const Tensor& src);
// Checked like PyTorch's fill_: a value the dtype cannot hold throws.
void fill(const Tensor& dst, const Scalar& v);
// The one element of `t` (a wrapped number, see wrap_scalar) set to v converted as an op's kernel
// converts a number operand: unchecked, so x * 1e300 is inf for a float x, as in PyTorch.
void fill_wrapped_number(const Tensor& t, const Scalar& v);

}  // namespace tg::kernels
