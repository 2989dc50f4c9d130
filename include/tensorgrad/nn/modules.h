// Layers: Linear, the activations, Dropout, Sequential and Functional, each an Impl class plus
// its holder (Linear holds a LinearImpl), as in libtorch.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options.h"

namespace tg::nn {

class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  // Draws weight then bias from the default generator with PyTorch's bounds (kaiming_uniform_ with
  // a = sqrt(5) for the weight, U(-1/sqrt(in), 1/sqrt(in)) for the bias).
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
TG_MODULE(Linear);

// Activations without state.
#define TG_DECLARE_ACTIVATION(Name)                       \
  class Name##Impl : public Module {                      \
   public:                                                \
    Tensor forward(const Tensor& input);                  \
  };                                                      \
  TG_MODULE(Name)
TG_DECLARE_ACTIVATION(Tanh);
TG_DECLARE_ACTIVATION(ReLU);
TG_DECLARE_ACTIVATION(Sigmoid);
#undef TG_DECLARE_ACTIVATION

class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  LeakyReLUOptions options;
};
TG_MODULE(LeakyReLU);

class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(int64_t dim) : options(dim) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  SoftmaxOptions options;
};
TG_MODULE(Softmax);

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options = {});
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  DropoutOptions options;
};
TG_MODULE(Dropout);

// Wraps a function Tensor -> Tensor as a module.
class FunctionalImpl : public Module {
 public:
  explicit FunctionalImpl(std::function<Tensor(const Tensor&)> fn) : fn_(std::move(fn)) {}
  template <typename F, typename... Args>
  FunctionalImpl(F fn, Args... args)
      : fn_([fn, args...](const Tensor& x) { return fn(x, args...); }) {}
  Tensor forward(const Tensor& input) { return fn_(input); }

 private:
  std::function<Tensor(const Tensor&)> fn_;
};
TG_MODULE(Functional);

// Runs its modules in order; each must have `Tensor forward(const Tensor&)`.
class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  template <typename M>
  void push_back(std::shared_ptr<M> module) {
    push_back(std::to_string(modules_.size()), std::move(module));
  }
  template <typename M>
  void push_back(ModuleHolder<M> holder) {
    push_back(holder.ptr());
  }
  template <typename M>
  void push_back(std::string name, std::shared_ptr<M> module) {
    register_module(name, module);
    modules_.push_back(module);
    M* raw = module.get();
    forwards_.push_back([raw](const Tensor& x) { return raw->forward(x); });
  }
  template <typename M>
  void push_back(std::string name, ModuleHolder<M> holder) {
    push_back(std::move(name), holder.ptr());
  }

  Tensor forward(const Tensor& input);
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::shared_ptr<Module> operator[](size_t index) const;
  std::shared_ptr<Module> ptr(size_t index) const { return (*this)[index]; }
  template <typename M>
  std::shared_ptr<M> ptr(size_t index) const {
    return std::dynamic_pointer_cast<M>((*this)[index]);
  }
  template <typename M>
  M& at(size_t index) {
    auto p = ptr<M>(index);
    TG_CHECK(p != nullptr, "Sequential::at: module ", index, " is not of the requested type");
    return *p;
  }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
  std::vector<std::function<Tensor(const Tensor&)>> forwards_;
};
TG_MODULE(Sequential);

}  // namespace tg::nn
