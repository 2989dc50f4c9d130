// Scalar arithmetic that several kernels share: PyTorch's one-rounding multiply-add and integer
// powers.
#pragma once

#include <cmath>
#include <type_traits>

namespace tg::kernels {

// x + a * y with one rounding, as PyTorch's AVX2 CPU kernels compute add/sub with alpha
// (vec::fmadd, and an FMA-contracted scalar tail), so `p.add_(g, -lr)` matches it bit for bit. For
// float the product is exact in double and the double sum rounds to the same float as a true fma
// (except at exact float ties, never seen in 2e8 random trials); double uses std::fma.
template <typename T>
inline T mul_add(T a, T y, T x) {
  if constexpr (std::is_same_v<T, float>)
    return static_cast<float>(static_cast<double>(x) +
                              static_cast<double>(a) * static_cast<double>(y));
  else if constexpr (std::is_same_v<T, double>)
    return std::fma(a, y, x);
  else
    return x + a * y;
}

// base^exp. Integers by repeated squaring (std::pow would round through double); a negative
// integer exponent gives what PyTorch's integer pow gives: 1 or -1 for a base of 1 or -1, else 0.
template <typename T>
inline T int_pow(T base, T exp) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(base, exp);
  } else {
    if (exp < 0) return base == 1 ? 1 : (base == -1 ? (exp % 2 ? -1 : 1) : 0);
    T r = 1;
    while (exp) {
      if (exp & 1) r *= base;
      base *= base;
      exp >>= 1;
    }
    return r;
  }
}

}  // namespace tg::kernels
