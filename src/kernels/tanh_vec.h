// tanh for float32 and its backward, written over GCC vector types. The backward is compiled for
// both SIMD widths (8 lanes in vec_math_avx2.cpp, 16 in vec_math_avx512.cpp); the forward here is
// the AVX2 one, since AVX-512 has a faster table-driven tanh (vec_math_avx512.cpp).
//
// Why not SLEEF's tanhf: it goes through expm1 and is accurate to 2.9 ulp (u35) or slow (u10,
// 4.5x the u35 time). tanh is the bulk of a small tanh network's step, so it gets its own kernel:
// 1.1 ulp at most over every float (checked exhaustively against double tanh), and 0.42 ns per
// element with AVX2 against 0.58 ns for SLEEF's u35.
//
// |x| < 0.9:  x + x^3 P(x^2), P a degree-5 fit of relative error 1.6e-8 on [0, 0.9];
// |x| >= 0.9: 1 - 2 / (exp(2|x|) + 1), with exp(r) = 1 + r + r^2 Q(r) after reduction by ln 2
//             (Q of degree 4, relative error 3e-9) and |x| capped at 20, where tanh is 1 in float.
// The sign is put back last, so tanh(-0) = -0; NaN goes through both branches as NaN.
//
// Internal linkage on purpose: each including file compiles its own copy for its instruction set.
#pragma once

#include <cstdint>
#include <cstring>

namespace tg::kernels {
namespace {

template <int W>
struct FloatVec {
  // typedef, not `using`: GCC drops vector_size from a dependent alias declaration.
  typedef float f __attribute__((vector_size(W * 4)));
  typedef int32_t i __attribute__((vector_size(W * 4)));
  static_assert(sizeof(f) == W * 4 && sizeof(i) == W * 4);
};

template <int W>
inline typename FloatVec<W>::f tanh_vec(typename FloatVec<W>::f x) {
  using F = typename FloatVec<W>::f;
  using I = typename FloatVec<W>::i;
  const I bits = (I)x;  // GCC vector casts reinterpret the bits
  const I sign = bits & static_cast<int32_t>(0x80000000u);
  const I abs_bits = bits & 0x7fffffff;
  const F a = (F)abs_bits;

  const F z = a * a;
  F p = z * 0.0013039724343403385f - 0.006860091983698642f;
  p = p * z + 0.020904165173132934f;
  p = p * z - 0.05372150931417492f;
  p = p * z + 0.1333036041143667f;
  p = p * z - 0.3333321221443431f;
  const F small = a + a * z * p;

  // a > 20 is false for NaN, which therefore stays NaN.
  const F a2 = 2.0f * (a > 20.0f ? F{} + 20.0f : a);
  // Round a2 / ln 2 to the nearest integer n with the 1.5 * 2^23 trick; its low bits are n.
  const F magic = F{} + 12582912.0f;
  const F t = a2 * 1.44269504088896341f + magic;
  const F n = t - magic;
  const I n_bits = (I)t - (I)magic;
  // r = a2 - n ln 2 in two steps (ln 2 split into a part exact in float and the rest).
  F r = a2 - n * 0.693145751953125f;
  r = r - n * 1.428606765330187045e-06f;
  F q = r * 0.0013814436247440842f + 0.00836871344646915f;
  q = q * r + 0.04166839063394784f;
  q = q * r + 0.16666520651935612f;
  q = q * r + 0.499999934376119f;
  F e = 1.0f + r + r * r * q;
  e = (F)((I)e + (n_bits << 23));  // times 2^n
  const F large = 1.0f - 2.0f / (e + 1.0f);

  const F y = a < 0.9f ? small : large;
  return (F)((I)y | sign);
}

// out[i] = tanh(in[i]) for all n; the tail goes through the same vector code (zero-padded), so
// an element's result never depends on its position.
template <int W>
inline void tanh_array(float* out, const float* in, int64_t n) {
  using F = typename FloatVec<W>::f;
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    F v;
    std::memcpy(&v, in + i, sizeof v);
    v = tanh_vec<W>(v);
    std::memcpy(out + i, &v, sizeof v);
  }
  if (i < n) {
    F v{};
    std::memcpy(&v, in + i, (n - i) * sizeof(float));
    v = tanh_vec<W>(v);
    std::memcpy(out + i, &v, (n - i) * sizeof(float));
  }
}

// tanh's backward, out = g * (1 - y*y), over whole vectors of W; returns how many leading elements
// it handled (the caller finishes the tail with std::fma). 1 - y*y is contracted to one fused
// multiply-add, as PyTorch's kernel rounds it (tests check the bits on every instruction set).
template <int W>
inline int64_t tanh_backward_array(float* out, const float* g, const float* y, int64_t n) {
  typedef float V __attribute__((vector_size(W * 4), aligned(4), may_alias));
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const V yv = *reinterpret_cast<const V*>(y + i);
    const V d = 1.0f - yv * yv;
    *reinterpret_cast<V*>(out + i) = *reinterpret_cast<const V*>(g + i) * d;
  }
  return i;
}

}  // namespace
}  // namespace tg::kernels
