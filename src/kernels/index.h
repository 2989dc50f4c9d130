// Indexing kernels: gathering and scattering slices along one dim, and mask positions.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

// Checks that every entry of the contiguous int64 `index` lies in [0, n), as index_select wants
// (PyTorch: "index out of range in self"); names `op` otherwise.
void check_indices(const Tensor& index, int64_t n, int64_t d, const char* op);
// Advanced indexing's rule: every entry in [-n, n); the negative ones are replaced by i + n in the
// contiguous int64 `index`, which the caller owns. Returns whether any was negative.
bool wrap_negative_indices(const Tensor& index, int64_t n);
// out[o, k, i] = in[o, index[k], i], with in viewed as [outer, n, inner] around dim d and out as
// [outer, index.numel(), inner]. in and out: contiguous, one
// dtype; index: contiguous int64, already checked.
void index_select(const Tensor& out, const Tensor& in, int64_t d, const Tensor& index);
// The reverse, accumulating: out[o, index[k], i] += src[o, k, i] (repeated indices add up).
void index_add(const Tensor& out, int64_t d, const Tensor& index, const Tensor& src);
// The flat positions of the true elements of a contiguous bool tensor.
std::vector<int64_t> nonzero_flat(const Tensor& mask);

}  // namespace tg::kernels
