// Convolution workloads: a LeNet-style training step of the two conv layers (batch 64, 1x28x28:
// conv 1->6 k5 pad 2, ReLU, conv 6->16 k5), a ResNet-style block (64 channels, 56x56, batch 8,
// two 3x3 convs with ReLU and the skip) forward and backward, and a DCGAN-style generator stack
// of ConvTranspose2d layers (batch 64, 100x1x1 noise to 1x28x28) forward and backward. Built
// against tensorgrad and libtorch from this one source (backend.h); run both with the same
// BENCH_THREADS, pinned, and compare medians.
#include "bench_main.h"

#ifdef TG_BENCH_LIBTORCH
#include <torch/nn/modules/conv.h>
#endif

namespace {

namespace nn = bk::nn;

void lenet_step(benchmark::State& state) {
  bk::manual_seed(0);
  nn::Conv2d c1(nn::Conv2dOptions(1, 6, 5).padding(2));
  nn::Conv2d c2(nn::Conv2dOptions(6, 16, 5));
  const bk::Tensor x = bk::randn({64, 1, 28, 28});
  for (auto _ : state) {
    c1->zero_grad();
    c2->zero_grad();
    bk::Tensor y = c2->forward(bk::relu(c1->forward(x)));
    y.sum().backward();
    benchmark::DoNotOptimize(c1->weight.grad());
  }
}
BENCHMARK(lenet_step)->Unit(benchmark::kMillisecond)->UseRealTime();

void resnet_block(benchmark::State& state) {
  bk::manual_seed(0);
  nn::Conv2d c1(nn::Conv2dOptions(64, 64, 3).padding(1).bias(false));
  nn::Conv2d c2(nn::Conv2dOptions(64, 64, 3).padding(1).bias(false));
  const bk::Tensor x = bk::randn({8, 64, 56, 56}).requires_grad_(true);
  for (auto _ : state) {
    c1->zero_grad();
    c2->zero_grad();
    bk::Tensor y = bk::relu(c2->forward(bk::relu(c1->forward(x))) + x);
    y.sum().backward();
    benchmark::DoNotOptimize(c1->weight.grad());
  }
}
BENCHMARK(resnet_block)->Unit(benchmark::kMillisecond)->UseRealTime();

void dcgan_generator(benchmark::State& state) {
  bk::manual_seed(0);
  // 100x1x1 -> 128x7x7 -> 64x14x14 -> 1x28x28
  nn::ConvTranspose2d t1(nn::ConvTranspose2dOptions(100, 128, 7).bias(false));
  nn::ConvTranspose2d t2(nn::ConvTranspose2dOptions(128, 64, 4).stride(2).padding(1).bias(false));
  nn::ConvTranspose2d t3(nn::ConvTranspose2dOptions(64, 1, 4).stride(2).padding(1).bias(false));
  const bk::Tensor z = bk::randn({64, 100, 1, 1});
  for (auto _ : state) {
    t1->zero_grad();
    t2->zero_grad();
    t3->zero_grad();
    bk::Tensor y = bk::tanh(t3->forward(bk::relu(t2->forward(bk::relu(t1->forward(z))))));
    y.sum().backward();
    benchmark::DoNotOptimize(t1->weight.grad());
  }
}
BENCHMARK(dcgan_generator)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
