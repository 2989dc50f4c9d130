// Options of the losses and distance functions beyond the basic ones in options.h, with
// libtorch 1.13's names, defaults and chained setters. Each is also the FuncOptions of the
// functional form, as in libtorch.
#pragma once

#include "tensorgrad/arg.h"
#include "tensorgrad/nn/options.h"

namespace tg {

// kl_div alone also accepts "batchmean": the summed loss divided by the batch size.
struct BatchMean {};
constexpr BatchMean kBatchMean{};

namespace nn {

// KLDivLoss's reduction: kNone, kBatchMean, kSum or kMean.
class KLDivReduction {
 public:
  KLDivReduction(Reduction r) : reduction_(r) {}                     // NOLINT
  KLDivReduction(BatchMean) : reduction_(kSum), batchmean_(true) {}  // NOLINT
  Reduction reduction() const { return reduction_; }
  bool is_batchmean() const { return batchmean_; }

 private:
  Reduction reduction_;
  bool batchmean_ = false;
};

struct KLDivLossOptions {
  KLDivLossOptions(KLDivReduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(KLDivReduction, reduction);
  TG_ARG(bool, log_target) = false;
};

struct SmoothL1LossOptions {
  SmoothL1LossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
  TG_ARG(double, beta) = 1.0;
};

struct HuberLossOptions {
  HuberLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
  TG_ARG(double, delta) = 1.0;
};

struct SoftMarginLossOptions {
  SoftMarginLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
};

struct MultiLabelSoftMarginLossOptions {
  MultiLabelSoftMarginLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Reduction, reduction);
};

struct MultiMarginLossOptions {
  TG_ARG(int64_t, p) = 1;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Reduction, reduction) = kMean;
};

struct MultiLabelMarginLossOptions {
  MultiLabelMarginLossOptions(Reduction r = kMean) : reduction_(r) {}  // NOLINT
  TG_ARG(Reduction, reduction);
};

struct MarginRankingLossOptions {
  TG_ARG(double, margin) = 0;
  TG_ARG(Reduction, reduction) = kMean;
};

struct HingeEmbeddingLossOptions {
  TG_ARG(double, margin) = 1.0;
  TG_ARG(Reduction, reduction) = kMean;
};

struct CosineEmbeddingLossOptions {
  TG_ARG(double, margin) = 0.0;
  TG_ARG(Reduction, reduction) = kMean;
};

struct TripletMarginLossOptions {
  TG_ARG(double, margin) = 1.0;
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, swap) = false;
  TG_ARG(Reduction, reduction) = kMean;
};

struct PoissonNLLLossOptions {
  TG_ARG(bool, log_input) = true;
  TG_ARG(bool, full) = false;
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(Reduction, reduction) = kMean;
};

struct CosineSimilarityOptions {
  TG_ARG(int64_t, dim) = 1;
  TG_ARG(double, eps) = 1e-8;
};

struct PairwiseDistanceOptions {
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, keepdim) = false;
};

namespace functional {
using KLDivFuncOptions = KLDivLossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using SoftMarginLossFuncOptions = SoftMarginLossOptions;
using MultilabelSoftMarginLossFuncOptions = MultiLabelSoftMarginLossOptions;
using MultiMarginLossFuncOptions = MultiMarginLossOptions;
using MultilabelMarginLossFuncOptions = MultiLabelMarginLossOptions;
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
using HingeEmbeddingLossFuncOptions = HingeEmbeddingLossOptions;
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;
using TripletMarginLossFuncOptions = TripletMarginLossOptions;
using PoissonNLLLossFuncOptions = PoissonNLLLossOptions;
using CosineSimilarityFuncOptions = CosineSimilarityOptions;
using PairwiseDistanceFuncOptions = PairwiseDistanceOptions;

struct NormalizeFuncOptions {
  TG_ARG(double, p) = 2.0;
  TG_ARG(int64_t, dim) = 1;
  TG_ARG(double, eps) = 1e-12;
};
}  // namespace functional

}  // namespace nn
}  // namespace tg
