// The one-rounding multiply-add that PyTorch's CPU kernels use for `x + alpha * y`.
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

}  // namespace tg::kernels
