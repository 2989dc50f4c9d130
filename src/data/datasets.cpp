// libtorch's TensorDataset and MNIST (the IDX files, plain or gzip-compressed).
#include "tensorgrad/data/datasets.h"

#include <string>

#include "data/idx.h"
#include "kernels/decode.h"

namespace tg::data::datasets {

// ---- TensorDataset

TensorDataset::TensorDataset(const std::vector<Tensor>& tensors) : tensor(tg::stack(tensors)) {}

TensorDataset::TensorDataset(Tensor t) : tensor(std::move(t)) {
  TG_CHECK(tensor.defined() && tensor.dim() >= 1,
           "TensorDataset: the tensor needs a first dimension to index");
}

TensorExample TensorDataset::get(size_t index) {
  TG_CHECK(index < static_cast<size_t>(tensor.size(0)), "TensorDataset: index ", index,
           " is out of range for a dataset of ", tensor.size(0), " examples");
  return tensor[static_cast<int64_t>(index)];
}

std::optional<size_t> TensorDataset::size() const { return static_cast<size_t>(tensor.size(0)); }

// ---- MNIST

namespace {

std::string join_path(std::string root, const char* file) {
  if (!root.empty() && root.back() != '/') root.push_back('/');
  return root + file;
}

}  // namespace

MNIST::MNIST(const std::string& root, Mode mode) : train_(mode == Mode::kTrain) {
  const std::string images_path =
      join_path(root, train_ ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte");
  const std::string targets_path =
      join_path(root, train_ ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte");
  const auto images = data::detail::read_idx(images_path, 3, "images");
  const auto targets = data::detail::read_idx(targets_path, 1, "targets");
  TG_CHECK(images.dims[0] == targets.dims[0], "MNIST: ", images_path, " holds ", images.dims[0],
           " images but ", targets_path, " holds ", targets.dims[0], " targets");
  const auto n = static_cast<int64_t>(images.dims[0]);
  const auto rows = static_cast<int64_t>(images.dims[1]);
  const auto cols = static_cast<int64_t>(images.dims[2]);
  // As libtorch: the bytes as float32, divided by 255 (one rounding), with a channel dimension.
  images_ = empty({n, 1, rows, cols}, kFloat32);
  kernels::bytes_to_float(images_, images.data.data(), 255.0f);
  targets_ = empty({n}, kInt64);
  kernels::bytes_to_long(targets_, targets.data.data());
}

Example<> MNIST::get(size_t index) {
  TG_CHECK(index < static_cast<size_t>(images_.size(0)), "MNIST: index ", index,
           " is out of range for a dataset of ", images_.size(0), " examples");
  const auto i = static_cast<int64_t>(index);
  return {images_[i], targets_[i]};
}

std::optional<size_t> MNIST::size() const { return static_cast<size_t>(images_.size(0)); }

bool MNIST::is_train() const noexcept { return train_; }

const Tensor& MNIST::images() const { return images_; }

const Tensor& MNIST::targets() const { return targets_; }

}  // namespace tg::data::datasets
