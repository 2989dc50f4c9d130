// Adam (and its AMSGrad variant) with L2 weight decay added to the gradient, as torch.optim.Adam
// computes it (PyTorch 1.13, single-tensor path: bias corrections in double precision).
#pragma once

#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3);  // NOLINT(google-explicit-constructor)
  TG_ARG(double, lr) = 1e-3;
  typedef std::tuple<double, double> betas_t;
  // .betas(std::make_tuple(0.9, 0.999)) or .betas({0.9, 0.999})
  TG_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(bool, amsgrad) = false;

 public:
  friend bool operator==(const AdamOptions& lhs, const AdamOptions& rhs);
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct AdamParamState : public OptimizerCloneableParamState<AdamParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, exp_avg);
  TG_ARG(Tensor, exp_avg_sq);
  TG_ARG(Tensor, max_exp_avg_sq) = {};

 public:
  friend bool operator==(const AdamParamState& lhs, const AdamParamState& rhs);
};

class Adam : public Optimizer {
 public:
  // Throws tg::Error for a negative lr, eps or weight_decay and for betas outside [0, 1).
  explicit Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});
  explicit Adam(std::vector<Tensor> params, AdamOptions defaults = {})
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
             std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
