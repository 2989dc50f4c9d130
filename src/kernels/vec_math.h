// Vectorised transcendental functions (SLEEF, AVX2) over contiguous arrays. The functions process
// whole blocks of 16 floats / 8 doubles, as PyTorch's vectorised loop does, and return how many
// leading elements they handled; the caller finishes the tail with the scalar libm function. That
// block structure, with the same SLEEF functions, is why our exp/log/sin/cos give PyTorch's float32
// values bit for bit. float tanh is our own (tanh_vec.h, vec_math_avx512.cpp): at most 1.1 ulp,
// and it handles every element.
#pragma once

#include <cstdint>

#include "kernels/cpu.h"
#include "kernels/unary.h"

namespace tg::kernels {

// tanh over all n floats: tanh_vec.h's kernel with 8 lanes (needs has_avx2()), or the
// per-interval polynomials of vec_math_avx512.cpp with 16 (has_avx512()).
void vec_tanh_f32_avx2(float* out, const float* in, int64_t n);
void vec_tanh_f32_avx512(float* out, const float* in, int64_t n);
int64_t vec_unary_f32(UnaryOp op, float* out, const float* in, int64_t n);
int64_t vec_unary_f64(UnaryOp op, double* out, const double* in, int64_t n);
// out = g * (1 - y*y), with 1 - y*y rounded once (a fused multiply-add), as PyTorch's kernel.
int64_t vec_tanh_backward_f32(float* out, const float* g, const float* y, int64_t n);
int64_t vec_tanh_backward_f32_avx512(float* out, const float* g, const float* y, int64_t n);

}  // namespace tg::kernels
