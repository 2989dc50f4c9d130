// Small-op overhead: elementwise ops on 8-element float32 tensors. At this size the arithmetic is
// a few nanoseconds, so the time measured is what every op pays regardless of size: argument
// checks, type promotion, output allocation and, with autograd, recording and walking the graph.
//
// Written once against the alias `bk` from backend.h, so the identical code measures tensorgrad
// and libtorch.
#pragma once

#include <benchmark/benchmark.h>

#include "backend.h"

namespace small_ops {

constexpr int64_t kSize = 8;

// Eight values in [lo, hi]; deterministic, and positive so that every op stays finite.
inline bk::Tensor input(double lo, double hi, bool requires_grad = false) {
  bk::Tensor t = bk::linspace(lo, hi, kSize);
  if (requires_grad) t.requires_grad_(true);
  return t;
}

// The one-neuron model of the tutorial, applied to eight samples at once.
inline bk::Tensor neuron_loss(const bk::Tensor& x, const bk::Tensor& y, const bk::Tensor& w,
                              const bk::Tensor& b) {
  return (y - bk::tanh(x * w + b)).pow(2).sum();
}

// Each workload makes its inputs and returns the step to repeat. The benchmarks below time the
// step; op_instructions.cpp counts the instructions it executes (callgrind), which does not move
// with the load of a shared machine.

// ---- forward only: the inputs do not require grad, so no graph is recorded

inline auto make_fwd_add() {
  return [a = input(0.1, 0.9), b = input(1.1, 1.9)] { benchmark::DoNotOptimize(a + b); };
}
inline auto make_fwd_mul() {
  return [a = input(0.1, 0.9), b = input(1.1, 1.9)] { benchmark::DoNotOptimize(a * b); };
}
inline auto make_fwd_mul_scalar() {
  return [a = input(0.1, 0.9)] { benchmark::DoNotOptimize(a * 2.5); };
}
inline auto make_fwd_tanh() {
  return [a = input(0.1, 0.9)] { benchmark::DoNotOptimize(bk::tanh(a)); };
}
inline auto make_fwd_exp() {
  return [a = input(0.1, 0.9)] { benchmark::DoNotOptimize(bk::exp(a)); };
}
inline auto make_fwd_sum() {
  return [a = input(0.1, 0.9)] { benchmark::DoNotOptimize(a.sum()); };
}
inline auto make_fwd_neuron_loss() {
  return [x = input(-1, 1), y = input(0.1, 0.9), w = input(0.1, 0.9), b = input(-0.5, 0.5)] {
    benchmark::DoNotOptimize(neuron_loss(x, y, w, b));
  };
}

// ---- forward and backward: leaves require grad; gradients accumulate into .grad() as in a
// training loop without zero_grad, which costs both libraries the same in-place add

inline auto make_fwdbwd_add() {
  return [a = input(0.1, 0.9, true), b = input(1.1, 1.9, true)] { (a + b).sum().backward(); };
}
inline auto make_fwdbwd_mul() {
  return [a = input(0.1, 0.9, true), b = input(1.1, 1.9, true)] { (a * b).sum().backward(); };
}
inline auto make_fwdbwd_tanh() {
  return [a = input(0.1, 0.9, true)] { bk::tanh(a).sum().backward(); };
}
inline auto make_fwdbwd_exp() {
  return [a = input(0.1, 0.9, true)] { bk::exp(a).sum().backward(); };
}
inline auto make_fwdbwd_neuron_loss() {
  return [x = input(-1, 1), y = input(0.1, 0.9), w = input(0.1, 0.9, true),
          b = input(-0.5, 0.5, true)] { neuron_loss(x, y, w, b).backward(); };
}

// The workloads, in the order of the results table.
#define SMALL_OPS(X)                                                                              \
  X(fwd_add)                                                                                      \
  X(fwd_mul) X(fwd_mul_scalar) X(fwd_tanh) X(fwd_exp) X(fwd_sum) X(fwd_neuron_loss) X(fwdbwd_add) \
      X(fwdbwd_mul) X(fwdbwd_tanh) X(fwdbwd_exp) X(fwdbwd_neuron_loss)

#define SMALL_OPS_BENCHMARK(name)             \
  inline void name(benchmark::State& state) { \
    auto step = make_##name();                \
    for (auto _ : state) step();              \
  }                                           \
  BENCHMARK(name);
SMALL_OPS(SMALL_OPS_BENCHMARK)
#undef SMALL_OPS_BENCHMARK

}  // namespace small_ops
