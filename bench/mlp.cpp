// A GEMM-bound training step: a 784-1024-1024-10 ReLU MLP on a batch of 256 random inputs with
// random class labels, cross-entropy loss, SGD with momentum. Most of the time goes to the eight
// matrix products of the forward and backward passes (about 2.4 GFLOP per step), so this measures
// how well each library feeds its BLAS and, run with BENCH_THREADS=2, how the step scales.
#include "bench_main.h"

namespace {

constexpr int64_t kBatch = 256;
constexpr int64_t kIn = 784, kHidden = 1024, kClasses = 10;

void mlp_step(benchmark::State& state) {
  bk::manual_seed(0);
  bk::nn::Sequential net{bk::nn::Linear(kIn, kHidden), bk::nn::ReLU(),
                         bk::nn::Linear(kHidden, kHidden), bk::nn::ReLU(),
                         bk::nn::Linear(kHidden, kClasses)};
  bk::nn::CrossEntropyLoss loss_fn;
  bk::optim::SGD optimizer(net->parameters(), bk::optim::SGDOptions(0.01).momentum(0.9));
  const bk::Tensor inputs = bk::randn({kBatch, kIn});
  const bk::Tensor labels = bk::randint(0, kClasses, {kBatch}, bk::kLong);

  for (auto _ : state) {
    optimizer.zero_grad();
    const bk::Tensor loss = loss_fn(net->forward(inputs), labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss);
  }
}
// Wall-clock time: with two threads the CPU time of the main thread alone would say nothing.
BENCHMARK(mlp_step)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
