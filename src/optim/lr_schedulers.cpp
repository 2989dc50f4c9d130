// ExponentialLR, MultiStepLR, CosineAnnealingLR, OneCycleLR and ReduceLROnPlateau, each computing
// its rates as torch/optim/lr_scheduler.py (1.13) does, in the same order of double operations,
// so the rates equal Python's exactly.
#include <algorithm>
#include <cmath>
#include <limits>

#include "optim/common.h"
#include "tensorgrad/optim/adam.h"
#include "tensorgrad/optim/adamw.h"
#include "tensorgrad/optim/rmsprop.h"
#include "tensorgrad/optim/schedulers.h"
#include "tensorgrad/optim/sgd.h"

namespace tg::optim {

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {}

std::vector<double> ExponentialLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {}

std::vector<double> MultiStepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), int64_t{step_count_});
  if (hits == 0) return lrs;
  const double factor = std::pow(gamma_, static_cast<double>(hits));
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min), base_lrs_(get_current_lrs()) {
  TG_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  const auto e = static_cast<int64_t>(step_count_);
  const double t = static_cast<double>(t_max_);
  // Python's modulo: the result takes the divisor's sign.
  const int64_t period = 2 * t_max_;
  if ((((e - 1 - t_max_) % period) + period) % period == 0) {
    for (size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(M_PI / t)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(M_PI * static_cast<double>(e) / t)) /
             (1 + std::cos(M_PI * static_cast<double>(e - 1) / t)) * (lr - eta_min_) +
         eta_min_;
  return lrs;
}

namespace {

// The momentum a group's optimizer cycles: SGD's and RMSprop's momentum, Adam's and AdamW's
// beta1. Returns false for options without one.
bool set_momentum(OptimizerOptions& options, double m) {
  if (auto* o = dynamic_cast<SGDOptions*>(&options)) {
    o->momentum(m);
  } else if (auto* o = dynamic_cast<RMSpropOptions*>(&options)) {
    o->momentum(m);
  } else if (auto* o = dynamic_cast<AdamOptions*>(&options)) {
    o->betas({m, std::get<1>(o->betas())});
  } else if (auto* o = dynamic_cast<AdamWOptions*>(&options)) {
    o->betas({m, std::get<1>(o->betas())});
  } else {
    return false;
  }
  return true;
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
                       const OneCycleLROptions& options)
    : LRScheduler(optimizer), total_steps_(total_steps), options_(options) {
  TG_CHECK(total_steps > 0, "OneCycleLR: Expected positive integer total_steps, but got ",
           total_steps);
  TG_CHECK(options.pct_start() >= 0 && options.pct_start() <= 1,
           "OneCycleLR: Expected float between 0 and 1 pct_start, but got ",
           detail::format_number(options.pct_start()));
  const double t = static_cast<double>(total_steps);
  const double pct = options.pct_start();
  if (options.three_phase()) {
    phases_ = {{pct * t - 1, 0, 1, 0, 1}, {2 * pct * t - 2, 1, 0, 1, 0}, {t - 1, 0, 2, 0, 0}};
  } else {
    phases_ = {{pct * t - 1, 0, 1, 0, 1}, {t - 1, 1, 2, 1, 0}};
  }
  lr_[1] = max_lr;
  lr_[0] = max_lr / options.div_factor();
  lr_[2] = lr_[0] / options.final_div_factor();
  momentum_[0] = options.max_momentum();
  momentum_[1] = options.base_momentum();
  if (options.cycle_momentum()) {
    for (auto& group : this->optimizer().param_groups())
      TG_CHECK(set_momentum(group.options(), options.max_momentum()),
               "OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled");
  }
  // Python's constructor takes the first step (epoch 0): the rates of step 0.
  set_lrs(get_lrs());
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy() == OneCycleLROptions::linear) return (end - start) * pct + start;
  const double cos_out = std::cos(M_PI * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

std::vector<double> OneCycleLR::get_lrs() {
  const auto step = static_cast<int64_t>(step_count_);
  TG_CHECK(step <= total_steps_, "OneCycleLR: Tried to step ", step,
           " times. The specified number of total steps is ", total_steps_);
  const double s = static_cast<double>(step);
  double start_step = 0, lr = 0, momentum = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& ph = phases_[i];
    if (s <= ph.end_step || i + 1 == phases_.size()) {
      const double pct = (s - start_step) / (ph.end_step - start_step);
      lr = anneal(lr_[ph.start_lr], lr_[ph.end_lr], pct);
      momentum = anneal(momentum_[ph.start_mom], momentum_[ph.end_mom], pct);
      break;
    }
    start_step = ph.end_step;
  }
  if (options_.cycle_momentum())
    for (auto& group : optimizer().param_groups()) set_momentum(group.options(), momentum);
  return std::vector<double>(optimizer().param_groups().size(), lr);
}

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(
    Optimizer& optimizer, SchedulerMode mode, double factor, int patience, double threshold,
    ThresholdMode threshold_mode, int cooldown, const std::vector<double>& min_lr, double eps)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      eps_(eps) {
  TG_CHECK(factor < 1.0, "ReduceLROnPlateau: Factor should be < 1.0.");
  const size_t n = optimizer.param_groups().size();
  if (min_lr.size() <= 1) {
    min_lrs_.assign(n, min_lr.empty() ? 0.0 : min_lr[0]);
  } else {
    TG_CHECK(min_lr.size() == n, "ReduceLROnPlateau: expected ", n, " min_lrs, got ",
             min_lr.size());
    min_lrs_ = min_lr;
  }
  best_ = mode == min ? std::numeric_limits<double>::infinity()
                      : -std::numeric_limits<double>::infinity();
  for (const auto& group : optimizer.param_groups()) last_lr_.push_back(group.options().get_lr());
}

bool ReduceLROnPlateauScheduler::is_better(double a) const {
  if (mode_ == min && threshold_mode_ == rel) return a < best_ * (1.0 - threshold_);
  if (mode_ == min) return a < best_ - threshold_;
  if (threshold_mode_ == rel) return a > best_ * (threshold_ + 1.0);
  return a > best_ + threshold_;
}

void ReduceLROnPlateauScheduler::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // ignore bad epochs while cooling down
  }
  if (num_bad_epochs_ > patience_) {
    auto& groups = optimizer_.param_groups();
    for (size_t i = 0; i < groups.size(); ++i) {
      const double old_lr = groups[i].options().get_lr();
      const double new_lr = std::max(old_lr * factor_, min_lrs_[i]);
      if (old_lr - new_lr > eps_) groups[i].options().set_lr(new_lr);
    }
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (const auto& group : optimizer_.param_groups()) last_lr_.push_back(group.options().get_lr());
}

}  // namespace tg::optim
