// The elementwise ops, one line each. Everything else about them follows from these lists: the
// kernel enum and per-element loop (src/kernels/pointwise.cpp), the tg:: functions and Tensor
// methods (tensor.h), the forward with its autograd node (src/ops/pointwise.cpp), and their rows
// in the gradcheck and PyTorch-fixture tests (tests/ops, scripts/make_op_fixtures.py reads this
// file). docs/adding-an-op.md walks through adding one.
#pragma once

#include <optional>
#include <string_view>

// Helpers that expand a TG_UNARY_PARAM_OPS parameter list ((type, name, default), ...):
// TG_PARAMS_EACH(m, params) is m(0, p0) m(1, p1) ..., and m picks a parameter's parts with
// TG_PARAM_TYPE p, TG_PARAM_NAME p, TG_PARAM_DEFAULT p.
#define TG_PARAM_TYPE(type, name, default_) type
#define TG_PARAM_NAME(type, name, default_) name
#define TG_PARAM_DEFAULT(type, name, default_) default_
#define TG_PARAMS_STRIP(...) __VA_ARGS__
#define TG_PARAMS_EACH1(m, a) m(0, a)
#define TG_PARAMS_EACH2(m, a, b) m(0, a) m(1, b)
#define TG_PARAMS_EACH3(m, a, b, c) m(0, a) m(1, b) m(2, c)
#define TG_PARAMS_PICK(_1, _2, _3, N, ...) N
#define TG_PARAMS_EACH_(m, ...) \
  TG_PARAMS_PICK(__VA_ARGS__, TG_PARAMS_EACH3, TG_PARAMS_EACH2, TG_PARAMS_EACH1, )(m, __VA_ARGS__)
#define TG_PARAMS_EACH(m, params) TG_PARAMS_EACH_(m, TG_PARAMS_STRIP params)
// Comma-separated lists: `type name = default, ...` for a declaration, `type name, ...` for a
// definition, `name, ...` for a call.
#define TG_PARAM_SEP_0
#define TG_PARAM_SEP_1 ,
#define TG_PARAM_SEP_2 ,
#define TG_PARAM_DECL(i, p) TG_PARAM_SEP_##i TG_PARAM_TYPE p TG_PARAM_NAME p TG_PARAM_DEFAULT p
#define TG_PARAM_DEF(i, p) TG_PARAM_SEP_##i TG_PARAM_TYPE p TG_PARAM_NAME p
#define TG_PARAM_ARG(i, p) TG_PARAM_SEP_##i TG_PARAM_NAME p

// TG_UNARY_OPS(X): X(name, grad_fn, domain, saved, value, derivative, test_lo, test_hi)
//   domain      FLOATING: integer inputs are computed in float32 (PyTorch's promotion for
//               floating functions); NUMERIC: int64 stays int64; FLOAT_ONLY: integer inputs
//               are refused, as PyTorch has no integer kernel for the op.
//   saved       what the derivative reads: INPUT (x), OUTPUT (y) or NONE.
//   value       f(x) for one element x of type T (float, double or int64_t).
//   derivative  the input's gradient: an expression of the Tensors g (incoming gradient), x and
//               y (output). It is written with differentiable ops, so gradients of gradients
//               follow from it; a fused backward is an op of its own (tanh_backward). Such an
//               op may write its result into g's buffer, so a derivative that calls one uses g
//               in that call only.
//   test_lo/hi  the interval the tests draw inputs from: inside the op's domain, where the
//               derivative is smooth enough for finite differences.
// hardsigmoid's slope is 1/6 rounded to float, in float64 too, as in PyTorch's kernel.
// relu's x < 0 ? 0 : x keeps NaN and -0.0 as PyTorch does (x > 0 ? x : 0 would not).
// Ops up to `abs` keep the order of the first fixture file, whose inputs are drawn in list order.
// The lists are tables, one op a line, so clang-format leaves them alone.
// clang-format off
#define TG_UNARY_OPS(X) \
  X(sqrt,       SqrtBackward0,       FLOATING, OUTPUT, std::sqrt(x),                 g / (2 * y),                                0.05,  9.0)    \
  X(exp,        ExpBackward0,        FLOATING, OUTPUT, std::exp(x),                  g * y,                                      -20.0, 20.0)   \
  X(log,        LogBackward0,        FLOATING, INPUT,  std::log(x),                  g / x,                                      0.01,  100.0)  \
  X(log1p,      Log1PBackward0,      FLOATING, INPUT,  std::log1p(x),                g / (x + 1),                                -0.9,  10.0)   \
  X(sin,        SinBackward0,        FLOATING, INPUT,  std::sin(x),                  g * x.cos(),                                -10.0, 10.0)   \
  X(cos,        CosBackward0,        FLOATING, INPUT,  std::cos(x),                  g * -x.sin(),                               -10.0, 10.0)   \
  X(tan,        TanBackward0,        FLOATING, OUTPUT, std::tan(x),                  g * (y * y + 1),                            -1.4,  1.4)    \
  X(tanh,       TanhBackward0,       FLOATING, OUTPUT, std::tanh(x),                 tanh_backward(g, y),                        -6.0,  6.0)    \
  X(sigmoid,    SigmoidBackward0,    FLOATING, OUTPUT, T(1) / (T(1) + std::exp(-x)), g * (1 - y) * y,                            -12.0, 12.0)   \
  X(relu,       ReluBackward0,       NUMERIC,  OUTPUT, x < T(0) ? T(0) : x,          threshold_backward(g, y, 0),                -3.0,  3.0)    \
  X(abs,        AbsBackward0,        NUMERIC,  INPUT,  x < T(0) ? T(-x) : x,         g * x.sign(),                               -3.0,  3.0)    \
  X(neg,        NegBackward0,        NUMERIC,  NONE,   -x,                           -g,                                         -3.0,  3.0)    \
  X(rsqrt,      RsqrtBackward0,      FLOATING, OUTPUT, T(1) / std::sqrt(x),          g * y.pow(3) * -0.5,                        0.05,  9.0)    \
  X(reciprocal, ReciprocalBackward0, FLOATING, OUTPUT, T(1) / x,                     -g * y * y,                                 0.2,   3.0)    \
  X(sign,       SignBackward0,       NUMERIC,  NONE,   T((T(0) < x) - (x < T(0))),   zeros_like(g),                              -3.0,  3.0)    \
  X(erf,        ErfBackward0,        FLOATING, INPUT,  std::erf(x),                  (-x.pow(2)).exp() * 1.1283791670955126 * g, -3.0,  3.0)    \
  X(floor,      FloorBackward0,      NUMERIC,  NONE,   std::is_integral_v<T> ? x : T(std::floor(x)),      zeros_like(g),                 -3.0,  3.0)    \
  X(ceil,       CeilBackward0,       NUMERIC,  NONE,   std::is_integral_v<T> ? x : T(std::ceil(x)),       zeros_like(g),                 -3.0,  3.0)    \
  X(round,      RoundBackward0,      NUMERIC,  NONE,   std::is_integral_v<T> ? x : T(std::nearbyint(x)),  zeros_like(g),                 -3.0,  3.0)    \
  X(trunc,      TruncBackward0,      NUMERIC,  NONE,   std::is_integral_v<T> ? x : T(std::trunc(x)),      zeros_like(g),                 -3.0,  3.0)    \
  X(frac,       FracBackward0,       FLOAT_ONLY, NONE, x - std::trunc(x),            g,                                          -3.0,  3.0)    \
  X(erfinv,     ErfinvBackward0,     FLOATING, OUTPUT, erfinv_of(x),                 0.88622692545275801 * (y.pow(2)).exp() * g, -0.9,  0.9)    \
  X(lgamma,     LgammaBackward0,     FLOATING, INPUT,  std::lgamma(x),               g * x.digamma(),                            0.2,   6.0)    \
  X(digamma,    DigammaBackward0,    FLOATING, INPUT,  digamma_of(x),                g * polygamma(1, x),                        0.2,   6.0)    \
  X(expm1,      Expm1Backward0,      FLOATING, OUTPUT, std::expm1(x),                g * (y + 1),                                -3.0,  3.0)    \
  X(log2,       Log2Backward0,       FLOATING, INPUT,  std::log2(x),                 g / (x * 0.6931471805599453),               0.05,  9.0)    \
  X(log10,      Log10Backward0,      FLOATING, INPUT,  std::log10(x),                g / (x * 2.3025850929940457),               0.05,  9.0)    \
  X(sinh,       SinhBackward0,       FLOATING, INPUT,  std::sinh(x),                 g * x.cosh(),                               -3.0,  3.0)    \
  X(cosh,       CoshBackward0,       FLOATING, INPUT,  std::cosh(x),                 g * x.sinh(),                               -3.0,  3.0)    \
  X(asin,       AsinBackward0,       FLOATING, INPUT,  std::asin(x),                 g * (-x * x + 1).rsqrt(),                   -0.9,  0.9)    \
  X(acos,       AcosBackward0,       FLOATING, INPUT,  std::acos(x),                 g * -(-x * x + 1).rsqrt(),                  -0.9,  0.9)    \
  X(atan,       AtanBackward0,       FLOATING, INPUT,  std::atan(x),                 g / (x * x + 1),                            -3.0,  3.0)    \
  X(asinh,      AsinhBackward0,      FLOATING, INPUT,  std::asinh(x),                g * (x.pow(2) + 1).rsqrt(),                 -3.0,  3.0)    \
  X(acosh,      AcoshBackward0,      FLOATING, INPUT,  std::acosh(x),                g * (x.pow(2) - 1).rsqrt(),                 1.1,   4.0)    \
  X(atanh,      AtanhBackward0,      FLOATING, INPUT,  std::atanh(x),                g * (1 - x.pow(2)).reciprocal(),            -0.9,  0.9)    \
  X(exp2,       Exp2Backward0,       FLOATING, OUTPUT, std::exp2(x),                 g * y * 0.6931471805599453,                 -3.0,  3.0)    \
  X(silu,       SiluBackward0,       FLOAT_ONLY, INPUT, x / (T(1) + std::exp(-x)),   g * x.sigmoid() * (1 + x * (1 - x.sigmoid())), -4.0, 4.0) \
  X(mish,       MishBackward0,       FLOAT_ONLY, INPUT, x * std::tanh(std::log1p(std::exp(x))), mish_backward(g, x),        -4.0,  4.0)    \
  X(hardswish,  HardswishBackward0,  FLOAT_ONLY, INPUT, x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6), where(x < -3, 0, where(x <= 3, g * (x / 3 + 0.5), g)), -4.0, 4.0) \
  X(hardsigmoid, HardsigmoidBackward0, FLOAT_ONLY, INPUT, std::min(std::max(x + T(3), T(0)), T(6)) / T(6), where((x > -3) & (x < 3), g * double(1.0f / 6), 0), -4.0, 4.0) \
  X(log_sigmoid, LogSigmoidBackward0, FLOAT_ONLY, INPUT, std::min(x, T(0)) - std::log1p(std::exp(-std::abs(x))), g * (-x).sigmoid(), -6.0, 6.0)

// TG_BINARY_OPS(X): X(name, grad_fn, domain, value, derivative_a, derivative_b, test_lo, test_hi)
//   value          f(a, b) for elements a and b of type T.
//   derivative_a/b the gradients of the two inputs, expressions of the Tensors g, a, b and y
//                  (output); each is evaluated only when its input needs a gradient. The inputs
//                  broadcast; the engine sums each gradient back to its input's shape.
// The arithmetic operators (add, sub, mul, div, pow) live in src/ops/binary.cpp: they take alpha
// or Scalar operands and have hand-tuned paths.
#define TG_BINARY_OPS(X) \
  X(atan2, Atan2Backward0, FLOATING, std::atan2(a, b), g * b * (a * a + b * b).reciprocal(), g * -a * (a * a + b * b).reciprocal(), -2.0, 2.0)  \
  X(hypot, HypotBackward0, FLOATING, std::hypot(a, b), g * a / y,                            g * b / y,                             -2.0, 2.0)  \
  X(fmod,      FmodBackward1,      NUMERIC,  fmod_of(a, b),      g,                                   -g * (a / b).trunc(),                  0.5,  4.0)  \
  X(remainder, RemainderBackward1, NUMERIC,  remainder_of(a, b), g,                                   -g * (a / b).floor(),                  0.5,  4.0)  \
  X(copysign,  CopysignBackward0,  FLOATING, std::copysign(a, b), where(a == 0, 0, g * (y / a)),      zeros_like(g),                         -2.0, 2.0)  \
  X(xlogy,     XlogyBackward0,     FLOATING, xlogy_of(a, b),     where((a == 0) & (b <= 0), 0, xlogy(g, b)), g * a / b,                             0.1,  3.0)

// TG_UNARY_PARAM_OPS(X): X(name, grad_fn, domain, saved, params, value, derivative)
//   An elementwise op of one tensor and up to three parameters, generated like TG_UNARY_OPS
//   (tg::name(x, params...), x.name(params...), x.name_(params...)).
//   params      ((type, name, default), ...): each parameter as the C++ signature takes it, with
//               its default written `= 1` (or nothing). The kernel and the derivative see each
//               one as a double of that name (a string becomes a mode number: param_value()).
//   value, derivative  as in TG_UNARY_OPS, with the parameters in scope.
// Their tests are written by hand (tests/ops/test_activations.cpp): the parameters vary per case.
#define TG_UNARY_PARAM_OPS(X) \
  X(elu,        EluBackward0,        FLOAT_ONLY, INPUT, ((const Scalar&, alpha, = 1), (const Scalar&, scale, = 1), (const Scalar&, input_scale, = 1)), \
    x <= T(0) ? T(std::expm1(x * input_scale) * alpha * scale) : T(x * scale),                                                                   \
    where(x <= 0, g * (input_scale * alpha * scale) * (x * input_scale).exp(), g * scale))                                                           \
  X(celu,       CeluBackward0,       FLOAT_ONLY, INPUT, ((const Scalar&, alpha, = 1)),                                                            \
    x <= T(0) ? T(std::expm1(x / alpha) * alpha) : x,                                                                                             \
    where(x <= 0, g * (x / alpha).exp(), g))                                                                                                        \
  X(softplus,   SoftplusBackward0,   FLOAT_ONLY, INPUT, ((const Scalar&, beta, = 1), (const Scalar&, threshold, = 20)),                           \
    x * beta > threshold ? x : T(std::log1p(std::exp(x * beta)) / beta),                                                                          \
    where(x * beta > threshold, g, g * (x * beta).sigmoid()))                                                                                       \
  X(hardtanh,   HardtanhBackward0,   NUMERIC,    INPUT, ((const Scalar&, min_val, = -1), (const Scalar&, max_val, = 1)),                          \
    x < min_val ? T(min_val) : (x > max_val ? T(max_val) : x),                                                                                    \
    where((x <= min_val) | (x >= max_val), 0, g))                                                                                                   \
  X(softshrink, SoftshrinkBackward0, FLOAT_ONLY, INPUT, ((const Scalar&, lambd, = 0.5)),                                                          \
    x > lambd ? T(x - lambd) : (x < -lambd ? T(x + lambd) : T(0)),                                                                                \
    where((x >= -lambd) & (x <= lambd), 0, g))                                                                                                      \
  X(hardshrink, HardshrinkBackward0, FLOAT_ONLY, INPUT, ((const Scalar&, lambd, = 0.5)),                                                          \
    x >= -lambd && x <= lambd ? T(0) : x,                                                                                                         \
    where((x >= -lambd) & (x <= lambd), 0, g))                                                                                                      \
  X(threshold,  ThresholdBackward0,  NUMERIC,    INPUT, ((const Scalar&, threshold, ), (const Scalar&, value, )),                                 \
    x <= threshold ? T(value) : x,                                                                                                                \
    threshold_backward(g, x, threshold))                                                                                                            \
  X(gelu,       GeluBackward0,       FLOAT_ONLY, INPUT, ((std::string_view, approximate, = "none")),                                             \
    approximate == 0 ? T(x * 0.5 * (1 + std::erf(x * M_SQRT1_2)))                                                                                 \
                     : T(0.5 * x * (1 + std::tanh(M_SQRT2 * M_2_SQRTPI * 0.5 * (x + 0.044715 * x * x * x)))),                                     \
    gelu_backward(g, x, approximate))                                                                                                               \
  X(logit,      LogitBackward0,      FLOATING,   INPUT, ((std::optional<double>, eps, = std::nullopt)),                                           \
    eps < 0 ? T(std::log(x / (1 - x))) : T(std::log(std::clamp<double>(x, eps, 1 - eps) / (1 - std::clamp<double>(x, eps, 1 - eps)))),         \
    logit_backward(g, x, eps))                                                                                                                      \
  X(round,      RoundBackward1,      FLOAT_ONLY, NONE,  ((int64_t, decimals, )),                                                                  \
    round_decimals(x, decimals),                                                                                                                  \
    zeros_like(g))
// clang-format on
