#include "tensorgrad/optim/optimizer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "optim/common.h"

namespace tg::optim {

std::unique_ptr<OptimizerParamState> OptimizerParamState::clone() const {
  TG_ERROR("clone() has not been implemented for torch::optim::OptimizerParamState. ",
           "Subclass torch::optim::OptimizerCloneableParamState<YourOptimizerParamState> ",
           "instead of torch::optim::OptimizerParamState to inherit the ability to clone.");
}

std::unique_ptr<OptimizerOptions> OptimizerOptions::clone() const {
  TG_ERROR("clone() has not been implemented for torch::optim::OptimizerOptions. ",
           "Subclass torch::optim::OptimizerCloneableOptions<YourOptimizerOptions> ",
           "instead of torch::optim::OptimizerOptions to inherit the ability to clone.");
}

double OptimizerOptions::get_lr() const {
  TG_ERROR("OptimizerOptions::get_lr() has not been overridden and implemented in subclass of ",
           "torch::optim::OptimizerOptions, you must override it in your subclass.");
}

void OptimizerOptions::set_lr(const double /*lr*/) {
  TG_ERROR("OptimizerOptions::set_lr() has not been overridden and implemented in subclass of ",
           "torch::optim::OptimizerOptions, you must override it in your subclass.");
}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& param_group) {
  if (this != &param_group) {
    params_ = param_group.params();
    options_ = param_group.has_options() ? param_group.options().clone() : nullptr;
  }
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  TG_CHECK(has_options(), "param group has no options");
  return *options_;
}

const OptimizerOptions& OptimizerParamGroup::options() const {
  TG_CHECK(has_options(), "param group has no options");
  return *options_;
}

std::string param_state_key(const Tensor& param) {
  // "0x" and lowercase hex, as std::ostream prints a pointer.
  char buf[2 + 2 * sizeof(void*)] = {'0', 'x'};
  const auto addr = reinterpret_cast<std::uintptr_t>(param.unsafeGetTensorImpl());
  auto res = std::to_chars(buf + 2, buf + sizeof(buf), addr, 16);
  return std::string(buf, res.ptr);
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  TG_CHECK(defaults_ != nullptr, "Optimizer: the default options must not be null");
  for (const auto& group : param_groups) add_param_group(group);
}

Optimizer::Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults)
    : Optimizer(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(parameters))},
                std::move(defaults)) {}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& group : param_groups_)
    for (const auto& p : group.params()) seen.insert(p.unsafeGetTensorImpl());
  for (const auto& p : param_group.params()) {
    TG_CHECK(p.defined(),
             "optimizer can only optimize defined Tensors, but one of the params is "
             "undefined");
    TG_CHECK(p.is_leaf(), "can't optimize a non-leaf Tensor");
    TG_CHECK(seen.insert(p.unsafeGetTensorImpl()).second,
             "some parameters appear in more than one parameter group");
  }
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::add_parameters(const std::vector<Tensor>& parameters) {
  TG_CHECK(!param_groups_.empty(), "add_parameters: the optimizer has no param group");
  for (const auto& p : parameters) {
    TG_CHECK(p.defined() && p.is_leaf(), "can't optimize a non-leaf Tensor");
    for (const auto& group : param_groups_)
      for (const auto& q : group.params())
        TG_CHECK(!q.is_same(p), "some parameters appear in more than one parameter group");
  }
  auto& params = param_groups_.front().params();
  params.insert(params.end(), parameters.begin(), parameters.end());
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& group : param_groups_) {
    for (auto& p : group.params()) {
      Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad = Tensor();
        continue;
      }
      // A gradient built with create_graph has history; cut it before clearing, as PyTorch does.
      if (grad.grad_fn())
        grad.detach_();
      else
        grad.requires_grad_(false);
      grad.zero_();
    }
  }
}

const std::vector<Tensor>& Optimizer::parameters() const noexcept {
  return param_groups_.at(0).params();
}

std::vector<Tensor>& Optimizer::parameters() noexcept { return param_groups_.at(0).params(); }

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const auto& group : param_groups_) n += group.params().size();
  return n;
}

namespace detail {

std::string format_number(double v) {
  // Python's repr(float): the shortest round-trip digits, written in fixed notation when the
  // decimal exponent is in [-4, 16), else as d.ddde[+-]XX.
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // e.g. "-1.25e-05"
  const size_t e = sci.find('e');
  int exp10 = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp10);
  std::string out;
  if (std::signbit(v)) out.push_back('-');
  std::string digits;
  for (size_t i = out.size(); i < e; ++i)
    if (sci[i] != '.') digits.push_back(sci[i]);
  const int decpt = exp10 + 1;  // digits[0, decpt) are the integer part
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (digits.size() > 1) out.append(".").append(digits, 1);
    const int ax = exp10 < 0 ? -exp10 : exp10;
    out.append(exp10 < 0 ? "e-" : "e+").append(ax < 10 ? "0" : "").append(std::to_string(ax));
  } else if (decpt <= 0) {
    out.append("0.").append(static_cast<size_t>(-decpt), '0').append(digits);
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out.append(digits).append(static_cast<size_t>(decpt) - digits.size(), '0').append(".0");
  } else {
    out.append(digits, 0, decpt).append(".").append(digits, decpt);
  }
  return out;
}

}  // namespace detail

}  // namespace tg::optim
