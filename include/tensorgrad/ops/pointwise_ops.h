// The elementwise ops, one line each. Everything else about them follows from these lists: the
// kernel enum and per-element loop (src/kernels/pointwise.cpp), the tg:: functions and Tensor
// methods (tensor.h), the forward with its autograd node (src/ops/pointwise.cpp), and their rows
// in the gradcheck and PyTorch-fixture tests (tests/ops, scripts/make_op_fixtures.py reads this
// file). docs/adding-an-op.md walks through adding one.
#pragma once

// TG_UNARY_OPS(X): X(name, grad_fn, domain, saved, value, derivative, test_lo, test_hi)
//   domain      FLOATING: integer inputs are computed in float32 (PyTorch's promotion for
//               floating functions); NUMERIC: int64 stays int64.
//   saved       what the derivative reads: INPUT (x), OUTPUT (y) or NONE.
//   value       f(x) for one element x of type T (float, double or int64_t).
//   derivative  the input's gradient: an expression of the Tensors g (incoming gradient), x and
//               y (output). It is written with differentiable ops, so gradients of gradients
//               follow from it; a fused backward is an op of its own (tanh_backward). Such an
//               op may write its result into g's buffer, so a derivative that calls one uses g
//               in that call only.
//   test_lo/hi  the interval the tests draw inputs from: inside the op's domain, where the
//               derivative is smooth enough for finite differences.
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
  X(erf,        ErfBackward0,        FLOATING, INPUT,  std::erf(x),                  (-x.pow(2)).exp() * 1.1283791670955126 * g, -3.0,  3.0)

// TG_BINARY_OPS(X): X(name, grad_fn, domain, value, derivative_a, derivative_b, test_lo, test_hi)
//   value          f(a, b) for elements a and b of type T.
//   derivative_a/b the gradients of the two inputs, expressions of the Tensors g, a, b and y
//                  (output); each is evaluated only when its input needs a gradient. The inputs
//                  broadcast; the engine sums each gradient back to its input's shape.
// The arithmetic operators (add, sub, mul, div, pow) live in src/ops/binary.cpp: they take alpha
// or Scalar operands and have hand-tuned paths.
#define TG_BINARY_OPS(X) \
  X(atan2, Atan2Backward0, FLOATING, std::atan2(a, b), g * b * (a * a + b * b).reciprocal(), g * -a * (a * a + b * b).reciprocal(), -2.0, 2.0)  \
  X(hypot, HypotBackward0, FLOATING, std::hypot(a, b), g * a / y,                            g * b / y,                             -2.0, 2.0)
// clang-format on
