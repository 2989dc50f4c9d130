// libtorch's data API in the style of its MNIST example, built unchanged against libtorch and
// tensorgrad::torch; CTest compares what the two print: the batches each sampler hands out for a
// seed (RandomSampler's permutations, the distributed shares, std::shuffle's order), transforms,
// worker threads and their exceptions. Given a folder holding MNIST's test split
// (t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, plain, 10,000 images, as `make
// data-mnist-digits` writes), it also runs libtorch's MNIST pipeline over it.
#include <torch/data/datasets/mnist.h>
#include <torch/data/samplers/distributed.h>
#include <torch/data/samplers/stream.h>
#include <torch/data/transforms/lambda.h>
#include <torch/torch.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A user dataset: example i is a 1x2x2 image filled with i / 10 and the target i % 3.
struct Ramp : torch::data::datasets::Dataset<Ramp> {
  explicit Ramp(size_t n, size_t bad = 1000) : n_(n), bad_(bad) {}
  torch::data::Example<> get(size_t index) override {
    if (index == bad_)
      throw std::runtime_error("Ramp: example " + std::to_string(index) + " is bad");
    return {torch::full({1, 2, 2}, static_cast<double>(index) / 10.0),
            torch::tensor(static_cast<int64_t>(index % 3))};
  }
  torch::optional<size_t> size() const override { return n_; }
  size_t n_, bad_;
};

struct Numbers : torch::data::datasets::StreamDataset<Numbers, std::vector<int64_t>> {
  std::vector<int64_t> get_batch(size_t n) override {
    std::vector<int64_t> out;
    for (size_t i = 0; i < n; ++i) out.push_back(next_++ * 7);
    return out;
  }
  torch::optional<size_t> size() const override { return torch::nullopt; }
  int64_t next_ = 0;
};

void print_indices(const char* label, const torch::Tensor& t) {
  std::printf("%s", label);
  for (int64_t i = 0; i < t.numel(); ++i) std::printf(" %lld", (long long)t[i].item<int64_t>());
  std::printf("\n");
}

template <typename Sampler>
void print_sampler(const char* label, Sampler sampler, size_t batch_size) {
  std::printf("%s:", label);
  while (auto batch = sampler.next(batch_size)) {
    std::printf(" [");
    for (size_t i : *batch) std::printf(" %zu", i);
    std::printf(" ]");
  }
  std::printf("\n");
}

void samplers_and_tensor_dataset() {
  torch::manual_seed(2023);
  auto loader = torch::data::make_data_loader(
      torch::data::datasets::TensorDataset(torch::arange(10))
          .map(torch::data::transforms::Stack<torch::data::TensorExample>()),
      torch::data::DataLoaderOptions().batch_size(4));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::printf("random epoch %d\n", epoch);
    for (auto& batch : *loader) print_indices("  batch", batch.data);
  }
  for (size_t rank = 0; rank < 3; ++rank) {
    for (size_t epoch = 0; epoch < 2; ++epoch) {
      torch::data::samplers::DistributedRandomSampler random(10, 3, rank);
      random.set_epoch(epoch);
      random.reset();
      std::printf("rank %zu epoch %zu ", rank, epoch);
      print_sampler("distributed random", random, 3);
    }
    std::printf("rank %zu ", rank);
    print_sampler("distributed random without duplicates",
                  torch::data::samplers::DistributedRandomSampler(10, 3, rank, false), 2);
    std::printf("rank %zu ", rank);
    print_sampler("distributed sequential",
                  torch::data::samplers::DistributedSequentialSampler(10, 3, rank), 2);
  }
  print_sampler("sequential", torch::data::samplers::SequentialSampler(5), 2);
  auto stream = torch::data::make_data_loader(Numbers(), torch::data::samplers::StreamSampler(8),
                                              torch::data::DataLoaderOptions(3));
  std::printf("stream:");
  for (auto& batch : *stream) {
    std::printf(" [");
    for (int64_t v : batch) std::printf(" %lld", (long long)v);
    std::printf(" ]");
  }
  std::printf("\n");
}

void transforms_and_workers() {
  auto dataset =
      Ramp(10)
          .map(torch::data::transforms::Normalize<>(0.5, 0.25))
          .map(torch::data::transforms::TensorLambda<>([](torch::Tensor t) { return t * 2 + 1; }))
          .map(torch::data::transforms::Stack<>());
  for (size_t workers : {0, 2}) {
    torch::manual_seed(7);
    auto loader = torch::data::make_data_loader(
        dataset, torch::data::DataLoaderOptions().batch_size(3).workers(workers).drop_last(true));
    std::printf("workers %zu max_jobs %zu\n", loader->options().workers,
                loader->options().max_jobs);
    for (auto& batch : *loader) {
      std::printf("  sizes %lld %lld %lld %lld data sum %.6f first %.6f",
                  (long long)batch.data.size(0), (long long)batch.data.size(1),
                  (long long)batch.data.size(2), (long long)batch.data.size(3),
                  batch.data.sum().item<double>(), batch.data[0][0][0][0].item<double>());
      print_indices(" targets", batch.target);
    }
  }
  auto bad = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Ramp(10, 7).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions(2).workers(2));
  try {
    for (auto& batch : *bad) print_indices("before the bad one", batch.target);
  } catch (const std::exception& e) {
    std::printf("caught: %s\n", e.what());
  }
}

void mnist(const std::string& root) {
  auto dataset = torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest)
                     .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                     .map(torch::data::transforms::Stack<>());
  std::printf("mnist size %zu\n", dataset.size().value());
  torch::manual_seed(1);
  auto loader = torch::data::make_data_loader(
      std::move(dataset), torch::data::DataLoaderOptions().batch_size(1000).workers(2));
  double total = 0;
  int64_t count = 0;
  for (auto& batch : *loader) {
    total += batch.data.sum().item<double>();
    count += batch.target.size(0);
    std::printf("  batch of %lld: targets sum %lld first target %lld\n",
                (long long)batch.target.size(0), (long long)batch.target.sum().item<int64_t>(),
                (long long)batch.target[0].item<int64_t>());
  }
  std::printf("mnist examples %lld data sum %.2f\n", (long long)count, total);
}

}  // namespace

int main(int argc, char** argv) {
  samplers_and_tensor_dataset();
  transforms_and_workers();
  if (argc > 1) mnist(argv[1]);
  return 0;
}
