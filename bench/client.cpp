// A small client program, compiled (not linked) by run.sh to compare the compile time a user sees:
//   c++ -std=c++20 -O2 -c client.cpp -DBACKEND=tg      (includes <tensorgrad/tensorgrad.h>)
//   c++ -std=c++20 -O2 -c client.cpp -DBACKEND=torch   (includes <torch/torch.h>)
// Each side includes its library's umbrella header, as a user would. It trains the tutorial's
// WideNet and prints the loss now and then.
#include <cstdio>
#include <numbers>

#define CLIENT_IS_tg 0
#define CLIENT_IS_torch 1
#define CLIENT_IS_(name) CLIENT_IS_##name
#define CLIENT_IS(name) CLIENT_IS_(name)

#if CLIENT_IS(BACKEND)
#include <torch/torch.h>
#else
#include <tensorgrad/tensorgrad.h>
#endif

namespace bk = BACKEND;

int main() {
  bk::manual_seed(2021);
  const bk::Tensor x = bk::linspace(-1.0, 1.0, 32).reshape({32, 1});
  const bk::Tensor y = bk::sin(std::numbers::pi * x) + bk::randn({32, 1}) / 4;

  bk::manual_seed(2021);
  bk::nn::Sequential net{bk::nn::Linear(1, 512), bk::nn::Tanh(), bk::nn::Linear(512, 1)};
  bk::nn::MSELoss loss_fn;
  bk::optim::SGD optimizer(net->parameters(), bk::optim::SGDOptions(0.003).momentum(0.9));

  for (int epoch = 1; epoch <= 1000; ++epoch) {
    optimizer.zero_grad();
    const bk::Tensor loss = loss_fn(net->forward(x), y);
    loss.backward();
    optimizer.step();
    if (epoch % 100 == 0) std::printf("epoch %4d  loss %.6f\n", epoch, loss.item<double>());
  }

  bk::NoGradGuard no_grad;
  const bk::Tensor fit = net->forward(x);
  double worst = 0;
  for (int64_t i = 0; i < 32; ++i) {
    const double err = (fit[i][0] - y[i][0]).abs().item<double>();
    if (err > worst) worst = err;
  }
  std::printf("largest error on the training points: %.4f\n", worst);
  return 0;
}
