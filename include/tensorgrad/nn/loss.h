// Loss modules; each forwards to its function in tg::nn::functional.
#pragma once

#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/loss_options.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options.h"

namespace tg::nn {

#define TG_DECLARE_LOSS(Name, Options)                                        \
  class Name##Impl : public Module {                                          \
   public:                                                                    \
    explicit Name##Impl(const Options& options = {}) : options(options) {}    \
    Tensor forward(const Tensor& input, const Tensor& target);                \
    Options options;                                                          \
  };                                                                          \
  TG_MODULE(Name)

TG_DECLARE_LOSS(MSELoss, MSELossOptions);
TG_DECLARE_LOSS(L1Loss, L1LossOptions);
TG_DECLARE_LOSS(NLLLoss, NLLLossOptions);
TG_DECLARE_LOSS(CrossEntropyLoss, CrossEntropyLossOptions);
TG_DECLARE_LOSS(BCELoss, BCELossOptions);
TG_DECLARE_LOSS(BCEWithLogitsLoss, BCEWithLogitsLossOptions);
TG_DECLARE_LOSS(SmoothL1Loss, SmoothL1LossOptions);
TG_DECLARE_LOSS(HuberLoss, HuberLossOptions);
TG_DECLARE_LOSS(SoftMarginLoss, SoftMarginLossOptions);
TG_DECLARE_LOSS(MultiLabelSoftMarginLoss, MultiLabelSoftMarginLossOptions);
TG_DECLARE_LOSS(KLDivLoss, KLDivLossOptions);
TG_DECLARE_LOSS(HingeEmbeddingLoss, HingeEmbeddingLossOptions);
TG_DECLARE_LOSS(PoissonNLLLoss, PoissonNLLLossOptions);
TG_DECLARE_LOSS(MultiMarginLoss, MultiMarginLossOptions);
TG_DECLARE_LOSS(MultiLabelMarginLoss, MultiLabelMarginLossOptions);
#undef TG_DECLARE_LOSS

// Modules of three inputs or of two inputs without a target.
#define TG_DECLARE_MODULE(Name, Options, ...)                              \
  class Name##Impl : public Module {                                       \
   public:                                                                 \
    explicit Name##Impl(const Options& options = {}) : options(options) {} \
    Tensor forward(__VA_ARGS__);                                           \
    Options options;                                                       \
  };                                                                       \
  TG_MODULE(Name)

TG_DECLARE_MODULE(MarginRankingLoss, MarginRankingLossOptions, const Tensor& input1,
                  const Tensor& input2, const Tensor& target);
TG_DECLARE_MODULE(CosineEmbeddingLoss, CosineEmbeddingLossOptions, const Tensor& input1,
                  const Tensor& input2, const Tensor& target);
TG_DECLARE_MODULE(TripletMarginLoss, TripletMarginLossOptions, const Tensor& anchor,
                  const Tensor& positive, const Tensor& negative);
TG_DECLARE_MODULE(CosineSimilarity, CosineSimilarityOptions, const Tensor& input1,
                  const Tensor& input2);
TG_DECLARE_MODULE(PairwiseDistance, PairwiseDistanceOptions, const Tensor& input1,
                  const Tensor& input2);
#undef TG_DECLARE_MODULE

}  // namespace tg::nn
