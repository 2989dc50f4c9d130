// Loss modules; each forwards to its function in tg::nn::functional.
#pragma once

#include "tensorgrad/nn/functional.h"
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
#undef TG_DECLARE_LOSS

}  // namespace tg::nn
