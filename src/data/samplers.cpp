// libtorch's samplers. RandomSampler's order is torch::randperm's; the distributed random order
// is std::shuffle with std::mt19937 seeded by the epoch, as libtorch draws it.
#include "tensorgrad/data/samplers.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace tg::data::samplers {

namespace {
// Indices [index, index + batch_size) of a list of `size`, clipped to its end.
size_t batch_end(size_t index, size_t batch_size, size_t size) {
  return batch_size >= size - index ? size : index + batch_size;
}
}  // namespace

// ---- SequentialSampler

SequentialSampler::SequentialSampler(size_t size) : size_(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  if (index_ >= size_) return std::nullopt;
  const size_t end = batch_end(index_, batch_size, size_);
  std::vector<size_t> batch(end - index_);
  std::iota(batch.begin(), batch.end(), index_);
  index_ = end;
  return batch;
}

// ---- RandomSampler

RandomSampler::RandomSampler(int64_t size, ScalarType index_dtype)
    : indices_(randperm(size, index_dtype)) {}

void RandomSampler::reset(std::optional<size_t> new_size) {
  const int64_t size = new_size ? static_cast<int64_t>(*new_size) : indices_.numel();
  indices_ = randperm(size, indices_.scalar_type());
  index_ = 0;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  const auto total = static_cast<size_t>(indices_.numel());
  const auto index = static_cast<size_t>(index_);
  if (index >= total) return std::nullopt;
  const size_t end = batch_end(index, batch_size, total);
  const Tensor slice = indices_.slice(0, index_, static_cast<int64_t>(end)).to(kInt64).contiguous();
  const int64_t* p = slice.data_ptr<int64_t>();
  std::vector<size_t> batch(p, p + (end - index));
  index_ = static_cast<int64_t>(end);
  return batch;
}

// ---- DistributedRandomSampler

DistributedRandomSampler::DistributedRandomSampler(size_t size, size_t num_replicas, size_t rank,
                                                   bool allow_duplicates)
    : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
  DistributedRandomSampler::reset(size_);
}

void DistributedRandomSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  select_share();
  // 0, ..., size - 1, then (with duplicates) the padding from the start again; without them the
  // list is cut to num_replicas equal shares. libtorch pads with i - size, which leaves the
  // dataset when there are more replicas than examples; the wrap-around is the same otherwise.
  const size_t count = num_replicas_ == 1 ? size_ : local_sample_count() * num_replicas_;
  all_indices_.resize(count);
  for (size_t i = 0; i < count; ++i) all_indices_[i] = i % size_;
  std::mt19937 engine(static_cast<std::mt19937::result_type>(epoch_));
  std::shuffle(all_indices_.begin(), all_indices_.end(), engine);
}

std::optional<std::vector<size_t>> DistributedRandomSampler::next(size_t batch_size) {
  if (sample_index_ >= end_index_) return std::nullopt;
  const size_t end = batch_end(sample_index_, batch_size, end_index_);
  std::vector<size_t> batch(all_indices_.begin() + static_cast<std::ptrdiff_t>(sample_index_),
                            all_indices_.begin() + static_cast<std::ptrdiff_t>(end));
  sample_index_ = end;
  return batch;
}

// ---- DistributedSequentialSampler

DistributedSequentialSampler::DistributedSequentialSampler(size_t size, size_t num_replicas,
                                                           size_t rank, bool allow_duplicates)
    : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
  select_share();
}

void DistributedSequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  select_share();
}

std::optional<std::vector<size_t>> DistributedSequentialSampler::next(size_t batch_size) {
  if (sample_index_ >= end_index_) return std::nullopt;
  const size_t end = batch_end(sample_index_, batch_size, end_index_);
  std::vector<size_t> batch(end - sample_index_);
  std::iota(batch.begin(), batch.end(), sample_index_);
  // The last share's padding wraps around to the first indices.
  for (size_t& i : batch) i %= size_;
  sample_index_ = end;
  return batch;
}

// ---- StreamSampler

void StreamSampler::reset(std::optional<size_t> new_size) {
  if (new_size) epoch_size_ = *new_size;
  examples_retrieved_so_far_ = 0;
}

std::optional<BatchSize> StreamSampler::next(size_t batch_size) {
  if (examples_retrieved_so_far_ >= epoch_size_) return std::nullopt;
  const size_t n = std::min(batch_size, epoch_size_ - examples_retrieved_so_far_);
  examples_retrieved_so_far_ += n;
  return BatchSize(n);
}

}  // namespace tg::data::samplers
