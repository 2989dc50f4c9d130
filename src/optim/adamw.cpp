// AdamW as torch/optim/adamw.py's _single_tensor_adamw computes it: the parameter is first scaled
// by (1 - lr * weight_decay), then updated exactly as Adam without weight decay.
#include "tensorgrad/optim/adamw.h"

#include "optim/common.h"

namespace tg::optim {

AdamWOptions::AdamWOptions(double lr) : lr_(lr) {}

bool operator==(const AdamWOptions& lhs, const AdamWOptions& rhs) {
  return lhs.lr() == rhs.lr() && lhs.betas() == rhs.betas() && lhs.eps() == rhs.eps() &&
         lhs.weight_decay() == rhs.weight_decay() && lhs.amsgrad() == rhs.amsgrad();
}

double AdamWOptions::get_lr() const { return lr(); }
void AdamWOptions::set_lr(const double lr) { this->lr(lr); }

namespace {

bool same(const Tensor& a, const Tensor& b) {
  return a.defined() == b.defined() && (!a.defined() || tg::equal(a, b));
}

void check_options(const AdamWOptions& o) {
  detail::check_adam_options("AdamW", o.lr(), o.eps(), std::get<0>(o.betas()),
                             std::get<1>(o.betas()), o.weight_decay());
}

}  // namespace

bool operator==(const AdamWParamState& lhs, const AdamWParamState& rhs) {
  return lhs.step() == rhs.step() && same(lhs.exp_avg(), rhs.exp_avg()) &&
         same(lhs.exp_avg_sq(), rhs.exp_avg_sq()) &&
         same(lhs.max_exp_avg_sq(), rhs.max_exp_avg_sq());
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(defaults)) {
  check_options(defaults);
  for (const auto& group : param_groups_)
    check_options(detail::options_as<AdamWOptions>(group, "AdamW"));
}

Tensor AdamW::step(LossClosure closure) {
  Tensor loss = detail::evaluate_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = detail::options_as<AdamWOptions>(group, "AdamW");
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& st = param_state<AdamWParamState>(p, [&p] {
        auto s = std::make_unique<AdamWParamState>();
        s->exp_avg(tg::zeros_like(p));
        s->exp_avg_sq(tg::zeros_like(p));
        return s;
      });
      if (o.amsgrad() && !st.max_exp_avg_sq().defined()) st.max_exp_avg_sq(tg::zeros_like(p));
      st.step(st.step() + 1);
      // Python multiplies even when weight_decay is 0 (by exactly 1).
      p.mul_(1 - o.lr() * o.weight_decay());
      detail::adam_update(p, p.grad(), st.exp_avg(), st.exp_avg_sq(),
                          o.amsgrad() ? &st.max_exp_avg_sq() : nullptr, st.step(), o.lr(), beta1,
                          beta2, o.eps());
    }
  }
  return loss;
}

}  // namespace tg::optim
