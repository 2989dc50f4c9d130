// Adam as torch/optim/adam.py's _single_tensor_adam computes it, op for op (bias corrections in
// double precision, then one addcdiv_), so float32 trajectories match PyTorch's bit for bit.
#include "tensorgrad/optim/adam.h"

#include <cmath>

#include "optim/common.h"

namespace tg::optim {

namespace detail {

void adam_update(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Tensor* max_exp_avg_sq, int64_t step, double lr, double beta1, double beta2,
                 double eps) {
  exp_avg.mul_(beta1).add_(grad, 1 - beta1);
  exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

  // Python computes these from the step as a float: beta ** step, lr / bc1, math.sqrt(bc2).
  const double s = static_cast<double>(step);
  const double bias_correction1 = 1 - std::pow(beta1, s);
  const double bias_correction2 = 1 - std::pow(beta2, s);
  const double step_size = lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);

  // (v.sqrt() / bc2_sqrt).add_(eps): dividing the fresh sqrt in place rounds the same way as the
  // out-of-place division and saves a temporary.
  Tensor denom;
  if (max_exp_avg_sq != nullptr) {
    max_exp_avg_sq->copy_(tg::maximum(*max_exp_avg_sq, exp_avg_sq));
    denom = max_exp_avg_sq->sqrt();
  } else {
    denom = exp_avg_sq.sqrt();
  }
  denom.div_(bias_correction2_sqrt).add_(eps);
  param.addcdiv_(exp_avg, denom, -step_size);
}

void check_adam_options(const char* optimizer, double lr, double eps, double beta1, double beta2,
                        double weight_decay) {
  TG_CHECK(lr >= 0, optimizer, ": Invalid learning rate: ", format_number(lr));
  TG_CHECK(eps >= 0, optimizer, ": Invalid epsilon value: ", format_number(eps));
  TG_CHECK(0 <= beta1 && beta1 < 1.0, optimizer,
           ": Invalid beta parameter at index 0: ", format_number(beta1));
  TG_CHECK(0 <= beta2 && beta2 < 1.0, optimizer,
           ": Invalid beta parameter at index 1: ", format_number(beta2));
  TG_CHECK(weight_decay >= 0, optimizer,
           ": Invalid weight_decay value: ", format_number(weight_decay));
}

}  // namespace detail

AdamOptions::AdamOptions(double lr) : lr_(lr) {}

bool operator==(const AdamOptions& lhs, const AdamOptions& rhs) {
  return lhs.lr() == rhs.lr() && lhs.betas() == rhs.betas() && lhs.eps() == rhs.eps() &&
         lhs.weight_decay() == rhs.weight_decay() && lhs.amsgrad() == rhs.amsgrad();
}

double AdamOptions::get_lr() const { return lr(); }
void AdamOptions::set_lr(const double lr) { this->lr(lr); }

namespace {

bool same(const Tensor& a, const Tensor& b) {
  return a.defined() == b.defined() && (!a.defined() || tg::equal(a, b));
}

void check_options(const AdamOptions& o) {
  detail::check_adam_options("Adam", o.lr(), o.eps(), std::get<0>(o.betas()),
                             std::get<1>(o.betas()), o.weight_decay());
}

}  // namespace

bool operator==(const AdamParamState& lhs, const AdamParamState& rhs) {
  return lhs.step() == rhs.step() && same(lhs.exp_avg(), rhs.exp_avg()) &&
         same(lhs.exp_avg_sq(), rhs.exp_avg_sq()) &&
         same(lhs.max_exp_avg_sq(), rhs.max_exp_avg_sq());
}

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamOptions>(defaults)) {
  check_options(defaults);
  for (const auto& group : param_groups_)
    check_options(detail::options_as<AdamOptions>(group, "Adam"));
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = detail::evaluate_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = detail::options_as<AdamOptions>(group, "Adam");
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& st = param_state<AdamParamState>(p, [&p] {
        auto s = std::make_unique<AdamParamState>();
        s->exp_avg(tg::zeros_like(p));
        s->exp_avg_sq(tg::zeros_like(p));
        return s;
      });
      // Created on first use, also when amsgrad is switched on after some steps.
      if (o.amsgrad() && !st.max_exp_avg_sq().defined()) st.max_exp_avg_sq(tg::zeros_like(p));
      st.step(st.step() + 1);
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      detail::adam_update(p, grad, st.exp_avg(), st.exp_avg_sq(),
                          o.amsgrad() ? &st.max_exp_avg_sq() : nullptr, st.step(), o.lr(), beta1,
                          beta2, o.eps());
    }
  }
  return loss;
}

}  // namespace tg::optim
