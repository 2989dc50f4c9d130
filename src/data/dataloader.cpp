// TensorDataset and DataLoader: torch.utils.data with num_workers=0, including the random draws
// that decide the shuffled order (see data/sampling.h).
#include <algorithm>
#include <numeric>
#include <string>

#include "data/sampling.h"
#include "random/guard.h"
#include "tensorgrad/data.h"

namespace tg::data {

// ---- the random draws

namespace detail {

int64_t random_int64(Generator& gen) {
  return static_cast<int64_t>(gen.random64() % (uint64_t{1} << 63));
}

std::vector<int64_t> random_sampler_order(int64_t n, Generator* gen) {
  TG_CHECK(n > 0, "RandomSampler: num_samples should be a positive integer value, but got ", n);
  Tensor perm;
  if (gen == nullptr) {
    const int64_t seed = [] {
      rng::GeneratorGuard guard(nullptr);
      return random_int64(guard.get());
    }();
    Generator seeded(static_cast<uint64_t>(seed));
    perm = randperm(n, &seeded);
  } else {
    perm = randperm(n, gen);
  }
  const int64_t* p = perm.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + n);
}

}  // namespace detail

// ---- Sample

Sample::Sample(std::vector<Tensor> ts) : tensors(std::move(ts)) {
  if (!tensors.empty()) data = tensors[0];
  if (tensors.size() > 1) target = tensors[1];
}

Sample::Sample(Tensor d, Tensor t) : data(d), target(t), tensors{std::move(d), std::move(t)} {}

const Tensor& Sample::operator[](size_t i) const {
  TG_CHECK(i < tensors.size(), "Sample: index ", i, " is out of range for an example of ",
           tensors.size(), " tensors");
  return tensors[i];
}

// ---- datasets

Sample SampleDataset::get_batch(const std::vector<int64_t>& indices) const {
  TG_CHECK(!indices.empty(), "SampleDataset::get_batch: no indices");
  std::vector<Sample> samples;
  samples.reserve(indices.size());
  for (int64_t i : indices) samples.push_back(get(static_cast<size_t>(i)));
  const size_t k = samples[0].tensors.size();
  std::vector<Tensor> stacked;
  for (size_t j = 0; j < k; ++j) {
    std::vector<Tensor> column;
    column.reserve(samples.size());
    for (const auto& s : samples) {
      TG_CHECK(s.tensors.size() == k, "SampleDataset::get_batch: samples have ", k, " and ",
               s.tensors.size(), " tensors");
      column.push_back(s.tensors[j]);
    }
    stacked.push_back(stack(column, 0));
  }
  return Sample(std::move(stacked));
}

TensorDataset::TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
  TG_CHECK(!tensors_.empty(), "TensorDataset: needs at least one tensor");
  for (size_t i = 0; i < tensors_.size(); ++i) {
    TG_CHECK(tensors_[i].defined(), "TensorDataset: tensor ", i, " is undefined");
    TG_CHECK(tensors_[i].dim() >= 1, "TensorDataset: tensor ", i,
             " is a scalar; every tensor needs a first dimension to index");
    TG_CHECK(tensors_[i].size(0) == tensors_[0].size(0),
             "TensorDataset: size mismatch between tensors: tensor 0 has ", tensors_[0].size(0),
             " samples, tensor ", i, " has ", tensors_[i].size(0));
  }
}

TensorDataset::TensorDataset(Tensor data) : TensorDataset(std::vector<Tensor>{std::move(data)}) {}

TensorDataset::TensorDataset(Tensor data, Tensor target)
    : TensorDataset(std::vector<Tensor>{std::move(data), std::move(target)}) {}

size_t TensorDataset::size() const { return static_cast<size_t>(tensors_[0].size(0)); }

Sample TensorDataset::get(size_t index) const {
  TG_CHECK(index < size(), "TensorDataset: index ", index, " is out of range for a dataset of ",
           size(), " samples");
  std::vector<Tensor> out;
  out.reserve(tensors_.size());
  for (const auto& t : tensors_) out.push_back(t.select(0, static_cast<int64_t>(index)));
  return Sample(std::move(out));
}

Sample TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  const auto n = static_cast<int64_t>(size());
  for (int64_t i : indices)
    TG_CHECK(i >= 0 && i < n, "TensorDataset: index ", i, " is out of range for a dataset of ", n,
             " samples");
  // index_select reads the indices right away, so wrapping the vector without a copy is safe.
  const Tensor index = from_blob(const_cast<int64_t*>(indices.data()),
                                 {static_cast<int64_t>(indices.size())}, kLong);
  std::vector<Tensor> out;
  out.reserve(tensors_.size());
  for (const auto& t : tensors_) out.push_back(t.index_select(0, index));
  return Sample(std::move(out));
}

// ---- DataLoader

struct DataLoader::Iterator::Epoch {
  std::shared_ptr<const SampleDataset> dataset;
  DataLoaderOptions options;
  int64_t n = 0;
  int64_t num_batches = 0;
  bool started = false;
  bool exhausted = false;
  std::vector<int64_t> order;  // the shuffled order; empty when not shuffling
  int64_t batch = 0;           // the batch that the iterator is at
  int64_t loaded = -1;         // the batch held in `current`
  Sample current;

  // The sampler's first step (Python's first next()): draws the shuffled order.
  void start() {
    if (started) return;
    started = true;
    if (options.shuffle()) order = detail::random_sampler_order(n, options.generator());
  }

  // BatchSampler asking RandomSampler for one index past the last one: RandomSampler.__iter__
  // then runs its trailing `randperm(n, generator=generator)[:num_samples % n]`, an empty slice of
  // one more permutation. That consumes the loader's generator when it has one (the default
  // path draws from its private per-epoch generator, which nothing else sees).
  void exhaust() {
    if (exhausted) return;
    exhausted = true;
    if (options.shuffle() && options.generator() != nullptr) (void)randperm(n, options.generator());
  }

  bool at_end() {
    start();
    if (batch < num_batches) return false;
    exhaust();
    return true;
  }

  const Sample& get() {
    start();
    TG_CHECK(batch < num_batches, "DataLoader: dereferencing the end of an epoch");
    if (loaded != batch) {
      const int64_t bs = options.batch_size();
      const int64_t begin = batch * bs;
      const int64_t end = std::min(n, begin + bs);
      // A short last batch is made only after the sampler ran out.
      if (end - begin < bs) exhaust();
      std::vector<int64_t> indices(static_cast<size_t>(end - begin));
      if (order.empty())
        std::iota(indices.begin(), indices.end(), begin);
      else
        std::copy(order.begin() + begin, order.begin() + end, indices.begin());
      current = dataset->get_batch(indices);
      loaded = batch;
    }
    return current;
  }
};

DataLoader::DataLoader(std::shared_ptr<const SampleDataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  TG_CHECK(dataset_ != nullptr, "DataLoader: the dataset is empty (null)");
  TG_CHECK(options_.batch_size() > 0,
           "DataLoader: batch_size should be a positive integer value, but got ",
           options_.batch_size());
  TG_CHECK(!options_.shuffle() || dataset_->size() > 0,
           "DataLoader: num_samples should be a positive integer value, but got num_samples=0 "
           "(shuffle needs a non-empty dataset)");
}

size_t DataLoader::size() const {
  const size_t n = dataset_->size();
  const auto bs = static_cast<size_t>(options_.batch_size());
  return options_.drop_last() ? n / bs : (n + bs - 1) / bs;
}

DataLoader::Iterator DataLoader::begin() {
  auto epoch = std::make_shared<Iterator::Epoch>();
  epoch->dataset = dataset_;
  epoch->options = options_;
  epoch->n = static_cast<int64_t>(dataset_->size());
  epoch->num_batches = static_cast<int64_t>(size());
  TG_CHECK(!options_.shuffle() || epoch->n > 0,
           "DataLoader: cannot shuffle an empty dataset (num_samples=0)");
  // _BaseDataLoaderIter.__init__: the base seed for workers, drawn even when unused.
  rng::GeneratorGuard guard(options_.generator());
  (void)detail::random_int64(guard.get());
  return Iterator(std::move(epoch));
}

DataLoader::Iterator DataLoader::end() { return Iterator(); }

DataLoader::Iterator::Iterator(std::shared_ptr<Epoch> epoch) : epoch_(std::move(epoch)) {}

const Sample& DataLoader::Iterator::operator*() const {
  TG_CHECK(epoch_ != nullptr, "DataLoader: dereferencing an end iterator");
  return epoch_->get();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  TG_CHECK(epoch_ != nullptr, "DataLoader: advancing an end iterator");
  epoch_->start();
  if (epoch_->batch < epoch_->num_batches) ++epoch_->batch;
  return *this;
}

bool DataLoader::Iterator::operator==(const Iterator& other) const {
  auto at_end = [](const Iterator& it) { return !it.epoch_ || it.epoch_->at_end(); };
  if (epoch_ && other.epoch_ && epoch_ == other.epoch_) return true;
  return at_end(*this) && at_end(other);
}

}  // namespace tg::data
