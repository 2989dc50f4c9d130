// The loops of separable resampling. A contiguous tensor is seen as [outer, size at dim, inner];
// the innermost loop runs over `inner` (the whole rows below the dim) so that it vectorises.
#include "kernels/resample.h"

#include <algorithm>

#include "core/parallel.h"
#include "kernels/dispatch.h"

namespace tg::kernels {

namespace {

void split_at(IntArrayRef sizes, int64_t dim, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= sizes[i];
  for (int64_t i = dim + 1; i < static_cast<int64_t>(sizes.size()); ++i) inner *= sizes[i];
}

template <typename T>
const T* weights_of(const ResampleTaps& t);
template <>
const float* weights_of<float>(const ResampleTaps& t) {
  return t.wf.data();
}
template <>
const double* weights_of<double>(const ResampleTaps& t) {
  return t.wd.data();
}

}  // namespace

void resample_dim(const Tensor& out, const Tensor& x, int64_t dim, const ResampleTaps& taps) {
  int64_t outer = 0, inner = 0;
  split_at(impl_of(x)->sizes, dim, outer, inner);
  const int64_t in_n = taps.in_size, out_n = taps.out_size, k = taps.k;
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "interpolate", [&] {
    const scalar_t* src = impl_of(x)->data_as<scalar_t>();
    scalar_t* dst = impl_of(out)->data_as<scalar_t>();
    const scalar_t* w = weights_of<scalar_t>(taps);
    const int64_t* idx = taps.idx.data();
    const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(inner * k, 1));
    parallel_for(
        0, outer * out_n, grain,
        [&](int64_t begin, int64_t end) {
          for (int64_t r = begin; r < end; ++r) {
            const int64_t b = r / out_n, o = r % out_n;
            const scalar_t* base = src + b * in_n * inner;
            scalar_t* d = dst + r * inner;
            const int64_t* ix = idx + o * k;
            const scalar_t* wo = w + o * k;
            if (inner == 1) {
              scalar_t acc = wo[0] * base[ix[0]];
              for (int64_t j = 1; j < k; ++j) acc += wo[j] * base[ix[j]];
              *d = acc;
              continue;
            }
            {
              const scalar_t* s = base + ix[0] * inner;
              const scalar_t w0 = wo[0];
              for (int64_t i = 0; i < inner; ++i) d[i] = w0 * s[i];
            }
            for (int64_t j = 1; j < k; ++j) {
              const scalar_t* s = base + ix[j] * inner;
              const scalar_t wj = wo[j];
              for (int64_t i = 0; i < inner; ++i) d[i] += wj * s[i];
            }
          }
        },
        1);
  });
}

void resample_dim_transposed(const Tensor& out, const Tensor& g, int64_t dim,
                             const ResampleTaps& taps) {
  int64_t outer = 0, inner = 0;
  split_at(impl_of(g)->sizes, dim, outer, inner);
  const int64_t in_n = taps.in_size, out_n = taps.out_size, k = taps.k;
  TG_DISPATCH_FLOATING(impl_of(g)->dtype, "interpolate_backward", [&] {
    const scalar_t* src = impl_of(g)->data_as<scalar_t>();
    scalar_t* dst = impl_of(out)->data_as<scalar_t>();
    const scalar_t* w = weights_of<scalar_t>(taps);
    const int64_t* idx = taps.idx.data();
    // Several output indices add into one input index, so a piece of work is a whole
    // [size at dim] slab of one outer index, cut along inner where outer alone is too short.
    const int64_t pieces = std::max<int64_t>(1, std::min<int64_t>(inner, 64));
    const int64_t width = (inner + pieces - 1) / pieces;
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(out_n * k * width, 1));
    parallel_for(
        0, outer * pieces, grain,
        [&](int64_t begin, int64_t end) {
          for (int64_t r = begin; r < end; ++r) {
            const int64_t b = r / pieces, p = r % pieces;
            const int64_t i0 = p * width, i1 = std::min(inner, i0 + width);
            if (i0 >= i1) continue;
            const scalar_t* gs = src + b * out_n * inner;
            scalar_t* d = dst + b * in_n * inner;
            for (int64_t o = 0; o < out_n; ++o) {
              const scalar_t* go = gs + o * inner;
              for (int64_t j = 0; j < k; ++j) {
                const scalar_t wj = w[o * k + j];
                scalar_t* di = d + idx[o * k + j] * inner;
                for (int64_t i = i0; i < i1; ++i) di[i] += wj * go[i];
              }
            }
          }
        },
        1);
  });
}

}  // namespace tg::kernels
