// The optimizer base, spelled as libtorch 1.13's torch::optim: options structs with chained
// setters, parameter groups that each carry their own options, and per-parameter state keyed by the
// parameter's TensorImpl. The update rules of the subclasses follow Python PyTorch 1.13 exactly.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensorgrad/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::optim {

// Per-parameter state of an optimizer (momentum buffers, moment estimates).
class OptimizerParamState {
 public:
  virtual std::unique_ptr<OptimizerParamState> clone() const;
  virtual ~OptimizerParamState() = default;
};

template <typename Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
 public:
  std::unique_ptr<OptimizerParamState> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Hyper-parameters of one parameter group. get_lr/set_lr let schedulers reach the learning rate
// without knowing the optimizer.
class OptimizerOptions {
 public:
  virtual std::unique_ptr<OptimizerOptions> clone() const;
  virtual ~OptimizerOptions() = default;
  virtual double get_lr() const;
  virtual void set_lr(const double lr);
};

template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Parameters that share one set of options.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(const OptimizerParamGroup& param_group)
      : params_(param_group.params()),
        options_(param_group.has_options() ? param_group.options().clone() : nullptr) {}
  OptimizerParamGroup(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup& operator=(const OptimizerParamGroup& param_group);
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup(std::vector<Tensor> params)  // NOLINT(google-explicit-constructor)
      : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

// The key of a parameter in Optimizer::state(): its TensorImpl's address, written as libtorch's
// c10::guts::to_string(p.unsafeGetTensorImpl()) writes it ("0x55d0c0ffee10").
std::string param_state_key(const Tensor& param);

class Optimizer {
 public:
  // Copying is not supported (as in libtorch); move instead.
  Optimizer(const Optimizer& optimizer) = delete;
  Optimizer& operator=(const Optimizer& optimizer) = delete;
  Optimizer(Optimizer&& optimizer) = default;

  explicit Optimizer(std::vector<OptimizerParamGroup> param_groups,
                     std::unique_ptr<OptimizerOptions> defaults);
  explicit Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;

  // Adds a group; one without options gets a copy of the optimizer's defaults. A parameter may
  // belong to one group only, and must be a leaf.
  void add_param_group(const OptimizerParamGroup& param_group);

  using LossClosure = std::function<Tensor()>;
  // One update of every parameter that has a gradient. The closure, if given, is evaluated first
  // with gradients enabled and its result returned; otherwise an undefined tensor is returned.
  virtual Tensor step(LossClosure closure = nullptr) = 0;

  // Appends parameters to the first group.
  void add_parameters(const std::vector<Tensor>& parameters);

  // Zeros the gradients in place (PyTorch 1.13's default); with set_to_none they become
  // undefined instead, so the next step skips parameters that got no new gradient.
  void zero_grad(bool set_to_none = false);

  // The parameters of the first group.
  const std::vector<Tensor>& parameters() const noexcept;
  std::vector<Tensor>& parameters() noexcept;
  // The number of parameters in all groups.
  size_t size() const noexcept;

  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }

  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }

  using StateMap = std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>;
  // Per-parameter state, keyed by param_state_key(param); entries appear on a parameter's first
  // update.
  StateMap& state() noexcept { return state_; }
  const StateMap& state() const noexcept { return state_; }

 protected:
  // The state of `param`, created by `make` on first use.
  template <typename State, typename Make>
  State& param_state(const Tensor& param, Make&& make) {
    auto key = param_state_key(param);
    auto it = state_.find(key);
    if (it == state_.end()) it = state_.emplace(std::move(key), make()).first;
    return static_cast<State&>(*it->second);
  }

  std::vector<OptimizerParamGroup> param_groups_;
  StateMap state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

}  // namespace tg::optim
