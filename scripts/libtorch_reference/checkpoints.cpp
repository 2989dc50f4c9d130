// Writes checkpoints with libtorch 1.13's own torch::save, for tests/io/test_libtorch_files.cpp:
// a module (the fixture MLP of scripts/make_checkpoint_fixtures.py), its SGD and Adam optimizers
// after a few steps, a tensor, a list of tensors, and the inputs and predictions to compare with.
// Run by scripts/make_libtorch_checkpoints.sh, which builds it and writes tests/fixtures/io/.
#include <torch/torch.h>

#include <iostream>
#include <string>

struct MLPImpl : torch::nn::Module {
  MLPImpl() {
    layers = register_module(
        "layers",
        torch::nn::Sequential(torch::nn::Linear(4, 8), torch::nn::Tanh(), torch::nn::Linear(8, 3)));
    scale = register_buffer("scale", torch::full({3}, 0.5, torch::kFloat64));
    count = register_buffer("count", torch::tensor(int64_t{7}));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return layers->forward(x) * scale.to(torch::kFloat32);
  }
  torch::nn::Sequential layers{nullptr};
  torch::Tensor scale, count;
};
TORCH_MODULE(MLP);

template <typename Opt>
void train(MLP& net, Opt& opt, const torch::Tensor& x, const torch::Tensor& y, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    auto loss = torch::mse_loss(net->forward(x), y);
    loss.backward();
    opt.step();
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: checkpoints OUTPUT_DIR\n";
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/";
  torch::manual_seed(0);
  const auto x = torch::linspace(-2, 2, 64).reshape({16, 4});
  const auto y = torch::cos(torch::linspace(0, 6, 48)).reshape({16, 3});

  MLP net;
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  train(net, sgd, x, y, 3);
  torch::save(net, dir + "libtorch_mlp.pt");
  torch::save(sgd, dir + "libtorch_sgd.pt");
  torch::NoGradGuard no_grad_outer;
  const auto predictions = net->forward(x).detach();
  {
    torch::AutoGradMode enable(true);
    train(net, sgd, x, y, 1);
  }
  const auto next_predictions = net->forward(x).detach();

  MLP adam_net;
  torch::optim::Adam adam(adam_net->parameters(), torch::optim::AdamOptions(0.01));
  {
    torch::AutoGradMode enable(true);
    train(adam_net, adam, x, y, 2);
  }
  torch::save(adam_net, dir + "libtorch_adam_mlp.pt");
  torch::save(adam, dir + "libtorch_adam.pt");
  {
    torch::AutoGradMode enable(true);
    train(adam_net, adam, x, y, 1);
  }
  const auto adam_next = adam_net->forward(x).detach();

  torch::save(torch::arange(6, torch::kFloat64).reshape({2, 3}), dir + "libtorch_tensor.pt");
  torch::save(std::vector<torch::Tensor>{x, y, predictions, next_predictions, adam_next},
              dir + "libtorch_io.pt");
  std::cout << "wrote libtorch checkpoints to " << dir << "\n";
  return 0;
}
