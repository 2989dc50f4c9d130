// Convolution kernels: im2col/col2im over up to three spatial dims, and the three products a
// convolution is made of, each an unfold plus a GEMM per image and group.
#pragma once

#include <cstdint>

#include "core/tensor_impl.h"

namespace tg::kernels {

// The geometry shared by an "image" side (the padded, dilated side: a convolution's input, a
// transposed convolution's output) and a "column" side (one position per window). 1-d and 2-d
// problems set the leading dims to size 1 (kernel 1, stride 1, padding 0, dilation 1).
struct ConvShape {
  int64_t image[3];
  int64_t cols[3];
  int64_t kernel[3];
  int64_t stride[3];
  int64_t padding[3];
  int64_t dilation[3];
  int64_t image_numel() const { return image[0] * image[1] * image[2]; }
  int64_t cols_numel() const { return cols[0] * cols[1] * cols[2]; }
  int64_t kernel_numel() const { return kernel[0] * kernel[1] * kernel[2]; }
  // Kernel 1, stride 1, no padding: the columns are the image itself.
  bool is_pointwise() const;
};

// cols [N, C * K, L] = the windows of image [N, C, image...]; both contiguous, of one dtype.
void im2col(const Tensor& cols, const Tensor& image, const ConvShape& s);
// image [N, C, image...] = the sum of the windows cols [N, C * K, L] put back in place; image's
// prior content is overwritten.
void col2im(const Tensor& image, const Tensor& cols, const ConvShape& s);

// The three products, for `groups` groups. A side has Ca channels at the column positions, B has
// Cb channels on the image; the weight is [Ca, Cb / groups, K]. All tensors contiguous and of one
// floating dtype; bias is [Ca] or [Cb] (for the second) or undefined.
//   convolution:            a[n] = w * unfold(b[n]) + bias     (a: [N, Ca, cols...])
//   transposed convolution: b[n] = fold(w^T * a[n]) + bias     (b: [N, Cb, image...])
//   weight gradient:        w    = sum_n a[n] * unfold(b[n])^T
void conv_unfold_gemm(const Tensor& a, const Tensor& b, const Tensor& w, const Tensor& bias,
                      const ConvShape& s, int64_t groups);
void conv_gemm_fold(const Tensor& b, const Tensor& a, const Tensor& w, const Tensor& bias,
                    const ConvShape& s, int64_t groups);
void conv_weight_gemm(const Tensor& w, const Tensor& a, const Tensor& b, const ConvShape& s,
                      int64_t groups);

// Padding by index maps: out[..., i] = in[..., index[i]] along one dim of a contiguous tensor
// viewed as [outer, size, inner]; gather_add is its adjoint (out zeroed first).
void gather_dim(const Tensor& out, const Tensor& in, int64_t dim, const int64_t* index);
void gather_dim_backward(const Tensor& grad_in, const Tensor& grad_out, int64_t dim,
                         const int64_t* index);

}  // namespace tg::kernels
