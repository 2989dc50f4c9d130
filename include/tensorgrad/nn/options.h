// Options of the nn layers and losses, with libtorch's names and defaults.
#pragma once

#include <optional>

#include "tensorgrad/arg.h"
#include "tensorgrad/tensor.h"

namespace tg {

enum class Reduction { None, Mean, Sum };
constexpr Reduction kNone = Reduction::None;
constexpr Reduction kMean = Reduction::Mean;
constexpr Reduction kSum = Reduction::Sum;

namespace nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  TG_ARG(int64_t, in_features);
  TG_ARG(int64_t, out_features);
  TG_ARG(bool, bias) = true;
};

struct LeakyReLUOptions {
  TG_ARG(double, negative_slope) = 1e-2;
  TG_ARG(bool, inplace) = false;
};

struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}  // NOLINT
  TG_ARG(int64_t, dim);
};

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT
  TG_ARG(double, p);
  TG_ARG(bool, inplace) = false;
};

struct MSELossOptions {
  MSELossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
};

struct L1LossOptions {
  L1LossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
};

struct NLLLossOptions {
  NLLLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Tensor, weight) = {};
  TG_ARG(int64_t, ignore_index) = -100;
  TG_ARG(Reduction, reduction);
};

struct CrossEntropyLossOptions {
  CrossEntropyLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Tensor, weight) = {};
  TG_ARG(int64_t, ignore_index) = -100;
  TG_ARG(Reduction, reduction);
  TG_ARG(double, label_smoothing) = 0.0;
};

struct BCELossOptions {
  BCELossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Reduction, reduction);
};

struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Reduction, reduction);
  TG_ARG(Tensor, pos_weight) = {};
};

namespace functional {
using LinearFuncOptions = LinearOptions;
using LeakyReLUFuncOptions = LeakyReLUOptions;
using SoftmaxFuncOptions = SoftmaxOptions;
using LogSoftmaxFuncOptions = SoftmaxOptions;
struct DropoutFuncOptions {
  DropoutFuncOptions(double p = 0.5) : p_(p) {}  // NOLINT
  TG_ARG(double, p);
  TG_ARG(bool, training) = true;
  TG_ARG(bool, inplace) = false;
};
using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
}  // namespace functional

}  // namespace nn
}  // namespace tg
