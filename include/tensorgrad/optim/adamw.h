// AdamW: Adam with decoupled weight decay (the parameter shrinks by lr * weight_decay before the
// update), as torch.optim.AdamW computes it (PyTorch 1.13, single-tensor path).
#pragma once

#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
  AdamWOptions(double lr = 1e-3);  // NOLINT(google-explicit-constructor)
  TG_ARG(double, lr) = 1e-3;
  typedef std::tuple<double, double> betas_t;
  TG_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(double, weight_decay) = 1e-2;
  TG_ARG(bool, amsgrad) = false;

 public:
  friend bool operator==(const AdamWOptions& lhs, const AdamWOptions& rhs);
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct AdamWParamState : public OptimizerCloneableParamState<AdamWParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, exp_avg);
  TG_ARG(Tensor, exp_avg_sq);
  TG_ARG(Tensor, max_exp_avg_sq) = {};

 public:
  friend bool operator==(const AdamWParamState& lhs, const AdamWParamState& rhs);
};

class AdamW : public Optimizer {
 public:
  // Throws tg::Error for a negative lr, eps or weight_decay and for betas outside [0, 1).
  explicit AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults = {});
  explicit AdamW(std::vector<Tensor> params, AdamWOptions defaults = {})
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
              std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
