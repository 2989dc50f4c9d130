#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/loops.h"
#include "kernels/scalar_math.h"
#include "kernels/vec_math.h"

namespace tg::kernels {
namespace {

template <typename T>
T sigmoid_scalar(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

template <typename T>
T sign_scalar(T x) {
  return static_cast<T>((T(0) < x) - (x < T(0)));
}

// Scalar definition of each op, used for tails, strided inputs and int64.
template <typename T, typename F>
void for_op(UnaryOp op, F&& run) {
  switch (op) {
    case UnaryOp::Neg:
      run([](T x) { return static_cast<T>(-x); });
      break;
    case UnaryOp::Abs:
      run([](T x) { return x < T(0) ? static_cast<T>(-x) : x; });
      break;
    case UnaryOp::Sign:
      run([](T x) { return sign_scalar(x); });
      break;
    case UnaryOp::Square:
      run([](T x) { return static_cast<T>(x * x); });
      break;
    // x < 0 ? 0 : x keeps nan and -0. as PyTorch does (x > 0 ? x : 0 would turn both into 0).
    case UnaryOp::Relu:
      run([](T x) { return x < T(0) ? T(0) : x; });
      break;
    default:
      if constexpr (std::is_floating_point_v<T>) {
        switch (op) {
          case UnaryOp::Exp:
            run([](T x) { return std::exp(x); });
            break;
          case UnaryOp::Log:
            run([](T x) { return std::log(x); });
            break;
          case UnaryOp::Log1p:
            run([](T x) { return std::log1p(x); });
            break;
          case UnaryOp::Sin:
            run([](T x) { return std::sin(x); });
            break;
          case UnaryOp::Cos:
            run([](T x) { return std::cos(x); });
            break;
          case UnaryOp::Tan:
            run([](T x) { return std::tan(x); });
            break;
          case UnaryOp::Tanh:
            run([](T x) { return std::tanh(x); });
            break;
          case UnaryOp::Sigmoid:
            run([](T x) { return sigmoid_scalar(x); });
            break;
          case UnaryOp::Sqrt:
            run([](T x) { return std::sqrt(x); });
            break;
          case UnaryOp::Rsqrt:
            run([](T x) { return T(1) / std::sqrt(x); });
            break;
          case UnaryOp::Reciprocal:
            run([](T x) { return T(1) / x; });
            break;
          default:
            TG_ERROR("unary: unsupported op");
        }
      } else {
        TG_ERROR("unary: this op needs a floating point tensor");
      }
  }
}

}  // namespace

void unary(UnaryOp op, const Tensor& out, const Tensor& in) {
  const ScalarType t = impl_of(in)->dtype;
  if (op == UnaryOp::IsNan || op == UnaryOp::IsFinite || op == UnaryOp::LogicalNot) {
    TG_DISPATCH_ALL(t, "unary", [&] {
      if (op == UnaryOp::LogicalNot) {
        unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return !bool(x); });
      } else if constexpr (std::is_floating_point_v<scalar_t>) {
        if (op == UnaryOp::IsNan)
          unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return std::isnan(x); });
        else
          unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return std::isfinite(x); });
      } else {
        const bool v = op == UnaryOp::IsFinite;
        unary_loop<bool, scalar_t>(out, in, [v](scalar_t) { return v; });
      }
    });
    return;
  }
  TG_DISPATCH_NUMERIC(t, "unary", [&] {
    auto* oi = impl_of(out);
    auto* ii = impl_of(in);
    for_op<scalar_t>(op, [&](auto f) {
      if (!(oi->contiguous && ii->contiguous)) {
        unary_loop<scalar_t, scalar_t>(out, in, f);
        return;
      }
      scalar_t* o = oi->data_as<scalar_t>();
      const scalar_t* x = ii->data_as<scalar_t>();
      // Chunks start at multiples of 64, so the vector blocks and the scalar tail fall where
      // they would on one thread and the result does not depend on the thread count.
      parallel_for(0, ii->numel, kGrainSize, [&](int64_t b, int64_t e) {
        int64_t i = b;
        if constexpr (std::is_floating_point_v<scalar_t>) {
          if (has_avx2()) {
            if constexpr (std::is_same_v<scalar_t, float>)
              i += vec_unary_f32(op, reinterpret_cast<float*>(o + b),
                                 reinterpret_cast<const float*>(x + b), e - b);
            else
              i += vec_unary_f64(op, reinterpret_cast<double*>(o + b),
                                 reinterpret_cast<const double*>(x + b), e - b);
          }
        }
        for (; i < e; ++i) o[i] = f(x[i]);
      });
    });
  });
}

void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo,
           std::optional<double> hi) {
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, "clamp", [&] {
    const scalar_t l = lo ? static_cast<scalar_t>(*lo) : std::numeric_limits<scalar_t>::lowest();
    const scalar_t h = hi ? static_cast<scalar_t>(*hi) : std::numeric_limits<scalar_t>::max();
    unary_loop<scalar_t, scalar_t>(out, in, [l, h](scalar_t x) {
      if constexpr (std::is_floating_point_v<scalar_t>) {
        if (std::isnan(x)) return x;
      }
      return x < l ? l : (x > h ? h : x);
    });
  });
}

void pow_scalar(const Tensor& out, const Tensor& in, double e) {
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, "pow", [&] {
    const scalar_t ex = static_cast<scalar_t>(e);
    if (e == 2.0) {
      unary_loop<scalar_t, scalar_t>(out, in,
                                     [](scalar_t x) { return static_cast<scalar_t>(x * x); });
    } else if (e == 1.0) {
      unary_loop<scalar_t, scalar_t>(out, in, [](scalar_t x) { return x; });
    } else if (e == 3.0) {
      unary_loop<scalar_t, scalar_t>(out, in,
                                     [](scalar_t x) { return static_cast<scalar_t>(x * x * x); });
    } else if constexpr (std::is_floating_point_v<scalar_t>) {
      if (e == 0.5)
        unary_loop<scalar_t, scalar_t>(out, in, [](scalar_t x) { return std::sqrt(x); });
      else
        unary_loop<scalar_t, scalar_t>(out, in, [ex](scalar_t x) { return std::pow(x, ex); });
    } else {
      TG_CHECK(e >= 0, "pow: integers to negative integer powers are not allowed");
      unary_loop<scalar_t, scalar_t>(out, in, [ex](scalar_t x) { return int_pow(x, ex); });
    }
  });
}

}  // namespace tg::kernels

namespace tg::kernels {
namespace {
int64_t vectorised_tanh_backward(float* o, const float* g, const float* y, int64_t n) {
  if (has_avx512()) return vec_tanh_backward_f32_avx512(o, g, y, n);
  return has_avx2() ? vec_tanh_backward_f32(o, g, y, n) : 0;
}
int64_t vectorised_tanh_backward(double*, const double*, const double*, int64_t) { return 0; }
}  // namespace

void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y) {
  TG_DISPATCH_FLOATING(impl_of(y)->dtype, "tanh_backward", [&] {
    scalar_t* o = impl_of(out)->data_as<scalar_t>();
    const scalar_t* gp = impl_of(g)->data_as<scalar_t>();
    const scalar_t* yp = impl_of(y)->data_as<scalar_t>();
    parallel_for(0, impl_of(y)->numel, kGrainSize, [&](int64_t b, int64_t e) {
      int64_t i = b + vectorised_tanh_backward(o + b, gp + b, yp + b, e - b);
      for (; i < e; ++i) o[i] = gp[i] * std::fma(-yp[i], yp[i], scalar_t(1));
    });
  });
}

}  // namespace tg::kernels
