// RMSprop and Adagrad as torch/optim/rmsprop.py and adagrad.py compute them, op for op, so that
// float32 trajectories match PyTorch's bit for bit.
#include "tensorgrad/optim/rmsprop.h"

#include "optim/common.h"

namespace tg::optim {

RMSpropOptions::RMSpropOptions(double lr) : lr_(lr) {}

bool operator==(const RMSpropOptions& lhs, const RMSpropOptions& rhs) {
  return lhs.lr() == rhs.lr() && lhs.alpha() == rhs.alpha() && lhs.eps() == rhs.eps() &&
         lhs.weight_decay() == rhs.weight_decay() && lhs.momentum() == rhs.momentum() &&
         lhs.centered() == rhs.centered();
}
double RMSpropOptions::get_lr() const { return lr(); }
void RMSpropOptions::set_lr(const double lr) { this->lr(lr); }

namespace {

void check_rmsprop(const RMSpropOptions& o) {
  using detail::format_number;
  TG_CHECK(o.lr() >= 0, "RMSprop: Invalid learning rate: ", format_number(o.lr()));
  TG_CHECK(o.eps() >= 0, "RMSprop: Invalid epsilon value: ", format_number(o.eps()));
  TG_CHECK(o.momentum() >= 0, "RMSprop: Invalid momentum value: ", format_number(o.momentum()));
  TG_CHECK(o.weight_decay() >= 0,
           "RMSprop: Invalid weight_decay value: ", format_number(o.weight_decay()));
  TG_CHECK(o.alpha() >= 0, "RMSprop: Invalid alpha value: ", format_number(o.alpha()));
}

void check_adagrad(const AdagradOptions& o) {
  using detail::format_number;
  TG_CHECK(o.lr() >= 0, "Adagrad: Invalid learning rate: ", format_number(o.lr()));
  TG_CHECK(o.lr_decay() >= 0, "Adagrad: Invalid lr_decay value: ", format_number(o.lr_decay()));
  TG_CHECK(o.weight_decay() >= 0,
           "Adagrad: Invalid weight_decay value: ", format_number(o.weight_decay()));
  TG_CHECK(o.initial_accumulator_value() >= 0, "Adagrad: Invalid initial_accumulator_value value: ",
           format_number(o.initial_accumulator_value()));
  TG_CHECK(o.eps() >= 0, "Adagrad: Invalid epsilon value: ", format_number(o.eps()));
}

// A parameter's Adagrad state: the accumulator filled with initial_accumulator_value.
std::unique_ptr<AdagradParamState> adagrad_state(const Tensor& p, const AdagradOptions& o) {
  auto s = std::make_unique<AdagradParamState>();
  s->sum(tg::full_like(p, o.initial_accumulator_value()));
  return s;
}

}  // namespace

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(defaults)) {
  check_rmsprop(defaults);
  for (const auto& group : param_groups_)
    check_rmsprop(detail::options_as<RMSpropOptions>(group, "RMSprop"));
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = detail::evaluate_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = detail::options_as<RMSpropOptions>(group, "RMSprop");
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& st = param_state<RMSpropParamState>(p, [&p] {
        auto s = std::make_unique<RMSpropParamState>();
        s->square_avg(tg::zeros_like(p));
        return s;
      });
      // Buffers appear when their option is first on, as in PyTorch's lazy state.
      if (o.momentum() > 0 && !st.momentum_buffer().defined())
        st.momentum_buffer(tg::zeros_like(p));
      if (o.centered() && !st.grad_avg().defined()) st.grad_avg(tg::zeros_like(p));
      st.step(st.step() + 1);
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      Tensor& square_avg = st.square_avg();
      square_avg.mul_(o.alpha()).addcmul_(grad, grad, 1 - o.alpha());
      Tensor avg;
      if (o.centered()) {
        Tensor& grad_avg = st.grad_avg();
        grad_avg.mul_(o.alpha()).add_(grad, 1 - o.alpha());
        avg = square_avg.clone().addcmul_(grad_avg, grad_avg, -1).sqrt_();
      } else {
        avg = square_avg.sqrt();
      }
      avg.add_(o.eps());
      if (o.momentum() > 0) {
        Tensor& buf = st.momentum_buffer();
        buf.mul_(o.momentum()).addcdiv_(grad, avg);
        p.add_(buf, -o.lr());
      } else {
        p.addcdiv_(grad, avg, -o.lr());
      }
    }
  }
  return loss;
}

AdagradOptions::AdagradOptions(double lr) : lr_(lr) {}

bool operator==(const AdagradOptions& lhs, const AdagradOptions& rhs) {
  return lhs.lr() == rhs.lr() && lhs.lr_decay() == rhs.lr_decay() &&
         lhs.weight_decay() == rhs.weight_decay() &&
         lhs.initial_accumulator_value() == rhs.initial_accumulator_value() &&
         lhs.eps() == rhs.eps();
}
double AdagradOptions::get_lr() const { return lr(); }
void AdagradOptions::set_lr(const double lr) { this->lr(lr); }

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(defaults)) {
  check_adagrad(defaults);
  // PyTorch fills the accumulators at construction, so a parameter's state exists before its
  // first gradient.
  for (const auto& group : param_groups_) {
    const auto& o = detail::options_as<AdagradOptions>(group, "Adagrad");
    check_adagrad(o);
    for (const auto& p : group.params()) {
      param_state<AdagradParamState>(p, [&] { return adagrad_state(p, o); });
    }
  }
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = detail::evaluate_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = detail::options_as<AdagradOptions>(group, "Adagrad");
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& st = param_state<AdagradParamState>(p, [&] { return adagrad_state(p, o); });
      st.step(st.step() + 1);
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      // Python: clr = lr / (1 + (step - 1) * lr_decay), in double precision.
      const double clr = o.lr() / (1 + static_cast<double>(st.step() - 1) * o.lr_decay());
      st.sum().addcmul_(grad, grad, 1);
      Tensor std = st.sum().sqrt().add_(o.eps());
      p.addcdiv_(grad, std, -clr);
    }
  }
  return loss;
}

}  // namespace tg::optim
