// Indexing kernels: gathering and scattering slices along one dim, and mask positions.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

// Checks that every entry of the contiguous int64 `index` lies in [0, n), as index_select wants
// (PyTorch: "index out of range in self"); names `op` otherwise.
void check_indices(const Tensor& index, int64_t n, int64_t d, const char* op);
// out[o, k, i] = in[o, index[k], i], with in viewed as [outer, n, inner] around dim d and out as
// [outer, index.numel(), inner]. in and out: contiguous, one
// dtype; index: contiguous int64, already checked.
void index_select(const Tensor& out, const Tensor& in, int64_t d, const Tensor& index);
// The reverse, accumulating: out[o, index[k], i] += src[o, k, i] (repeated indices add up).
void index_add(const Tensor& out, int64_t d, const Tensor& index, const Tensor& src);
// The flat positions of the true elements of a contiguous bool tensor.
std::vector<int64_t> nonzero_flat(const Tensor& mask);
// Advanced indexing's rule for the contiguous int64 `index` of dim d (of size n), which the caller
// owns: every entry in [-n, n) (PyTorch's IndexError otherwise, before anything is changed), the
// negative ones replaced by i + n.
// With `negative` false, negative entries are refused too. `prefix` opens the message.
void wrap_indices(const Tensor& index, int64_t n, int64_t d, const char* prefix = "",
                  bool negative = true);
// take's and put's rule for flat positions into a tensor of n elements: [-n, n), wrapped.
void wrap_flat_indices(const Tensor& index, int64_t n);
// The coordinates of the nonzero elements of the contiguous `in` (any dtype), row-major, as a new
// int64 tensor of shape [count, in.dim()].
Tensor nonzero(const Tensor& in);
// The contiguous int64 `repeats` (one count each, all checked non-negative): k repeated
// repeats[k] times, in order.
std::vector<int64_t> repeat_positions(const Tensor& repeats);
// out[index[k]] = src[k] on contiguous 1-d tensors of one dtype, in order (a later write wins);
// the indices are already checked.
void put(const Tensor& out, const Tensor& index, const Tensor& src);

}  // namespace tg::kernels
