// Per-element special functions and PyTorch's integer-aware arithmetic for the op lists'
// value columns (tensorgrad/ops/pointwise_ops.h): digamma and polygamma, erfinv, fmod and
// remainder with PyTorch's signs, xlogy, round to decimals.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tensorgrad/error.h"

namespace tg::kernels {

// digamma by the usual route: reflection for negative x, the recurrence psi(x) = psi(x + 1) -
// 1/x up to x >= 10, then the asymptotic series. It runs in T, as PyTorch's does, so float
// results round the way PyTorch's float kernel rounds them.
template <typename T>
T digamma_of(T x) {
  constexpr double kPi = 3.14159265358979323846;
  if (x == 0) return std::copysign(std::numeric_limits<T>::infinity(), -x);
  if (x < 0) {
    if (x == std::trunc(x)) return std::numeric_limits<T>::quiet_NaN();
    // pi / tan(pi * r) has period 1, so only the fractional part r of x enters it.
    const double r = static_cast<double>(x) - std::trunc(static_cast<double>(x));
    return digamma_of<T>(T(1) - x) - static_cast<T>(kPi / std::tan(kPi * r));
  }
  T result = 0;
  while (x < T(10)) {
    result -= T(1) / x;
    x += T(1);
  }
  if (x == T(10)) return result + T(2.25175258906672110764);  // psi(10)
  // -sum B_2k / (2k x^2k), k = 1..7, in Horner form in z = 1/x^2.
  T y = 0;
  if (x < T(1.0e17)) {
    const T z = T(1) / (x * x);
    y = z * (T(8.33333333333333333333E-2) +
             z * (T(-8.33333333333333333333E-3) +
                  z * (T(3.96825396825396825397E-3) +
                       z * (T(-4.16666666666666666667E-3) +
                            z * (T(7.57575757575757575758E-3) +
                                 z * (T(-2.10927960927960927961E-2) +
                                      z * T(8.33333333333333333333E-2)))))));
  }
  return result + std::log(x) - (T(0.5) / x) - y;
}

// The Hurwitz zeta function sum_k (q + k)^-s for s > 1, by direct summation up to q >= 10 and
// the Euler-Maclaurin formula for the rest.
inline double hurwitz_zeta(double s, double q) {
  if (q <= 0 && q == std::floor(q)) return std::numeric_limits<double>::infinity();
  double sum = 0;
  while (q < 10) {
    sum += std::pow(q, -s);
    q += 1;
  }
  sum += std::pow(q, 1 - s) / (s - 1) + 0.5 * std::pow(q, -s);
  // B_2k for k = 1..12.
  static constexpr double kB2k[] = {
      1.0 / 6, -1.0 / 30,     1.0 / 42,      -1.0 / 30,       5.0 / 66,       -691.0 / 2730,
      7.0 / 6, -3617.0 / 510, 43867.0 / 798, -174611.0 / 330, 854513.0 / 138, -236364091.0 / 2730};
  double factorial = 1;                // (2k)!
  double rising = s;                   // s (s + 1) ... (s + 2k - 2)
  double power = std::pow(q, -s - 1);  // q^(-s - 2k + 1)
  for (int k = 1; k <= 12; ++k) {
    factorial *= (2.0 * k - 1) * (2.0 * k);
    sum += kB2k[k - 1] / factorial * rising * power;
    rising *= (s + 2 * k - 1) * (s + 2 * k);
    power /= q * q;
  }
  return sum;
}

// trigamma (polygamma 1) as PyTorch computes it: reflection below 1/2, six steps of the
// recurrence, then three terms of the asymptotic series. Its results differ from the exact
// values by up to about 1e-9 relative; matching them keeps gradients of digamma and lgamma equal
// to PyTorch's.
template <typename T>
T trigamma_of(T x) {
  constexpr T kPi = T(3.14159265358979323846);
  T sign = 1;
  T result = 0;
  if (x < T(0.5)) {
    sign = -1;
    const T sin_pi_x = std::sin(kPi * x);
    result -= (kPi * kPi) / (sin_pi_x * sin_pi_x);
    x = T(1) - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += T(1) / (x * x);
    x += T(1);
  }
  const T ixx = T(1) / (x * x);
  result += (T(1) + T(1) / (T(2) * x) +
             ixx * (T(1) / T(6) - ixx * (T(1) / T(30) - ixx * (T(1) / T(42))))) /
            x;
  return sign * result;
}

// The n-th derivative of digamma: (-1)^(n+1) n! zeta(n + 1, x) for n >= 2.
template <typename T>
T polygamma_of(int64_t n, T x) {
  if (n == 0) return digamma_of(x);
  if (n == 1) return trigamma_of(x);
  double factorial = 1;
  for (int64_t k = 2; k <= n; ++k) factorial *= static_cast<double>(k);
  const double sign = n % 2 ? 1.0 : -1.0;
  return static_cast<T>(sign * factorial * hurwitz_zeta(static_cast<double>(n + 1), x));
}

// The inverse error function: a closed-form first guess (good to about 2e-3) refined by
// Halley's method on erf(x) - y, whose third step leaves double rounding error only.
template <typename T>
T erfinv_of(T y_in) {
  const double y = static_cast<double>(y_in);
  if (std::isnan(y) || y < -1 || y > 1) return std::numeric_limits<T>::quiet_NaN();
  if (y == 1 || y == -1) return std::copysign(std::numeric_limits<T>::infinity(), y_in);
  if (y == 0) return y_in;
  constexpr double kA = 0.147, kTwoOverPiA = 2 / (3.14159265358979323846 * 0.147);
  const double l = std::log((1 - y) * (1 + y));
  const double t = kTwoOverPiA + l / 2;
  double x = std::copysign(std::sqrt(std::sqrt(t * t - l / kA) - t), y);
  constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
  for (int i = 0; i < 3; ++i) {
    const double f = std::erf(x) - y;
    if (f == 0) break;
    const double df = kTwoOverSqrtPi * std::exp(-x * x);
    x -= f / (df + x * f);
  }
  return static_cast<T>(x);
}

// Integer division by zero is an error in PyTorch, as in Python.
template <typename T>
void check_int_divisor(T b) {
  if constexpr (std::is_integral_v<T>) {
    TG_CHECK(b != 0, "ZeroDivisionError");
  }
}

// C's fmod: the result takes the dividend's sign.
template <typename T>
T fmod_of(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    check_int_divisor(b);
    return a % b;
  } else {
    return std::fmod(a, b);
  }
}

// Python's %: the result takes the divisor's sign.
template <typename T>
T remainder_of(T a, T b) {
  T mod;
  if constexpr (std::is_integral_v<T>) {
    check_int_divisor(b);
    mod = a % b;
  } else {
    mod = std::fmod(a, b);
  }
  if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
  return mod;
}

// a * log(b), with 0 where a is 0 (unless b is NaN).
template <typename T>
T xlogy_of(T a, T b) {
  if (std::isnan(b)) return b;
  if (a == 0) return 0;
  return a * std::log(b);
}

// Round half to even at `decimals` digits after the point (before it, when negative), scaling
// by 10^|decimals| in T as PyTorch does.
template <typename T>
T round_decimals(T x, double decimals) {
  auto d = static_cast<int64_t>(decimals);
  const bool negative = d < 0;
  if (negative) d = -d;
  const T ten_pow = static_cast<T>(std::pow(10, d));
  return negative ? std::nearbyint(x / ten_pow) * ten_pow : std::nearbyint(x * ten_pow) / ten_pow;
}

}  // namespace tg::kernels
