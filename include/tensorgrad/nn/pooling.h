// Pooling: the ops (tg::max_pool2d, tg::avg_pool2d, tg::adaptive_avg_pool2d, ...), their functional
// forms with libtorch's options (F::max_pool2d(x, F::MaxPool2dFuncOptions(2))) and the modules
// (MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxUnpool2d, LPPool2d, ...). A d-dimensional pooling
// takes [N, C, *spatial] or an unbatched [C, *spatial] input, as PyTorch 1.13 does.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/arg.h"
#include "tensorgrad/expanding_array.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

namespace tg {

// An empty stride means the kernel size, as in ATen.
Tensor max_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);
// Values and the int64 offset of each maximum within its input plane (flattened spatial dims).
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& self, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
// The gradient of max pooling as an op of its own (MaxPool2DWithIndicesBackward0's backward), so
// that second derivatives go through it: grad_output added at the indexed input positions.
Tensor max_pool2d_with_indices_backward(const Tensor& grad_output, const Tensor& self,
                                        const Tensor& indices);
Tensor max_pool3d_with_indices_backward(const Tensor& grad_output, const Tensor& self,
                                        const Tensor& indices);

Tensor avg_pool1d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true);
Tensor avg_pool2d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor avg_pool3d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

Tensor adaptive_avg_pool1d(const Tensor& self, IntArrayRef output_size);
Tensor adaptive_avg_pool2d(const Tensor& self, IntArrayRef output_size);
Tensor adaptive_avg_pool3d(const Tensor& self, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, IntArrayRef output_size);

// Puts each value of self at its index within an output plane of output_size (zeros elsewhere).
Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size);

namespace nn {

template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit, as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(ExpandingArray<D>, padding) = 0;
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  TG_ARG(bool, ceil_mode) = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;
using MaxPool3dOptions = MaxPoolOptions<3>;

template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(ExpandingArray<D>, padding) = 0;
  TG_ARG(bool, ceil_mode) = false;
  TG_ARG(bool, count_include_pad) = true;
  // Ignored by the 1-d pooling, as in libtorch.
  TG_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;
using AvgPool3dOptions = AvgPoolOptions<3>;

template <typename output_size_t>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(output_size_t output_size) : output_size_(output_size) {}  // NOLINT
  TG_ARG(output_size_t, output_size);
};
using AdaptiveAvgPool1dOptions = AdaptiveAvgPoolOptions<ExpandingArray<1>>;
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;
using AdaptiveAvgPool3dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<3>>;

template <typename output_size_t>
struct AdaptiveMaxPoolOptions {
  AdaptiveMaxPoolOptions(output_size_t output_size) : output_size_(output_size) {}  // NOLINT
  TG_ARG(output_size_t, output_size);
};
using AdaptiveMaxPool1dOptions = AdaptiveMaxPoolOptions<ExpandingArray<1>>;
using AdaptiveMaxPool2dOptions = AdaptiveMaxPoolOptions<ExpandingArrayWithOptionalElem<2>>;

template <size_t D>
struct MaxUnpoolOptions {
  MaxUnpoolOptions(ExpandingArray<D> kernel_size)  // NOLINT
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(ExpandingArray<D>, padding) = 0;
};
using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;

template <size_t D>
struct LPPoolOptions {
  LPPoolOptions(double norm_type, ExpandingArray<D> kernel_size)
      : norm_type_(norm_type), kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(double, norm_type);
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(bool, ceil_mode) = false;
};
using LPPool1dOptions = LPPoolOptions<1>;
using LPPool2dOptions = LPPoolOptions<2>;

namespace functional {

using MaxPool1dFuncOptions = MaxPool1dOptions;
using MaxPool2dFuncOptions = MaxPool2dOptions;
using MaxPool3dFuncOptions = MaxPool3dOptions;
using AvgPool1dFuncOptions = AvgPool1dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
using AvgPool3dFuncOptions = AvgPool3dOptions;
using AdaptiveAvgPool1dFuncOptions = AdaptiveAvgPool1dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
using AdaptiveAvgPool3dFuncOptions = AdaptiveAvgPool3dOptions;
using AdaptiveMaxPool1dFuncOptions = AdaptiveMaxPool1dOptions;
using AdaptiveMaxPool2dFuncOptions = AdaptiveMaxPool2dOptions;
using LPPool1dFuncOptions = LPPool1dOptions;
using LPPool2dFuncOptions = LPPool2dOptions;

template <size_t D>
struct MaxUnpoolFuncOptions {
  MaxUnpoolFuncOptions(ExpandingArray<D> kernel_size)  // NOLINT
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(ExpandingArray<D>, padding) = 0;
  // The output's spatial sizes (or its whole shape); by default (in - 1) * stride + kernel - 2 pad.
  TG_ARG(std::optional<std::vector<int64_t>>, output_size) = std::nullopt;
};
using MaxUnpool1dFuncOptions = MaxUnpoolFuncOptions<1>;
using MaxUnpool2dFuncOptions = MaxUnpoolFuncOptions<2>;

Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options);
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                   const MaxPool1dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input,
                                                   const MaxPool3dFuncOptions& options);
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& options);
Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool3d(const Tensor& input, const AdaptiveAvgPool3dFuncOptions& options);
Tensor adaptive_max_pool1d(const Tensor& input, const AdaptiveMaxPool1dFuncOptions& options);
Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(
    const Tensor& input, const AdaptiveMaxPool1dFuncOptions& options);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(
    const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options);
Tensor max_unpool1d(const Tensor& input, const Tensor& indices,
                    const MaxUnpool1dFuncOptions& options);
Tensor max_unpool2d(const Tensor& input, const Tensor& indices,
                    const MaxUnpool2dFuncOptions& options);
Tensor lp_pool1d(const Tensor& input, const LPPool1dFuncOptions& options);
Tensor lp_pool2d(const Tensor& input, const LPPool2dFuncOptions& options);

}  // namespace functional

#define TG_DECLARE_POOL_MODULE(Name, Options, ...)                                      \
  class Name##Impl : public Module {                                                    \
   public:                                                                              \
    /* The options, or what constructs them: MaxPool2d(2), LPPool2d(2, 3). */           \
    template <typename... Args,                                                         \
              typename = std::enable_if_t<std::is_constructible_v<Options, Args&&...>>> \
    explicit Name##Impl(Args&&... args) : options(std::forward<Args>(args)...) {}       \
    Tensor forward(const Tensor& input);                                                \
    __VA_ARGS__                                                                         \
    std::string extra_repr() const override;                                            \
    Options options;                                                                    \
  };                                                                                    \
  TG_MODULE(Name)

TG_DECLARE_POOL_MODULE(MaxPool1d, MaxPool1dOptions,
                       std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input););
TG_DECLARE_POOL_MODULE(MaxPool2d, MaxPool2dOptions,
                       std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input););
TG_DECLARE_POOL_MODULE(MaxPool3d, MaxPool3dOptions,
                       std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input););
TG_DECLARE_POOL_MODULE(AvgPool1d, AvgPool1dOptions);
TG_DECLARE_POOL_MODULE(AvgPool2d, AvgPool2dOptions);
TG_DECLARE_POOL_MODULE(AvgPool3d, AvgPool3dOptions);
TG_DECLARE_POOL_MODULE(AdaptiveAvgPool1d, AdaptiveAvgPool1dOptions);
TG_DECLARE_POOL_MODULE(AdaptiveAvgPool2d, AdaptiveAvgPool2dOptions);
TG_DECLARE_POOL_MODULE(AdaptiveAvgPool3d, AdaptiveAvgPool3dOptions);
TG_DECLARE_POOL_MODULE(AdaptiveMaxPool1d, AdaptiveMaxPool1dOptions,
                       std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input););
TG_DECLARE_POOL_MODULE(AdaptiveMaxPool2d, AdaptiveMaxPool2dOptions,
                       std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input););
TG_DECLARE_POOL_MODULE(LPPool1d, LPPool1dOptions);
TG_DECLARE_POOL_MODULE(LPPool2d, LPPool2dOptions);
#undef TG_DECLARE_POOL_MODULE

// forward(input, indices, output_size): output_size as in MaxUnpoolFuncOptions.
#define TG_DECLARE_UNPOOL_MODULE(Name, Options)                                            \
  class Name##Impl : public Module {                                                       \
   public:                                                                                 \
    /* The options, or what constructs them: MaxPool2d(2), LPPool2d(2, 3). */              \
    template <typename... Args,                                                            \
              typename = std::enable_if_t<std::is_constructible_v<Options, Args&&...>>>    \
    explicit Name##Impl(Args&&... args) : options(std::forward<Args>(args)...) {}          \
    Tensor forward(const Tensor& input, const Tensor& indices,                             \
                   const std::optional<std::vector<int64_t>>& output_size = std::nullopt); \
    std::string extra_repr() const override;                                               \
    Options options;                                                                       \
  };                                                                                       \
  TG_MODULE(Name)
TG_DECLARE_UNPOOL_MODULE(MaxUnpool1d, MaxUnpool1dOptions);
TG_DECLARE_UNPOOL_MODULE(MaxUnpool2d, MaxUnpool2dOptions);
#undef TG_DECLARE_UNPOOL_MODULE

}  // namespace nn
}  // namespace tg
