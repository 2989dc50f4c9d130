// Learning-rate schedulers, spelled as libtorch 1.13's torch::optim::LRScheduler / StepLR but
// stepping as Python's torch.optim.lr_scheduler does: call scheduler.step() after
// optimizer.step(), and StepLR(opt, 30, 0.1) first decays the rate on the 30th call (libtorch 1.13
// decays one call later). The rate is updated multiplicatively in double precision, so changes made
// to a group's lr by hand carry over, as in PyTorch's chainable form.
#pragma once

#include <vector>

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

 protected:
  // The rates for the epoch step_count_ (already advanced), one per param group.
  virtual std::vector<double> get_lrs() = 0;

  // The optimizer's current rates, one per param group.
  std::vector<double> get_current_lrs() const;

  // How many times step() has been called (Python's last_epoch).
  unsigned step_count_ = 0;

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

}  // namespace tg::optim
