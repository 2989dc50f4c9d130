// Pooling and normalization on a CNN-sized float32 activation, [8, 64, 56, 56] (6.4 MB, the
// output of a ResNet stem): max pooling 2x2 and 3x3 stride 2, average pooling 2x2, adaptive
// average pooling to 7x7, batch norm in training (forward, and forward plus backward) and in
// evaluation, layer norm over the two spatial dims and group norm with 32 groups.
#include "bench_main.h"

namespace {

const std::vector<int64_t> kShape{8, 64, 56, 56};

bk::Tensor input() {
  bk::manual_seed(0);
  return bk::randn(kShape);
}

void max_pool_2x2(benchmark::State& state) {
  const bk::Tensor x = input();
  for (auto _ : state) benchmark::DoNotOptimize(bk::max_pool2d(x, {2, 2}));
}
BENCHMARK(max_pool_2x2)->Unit(benchmark::kMillisecond);

void max_pool_3x3_s2(benchmark::State& state) {
  const bk::Tensor x = input();
  for (auto _ : state) benchmark::DoNotOptimize(bk::max_pool2d(x, {3, 3}, {2, 2}, {1, 1}));
}
BENCHMARK(max_pool_3x3_s2)->Unit(benchmark::kMillisecond);

void max_pool_3x3_s2_fwdbwd(benchmark::State& state) {
  const bk::Tensor x = input().requires_grad_(true);
  for (auto _ : state) bk::max_pool2d(x, {3, 3}, {2, 2}, {1, 1}).sum().backward();
  benchmark::DoNotOptimize(x.grad());
}
BENCHMARK(max_pool_3x3_s2_fwdbwd)->Unit(benchmark::kMillisecond);

void avg_pool_2x2(benchmark::State& state) {
  const bk::Tensor x = input();
  for (auto _ : state) benchmark::DoNotOptimize(bk::avg_pool2d(x, {2, 2}));
}
BENCHMARK(avg_pool_2x2)->Unit(benchmark::kMillisecond);

void adaptive_avg_pool_7x7(benchmark::State& state) {
  const bk::Tensor x = input();
  for (auto _ : state) benchmark::DoNotOptimize(bk::adaptive_avg_pool2d(x, {7, 7}));
}
BENCHMARK(adaptive_avg_pool_7x7)->Unit(benchmark::kMillisecond);

struct BatchNormArgs {
  bk::Tensor weight = bk::ones({64}).requires_grad_(true);
  bk::Tensor bias = bk::zeros({64}).requires_grad_(true);
  bk::Tensor running_mean = bk::zeros({64});
  bk::Tensor running_var = bk::ones({64});
};

void batch_norm_train_fwd(benchmark::State& state) {
  const bk::Tensor x = input();
  BatchNormArgs a;
  bk::NoGradGuard guard;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        bk::batch_norm(x, a.weight, a.bias, a.running_mean, a.running_var, true, 0.1, 1e-5, false));
}
BENCHMARK(batch_norm_train_fwd)->Unit(benchmark::kMillisecond);

void batch_norm_train_fwdbwd(benchmark::State& state) {
  const bk::Tensor x = input().requires_grad_(true);
  const bk::Tensor gy = bk::randn(kShape);
  BatchNormArgs a;
  for (auto _ : state)
    bk::batch_norm(x, a.weight, a.bias, a.running_mean, a.running_var, true, 0.1, 1e-5, false)
        .backward(gy);
  benchmark::DoNotOptimize(x.grad());
}
BENCHMARK(batch_norm_train_fwdbwd)->Unit(benchmark::kMillisecond);

void batch_norm_eval(benchmark::State& state) {
  const bk::Tensor x = input();
  BatchNormArgs a;
  bk::NoGradGuard guard;
  for (auto _ : state)
    benchmark::DoNotOptimize(bk::batch_norm(x, a.weight, a.bias, a.running_mean, a.running_var,
                                            false, 0.1, 1e-5, false));
}
BENCHMARK(batch_norm_eval)->Unit(benchmark::kMillisecond);

void layer_norm_fwd(benchmark::State& state) {
  const bk::Tensor x = input();
  const bk::Tensor w = bk::ones({56, 56}), b = bk::zeros({56, 56});
  for (auto _ : state) benchmark::DoNotOptimize(bk::layer_norm(x, {56, 56}, w, b, 1e-5, false));
}
BENCHMARK(layer_norm_fwd)->Unit(benchmark::kMillisecond);

void group_norm_fwd(benchmark::State& state) {
  const bk::Tensor x = input();
  const bk::Tensor w = bk::ones({64}), b = bk::zeros({64});
  for (auto _ : state) benchmark::DoNotOptimize(bk::group_norm(x, 32, w, b, 1e-5, false));
}
BENCHMARK(group_norm_fwd)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
