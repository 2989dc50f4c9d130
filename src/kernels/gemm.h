// Matrix products: OpenBLAS for the large ones, our own loops for the thin ones.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

// C = alpha * A B + beta * C for 2-d tensors of any strides; C contiguous. With `self` (addmm's
// input, broadcastable to C's shape and of C's dtype), C's prior content is ignored and
// beta * self is added instead: C = alpha * A B + beta * self.
void gemm(const Tensor& c, const Tensor& a, const Tensor& b, double alpha, double beta,
          const Tensor& self = Tensor());

void set_blas_threads(int n);

}  // namespace tg::kernels
