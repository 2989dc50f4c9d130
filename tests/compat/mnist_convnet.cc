// The MNIST convnet in the style of libtorch's C++ examples: two convolutions (the second with
// Dropout2d), max pooling, two linear layers, dropout and log_softmax, trained with SGD and
// nll_loss. Built unchanged against libtorch and against tensorgrad::torch. Without arguments it
// trains on seeded random images (so the two builds print the same numbers, dropout masks
// included); with a folder of MNIST files it trains and tests on them instead.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 10, /*kernel_size=*/5)),
        conv2(torch::nn::Conv2dOptions(10, 20, /*kernel_size=*/5)),
        fc1(320, 50),
        fc2(50, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv2_drop", conv2_drop);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2_drop->forward(conv2->forward(x)), 2));
    x = x.view({-1, 320});
    x = torch::relu(fc1->forward(x));
    x = torch::dropout(x, /*p=*/0.5, /*train=*/is_training());
    x = fc2->forward(x);
    return torch::log_softmax(x, /*dim=*/1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Dropout2d conv2_drop;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

// Seeded random images: every number the program prints depends only on the seed.
void train_on_random_images() {
  Net model;
  std::cout << model << std::endl;
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  model.train();
  for (int step = 1; step <= 10; ++step) {
    auto data = torch::randn({16, 1, 28, 28});
    auto targets = torch::randint(0, 10, {16});
    optimizer.zero_grad();
    auto output = model.forward(data);
    auto loss = torch::nll_loss(output, targets);
    loss.backward();
    optimizer.step();
    std::printf("step %2d | loss %.6f\n", step, loss.item<float>());
  }
  torch::NoGradGuard no_grad;
  model.eval();
  auto output = model.forward(torch::randn({4, 1, 28, 28}));
  std::cout << "eval predictions: " << output.argmax(1) << std::endl;
  std::cout << "conv1 weight sum: " << model.conv1->weight.sum().item<float>() << std::endl;
}

void train_on_mnist(const std::string& root) {
  auto dataset = torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest)
                     .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                     .map(torch::data::transforms::Stack<>());
  const size_t dataset_size = dataset.size().value();
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(dataset), 64);
  Net model;
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  size_t batch_idx = 0;
  for (auto& batch : *loader) {
    optimizer.zero_grad();
    auto loss = torch::nll_loss(model.forward(batch.data), batch.target);
    loss.backward();
    optimizer.step();
    if (batch_idx++ % 20 == 0) {
      std::printf("Train [%5ld/%5ld] Loss: %.4f\n", batch_idx * batch.data.size(0), dataset_size,
                  loss.item<float>());
    }
  }
}

int main(int argc, char** argv) {
  torch::manual_seed(1);
  if (argc > 1) {
    train_on_mnist(argv[1]);
  } else {
    train_on_random_images();
  }
}
