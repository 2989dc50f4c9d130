// Kernels of the pooling layers. Every kernel sees its tensors as contiguous stacks of planes: a
// 1-, 2- or 3-d pooling is a 3-d one over [planes, depth, height, width] with unit depth (and
// height), so one loop serves all three. Planes are split across the thread pool.
#pragma once

#include <array>
#include <cstdint>

#include "core/tensor_impl.h"

namespace tg::kernels {

// The shape of one pooling: `planes` input planes of size in[0] x in[1] x in[2] map to output
// planes of size out[0] x out[1] x out[2]; window, stride, padding and dilation per dimension.
struct PoolGeometry {
  int64_t planes = 0;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1};
  std::array<int64_t, 3> kernel{1, 1, 1}, stride{1, 1, 1}, padding{0, 0, 0}, dilation{1, 1, 1};
  bool ceil_mode = false;  // how out was formed; the kernels read only the sizes
  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }
};

// out and indices (int64, offsets within the input plane) get each window's maximum; NaN wins,
// and the first of equal maxima is kept, as in PyTorch.
void max_pool_forward(const Tensor& out, const Tensor& indices, const Tensor& input,
                      const PoolGeometry& g);
// grad_input (zeroed) plane p, element indices[p, j] += grad_output[p, j].
void scatter_add_planes(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices,
                        int64_t planes);
// out[p, j] = src[p, indices[p, j]], for the gradients of the indexed poolings.
void gather_planes(const Tensor& out, const Tensor& src, const Tensor& indices, int64_t planes);
// max_unpool: out (zeroed) plane p, element indices[p, j] = input[p, j]. Returns the first index
// outside the output plane, having written nothing, or -1 when all are valid.
int64_t scatter_planes(const Tensor& out, const Tensor& input, const Tensor& indices,
                       int64_t planes);

// Average pooling with PyTorch's divisor: divisor_override when positive, else the window's size
// clipped to the padded input (count_include_pad) or to the input itself.
void avg_pool_forward(const Tensor& out, const Tensor& input, const PoolGeometry& g,
                      bool count_include_pad, int64_t divisor_override);
void avg_pool_backward(const Tensor& grad_input, const Tensor& grad_output, const PoolGeometry& g,
                       bool count_include_pad, int64_t divisor_override);

// Adaptive pooling: output element i of a dimension of n inputs and m outputs covers
// [floor(i n / m), ceil((i + 1) n / m)). kernel/stride/padding of g are unused.
void adaptive_avg_pool_forward(const Tensor& out, const Tensor& input, const PoolGeometry& g);
void adaptive_avg_pool_backward(const Tensor& grad_input, const Tensor& grad_output,
                                const PoolGeometry& g);
void adaptive_max_pool_forward(const Tensor& out, const Tensor& indices, const Tensor& input,
                               const PoolGeometry& g);

}  // namespace tg::kernels
