#include "kernels/binary.h"

#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/loops.h"
#include "kernels/scalar_math.h"
#include "kernels/special_math.h"

namespace tg::kernels {
namespace {

[[maybe_unused]] constexpr bool kFloatingOnly_FLOATING = true;
[[maybe_unused]] constexpr bool kFloatingOnly_NUMERIC = false;

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

// One case of binary()'s switch for each op of TG_BINARY_OPS.
#define TG_BINARY_CASE(name, grad_fn, domain, value, ...)                                  \
  case BinaryOp::name:                                                                     \
    if constexpr (std::is_floating_point_v<scalar_t> || !kFloatingOnly_##domain)           \
      binary_loop<scalar_t, scalar_t>(                                                     \
          out, a, b, [](scalar_t a, scalar_t b) { return static_cast<scalar_t>(value); }); \
    else                                                                                   \
      TG_ERROR(#name, ": this op needs a floating point tensor");                          \
    break;

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
        TG_BINARY_OPS(TG_BINARY_CASE)
      default:
        break;
    }
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

// self += value * t1 * t2 (or / t2) in one pass, rounding as PyTorch's CPU kernels do: value * t1
// first; then for addcmul one fused multiply-add with t2 (the AVX2 build contracts
// `self + v * t1 * t2`), for addcdiv a division and an add. t1 and t2 broadcast to self.
namespace {
template <bool kDiv>
void addc(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  IntArrayRef sizes = self.sizes();
  StridedOperands<3> ops{{impl_of(self)->data(), impl_of(t1)->data(), impl_of(t2)->data()},
                         {broadcast_byte_strides(self, sizes), broadcast_byte_strides(t1, sizes),
                          broadcast_byte_strides(t2, sizes)}};
  const char* name = kDiv ? "addcdiv_" : "addcmul_";
  TG_DISPATCH_NUMERIC(impl_of(self)->dtype, name, [&] {
    if constexpr (kDiv && std::is_integral_v<scalar_t>) {
      TG_ERROR("addcdiv_: integer division with addcdiv is not supported; use a floating tensor");
    } else {
      const scalar_t v = value.to<scalar_t>();
      auto f = [v](scalar_t x, scalar_t a, scalar_t b) -> scalar_t {
        if constexpr (kDiv) {
          return x + v * a / b;
        } else if constexpr (std::is_same_v<scalar_t, float>) {
          return static_cast<float>(static_cast<double>(x) +
                                    static_cast<double>(v * a) * static_cast<double>(b));
        } else if constexpr (std::is_same_v<scalar_t, double>) {
          return std::fma(v * a, b, x);
        } else {
          return x + v * a * b;
        }
      };
      auto run = [&f](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) {
        constexpr int64_t es = sizeof(scalar_t);
        if (s[0] == es && s[1] == es && s[2] == es) {
          auto* o = reinterpret_cast<scalar_t*>(p[0]);
          auto* a = reinterpret_cast<const scalar_t*>(p[1]);
          auto* b = reinterpret_cast<const scalar_t*>(p[2]);
          for (int64_t i = 0; i < n; ++i) o[i] = f(o[i], a[i], b[i]);
          return;
        }
        for (int64_t i = 0; i < n; ++i) {
          auto* o = reinterpret_cast<scalar_t*>(p[0] + i * s[0]);
          *o = f(*o, *reinterpret_cast<const scalar_t*>(p[1] + i * s[1]),
                 *reinterpret_cast<const scalar_t*>(p[2] + i * s[2]));
        }
      };
      for_each_run<3>(sizes, ops, run);
    }
  });
}

}  // namespace

void addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  addc<false>(self, t1, t2, value);
}
void addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  addc<true>(self, t1, t2, value);
}

}  // namespace tg::kernels
