// SGD as torch/optim/sgd.py's _single_tensor_sgd computes it, op for op, so float32 trajectories
// match PyTorch's bit for bit.
#include "tensorgrad/optim/sgd.h"

#include "core/tensor_impl.h"
#include "kernels/optim.h"
#include "optim/common.h"

namespace tg::optim {

SGDOptions::SGDOptions(double lr) : lr_(lr) {}

bool operator==(const SGDOptions& lhs, const SGDOptions& rhs) {
  return lhs.lr() == rhs.lr() && lhs.momentum() == rhs.momentum() &&
         lhs.dampening() == rhs.dampening() && lhs.weight_decay() == rhs.weight_decay() &&
         lhs.nesterov() == rhs.nesterov();
}

double SGDOptions::get_lr() const { return lr(); }
void SGDOptions::set_lr(const double lr) { this->lr(lr); }

bool operator==(const SGDParamState& lhs, const SGDParamState& rhs) {
  const Tensor& a = lhs.momentum_buffer();
  const Tensor& b = rhs.momentum_buffer();
  return a.defined() == b.defined() && (!a.defined() || tg::equal(a, b));
}

namespace {

// The fused update (kernels::sgd_momentum_step) takes the common case: parameter, gradient and
// momentum buffer alike, contiguous, floating. Anything else goes op by op.
bool fusable(const Tensor& p, const Tensor& grad, const Tensor& buf) {
  return p.is_floating_point() && grad.scalar_type() == p.scalar_type() &&
         buf.scalar_type() == p.scalar_type() && p.is_contiguous() && grad.is_contiguous() &&
         buf.is_contiguous() && grad.sizes().equals(p.sizes()) && buf.sizes().equals(p.sizes());
}

void check_options(const SGDOptions& o) {
  using detail::format_number;
  TG_CHECK(o.lr() >= 0, "SGD: Invalid learning rate: ", format_number(o.lr()));
  TG_CHECK(o.momentum() >= 0, "SGD: Invalid momentum value: ", format_number(o.momentum()));
  TG_CHECK(o.weight_decay() >= 0,
           "SGD: Invalid weight_decay value: ", format_number(o.weight_decay()));
  TG_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening (momentum=",
           format_number(o.momentum()), ", dampening=", format_number(o.dampening()), ")");
}

}  // namespace

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<SGDOptions>(defaults)) {
  check_options(defaults);
  for (const auto& group : param_groups_)
    check_options(detail::options_as<SGDOptions>(group, "SGD"));
}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = detail::evaluate_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& o = detail::options_as<SGDOptions>(group, "SGD");
    const double lr = o.lr(), momentum = o.momentum(), dampening = o.dampening();
    const double weight_decay = o.weight_decay();
    for (auto& p : group.params()) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      Tensor* buf = nullptr;
      if (momentum != 0)
        buf = &param_state<SGDParamState>(p, [] {
                 return std::make_unique<SGDParamState>();
               }).momentum_buffer();
      if (buf && buf->defined() && !o.nesterov() && fusable(p, grad, *buf)) {
        kernels::sgd_momentum_step(p, grad, *buf, lr, momentum, dampening, weight_decay);
        // The versions the op-by-op update leaves: buf.mul_().add_() and p.add_().
        impl_of(*buf)->bump_version();
        impl_of(*buf)->bump_version();
        impl_of(p)->bump_version();
        continue;
      }
      Tensor d_p = grad;
      if (weight_decay != 0) d_p = d_p.add(p, weight_decay);
      if (buf) {
        if (!buf->defined())
          *buf = d_p.clone().detach();
        else
          buf->mul_(momentum).add_(d_p, 1 - dampening);
        d_p = o.nesterov() ? d_p.add(*buf, momentum) : *buf;
      }
      p.add_(d_p, -lr);
    }
  }
  return loss;
}

}  // namespace tg::optim
