// Data-loading throughput: one epoch over Fashion-MNIST's 60,000 training images through libtorch's
// usual pipeline (the MNIST dataset, Normalize, Stack, batches of 64, a random sampler), with 0, 1
// and 2 worker threads. Only loading is timed: each batch's sum is taken so that nothing is
// optimised away, as a training loop would touch it.
//
//   data_loader_tg ROOT [EPOCHS]      ROOT holds train-images-idx3-ubyte and train-labels-idx1-ubyte
//
// libtorch's MNIST reader takes uncompressed files only, so bench/data_loader.sh unpacks Debian's
// gzipped copy once and gives both programs the same files. Prints one JSON line per worker count
// with the median epoch time over EPOCHS epochs (the dataset is read once, before the timing, as
// both libraries read the whole file in the dataset's constructor).
#ifdef TG_BENCH_LIBTORCH
#include <ATen/Parallel.h>
#include <torch/data.h>
#include <torch/types.h>
namespace bk = torch;
#define TG_BENCH_BACKEND "libtorch"
#else
#include <tensorgrad/tensorgrad.h>
namespace bk = tg;
#define TG_BENCH_BACKEND "tensorgrad"
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int64_t kBatch = 64;

template <typename Dataset>
double epoch_seconds(const Dataset& dataset, size_t workers, double* checksum) {
  auto loader = bk::data::make_data_loader<bk::data::samplers::RandomSampler>(
      dataset, bk::data::DataLoaderOptions().batch_size(kBatch).workers(workers));
  const auto start = std::chrono::steady_clock::now();
  double sum = 0;
  int64_t images = 0;
  for (auto& batch : *loader) {
    sum += batch.data.sum().template item<float>();
    images += batch.data.size(0);
  }
  const auto stop = std::chrono::steady_clock::now();
  if (images != 60000) {
    std::fprintf(stderr, "data_loader: expected 60000 images, got %lld\n", (long long)images);
    std::exit(1);
  }
  *checksum = sum;
  return std::chrono::duration<double>(stop - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ROOT [EPOCHS]\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 5;
  bk::set_num_threads(1);
  bk::manual_seed(0);
  auto dataset = bk::data::datasets::MNIST(root)
                     .map(bk::data::transforms::Normalize<>(0.2860, 0.3530))
                     .map(bk::data::transforms::Stack<>());
  for (size_t workers : {0, 1, 2}) {
    std::vector<double> times;
    double checksum = 0;
    for (int e = 0; e < epochs; ++e) times.push_back(epoch_seconds(dataset, workers, &checksum));
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf(
        "{\"backend\": \"%s\", \"workers\": %zu, \"epoch_s\": %.4f, \"images_per_s\": %.0f, "
        "\"checksum\": %.3f}\n",
        TG_BENCH_BACKEND, workers, median, 60000 / median, checksum);
  }
  return 0;
}
