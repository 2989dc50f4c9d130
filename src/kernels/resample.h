// Separable resampling along one dim: interpolate's nearest, linear, cubic and area modes are each
// a small table of taps per output index, applied dim by dim, and their gradients apply the
// transposed tables.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

// Output index o of a dim reads the input indices idx[o * k + j] with weights w[o * k + j]
// (j < k). The weights are kept in both float and double, each computed in that precision, so
// that float32 inputs see the weights PyTorch computes in float.
struct ResampleTaps {
  int64_t in_size = 0;
  int64_t out_size = 0;
  int64_t k = 0;
  std::vector<int64_t> idx;
  std::vector<float> wf;
  std::vector<double> wd;
};

// out = x resampled along dim: x and out contiguous, of one floating dtype, equal except at dim
// (taps.in_size in x, taps.out_size in out).
void resample_dim(const Tensor& out, const Tensor& x, int64_t dim, const ResampleTaps& taps);
// The transpose: out (zeroed, size taps.in_size at dim) += the taps' weights times g (size
// taps.out_size at dim), both contiguous.
void resample_dim_transposed(const Tensor& out, const Tensor& g, int64_t dim,
                             const ResampleTaps& taps);

}  // namespace tg::kernels
