// Channel-wise and self-normalising dropouts: Dropout1d/2d/3d zero whole channels, AlphaDropout
// and FeatureAlphaDropout keep SELU's mean and variance. Their masks are drawn from the default
// generator as PyTorch 1.13 draws them, so a seeded mask equals PyTorch's.
#pragma once

#include <string>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options.h"

namespace tg::nn {

using Dropout1dOptions = DropoutOptions;
using Dropout2dOptions = DropoutOptions;
using Dropout3dOptions = DropoutOptions;
using AlphaDropoutOptions = DropoutOptions;
using FeatureAlphaDropoutOptions = DropoutOptions;

namespace functional {

using Dropout1dFuncOptions = DropoutFuncOptions;
using Dropout2dFuncOptions = DropoutFuncOptions;
using Dropout3dFuncOptions = DropoutFuncOptions;

struct AlphaDropoutFuncOptions {
  TG_ARG(double, p) = 0.5;
  TG_ARG(bool, training) = false;
  TG_ARG(bool, inplace) = false;
};

struct FeatureAlphaDropoutFuncOptions {
  TG_ARG(double, p) = 0.5;
  TG_ARG(bool, training) = false;
  TG_ARG(bool, inplace) = false;
};

// (C, L) or (N, C, L): each channel zeroed with probability p, the others scaled by 1 / (1 - p).
Tensor dropout1d(const Tensor& input, const Dropout1dFuncOptions& options = {});
// (N, C, H, W); a 3-d input is taken as (N, C, L), as PyTorch 1.13 does.
Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& options = {});
// (C, D, H, W) or (N, C, D, H, W).
Tensor dropout3d(const Tensor& input, const Dropout3dFuncOptions& options = {});
// Elementwise: dropped values become SELU's negative saturation, then an affine map restores
// the mean and variance.
Tensor alpha_dropout(const Tensor& input, const AlphaDropoutFuncOptions& options = {});
// alpha_dropout with one draw per channel (dims 0 and 1).
Tensor feature_alpha_dropout(const Tensor& input,
                             const FeatureAlphaDropoutFuncOptions& options = {});

}  // namespace functional

#define TG_DECLARE_DROPOUT(Name)                                     \
  class Name##Impl : public Module {                                 \
   public:                                                           \
    explicit Name##Impl(double p) : Name##Impl(DropoutOptions(p)) {} \
    explicit Name##Impl(const DropoutOptions& options = {});         \
    Tensor forward(const Tensor& input);                             \
    std::string extra_repr() const override;                         \
    DropoutOptions options;                                          \
  };                                                                 \
  TG_MODULE(Name)
TG_DECLARE_DROPOUT(Dropout1d);
TG_DECLARE_DROPOUT(Dropout2d);
TG_DECLARE_DROPOUT(Dropout3d);
TG_DECLARE_DROPOUT(AlphaDropout);
TG_DECLARE_DROPOUT(FeatureAlphaDropout);
#undef TG_DECLARE_DROPOUT

}  // namespace tg::nn
