// PyTorch 1.13's CPU random-number transforms over raw buffers, bit for bit as its x86-64 build
// with AVX2 computes them (see docs and /work/shared/pytorch-rng.md). Internal: the tensor-level
// ops in random_ops.cpp call these, and tests call them directly.
//
// Every function draws from the generator in exactly PyTorch's order, so that a stream shared by
// several calls stays in step with PyTorch's.
#pragma once

#include <cstdint>
#include <vector>

#include "tensorgrad/random.h"

namespace tg::rng {

// ---- uniform values in [0, 1) from one draw

// float32: 24 random bits of one random(), times 2^-24.
float uniform_float(Generator& gen);
// float64: 53 random bits of one random64(), times 2^-53.
double uniform_double(Generator& gen);

// ---- uniform_(from, to): one fused multiply-add per element, in the buffer's type.
void fill_uniform(float* data, int64_t n, float from, float to, Generator& gen);
void fill_uniform(double* data, int64_t n, double from, double to, Generator& gen);

// ---- normal

// The scalar path: one value of the double Box-Muller with the generator's one-value cache.
double normal_scalar(Generator& gen, double mean, double std);

// The vectorised paths (contiguous buffers of at least 16 elements): n uniforms, Box-Muller on
// blocks of 16 (first half cos, second half sin), and when n % 16 != 0 a redraw of the last 16.
// Neither reads nor writes the generator's cache.
void normal_fill_vectorized(float* data, int64_t n, float mean, float std, Generator& gen);
void normal_fill_vectorized(double* data, int64_t n, double mean, double std, Generator& gen);

// The 16-element Box-Muller block of the float32 path, on uniforms already in data[0..16):
// data[j] = fma(r * cos(t), std, mean), data[j + 8] = fma(r * sin(t), std, mean) for j < 8, with
// r = sqrt(-2 log(1 - data[j])), t = 6.2831855f * data[j + 8], and log, sin, cos the Cephes
// polynomials of PyTorch's avx_mathfun.h. Two implementations that give identical bits: portable
// C++ with std::fma, and AVX2/FMA intrinsics (normal_avx2.cpp; call it only when
// kernels::has_avx2()).
void normal_block16_portable(float* data, float mean, float std);
void normal_block16_avx2(float* data, float mean, float std);
// Forces the portable block even where AVX2 is available (for tests); returns the old setting.
bool set_force_portable(bool force);

// The scalar versions of log256_ps and sincos256_ps, evaluated with the same operations and
// roundings as the AVX2 code in PyTorch's binary (Horner steps fused). Defined for the inputs
// the normal path gives them: log on (0, 1], sincos on [0, 2 pi).
float cephes_logf(float x);
void cephes_sincosf(float x, float* s, float* c);

// ---- linspace: PyTorch's vectorised kernel, including the split of the range among
// `num_threads` threads when steps > 32768 (each piece has its own vector/scalar split).
// start and end are already converted to the output type (PyTorch converts first). steps >= 2.
void linspace_fill(float* out, int64_t steps, float start, float end, int num_threads);
void linspace_fill(double* out, int64_t steps, double start, double end, int num_threads);
void linspace_fill(int64_t* out, int64_t steps, int64_t start, int64_t end, int num_threads);

// ---- integers

// One value of random_(from, to) before the conversion to the tensor's type: (draw % range) + base
// with a 64-bit draw when `wide` (range >= 2^32 for int64/float/double tensors), else 32-bit.
int64_t random_from_to(Generator& gen, uint64_t range, int64_t base, bool wide);
// randperm's Fisher-Yates of PyTorch 1.13 (for every n): out = 0..n-1, then for i < n - 1 swap
// out[i] with out[i + random() % (n - i)].
void randperm_fill(int64_t* out, int64_t n, Generator& gen);

// ---- element order

// The order in which PyTorch's TensorIterator visits the elements of a tensor with these sizes
// and strides (and in which empty_like lays out a copy of it): a permutation of the dims, fastest
// first. Insertion sort by stride, ties broken by size, stride-0 dims left in place; this is
// memory order for tensors whose elements do not overlap.
std::vector<int64_t> iteration_order(const int64_t* sizes, const int64_t* strides, int64_t ndim);
// PyTorch's is_contiguous: row-major strides, ignoring dims of size 1.
bool is_row_major(const int64_t* sizes, const int64_t* strides, int64_t ndim);

}  // namespace tg::rng
