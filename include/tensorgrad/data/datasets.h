// libtorch's datasets: BatchDataset (anything that answers a batch request), Dataset (random
// access by index, users subclass it with get() and size()), MapDataset (a dataset seen through a
// transform, made by .map()), SharedBatchDataset, TensorDataset and MNIST. They are templates over
// the user's own type (CRTP), as in libtorch, so that a loader knows the exact batch type at
// compile time.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/tensor.h"

namespace tg::data::datasets {

template <typename Source, typename Transform>
class MapDataset;
template <typename Source, typename Transform>
MapDataset<Source, Transform> map(Source dataset, Transform transform);

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

// A dataset that yields whole batches for a request (a list of indices, or for a stream the
// number of examples wanted). A dataset whose batches are optional is stateful: it decides itself
// when an epoch ends.
template <typename Self, typename Batch = std::vector<Example<>>,
          typename BatchRequest = ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  static constexpr bool is_stateful = detail::is_optional<BatchType>::value;

  virtual ~BatchDataset() = default;
  virtual Batch get_batch(BatchRequest request) = 0;
  // Empty for a dataset of unknown length (a stream).
  virtual std::optional<size_t> size() const = 0;

  // This dataset seen through `transform` (a copy of it, or it moved when it is a temporary).
  template <typename Transform>
  MapDataset<Self, Transform> map(Transform transform) & {
    return datasets::map(static_cast<Self&>(*this), std::move(transform));
  }
  template <typename Transform>
  MapDataset<Self, Transform> map(Transform transform) && {
    return datasets::map(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

// Random access: get(i) is the i-th example, and a batch is the examples of its indices, in order
// (override get_batch when a batch can be read faster at once).
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;

  virtual ExampleType get(size_t index) = 0;

  std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (const size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

// A possibly endless source: the request is how many examples to produce.
template <typename Self, typename Batch = std::vector<Example<>>>
using StreamDataset = BatchDataset<Self, Batch, /*BatchRequest=*/size_t>;

namespace detail {
template <bool C, typename T>
using optional_if_t = std::conditional_t<C, std::optional<T>, T>;
// The batch a transform receives: a stateful dataset's optional batch, unwrapped.
template <typename Batch>
struct unwrapped_batch {
  using type = Batch;
};
template <typename Batch>
struct unwrapped_batch<std::optional<Batch>> {
  using type = Batch;
};
}  // namespace detail

// The batches of `Source` passed through `Transform::apply_batch`. Holds both by value.
template <typename Source, typename Transform>
class MapDataset
    : public BatchDataset<
          MapDataset<Source, Transform>,
          detail::optional_if_t<Source::is_stateful, typename Transform::OutputBatchType>,
          typename Source::BatchRequestType> {
 public:
  using DatasetType = Source;
  using TransformType = Transform;
  using BatchRequestType = typename Source::BatchRequestType;
  using OutputBatchType =
      detail::optional_if_t<Source::is_stateful, typename Transform::OutputBatchType>;

  MapDataset(DatasetType dataset, TransformType transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}

  OutputBatchType get_batch(BatchRequestType request) override {
    if constexpr (Source::is_stateful) {
      // A stateful source's empty batch ends the epoch: pass it on untransformed.
      if (auto batch = dataset_.get_batch(std::move(request)))
        return transform_.apply_batch(std::move(*batch));
      return std::nullopt;
    } else {
      return transform_.apply_batch(dataset_.get_batch(std::move(request)));
    }
  }
  std::optional<size_t> size() const noexcept override { return dataset_.size(); }

  const Source& dataset() noexcept { return dataset_; }
  const Transform& transform() noexcept { return transform_; }

 private:
  Source dataset_;
  Transform transform_;
};

template <typename Source, typename Transform>
MapDataset<Source, Transform> map(Source dataset, Transform transform) {
  using SourceBatch = typename detail::unwrapped_batch<typename Source::BatchType>::type;
  static_assert(std::is_same_v<SourceBatch, typename Transform::InputBatchType>,
                "BatchType type of dataset does not match input type of transform");
  return {std::move(dataset), std::move(transform)};
}

// A dataset held by shared_ptr, so that a loader's workers all use the one object instead of
// a copy each (it must then be safe to call from several threads at once).
template <typename Underlying>
class SharedBatchDataset
    : public BatchDataset<SharedBatchDataset<Underlying>, typename Underlying::BatchType,
                          typename Underlying::BatchRequestType> {
 public:
  using BatchType = typename Underlying::BatchType;
  using BatchRequestType = typename Underlying::BatchRequestType;

  SharedBatchDataset(std::shared_ptr<Underlying> dataset)  // NOLINT: implicit, as libtorch's
      : dataset_(std::move(dataset)) {}

  BatchType get_batch(BatchRequestType request) override {
    return dataset_->get_batch(std::move(request));
  }
  std::optional<size_t> size() const override { return dataset_->size(); }

  Underlying& operator*() { return *dataset_; }
  const Underlying& operator*() const { return *dataset_; }
  Underlying* operator->() { return dataset_.get(); }
  const Underlying* operator->() const { return dataset_.get(); }

 private:
  std::shared_ptr<Underlying> dataset_;
};

template <typename Underlying, typename... Args>
SharedBatchDataset<Underlying> make_shared_dataset(Args&&... args) {
  return std::make_shared<Underlying>(std::forward<Args>(args)...);
}

// One tensor whose rows are the examples (no targets): get(i) is tensor[i].
struct TensorDataset : public Dataset<TensorDataset, TensorExample> {
  // The tensors stacked along a new first dimension.
  explicit TensorDataset(const std::vector<Tensor>& tensors);
  explicit TensorDataset(Tensor t);

  TensorExample get(size_t index) override;
  std::optional<size_t> size() const override;

  Tensor tensor;
};

// The MNIST format (Yann LeCun's IDX files): `root` holds train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or
// gzip-compressed (the same name with .gz, read directly). Fashion-MNIST has the same files.
// Images are float32 in [0, 1] (the byte over 255), shape [N, 1, rows, cols]; targets int64 [N].
// Any count and image size the files declare is accepted; a missing, truncated, oversized or
// inconsistent file is a tg::Error naming it.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };

  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;
  bool is_train() const noexcept;
  // Every image in one tensor, every target in another.
  const Tensor& images() const;
  const Tensor& targets() const;

 private:
  Tensor images_, targets_;
  bool train_;
};

}  // namespace tg::data::datasets
