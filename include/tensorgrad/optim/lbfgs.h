// L-BFGS as torch.optim.LBFGS (PyTorch 1.13) runs it, with libtorch's LBFGSOptions: a closure
// re-evaluates the loss; each step() runs up to max_iter iterations of the two-loop recursion
// over the last history_size updates, with a fixed step or a strong-Wolfe line search.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct LBFGSOptions : public OptimizerCloneableOptions<LBFGSOptions> {
  LBFGSOptions(double lr = 1);  // NOLINT(google-explicit-constructor)
  TG_ARG(double, lr) = 1;
  TG_ARG(int64_t, max_iter) = 20;
  // Defaults to max_iter * 5 / 4.
  TG_ARG(std::optional<int64_t>, max_eval) = std::nullopt;
  TG_ARG(double, tolerance_grad) = 1e-7;
  TG_ARG(double, tolerance_change) = 1e-9;
  TG_ARG(int64_t, history_size) = 100;
  // std::nullopt (a fixed step of lr) or "strong_wolfe".
  TG_ARG(std::optional<std::string>, line_search_fn) = std::nullopt;

 public:
  double get_lr() const override;
  void set_lr(const double lr) override;
};

// The state L-BFGS keeps (under its first parameter's key): the last direction and step, the
// curvature pairs and the counters.
struct LBFGSParamState : public OptimizerCloneableParamState<LBFGSParamState> {
  TG_ARG(int64_t, func_evals) = 0;
  TG_ARG(int64_t, n_iter) = 0;
  TG_ARG(Tensor, t) = {};
  TG_ARG(double, prev_loss) = 0;
  TG_ARG(Tensor, d) = {};
  TG_ARG(Tensor, H_diag) = {};
  TG_ARG(Tensor, prev_flat_grad) = {};
  TG_ARG(std::deque<Tensor>, old_dirs);
  TG_ARG(std::deque<Tensor>, old_stps);
  TG_ARG(std::deque<Tensor>, ro);
  TG_ARG(std::vector<Tensor>, al);
};

class LBFGS : public Optimizer {
 public:
  // One param group only, as in PyTorch.
  explicit LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults = {});
  explicit LBFGS(std::vector<Tensor> params, LBFGSOptions defaults = {})
      : LBFGS(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
              std::move(defaults)) {}

  // Requires a closure that clears the gradients, computes the loss, calls backward and returns
  // the loss. Returns the loss of the first evaluation.
  Tensor step(LossClosure closure) override;

 private:
  Tensor gather_flat_grad() const;
  void add_grad(double step_size, const Tensor& update);
  // Evaluates the loss and gradient at params + t * d, then restores params to x.
  std::pair<double, Tensor> directional_evaluate(const LossClosure& closure,
                                                 const std::vector<Tensor>& x, double t,
                                                 const Tensor& d);
  int64_t numel_ = 0;
};

}  // namespace tg::optim
