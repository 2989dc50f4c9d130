// The WideNet epoch (widenet.h) taken apart at its shapes: the forward pass, the forward and
// backward passes, the optimizer step, and the three ops that carry its arithmetic. Run where the
// whole epoch's ratio to libtorch differs between machines, it says which part differs.
#include <numbers>

#include "bench_main.h"
#include "widenet.h"

namespace {

using widenet::kCells;
using widenet::kSamples;

struct Parts {
  Parts()
      : x((bk::manual_seed(2021), bk::linspace(-1.0, 1.0, kSamples).reshape({kSamples, 1}))),
        y(bk::sin(std::numbers::pi * x)),
        net(bk::nn::Sequential{bk::nn::Linear(1, kCells), bk::nn::Tanh(),
                               bk::nn::Linear(kCells, 1)}),
        optimizer(net->parameters(), bk::optim::SGDOptions(0.003).momentum(0.9)) {}
  bk::Tensor loss() { return loss_fn(net->forward(x), y); }

  bk::Tensor x, y;
  bk::nn::Sequential net;
  bk::nn::MSELoss loss_fn;
  bk::optim::SGD optimizer;
};

void part_forward(benchmark::State& state) {
  Parts p;
  for (auto _ : state) benchmark::DoNotOptimize(p.loss());
}
BENCHMARK(part_forward)->Unit(benchmark::kMicrosecond);

void part_forward_backward(benchmark::State& state) {
  Parts p;
  for (auto _ : state) {
    p.optimizer.zero_grad();
    p.loss().backward();
  }
}
BENCHMARK(part_forward_backward)->Unit(benchmark::kMicrosecond);

void part_step(benchmark::State& state) {
  Parts p;
  p.loss().backward();
  for (auto _ : state) p.optimizer.step();
}
BENCHMARK(part_step)->Unit(benchmark::kMicrosecond);

// Linear(1, 512) forward: an outer product plus the bias.
void op_linear1(benchmark::State& state) {
  bk::manual_seed(0);
  const bk::Tensor x = bk::randn({kSamples, 1}), w = bk::randn({kCells, 1}),
                   b = bk::randn({kCells});
  for (auto _ : state) benchmark::DoNotOptimize(bk::addmm(b, x, w.t()));
}
BENCHMARK(op_linear1)->Unit(benchmark::kMicrosecond);

void op_tanh(benchmark::State& state) {
  bk::manual_seed(0);
  const bk::Tensor h = bk::randn({kSamples, kCells});
  for (auto _ : state) benchmark::DoNotOptimize(h.tanh());
}
BENCHMARK(op_tanh)->Unit(benchmark::kMicrosecond);

// Linear(512, 1) forward: 32 dot products of 512.
void op_linear2(benchmark::State& state) {
  bk::manual_seed(0);
  const bk::Tensor a = bk::randn({kSamples, kCells}), w = bk::randn({1, kCells}),
                   b = bk::randn({1});
  for (auto _ : state) benchmark::DoNotOptimize(bk::addmm(b, a, w.t()));
}
BENCHMARK(op_linear2)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
