// Normalization: the ops (tg::batch_norm, tg::native_batch_norm, tg::layer_norm, tg::group_norm,
// tg::instance_norm), their functional forms with libtorch's options and the modules
// (BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, LocalResponseNorm). Batch norm's
// running statistics are buffers, updated in place in training mode as in PyTorch.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tensorgrad/arg.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

namespace tg {

// Returns (output, mean, invstd): the batch's statistics per channel in training mode (running_mean
// and running_var, when defined, move towards them by `momentum`, the variance unbiased), empty
// tensors in evaluation mode, where the running statistics normalize.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& input, const Tensor& weight,
                                                     const Tensor& bias, const Tensor& running_mean,
                                                     const Tensor& running_var, bool training,
                                                     double momentum, double eps);
// The gradients (input, weight, bias) of native_batch_norm as an op of its own, so that second
// derivatives go through it; weight's and bias's are undefined when weight is.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(
    const Tensor& grad_out, const Tensor& input, const Tensor& weight, const Tensor& running_mean,
    const Tensor& running_var, const Tensor& save_mean, const Tensor& save_invstd, bool train,
    double eps);
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled = false);
Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& running_mean, const Tensor& running_var, bool use_input_stats,
                     double momentum, double eps, bool cudnn_enabled = false);
// Returns (output, mean, rstd), the statistics shaped as the input's leading dims followed by ones.
std::tuple<Tensor, Tensor, Tensor> native_layer_norm(const Tensor& input,
                                                     IntArrayRef normalized_shape,
                                                     const Tensor& weight, const Tensor& bias,
                                                     double eps);
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, bool cudnn_enable = true);
// Returns (output, mean, rstd), the statistics of shape [N, group].
std::tuple<Tensor, Tensor, Tensor> native_group_norm(const Tensor& input, const Tensor& weight,
                                                     const Tensor& bias, int64_t N, int64_t C,
                                                     int64_t HxW, int64_t group, double eps);
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, bool cudnn_enabled = true);

namespace nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  TG_ARG(int64_t, num_features);
  TG_ARG(double, eps) = 1e-5;
  // nullopt: a cumulative average of the batches' statistics.
  TG_ARG(std::optional<double>, momentum) = 0.1;
  TG_ARG(bool, affine) = true;
  TG_ARG(bool, track_running_stats) = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

struct InstanceNormOptions {
  InstanceNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  TG_ARG(int64_t, num_features);
  TG_ARG(double, eps) = 1e-5;
  TG_ARG(double, momentum) = 0.1;
  TG_ARG(bool, affine) = false;
  TG_ARG(bool, track_running_stats) = false;
};
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(std::vector<int64_t>, normalized_shape);
  TG_ARG(double, eps) = 1e-5;
  TG_ARG(bool, elementwise_affine) = true;
};

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels)
      : num_groups_(num_groups), num_channels_(num_channels) {}
  TG_ARG(int64_t, num_groups);
  TG_ARG(int64_t, num_channels);
  TG_ARG(double, eps) = 1e-5;
  TG_ARG(bool, affine) = true;
};

struct LocalResponseNormOptions {
  LocalResponseNormOptions(int64_t size) : size_(size) {}  // NOLINT
  TG_ARG(int64_t, size);
  TG_ARG(double, alpha) = 1e-4;
  TG_ARG(double, beta) = 0.75;
  TG_ARG(double, k) = 1.;
};

namespace functional {

struct BatchNormFuncOptions {
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(bool, training) = false;
  TG_ARG(std::optional<double>, momentum) = 0.1;
  TG_ARG(double, eps) = 1e-5;
};

struct InstanceNormFuncOptions {
  TG_ARG(Tensor, running_mean) = {};
  TG_ARG(Tensor, running_var) = {};
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(bool, use_input_stats) = true;
  TG_ARG(double, momentum) = 0.1;
  TG_ARG(double, eps) = 1e-5;
};

struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(std::vector<int64_t>, normalized_shape);
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(double, eps) = 1e-5;
};

struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}  // NOLINT
  TG_ARG(int64_t, num_groups);
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(double, eps) = 1e-5;
};

using LocalResponseNormFuncOptions = LocalResponseNormOptions;

// Refuses training with a single value per channel, as PyTorch does.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& options = {});
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);
Tensor local_response_norm(const Tensor& input, const LocalResponseNormFuncOptions& options);

}  // namespace functional

// BatchNorm1d/2d/3d: weight (ones) and bias (zeros) when affine; running_mean (zeros),
// running_var (ones) and num_batches_tracked (int64 0) buffers when tracking running statistics.
class BatchNormImplBase : public Module {
 public:
  explicit BatchNormImplBase(const BatchNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_running_stats();
  void reset_parameters();
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
};

class InstanceNormImplBase : public Module {
 public:
  explicit InstanceNormImplBase(const InstanceNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_running_stats();
  void reset_parameters();
  std::string extra_repr() const override;

  InstanceNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
  // The input's dimension count without a batch (2 for InstanceNorm1d).
  virtual int64_t no_batch_dim() const = 0;
};

#define TG_DECLARE_NORM_MODULE(Name, Base, Options)                                  \
  class Name##Impl : public Base {                                                   \
   public:                                                                           \
    explicit Name##Impl(int64_t num_features) : Name##Impl(Options(num_features)) {} \
    explicit Name##Impl(const Options& options) : Base(options) {}                   \
                                                                                     \
   protected:                                                                        \
    void check_input_dim(const Tensor& input) const override;                        \
    TG_NORM_EXTRA                                                                    \
  };                                                                                 \
  TG_MODULE(Name)
#define TG_NORM_EXTRA
TG_DECLARE_NORM_MODULE(BatchNorm1d, BatchNormImplBase, BatchNormOptions);
TG_DECLARE_NORM_MODULE(BatchNorm2d, BatchNormImplBase, BatchNormOptions);
TG_DECLARE_NORM_MODULE(BatchNorm3d, BatchNormImplBase, BatchNormOptions);
#undef TG_NORM_EXTRA
#define TG_NORM_EXTRA int64_t no_batch_dim() const override;
TG_DECLARE_NORM_MODULE(InstanceNorm1d, InstanceNormImplBase, InstanceNormOptions);
TG_DECLARE_NORM_MODULE(InstanceNorm2d, InstanceNormImplBase, InstanceNormOptions);
TG_DECLARE_NORM_MODULE(InstanceNorm3d, InstanceNormImplBase, InstanceNormOptions);
#undef TG_NORM_EXTRA
#undef TG_DECLARE_NORM_MODULE

class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(std::vector<int64_t> normalized_shape)
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(const LayerNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_parameters();
  std::string extra_repr() const override;
  LayerNormOptions options;
  Tensor weight, bias;
};
TG_MODULE(LayerNorm);

class GroupNormImpl : public Module {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels)
      : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_parameters();
  std::string extra_repr() const override;
  GroupNormOptions options;
  Tensor weight, bias;
};
TG_MODULE(GroupNorm);

class LocalResponseNormImpl : public Module {
 public:
  explicit LocalResponseNormImpl(int64_t size)
      : LocalResponseNormImpl(LocalResponseNormOptions(size)) {}
  explicit LocalResponseNormImpl(const LocalResponseNormOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  LocalResponseNormOptions options;
};
TG_MODULE(LocalResponseNorm);

}  // namespace nn
}  // namespace tg
