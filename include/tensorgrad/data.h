// tensorgrad's data loading, in two dialects:
//  - libtorch's torch::data (data/datasets.h, transforms.h, samplers.h, loader.h): CRTP datasets,
//    MNIST, transforms, samplers and make_data_loader with worker threads;
//  - below, Python's torch.utils.data with num_workers=0: a SampleDataset of tensors and a
//    DataLoader giving the same batches, in the same order for the same manual_seed as PyTorch
//    1.13 (shuffle draws its permutation exactly as RandomSampler does).
//
//   tg::data::TensorDataset dataset(x, y);
//   auto options = tg::data::DataLoaderOptions().batch_size(8).shuffle(true);
//   tg::data::DataLoader loader(dataset, options);
//   for (const auto& batch : loader) {
//     auto loss = criterion(net(batch.data), batch.target);  // ...
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "tensorgrad/data/datasets.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/data/loader.h"
#include "tensorgrad/data/options.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/data/transforms.h"
#include "tensorgrad/random.h"
#include "tensorgrad/tensor.h"

namespace tg::data {

// As libtorch exports them: torch::data::Dataset<Self> is datasets::Dataset<Self>.
using datasets::BatchDataset;
using datasets::Dataset;

// One sample, or one batch of samples. `tensors` holds one tensor per tensor of the dataset, in
// the dataset's order; `data` and `target` name the first two (target is undefined when the
// dataset has a single tensor).
struct Sample {
  Sample() = default;
  explicit Sample(std::vector<Tensor> tensors);
  Sample(Tensor data, Tensor target);

  Tensor data;
  Tensor target;
  std::vector<Tensor> tensors;

  size_t size() const { return tensors.size(); }
  const Tensor& operator[](size_t i) const;
};

// A map-style dataset: size() samples, get(i) the i-th. get_batch() gathers several samples into
// one Sample whose tensors are stacked along dim 0; the default stacks get(i) for each index.
class SampleDataset {
 public:
  virtual ~SampleDataset() = default;
  virtual size_t size() const = 0;
  virtual Sample get(size_t index) const = 0;
  virtual Sample get_batch(const std::vector<int64_t>& indices) const;
};

// Wraps tensors that share their first dimension, like torch.utils.data.TensorDataset: sample i
// is (t[i] for each tensor t).
class TensorDataset : public SampleDataset {
 public:
  explicit TensorDataset(std::vector<Tensor> tensors);
  explicit TensorDataset(Tensor data);
  TensorDataset(Tensor data, Tensor target);

  size_t size() const override;
  Sample get(size_t index) const override;
  // index_select along dim 0 of each tensor: new tensors, never views of the dataset.
  Sample get_batch(const std::vector<int64_t>& indices) const override;
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_;
};

// Iterating a DataLoader runs one epoch, with PyTorch 1.13's random draws in PyTorch's order:
//  - begin() draws the epoch's base seed, torch.empty((), dtype=torch.int64).random_(generator),
//    from the options' generator or the default one (PyTorch does this even without shuffle, so
//    the default generator's stream stays in step with PyTorch's);
//  - with shuffle, the first step of the iterator (comparing, dereferencing or advancing it) draws
//    the order: without a generator, a second such seed from the default generator seeds a fresh
//    Generator, and the order is randperm(size, that generator); with one, randperm(size, it).
//  - with shuffle and a generator, an epoch that runs to its end also draws one more
//    randperm(size, generator), which PyTorch's RandomSampler makes (and slices to nothing) when
//    asked for an index past the last; the next epoch's order depends on it.
// Batches are consecutive runs of batch_size indices of that order.
class DataLoader {
 public:
  class Iterator;

  template <typename D,
            typename = std::enable_if_t<std::is_base_of_v<SampleDataset, std::decay_t<D>>>>
  explicit DataLoader(D&& dataset, DataLoaderOptions options = {})
      : DataLoader(std::make_shared<std::decay_t<D>>(std::forward<D>(dataset)), options) {}
  explicit DataLoader(std::shared_ptr<const SampleDataset> dataset, DataLoaderOptions options = {});

  Iterator begin();
  Iterator end();
  // The number of batches in an epoch, len(loader) in PyTorch.
  size_t size() const;
  const DataLoaderOptions& options() const { return options_; }
  const SampleDataset& dataset() const { return *dataset_; }

 private:
  std::shared_ptr<const SampleDataset> dataset_;
  DataLoaderOptions options_;
};

class DataLoader::Iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Sample;
  using difference_type = std::ptrdiff_t;
  using pointer = const Sample*;
  using reference = const Sample&;

  Iterator() = default;
  const Sample& operator*() const;
  const Sample* operator->() const { return &**this; }
  Iterator& operator++();
  // Input-iterator semantics: copies share one epoch, so only the newest copy is meaningful.
  void operator++(int) { ++*this; }
  bool operator==(const Iterator& other) const;
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  friend class DataLoader;
  struct Epoch;
  explicit Iterator(std::shared_ptr<Epoch> epoch);
  std::shared_ptr<Epoch> epoch_;  // null for end()
};

// libtorch's spelling: `auto loader = make_data_loader(dataset, options); for (auto& b : *loader)`.
template <typename D,
          typename = std::enable_if_t<std::is_base_of_v<SampleDataset, std::decay_t<D>>>>
std::unique_ptr<DataLoader> make_data_loader(D&& dataset, DataLoaderOptions options = {}) {
  return std::make_unique<DataLoader>(std::forward<D>(dataset), options);
}

}  // namespace tg::data
