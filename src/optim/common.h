// Helpers the optimizers share. Internal.
#pragma once

#include <string>
#include <typeinfo>

#include "tensorgrad/autograd.h"
#include "tensorgrad/optim/optimizer.h"

namespace tg::optim::detail {

// A number as Python's repr(float) writes it in PyTorch's ValueError messages: "0.1", "-1.0",
// "1e-08", "0.0001".
std::string format_number(double v);

// The group's options as the optimizer's own options type; a group given another optimizer's
// options is reported instead of misread.
template <typename Options>
const Options& options_as(const OptimizerParamGroup& group, const char* optimizer) {
  const auto& given = group.options();  // named first: typeid of a call warns in clang
  const auto* o = dynamic_cast<const Options*>(&given);
  TG_CHECK(o != nullptr, optimizer, ": a param group has options of another optimizer (",
           typeid(given).name(), ")");
  return *o;
}

// Runs the closure, if any, with gradients enabled, and returns its loss (undefined otherwise).
inline Tensor evaluate_closure(const Optimizer::LossClosure& closure) {
  if (!closure) return Tensor();
  AutoGradMode enable_grad(true);
  return closure();
}

}  // namespace tg::optim::detail

namespace tg::optim::detail {

// The moment updates and the parameter step that Adam and AdamW share, after each has applied its
// own weight decay: torch/optim/adam.py's _single_tensor_adam from "exp_avg.mul_(beta1)" on, with
// the bias corrections computed in double precision as Python does. `step` is already incremented.
void adam_update(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Tensor* max_exp_avg_sq, int64_t step, double lr, double beta1, double beta2,
                 double eps);

// Validates Adam/AdamW options with PyTorch's messages, prefixed by the optimizer's name.
void check_adam_options(const char* optimizer, double lr, double eps, double beta1, double beta2,
                        double weight_decay);

}  // namespace tg::optim::detail
