// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
// decay, as torch.optim.SGD computes it (PyTorch 1.13, single-tensor path).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr);  // NOLINT(google-explicit-constructor): SGD(params, 0.01) as in libtorch
  TG_ARG(double, lr);
  TG_ARG(double, momentum) = 0;
  TG_ARG(double, dampening) = 0;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(bool, nesterov) = false;

 public:
  friend bool operator==(const SGDOptions& lhs, const SGDOptions& rhs);
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct SGDParamState : public OptimizerCloneableParamState<SGDParamState> {
  TG_ARG(Tensor, momentum_buffer);

 public:
  friend bool operator==(const SGDParamState& lhs, const SGDParamState& rhs);
};

class SGD : public Optimizer {
 public:
  // Throws tg::Error for a negative lr, momentum or weight_decay, and for Nesterov momentum
  // without momentum or with dampening (PyTorch's ValueError messages).
  explicit SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  explicit SGD(std::vector<Tensor> params, SGDOptions defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
            std::move(defaults)) {}

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
