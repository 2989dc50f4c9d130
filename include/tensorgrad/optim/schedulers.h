// Learning-rate schedulers, spelled as libtorch 1.13's torch::optim::LRScheduler / StepLR but
// stepping as Python's torch.optim.lr_scheduler does: call scheduler.step() after
// optimizer.step(), and StepLR(opt, 30, 0.1) first decays the rate on the 30th call (libtorch 1.13
// decays one call later). The rate is updated multiplicatively in double precision, so changes made
// to a group's lr by hand carry over, as in PyTorch's chainable form.
#pragma once

#include <cstdint>
#include <vector>

#include "tensorgrad/ivalue.h"
#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

class LRScheduler {
 public:
  // Keeps a reference to the optimizer, which must outlive the scheduler.
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  // Advances the schedule by one epoch and writes the new rates into the optimizer's groups.
  void step();

  // The rates of the param groups as last set by this scheduler (Python's get_last_lr()).
  const std::vector<double>& get_last_lr() const { return last_lr_; }

  // The schedule's position, with Python's keys: {"last_epoch", "_step_count", "_last_lr"}.
  // Saved with the optimizer (whose groups hold the current rates), it resumes the schedule
  // exactly; load_state_dict takes it from here or from Python's scheduler.state_dict().
  IValue state_dict() const;
  void load_state_dict(const IValue& state);

 protected:
  // The rates for the epoch step_count_ (already advanced), one per param group.
  virtual std::vector<double> get_lrs() = 0;

  // The optimizer's current rates, one per param group.
  std::vector<double> get_current_lrs() const;

  // How many times step() has been called (Python's last_epoch).
  unsigned step_count_ = 0;

  Optimizer& optimizer() { return optimizer_; }
  // Writes rates into the optimizer's groups and remembers them as the last ones (for schedulers
  // that, as Python's constructors do, set the rates before the first step).
  void set_lrs(const std::vector<double>& learning_rates);

 private:
  void set_optimizer_lrs(const std::vector<double>& learning_rates);

  Optimizer& optimizer_;
  std::vector<double> last_lr_;
};

// Multiplies every group's rate by gamma each step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, const unsigned step_size, const double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;

  const unsigned step_size_;
  const double gamma_;
};

// Multiplies every group's rate by gamma each epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  std::vector<double> get_lrs() override;
  const double gamma_;
};

// Multiplies every group's rate by gamma at each milestone epoch (by gamma^k for a milestone
// listed k times).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  const std::vector<int64_t> milestones_;
  const double gamma_;
};

// Anneals each rate from its initial value to eta_min along half a cosine over T_max epochs,
// then back up, in Python's recursive (chainable) form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);

 private:
  std::vector<double> get_lrs() override;
  const int64_t t_max_;
  const double eta_min_;
  const std::vector<double> base_lrs_;
};

// The 1cycle policy of torch.optim.lr_scheduler.OneCycleLR: the rate rises from
// max_lr / div_factor to max_lr over pct_start of total_steps, then falls to
// max_lr / div_factor / final_div_factor; momentum (SGD's and RMSprop's momentum, Adam's beta1)
// moves the opposite way between max_momentum and base_momentum. Construction sets the rates
// (and momenta) of step 0; each step() advances one batch, at most total_steps times.
struct OneCycleLROptions {
  enum AnnealStrategy { cos, linear };
  TG_ARG(double, pct_start) = 0.3;
  TG_ARG(AnnealStrategy, anneal_strategy) = cos;
  TG_ARG(bool, cycle_momentum) = true;
  TG_ARG(double, base_momentum) = 0.85;
  TG_ARG(double, max_momentum) = 0.95;
  TG_ARG(double, div_factor) = 25.0;
  TG_ARG(double, final_div_factor) = 1e4;
  TG_ARG(bool, three_phase) = false;
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
             const OneCycleLROptions& options = {});

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr;    // 0: initial, 1: max, 2: min
    int start_mom, end_mom;  // 0: max_momentum, 1: base_momentum
  };
  std::vector<double> get_lrs() override;
  double anneal(double start, double end, double pct) const;

  const int64_t total_steps_;
  const OneCycleLROptions options_;
  double lr_[3];
  double momentum_[2];
  std::vector<Phase> phases_;
};

// Reduces the rates by `factor` once a metric has stopped improving for `patience` epochs, as
// torch.optim.lr_scheduler.ReduceLROnPlateau does; step(metric) once per epoch.
class ReduceLROnPlateauScheduler {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  // Keeps a reference to the optimizer, which must outlive the scheduler. min_lr: one for all
  // groups, one per group, or none (0).
  explicit ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min,
                                      double factor = 0.1, int patience = 10,
                                      double threshold = 1e-4, ThresholdMode threshold_mode = rel,
                                      int cooldown = 0, const std::vector<double>& min_lr = {},
                                      double eps = 1e-8);
  void step(double metric);
  const std::vector<double>& get_last_lr() const { return last_lr_; }

 private:
  bool is_better(double a) const;

  Optimizer& optimizer_;
  SchedulerMode mode_;
  double factor_;
  int patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int cooldown_;
  std::vector<double> min_lrs_;
  double eps_;
  double best_;
  int num_bad_epochs_ = 0;
  int cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};
using ReduceLROnPlateau = ReduceLROnPlateauScheduler;

}  // namespace tg::optim
