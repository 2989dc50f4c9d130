// Layers that reshape or resample images: Flatten, Unflatten, Identity, PixelShuffle,
// PixelUnshuffle, Upsample and F::interpolate, with libtorch's options and functional forms.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tensorgrad/arg.h"
#include "tensorgrad/enum.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

struct FlattenOptions {
  TG_ARG(int64_t, start_dim) = 1;
  TG_ARG(int64_t, end_dim) = -1;
};

struct UnflattenOptions {
  UnflattenOptions(int64_t dim, std::vector<int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  TG_ARG(int64_t, dim);
  TG_ARG(std::vector<int64_t>, sizes);
};

struct PixelShuffleOptions {
  PixelShuffleOptions(int64_t upscale_factor) : upscale_factor_(upscale_factor) {}  // NOLINT
  TG_ARG(int64_t, upscale_factor);
};

struct PixelUnshuffleOptions {
  PixelUnshuffleOptions(int64_t downscale_factor)
      : downscale_factor_(downscale_factor) {}  // NOLINT
  TG_ARG(int64_t, downscale_factor);
};

// interpolate's and Upsample's mode: tg::kNearest, kNearestExact, kLinear, kBilinear, kBicubic,
// kTrilinear or kArea. (tg::kLinear is also a nonlinearity of nn/init.h; it converts here.)
class InterpolateMode {
 public:
  enum Kind { Nearest, NearestExact, Linear, Bilinear, Bicubic, Trilinear, Area };
  InterpolateMode(enumtype::kNearest) : kind_(Nearest) {}            // NOLINT
  InterpolateMode(enumtype::kNearestExact) : kind_(NearestExact) {}  // NOLINT
  InterpolateMode(Nonlinearity n);                                   // NOLINT: kLinear only
  InterpolateMode(enumtype::kBilinear) : kind_(Bilinear) {}          // NOLINT
  InterpolateMode(enumtype::kBicubic) : kind_(Bicubic) {}            // NOLINT
  InterpolateMode(enumtype::kTrilinear) : kind_(Trilinear) {}        // NOLINT
  InterpolateMode(enumtype::kArea) : kind_(Area) {}                  // NOLINT
  Kind kind() const { return kind_; }
  // Python's name: "nearest", "nearest-exact", "linear", ...
  const char* name() const;

 private:
  Kind kind_;
};

struct UpsampleOptions {
  TG_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  TG_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  TG_ARG(InterpolateMode, mode) = kNearest;
  // Only for the linear modes; unset means false.
  TG_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

namespace functional {

struct InterpolateFuncOptions {
  // One of size and scale_factor, with one entry per spatial dim.
  TG_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  TG_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  TG_ARG(InterpolateMode, mode) = kNearest;
  TG_ARG(std::optional<bool>, align_corners) = std::nullopt;
  // true: the output size comes from scale_factor, and the sampling from the sizes alone.
  TG_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
};

// Resamples the spatial dims of a 3-d (N, C, W), 4-d (N, C, H, W) or 5-d (N, C, D, H, W) input
// as torch.nn.functional.interpolate does, with the node PyTorch records
// (UpsampleBilinear2DBackward1, AdaptiveAvgPool2DBackward0, ...).
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

struct GridSampleFuncOptions {
  typedef std::variant<enumtype::kBilinear, enumtype::kNearest> mode_t;
  typedef std::variant<enumtype::kZeros, enumtype::kBorder, enumtype::kReflection> padding_mode_t;
  TG_ARG(mode_t, mode) = kBilinear;
  TG_ARG(padding_mode_t, padding_mode) = kZeros;
  // Unset means false.
  TG_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

// Samples input (N, C, H, W) at grid (N, H_out, W_out, 2) of (x, y) in [-1, 1], as
// torch.nn.functional.grid_sample does; differentiable in input and grid.
Tensor grid_sample(const Tensor& input, const Tensor& grid,
                   const GridSampleFuncOptions& options = {});
// The sampling grid (N, H, W, 2) of the affine maps theta (N, 2, 3) for an output of size
// (N, C, H, W); differentiable in theta.
Tensor affine_grid(const Tensor& theta, const std::vector<int64_t>& size,
                   bool align_corners = false);

using PixelShuffleFuncOptions = PixelShuffleOptions;
using PixelUnshuffleFuncOptions = PixelUnshuffleOptions;

// (*, C * r^2, H, W) -> (*, C, H * r, W * r), node PixelShuffleBackward0.
Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& options);
// The inverse: (*, C, H * r, W * r) -> (*, C * r^2, H, W), node PixelUnshuffleBackward0.
Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& options);

}  // namespace functional

class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  FlattenOptions options;
};
TG_MODULE(Flatten);

class UnflattenImpl : public Module {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes)
      : UnflattenImpl(UnflattenOptions(dim, std::move(sizes))) {}
  explicit UnflattenImpl(UnflattenOptions options) : options(std::move(options)) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  UnflattenOptions options;
};
TG_MODULE(Unflatten);

class IdentityImpl : public Module {
 public:
  Tensor forward(const Tensor& input) { return input; }
};
TG_MODULE(Identity);

class PixelShuffleImpl : public Module {
 public:
  explicit PixelShuffleImpl(const PixelShuffleOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  PixelShuffleOptions options;
};
TG_MODULE(PixelShuffle);

class PixelUnshuffleImpl : public Module {
 public:
  explicit PixelUnshuffleImpl(const PixelUnshuffleOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  PixelUnshuffleOptions options;
};
TG_MODULE(PixelUnshuffle);

class UpsampleImpl : public Module {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  UpsampleOptions options;
};
TG_MODULE(Upsample);

}  // namespace tg::nn
