// Scans: cumulative sums and products along one dim.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

enum class ScanOp { Sum, Prod };

// out[o, k, i] = in[o, 0, i] (+ or *) ... in[o, k, i], with in and out viewed as [outer, n, inner]
// around dim d. Both contiguous, of one dtype (float32, float64 or int64). Floating scans carry the
// running value in double, as PyTorch's CPU kernel does, so float32 results round as its do.
void scan(ScanOp op, const Tensor& out, const Tensor& in, int64_t d);

}  // namespace tg::kernels
