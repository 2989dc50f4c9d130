// A libtorch program built against the installed tensorgrad::torch: libtorch's headers, names and
// printing, one training step of a small module.
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <sstream>

struct NetImpl : torch::nn::Module {
  NetImpl() : fc(register_module("fc", torch::nn::Linear(2, 1))) {}
  torch::Tensor forward(torch::Tensor x) { return fc(x); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Net);

int main() {
  torch::manual_seed(0);
  Net net;
  torch::optim::SGD optimizer(net->parameters(), 0.01);
  auto x = torch::tensor({{1.0, 2.0}, {3.0, 4.0}});
  auto y = torch::tensor({{1.0}, {2.0}});
  optimizer.zero_grad();
  auto loss = torch::nn::functional::mse_loss(net(x), y);
  loss.backward();
  optimizer.step();
  const auto after = torch::nn::functional::mse_loss(net(x), y).item<double>();
  std::cout << "loss " << loss.item<double>() << " -> " << after << '\n';

  // Printed as libtorch prints, and a CUDA device refused with a c10::Error.
  std::ostringstream printed;
  printed << torch::ones({2}, torch::kLong);
  bool refused = false;
  try {
    torch::zeros({1}, torch::Device(torch::kCUDA));
  } catch (const c10::Error&) {
    refused = true;
  }
  TORCH_CHECK(printed.str() == " 1\n 1\n[ CPULongType{2} ]", "printed ", printed.str());
  const bool ok = std::isfinite(after) && after < loss.item<double>() && refused &&
                  !torch::cuda::is_available();
  std::cout << (ok ? "consumer_torch: ok" : "consumer_torch: wrong") << '\n';
  return ok ? 0 : 1;
}
