// libtorch's samplers: each epoch (after reset()), next(batch_size) hands out the next batch's
// indices until the epoch is used up. RandomSampler draws its order as torch::randperm from the
// default generator, so a seed gives PyTorch's permutation; the distributed samplers give each of
// num_replicas processes its own share of the dataset; StreamSampler only counts examples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/scalar_type.h"
#include "tensorgrad/tensor.h"

namespace tg::data::samplers {

template <typename BatchRequest = std::vector<size_t>>
class Sampler {
 public:
  using BatchRequestType = BatchRequest;

  virtual ~Sampler() = default;
  // Starts a new epoch, over new_size examples when given.
  virtual void reset(std::optional<size_t> new_size) = 0;
  // The next batch of at most batch_size, or nothing once the epoch is used up.
  virtual std::optional<BatchRequest> next(size_t batch_size) = 0;
};

// 0, 1, ..., size - 1.
class SequentialSampler : public Sampler<> {
 public:
  explicit SequentialSampler(size_t size);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  size_t size_;
  size_t index_ = 0;
};

// A fresh randperm(size) from the default generator at construction and at every reset(); a
// loader resets its sampler when an epoch begins, so the first epoch uses the second permutation
// drawn, as with libtorch. index_dtype is the dtype the permutation is kept in.
class RandomSampler : public Sampler<> {
 public:
  explicit RandomSampler(int64_t size, ScalarType index_dtype = kInt64);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return static_cast<size_t>(index_); }

 private:
  Tensor indices_;
  int64_t index_ = 0;
};

// The base of the distributed samplers: the dataset split into num_replicas equal shares, this
// process taking share number `rank`. With allow_duplicates, each share has ceil(size /
// num_replicas) indices, the last ones wrapping around to the start so that every index is
// covered; without, floor(size / num_replicas), and the remainder is left out.
template <typename BatchRequest = std::vector<size_t>>
class DistributedSampler : public Sampler<BatchRequest> {
 public:
  DistributedSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                     bool allow_duplicates = true)
      : size_(size), num_replicas_(num_replicas), rank_(rank), allow_duplicates_(allow_duplicates) {
    TG_CHECK(num_replicas_ > 0, "DistributedSampler: num_replicas should be positive, but got 0");
    TG_CHECK(rank_ < num_replicas_, "DistributedSampler: invalid rank ", rank_,
             ", rank should be in the interval [0, ", num_replicas_ - 1, "]");
  }

  // The epoch seeds the shuffle of DistributedRandomSampler's next reset().
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }
  // The position of the next index within the (padded) list of all shares.
  size_t index() const noexcept { return sample_index_; }

 protected:
  size_t local_sample_count() const {
    return allow_duplicates_ ? (size_ + num_replicas_ - 1) / num_replicas_ : size_ / num_replicas_;
  }
  // Takes share number `rank` of the current size and rewinds to its start.
  void select_share() {
    begin_index_ = rank_ * local_sample_count();
    end_index_ = begin_index_ + local_sample_count();
    sample_index_ = begin_index_;
  }

  size_t size_;
  size_t num_replicas_;
  size_t rank_;
  size_t epoch_ = 0;
  bool allow_duplicates_;
  // This process's share is [begin_index_, end_index_); sample_index_ is the next one to hand out.
  size_t begin_index_ = 0;
  size_t end_index_ = 0;
  size_t sample_index_ = 0;
};

// Every process shuffles the same padded index list the same way (std::mt19937 seeded with the
// epoch and std::shuffle, as libtorch does, so the shares agree with libtorch's for the same
// standard library) and takes its own contiguous share of it.
class DistributedRandomSampler : public DistributedSampler<> {
 public:
  DistributedRandomSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                           bool allow_duplicates = true);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

 private:
  std::vector<size_t> all_indices_;
};

// Share number `rank` of 0, 1, ..., in order; the padding of the last share wraps to the start.
class DistributedSequentialSampler : public DistributedSampler<> {
 public:
  DistributedSequentialSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                               bool allow_duplicates = true);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;
};

// A request that is a count of examples rather than a list of indices.
struct CustomBatchRequest {
  virtual ~CustomBatchRequest() = default;
  virtual size_t size() const = 0;
};

struct BatchSize : public CustomBatchRequest {
  explicit BatchSize(size_t size) : size_(size) {}
  size_t size() const noexcept override { return size_; }
  operator size_t() const noexcept { return size_; }  // NOLINT: a StreamDataset takes a count
  size_t size_;
};

// For a StreamDataset: each batch asks for min(batch_size, what is left of epoch_size) examples.
class StreamSampler : public Sampler<BatchSize> {
 public:
  explicit StreamSampler(size_t epoch_size) : epoch_size_(epoch_size) {}
  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<BatchSize> next(size_t batch_size) override;

 private:
  size_t examples_retrieved_so_far_ = 0;
  size_t epoch_size_;
};

}  // namespace tg::data::samplers
