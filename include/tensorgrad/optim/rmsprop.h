// RMSprop (optionally centered, with momentum) and Adagrad (with learning-rate decay), as
// torch.optim.RMSprop and torch.optim.Adagrad compute them (PyTorch 1.13, single-tensor path),
// with libtorch's option names and defaults.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2);  // NOLINT(google-explicit-constructor)
  TG_ARG(double, lr) = 1e-2;
  TG_ARG(double, alpha) = 0.99;
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(double, momentum) = 0;
  TG_ARG(bool, centered) = false;

 public:
  friend bool operator==(const RMSpropOptions& lhs, const RMSpropOptions& rhs);
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct RMSpropParamState : public OptimizerCloneableParamState<RMSpropParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, square_avg);
  TG_ARG(Tensor, momentum_buffer) = {};
  TG_ARG(Tensor, grad_avg) = {};
};

class RMSprop : public Optimizer {
 public:
  // Throws tg::Error for a negative lr, eps, momentum, weight_decay or alpha.
  explicit RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {})
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
                std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
};

struct AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2);  // NOLINT(google-explicit-constructor)
  TG_ARG(double, lr) = 1e-2;
  TG_ARG(double, lr_decay) = 0;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(double, initial_accumulator_value) = 0;
  TG_ARG(double, eps) = 1e-10;

 public:
  friend bool operator==(const AdagradOptions& lhs, const AdagradOptions& rhs);
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct AdagradParamState : public OptimizerCloneableParamState<AdagradParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, sum);
};

class Adagrad : public Optimizer {
 public:
  // The accumulators start at initial_accumulator_value for every parameter, as in PyTorch.
  // Throws tg::Error for a negative lr, lr_decay, weight_decay, initial_accumulator_value or eps.
  explicit Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {})
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
                std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
