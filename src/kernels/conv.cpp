// im2col/col2im and the convolution products. Each image is unfolded into a reused column buffer
// and multiplied by the weight with kernels::gemm (OpenBLAS for the large products). With several
// threads, a batch is split over them by whole images (image_pieces says when); a few large
// images go one after another, with the BLAS and the unfolding (parallel_for over channels)
// threaded inside each. docs/performance.md ("Convolution") says why this and not a direct or
// Winograd kernel.
#include "kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "kernels/blas.h"
#include "kernels/dispatch.h"
#include "kernels/gemm.h"

namespace tg::kernels {

bool ConvShape::is_pointwise() const {
  for (int i = 0; i < 3; ++i)
    if (kernel[i] != 1 || stride[i] != 1 || padding[i] != 0 || image[i] != cols[i]) return false;
  return true;
}

namespace {

// The first and one-past-last column position o along one dim whose input index
// o * stride - padding + offset falls inside [0, size).
inline void valid_range(int64_t size, int64_t n_out, int64_t stride, int64_t start, int64_t& lo,
                        int64_t& hi) {
  // o * stride + start >= 0  and  o * stride + start < size
  lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
  hi = size - start <= 0 ? 0 : (size - start + stride - 1) / stride;
  lo = std::min(lo, n_out);
  hi = std::min(std::max(hi, lo), n_out);
}

// Unfolds (or, with Fold, folds back by accumulation) channels [c0, c1) of one image.
template <typename T, bool Fold>
void unfold_channels(T* im, T* col, int64_t c0, int64_t c1, const ConvShape& s) {
  const int64_t K = s.kernel_numel(), L = s.cols_numel(), I = s.image_numel();
  const int64_t OD = s.cols[0], OH = s.cols[1], OW = s.cols[2];
  const int64_t ID = s.image[0], IH = s.image[1], IW = s.image[2];
  for (int64_t c = c0; c < c1; ++c) {
    T* imc = im + c * I;
    for (int64_t kd = 0; kd < s.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < s.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < s.kernel[2]; ++kw) {
          const int64_t row = c * K + (kd * s.kernel[1] + kh) * s.kernel[2] + kw;
          T* colr = col + row * L;
          const int64_t sd = kd * s.dilation[0] - s.padding[0];
          const int64_t sh = kh * s.dilation[1] - s.padding[1];
          const int64_t sw = kw * s.dilation[2] - s.padding[2];
          int64_t wlo, whi;
          valid_range(IW, OW, s.stride[2], sw, wlo, whi);
          for (int64_t od = 0; od < OD; ++od) {
            const int64_t id = od * s.stride[0] + sd;
            const bool din = id >= 0 && id < ID;
            for (int64_t oh = 0; oh < OH; ++oh) {
              T* dst = colr + (od * OH + oh) * OW;
              const int64_t ih = oh * s.stride[1] + sh;
              if (!din || ih < 0 || ih >= IH) {
                if constexpr (!Fold) std::fill(dst, dst + OW, T(0));
                continue;
              }
              T* src = imc + (id * IH + ih) * IW;
              const int64_t st = s.stride[2];
              if constexpr (!Fold) {
                std::fill(dst, dst + wlo, T(0));
                if (st == 1) {
                  if (whi > wlo) std::memcpy(dst + wlo, src + wlo + sw, (whi - wlo) * sizeof(T));
                } else {
                  for (int64_t ow = wlo; ow < whi; ++ow) dst[ow] = src[ow * st + sw];
                }
                std::fill(dst + whi, dst + OW, T(0));
              } else {
                for (int64_t ow = wlo; ow < whi; ++ow) src[ow * st + sw] += dst[ow];
              }
            }
          }
        }
  }
}

// Runs unfold_channels over all channels of one image, split over the pool's threads.
template <typename T, bool Fold>
void unfold_image(T* im, T* col, int64_t channels, const ConvShape& s) {
  const int64_t per_channel = std::max<int64_t>(1, s.kernel_numel() * s.cols_numel());
  const int64_t grain = std::max<int64_t>(1, kGrainSize / per_channel);
  if (Fold) std::fill(im, im + channels * s.image_numel(), T(0));
  parallel_for(
      0, channels, grain,
      [&](int64_t c0, int64_t c1) { unfold_channels<T, Fold>(im, col, c0, c1, s); }, 1);
}

// A [rows, cols] matrix inside t, row-major with leading dimension ld, starting `offset`
// elements after t's first element.
Tensor matrix(const Tensor& t, int64_t rows, int64_t cols, int64_t ld, int64_t offset) {
  return make_view(t, {rows, cols}, {ld, 1}, t.storage_offset() + offset);
}
// Its transpose, as a strided view (gemm hands it to BLAS as transposed).
Tensor matrix_t(const Tensor& t, int64_t rows, int64_t cols, int64_t ld, int64_t offset) {
  return make_view(t, {cols, rows}, {1, ld}, t.storage_offset() + offset);
}

// Fills each [channels, L] plane of out with bias[c] (zeros without a bias).
template <typename T>
void fill_bias(T* out, const Tensor& bias, int64_t n, int64_t channels, int64_t L) {
  const T* b = bias.defined() ? impl_of(bias)->data_as<T>() : nullptr;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      T* p = out + (i * channels + c) * L;
      std::fill(p, p + L, b ? b[c] : T(0));
    }
}

// One image's unfolded columns, [channels * kernel, positions] for the image side b; none for a
// pointwise convolution, which reads and writes the image itself.
Tensor column_buffer(const Tensor& b, const ConvShape& s) {
  if (s.is_pointwise()) return Tensor();
  return make_empty({b.size(1) * s.kernel_numel(), s.cols_numel()}, b.scalar_type());
}

// Image n of b as the [channels * kernel, positions] matrix the products read: unfolded into col,
// or b's own elements for a pointwise convolution. The tensor and the matrix's offset in it.
template <typename T>
std::pair<Tensor, int64_t> image_columns(const Tensor& b, const Tensor& col, int64_t n,
                                         const ConvShape& s) {
  const int64_t channels = b.size(1), offset = n * channels * s.image_numel();
  if (s.is_pointwise()) return {b, offset};
  unfold_image<T, false>(impl_of(b)->data_as<T>() + offset, impl_of(col)->data_as<T>(), channels,
                         s);
  return {col, 0};
}

// How a product over N images is split. With several threads, whole images go to each thread,
// with a column buffer of its own and the BLAS running each product on its caller's thread:
// when there are at least as many images as threads, or when one image's product (`macs`
// multiply-adds) is too small for the BLAS to share out well. LeNet's products (0.1-0.2 M
// multiply-adds) are below OpenBLAS's own threading threshold, so a split inside each image would
// leave every thread but one idle, and waking the pool per image cost more than the work (a
// LeNet step took 2x as long at 2 threads as at 1 before this). Otherwise (a few large images),
// one image after another, each product threaded by the BLAS.
int64_t image_pieces(int64_t n, int64_t macs) {
  constexpr int64_t kThreadedProductMacs = int64_t{1} << 22;
  const int threads = get_num_threads();
  if (threads <= 1 || n <= 1 || detail::in_parallel_region()) return 1;
  if (n >= threads || macs < kThreadedProductMacs) return std::min<int64_t>(threads, n);
  return 1;
}

// Calls body(piece, first_image, end_image) for `pieces` consecutive ranges of [0, n), each on
// its own thread.
template <typename F>
void for_each_piece(int64_t n, int64_t pieces, F&& body) {
  if (pieces <= 1) {
    body(int64_t{0}, int64_t{0}, n);
    return;
  }
  blas::SingleThreaded serial_blas;
  parallel_for(
      0, pieces, 1,
      [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) body(p, p * n / pieces, (p + 1) * n / pieces);
      },
      1);
}

}  // namespace

void im2col(const Tensor& cols, const Tensor& image, const ConvShape& s) {
  const int64_t n = image.size(0), c = image.size(1);
  TG_DISPATCH_NUMERIC(image.scalar_type(), "im2col", [&] {
    scalar_t* im = impl_of(image)->data_as<scalar_t>();
    scalar_t* col = impl_of(cols)->data_as<scalar_t>();
    for (int64_t i = 0; i < n; ++i)
      unfold_image<scalar_t, false>(im + i * c * s.image_numel(),
                                    col + i * c * s.kernel_numel() * s.cols_numel(), c, s);
  });
}

void col2im(const Tensor& image, const Tensor& cols, const ConvShape& s) {
  const int64_t n = image.size(0), c = image.size(1);
  TG_DISPATCH_NUMERIC(image.scalar_type(), "col2im", [&] {
    scalar_t* im = impl_of(image)->data_as<scalar_t>();
    scalar_t* col = impl_of(cols)->data_as<scalar_t>();
    for (int64_t i = 0; i < n; ++i)
      unfold_image<scalar_t, true>(im + i * c * s.image_numel(),
                                   col + i * c * s.kernel_numel() * s.cols_numel(), c, s);
  });
}

void conv_unfold_gemm(const Tensor& a, const Tensor& b, const Tensor& w, const Tensor& bias,
                      const ConvShape& s, int64_t groups) {
  const int64_t N = a.size(0), Ca = a.size(1), Cb = b.size(1);
  const int64_t K = s.kernel_numel(), L = s.cols_numel();
  const int64_t ca = Ca / groups, cb = Cb / groups, rows = cb * K;
  TG_DISPATCH_NUMERIC(a.scalar_type(), "convolution", [&] {
    fill_bias<scalar_t>(impl_of(a)->data_as<scalar_t>(), bias, N, Ca, L);
    for_each_piece(N, image_pieces(N, Ca * rows * L), [&](int64_t, int64_t n0, int64_t n1) {
      const Tensor col = column_buffer(b, s);
      for (int64_t n = n0; n < n1; ++n) {
        const auto [src, src_offset] = image_columns<scalar_t>(b, col, n, s);
        for (int64_t g = 0; g < groups; ++g)
          gemm(matrix(a, ca, L, L, (n * Ca + g * ca) * L), matrix(w, ca, rows, rows, g * ca * rows),
               matrix(src, rows, L, L, src_offset + g * rows * L), 1.0, 1.0);
      }
    });
  });
}

void conv_gemm_fold(const Tensor& b, const Tensor& a, const Tensor& w, const Tensor& bias,
                    const ConvShape& s, int64_t groups) {
  const int64_t N = a.size(0), Ca = a.size(1), Cb = b.size(1);
  const int64_t K = s.kernel_numel(), L = s.cols_numel(), I = s.image_numel();
  const int64_t ca = Ca / groups, cb = Cb / groups, rows = cb * K;
  const bool pointwise = s.is_pointwise();
  TG_DISPATCH_NUMERIC(a.scalar_type(), "conv_transpose", [&] {
    scalar_t* out = impl_of(b)->data_as<scalar_t>();
    for_each_piece(N, image_pieces(N, Ca * rows * L), [&](int64_t, int64_t n0, int64_t n1) {
      const Tensor col = column_buffer(b, s);
      for (int64_t n = n0; n < n1; ++n) {
        // A pointwise product writes the image directly; otherwise the columns, folded after.
        const Tensor& dst = pointwise ? b : col;
        const int64_t dst_offset = pointwise ? n * Cb * I : 0;
        for (int64_t g = 0; g < groups; ++g)
          gemm(matrix(dst, rows, L, L, dst_offset + g * rows * L),
               matrix_t(w, ca, rows, rows, g * ca * rows),
               matrix(a, ca, L, L, (n * Ca + g * ca) * L), 1.0, 0.0);
        if (!pointwise)
          unfold_image<scalar_t, true>(out + n * Cb * I, impl_of(col)->data_as<scalar_t>(), Cb, s);
      }
    });
    if (bias.defined()) {
      const scalar_t* bv = impl_of(bias)->data_as<scalar_t>();
      for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < Cb; ++c) {
          scalar_t* p = out + (n * Cb + c) * I;
          for (int64_t i = 0; i < I; ++i) p[i] += bv[c];
        }
    }
  });
}

void conv_weight_gemm(const Tensor& w, const Tensor& a, const Tensor& b, const ConvShape& s,
                      int64_t groups) {
  const int64_t N = a.size(0), Ca = a.size(1), Cb = b.size(1);
  const int64_t K = s.kernel_numel(), L = s.cols_numel();
  const int64_t ca = Ca / groups, cb = Cb / groups, rows = cb * K;
  TG_DISPATCH_NUMERIC(a.scalar_type(), "convolution_backward", [&] {
    const int64_t pieces = image_pieces(N, Ca * rows * L);
    // The first piece sums into w; each other piece into a buffer of its own, added to w in piece
    // order afterwards, so that a given thread count always gives the same bits. The buffers are
    // allocated here, on the thread that frees them: the buffer pools are per thread, and blocks
    // taken on a worker and given back here would pile up in this thread's pool step after step.
    std::vector<Tensor> partial(static_cast<size_t>(pieces));
    partial[0] = w;
    for (int64_t p = 1; p < pieces; ++p)
      partial[static_cast<size_t>(p)] = make_empty({Ca * rows}, w.scalar_type());
    for_each_piece(N, pieces, [&](int64_t p, int64_t n0, int64_t n1) {
      const Tensor& dst = partial[static_cast<size_t>(p)];
      scalar_t* dp = impl_of(dst)->data_as<scalar_t>();
      std::fill(dp, dp + Ca * rows, scalar_t(0));
      const Tensor col = column_buffer(b, s);
      for (int64_t n = n0; n < n1; ++n) {
        const auto [src, src_offset] = image_columns<scalar_t>(b, col, n, s);
        for (int64_t g = 0; g < groups; ++g)
          gemm(matrix(dst, ca, rows, rows, g * ca * rows),
               matrix(a, ca, L, L, (n * Ca + g * ca) * L),
               matrix_t(src, rows, L, L, src_offset + g * rows * L), 1.0, 1.0);
      }
    });
    scalar_t* wp = impl_of(w)->data_as<scalar_t>();
    for (int64_t p = 1; p < pieces; ++p) {
      const scalar_t* q = impl_of(partial[static_cast<size_t>(p)])->data_as<scalar_t>();
      for (int64_t i = 0; i < Ca * rows; ++i) wp[i] += q[i];
    }
  });
}

namespace {
template <typename T, bool Backward>
void gather_loop(T* out, T* in, int64_t outer, int64_t out_size, int64_t in_size, int64_t inner,
                 const int64_t* index) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < out_size; ++i) {
      T* dst = out + (o * out_size + i) * inner;
      T* src = in + (o * in_size + index[i]) * inner;
      if constexpr (Backward) {
        for (int64_t k = 0; k < inner; ++k) src[k] += dst[k];
      } else {
        std::memcpy(dst, src, inner * sizeof(T));
      }
    }
}

void dims_around(const Tensor& t, int64_t dim, int64_t& outer, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= t.size(d);
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
}
}  // namespace

void gather_dim(const Tensor& out, const Tensor& in, int64_t dim, const int64_t* index) {
  int64_t outer, inner;
  dims_around(out, dim, outer, inner);
  TG_DISPATCH_ALL(in.scalar_type(), "pad", [&] {
    gather_loop<scalar_t, false>(impl_of(out)->data_as<scalar_t>(),
                                 impl_of(in)->data_as<scalar_t>(), outer, out.size(dim),
                                 in.size(dim), inner, index);
  });
}

void gather_dim_backward(const Tensor& grad_in, const Tensor& grad_out, int64_t dim,
                         const int64_t* index) {
  int64_t outer, inner;
  dims_around(grad_out, dim, outer, inner);
  TG_DISPATCH_FLOATING(grad_in.scalar_type(), "pad_backward", [&] {
    scalar_t* gi = impl_of(grad_in)->data_as<scalar_t>();
    std::fill(gi, gi + grad_in.numel(), scalar_t(0));
    gather_loop<scalar_t, true>(impl_of(grad_out)->data_as<scalar_t>(), gi, outer,
                                grad_out.size(dim), grad_in.size(dim), inner, index);
  });
}

}  // namespace tg::kernels
