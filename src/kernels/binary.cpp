#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/loops.h"
#include "kernels/scalar_math.h"

namespace tg::kernels {
namespace {

template <typename T>
T py_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a > b ? a : b;
}
template <typename T>
T py_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a < b ? a : b;
}

}  // namespace

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  const ScalarType t = impl_of(a)->dtype;
  switch (op) {
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::LogicalAnd:
    case BinaryOp::LogicalOr:
      TG_DISPATCH_ALL(t, "compare", [&] {
        switch (op) {
          case BinaryOp::Eq:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x == y; });
            break;
          case BinaryOp::Ne:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x != y; });
            break;
          case BinaryOp::Lt:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x < y; });
            break;
          case BinaryOp::Le:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x <= y; });
            break;
          case BinaryOp::Gt:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x > y; });
            break;
          case BinaryOp::Ge:
            binary_loop<bool, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x >= y; });
            break;
          case BinaryOp::LogicalAnd:
            binary_loop<bool, scalar_t>(out, a, b,
                                        [](scalar_t x, scalar_t y) { return bool(x) && bool(y); });
            break;
          case BinaryOp::LogicalOr:
            binary_loop<bool, scalar_t>(out, a, b,
                                        [](scalar_t x, scalar_t y) { return bool(x) || bool(y); });
            break;
          default:
            break;
        }
      });
      return;
    default:
      break;
  }
  if (t == kBool) {
    // bool arithmetic as PyTorch defines it: add is logical or, mul is logical and.
    switch (op) {
      case BinaryOp::Add:
        binary_loop<bool, bool>(out, a, b, [](bool x, bool y) { return x || y; });
        return;
      case BinaryOp::Mul:
        binary_loop<bool, bool>(out, a, b, [](bool x, bool y) { return x && y; });
        return;
      case BinaryOp::Maximum:
        binary_loop<bool, bool>(out, a, b, [](bool x, bool y) { return x || y; });
        return;
      case BinaryOp::Minimum:
        binary_loop<bool, bool>(out, a, b, [](bool x, bool y) { return x && y; });
        return;
      default:
        TG_ERROR("binary op: not supported for bool tensors");
    }
  }
  TG_DISPATCH_NUMERIC(t, "binary", [&] {
    switch (op) {
      case BinaryOp::Add: {
        const scalar_t al = alpha.to<scalar_t>();
        if (al == scalar_t(1))
          binary_loop<scalar_t, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x + y; });
        else
          binary_loop<scalar_t, scalar_t>(
              out, a, b, [al](scalar_t x, scalar_t y) { return mul_add(al, y, x); });
        break;
      }
      case BinaryOp::Sub: {
        const scalar_t al = alpha.to<scalar_t>();
        if (al == scalar_t(1))
          binary_loop<scalar_t, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x - y; });
        else
          binary_loop<scalar_t, scalar_t>(
              out, a, b, [al](scalar_t x, scalar_t y) { return mul_add(scalar_t(-al), y, x); });
        break;
      }
      case BinaryOp::Mul:
        binary_loop<scalar_t, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x * y; });
        break;
      case BinaryOp::Div:
        if constexpr (std::is_integral_v<scalar_t>) {
          TG_ERROR("div: integer division must be done in floating point");
        } else {
          binary_loop<scalar_t, scalar_t>(out, a, b, [](scalar_t x, scalar_t y) { return x / y; });
        }
        break;
      case BinaryOp::Pow:
        if constexpr (std::is_integral_v<scalar_t>) {
          binary_loop<scalar_t, scalar_t>(out, a, b,
                                          [](scalar_t x, scalar_t y) { return int_pow(x, y); });
        } else {
          binary_loop<scalar_t, scalar_t>(out, a, b,
                                          [](scalar_t x, scalar_t y) { return std::pow(x, y); });
        }
        break;
      case BinaryOp::Maximum:
        binary_loop<scalar_t, scalar_t>(out, a, b,
                                        [](scalar_t x, scalar_t y) { return py_max(x, y); });
        break;
      case BinaryOp::Minimum:
        binary_loop<scalar_t, scalar_t>(out, a, b,
                                        [](scalar_t x, scalar_t y) { return py_min(x, y); });
        break;
      default:
        break;
    }
  });
}

void threshold_backward(const Tensor& out, const Tensor& g, const Tensor& y, double threshold) {
  TG_DISPATCH_NUMERIC(impl_of(out)->dtype, "threshold_backward", [&] {
    const scalar_t th = static_cast<scalar_t>(threshold);
    // A select, not a branch: the contiguous case vectorises to a compare and a blend.
    binary_loop<scalar_t, scalar_t>(
        out, g, y, [th](scalar_t gv, scalar_t yv) { return yv <= th ? scalar_t(0) : gv; });
  });
}

void mse_loss_backward(const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& g,
                       double norm) {
  IntArrayRef sizes = out.sizes();
  StridedOperands<4> ops{
      {impl_of(out)->data(), impl_of(x)->data(), impl_of(y)->data(), impl_of(g)->data()},
      {broadcast_byte_strides(out, sizes), broadcast_byte_strides(x, sizes),
       broadcast_byte_strides(y, sizes), broadcast_byte_strides(g, sizes)}};
  TG_DISPATCH_FLOATING(impl_of(out)->dtype, "mse_loss_backward", [&] {
    const scalar_t nm = static_cast<scalar_t>(norm);
    for_each_run<4>(sizes, ops, [nm](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
      for (int64_t i = 0; i < n; ++i) {
        const scalar_t d = *reinterpret_cast<const scalar_t*>(p[1] + i * s[1]) -
                           *reinterpret_cast<const scalar_t*>(p[2] + i * s[2]);
        *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) =
            d * nm * *reinterpret_cast<const scalar_t*>(p[3] + i * s[3]);
      }
    });
  });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  IntArrayRef sizes = out.sizes();
  StridedOperands<4> ops{
      {impl_of(out)->data(), impl_of(cond)->data(), impl_of(a)->data(), impl_of(b)->data()},
      {broadcast_byte_strides(out, sizes), broadcast_byte_strides(cond, sizes),
       broadcast_byte_strides(a, sizes), broadcast_byte_strides(b, sizes)}};
  TG_DISPATCH_ALL(impl_of(out)->dtype, "where", [&] {
    for_each_run<4>(sizes, ops, [](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
      for (int64_t i = 0; i < n; ++i) {
        bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
        *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) =
            c ? *reinterpret_cast<const scalar_t*>(p[2] + i * s[2])
              : *reinterpret_cast<const scalar_t*>(p[3] + i * s[3]);
      }
    });
  });
}

}  // namespace tg::kernels
