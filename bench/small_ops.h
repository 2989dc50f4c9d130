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

// ---- forward only: the inputs do not require grad, so no graph is recorded

inline void fwd_add(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9), b = input(1.1, 1.9);
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

inline void fwd_mul(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9), b = input(1.1, 1.9);
  for (auto _ : state) benchmark::DoNotOptimize(a * b);
}

inline void fwd_mul_scalar(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9);
  for (auto _ : state) benchmark::DoNotOptimize(a * 2.5);
}

inline void fwd_tanh(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9);
  for (auto _ : state) benchmark::DoNotOptimize(bk::tanh(a));
}

inline void fwd_exp(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9);
  for (auto _ : state) benchmark::DoNotOptimize(bk::exp(a));
}

inline void fwd_sum(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9);
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
}

inline void fwd_neuron_loss(benchmark::State& state) {
  const bk::Tensor x = input(-1, 1), y = input(0.1, 0.9), w = input(0.1, 0.9), b = input(-0.5, 0.5);
  for (auto _ : state) benchmark::DoNotOptimize(neuron_loss(x, y, w, b));
}

// ---- forward and backward: leaves require grad; gradients accumulate into .grad() as in a
// training loop without zero_grad, which costs both libraries the same in-place add

inline void fwdbwd_add(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9, true), b = input(1.1, 1.9, true);
  for (auto _ : state) (a + b).sum().backward();
  benchmark::DoNotOptimize(a.grad());
}

inline void fwdbwd_mul(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9, true), b = input(1.1, 1.9, true);
  for (auto _ : state) (a * b).sum().backward();
  benchmark::DoNotOptimize(a.grad());
}

inline void fwdbwd_tanh(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9, true);
  for (auto _ : state) bk::tanh(a).sum().backward();
  benchmark::DoNotOptimize(a.grad());
}

inline void fwdbwd_exp(benchmark::State& state) {
  const bk::Tensor a = input(0.1, 0.9, true);
  for (auto _ : state) bk::exp(a).sum().backward();
  benchmark::DoNotOptimize(a.grad());
}

inline void fwdbwd_neuron_loss(benchmark::State& state) {
  const bk::Tensor x = input(-1, 1), y = input(0.1, 0.9), w = input(0.1, 0.9, true),
                   b = input(-0.5, 0.5, true);
  for (auto _ : state) neuron_loss(x, y, w, b).backward();
  benchmark::DoNotOptimize(w.grad());
}

BENCHMARK(fwd_add);
BENCHMARK(fwd_mul);
BENCHMARK(fwd_mul_scalar);
BENCHMARK(fwd_tanh);
BENCHMARK(fwd_exp);
BENCHMARK(fwd_sum);
BENCHMARK(fwd_neuron_loss);
BENCHMARK(fwdbwd_add);
BENCHMARK(fwdbwd_mul);
BENCHMARK(fwdbwd_tanh);
BENCHMARK(fwdbwd_exp);
BENCHMARK(fwdbwd_neuron_loss);

}  // namespace small_ops
