// Copies and fills: the kernels behind to(), clone(), copy_() and the factories.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

// dst[...] = src[...] converted to dst's dtype; src broadcasts to dst's shape.
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, const Scalar& v);

}  // namespace tg::kernels
