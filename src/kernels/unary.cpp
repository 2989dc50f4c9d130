// Elementwise kernels of one input. The per-element definition of each op comes from its line in
// TG_UNARY_OPS; vec_math_*.cpp add vector kernels for the ops that have one.
#include "kernels/unary.h"

#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/loops.h"
#include "kernels/scalar_math.h"
#include "kernels/special_math.h"
#include "kernels/vec_math.h"

namespace tg::kernels {
namespace {

[[maybe_unused]] constexpr bool kFloatingOnly_FLOATING = true;
[[maybe_unused]] constexpr bool kFloatingOnly_NUMERIC = false;
[[maybe_unused]] constexpr bool kFloatingOnly_FLOAT_ONLY = true;

// Calls run(f) with the op's per-element function for element type T. Ops of the FLOATING domain
// reach here with integer inputs only through a bug in the ops layer (it converts them first).
template <typename T, typename F>
void for_op(UnaryOp op, F&& run) {
  switch (op) {
#define TG_UNARY_CASE(name, grad_fn, domain, saved, value, ...)           \
  case UnaryOp::name:                                                     \
    if constexpr (std::is_floating_point_v<T> || !kFloatingOnly_##domain) \
      run([](T x) -> T { return static_cast<T>(value); });                \
    else                                                                  \
      TG_ERROR(#name, ": this op needs a floating point tensor");         \
    break;
    TG_UNARY_OPS(TG_UNARY_CASE)
#undef TG_UNARY_CASE
  }
}

// The same for TG_UNARY_PARAM_OPS: each parameter is a local double of its own name.
#define TG_PARAM_LOCAL(i, p) [[maybe_unused]] const double TG_PARAM_NAME p = pv[i];
template <typename T, typename F>
void for_param_op(UnaryParamOp op, const std::array<double, 3>& pv, F&& run) {
  switch (op) {
#define TG_PARAM_CASE(name, grad_fn, domain, saved, params, value, ...)   \
  case UnaryParamOp::name:                                                \
    if constexpr (std::is_floating_point_v<T> || !kFloatingOnly_##domain) \
      run([pv](T x) -> T {                                                \
        TG_PARAMS_EACH(TG_PARAM_LOCAL, params)                            \
        return static_cast<T>(value);                                     \
      });                                                                 \
    else                                                                  \
      TG_ERROR(#name, ": this op needs a floating point tensor");         \
    break;
    TG_UNARY_PARAM_OPS(TG_PARAM_CASE)
#undef TG_PARAM_CASE
  }
}
#undef TG_PARAM_LOCAL

}  // namespace

void unary(UnaryParamOp op, const Tensor& out, const Tensor& in,
           const std::array<double, 3>& params) {
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, "unary", [&] {
    for_param_op<scalar_t>(op, params, [&](auto f) { unary_loop<scalar_t, scalar_t>(out, in, f); });
  });
}

void polygamma(const Tensor& out, const Tensor& in, int64_t n) {
  TG_DISPATCH_FLOATING(impl_of(in)->dtype, "polygamma", [&] {
    unary_loop<scalar_t, scalar_t>(out, in, [n](scalar_t x) { return polygamma_of(n, x); });
  });
}

void unary(UnaryOp op, const Tensor& out, const Tensor& in) {
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, "unary", [&] {
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

void unary(UnaryPredicate op, const Tensor& out, const Tensor& in) {
  TG_DISPATCH_ALL(impl_of(in)->dtype, "unary", [&] {
    if (op == UnaryPredicate::LogicalNot) {
      unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return !bool(x); });
    } else if constexpr (std::is_floating_point_v<scalar_t>) {
      if (op == UnaryPredicate::IsNan)
        unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return std::isnan(x); });
      else
        unary_loop<bool, scalar_t>(out, in, [](scalar_t x) { return std::isfinite(x); });
    } else {
      const bool v = op == UnaryPredicate::IsFinite;
      unary_loop<bool, scalar_t>(out, in, [v](scalar_t) { return v; });
    }
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

namespace {
int64_t vectorised_tanh_backward(float* o, const float* g, const float* y, int64_t n) {
  if (has_avx512()) return vec_tanh_backward_f32_avx512(o, g, y, n);
  return has_avx2() ? vec_tanh_backward_f32(o, g, y, n) : 0;
}
int64_t vectorised_tanh_backward(double*, const double*, const double*, int64_t) { return 0; }
}  // namespace

void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y) {
  TG_DISPATCH_FLOATING(impl_of(y)->dtype, "tanh_backward", [&] {
    auto f = [](scalar_t gv, scalar_t yv) { return gv * std::fma(-yv, yv, scalar_t(1)); };
    const auto *oi = impl_of(out), *gi = impl_of(g), *yi = impl_of(y);
    if (!(oi->contiguous && gi->contiguous && yi->contiguous && gi->numel == oi->numel &&
          yi->numel == oi->numel)) {
      binary_loop<scalar_t, scalar_t>(out, g, y, f);
      return;
    }
    scalar_t* o = oi->data_as<scalar_t>();
    const scalar_t* gp = gi->data_as<scalar_t>();
    const scalar_t* yp = yi->data_as<scalar_t>();
    parallel_for(0, oi->numel, kGrainSize, [&](int64_t b, int64_t e) {
      int64_t i = b + vectorised_tanh_backward(o + b, gp + b, yp + b, e - b);
      for (; i < e; ++i) o[i] = f(gp[i], yp[i]);
    });
  });
}

void threshold_backward(const Tensor& out, const Tensor& g, const Tensor& x, double threshold) {
  TG_DISPATCH_NUMERIC(impl_of(out)->dtype, "threshold_backward", [&] {
    const scalar_t th = static_cast<scalar_t>(threshold);
    // A select, not a branch: the contiguous case vectorises to a compare and a blend.
    binary_loop<scalar_t, scalar_t>(
        out, g, x, [th](scalar_t gv, scalar_t xv) { return xv <= th ? scalar_t(0) : gv; });
  });
}

}  // namespace tg::kernels
