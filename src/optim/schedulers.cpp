// LR schedulers, stepping as torch/optim/lr_scheduler.py does (chainable form).
#include "tensorgrad/optim/schedulers.h"

namespace tg::optim {

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), last_lr_(get_current_lrs()) {}

void LRScheduler::step() {
  // Python increments last_epoch before asking for the rates; its constructor's initial step
  // (epoch 0) leaves them unchanged, so it is not repeated here.
  ++step_count_;
  set_optimizer_lrs(get_lrs());
  last_lr_ = get_current_lrs();
}

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  lrs.reserve(optimizer_.param_groups().size());
  for (const auto& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::set_lrs(const std::vector<double>& learning_rates) {
  set_optimizer_lrs(learning_rates);
  last_lr_ = get_current_lrs();
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& learning_rates) {
  auto& groups = optimizer_.param_groups();
  TG_CHECK(learning_rates.size() == groups.size(), "LRScheduler: got ", learning_rates.size(),
           " learning rates for ", groups.size(), " param groups");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(learning_rates[i]);
}

StepLR::StepLR(Optimizer& optimizer, const unsigned step_size, const double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  TG_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (step_count_ == 0 || step_count_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

}  // namespace tg::optim
