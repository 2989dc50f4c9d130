// nn::Module: the base of every layer and model. A module owns named parameters, buffers and
// submodules, in registration order; that order names parameters ("layers.0.weight") and
// decides the order of parameters() as in PyTorch.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "tensorgrad/ordered_dict.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

template <typename Impl>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;

  // The type's name as Python prints it: "Linear", or the user's class name without "Impl".
  const std::string& name() const;

  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    register_module_impl(std::move(name), module);
    return module;
  }
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, ModuleHolder<M> holder) {
    return register_module(std::move(name), holder.ptr());
  }
  // Replaces a registered submodule (e.g. to swap a layer), keeping its position.
  template <typename M>
  std::shared_ptr<M> replace_module(const std::string& name, std::shared_ptr<M> module) {
    children_[name] = module;
    return module;
  }

  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true);
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(const std::string& prefix = "",
                                                                  bool include_self = true);

  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return is_training_; }
  // Clears the gradients of all parameters (in place, keeping the tensors, as PyTorch 1.13 does
  // by default); with set_to_none the gradients become undefined instead.
  void zero_grad(bool set_to_none = false);
  // Converts every parameter and buffer to dtype in place (the tensors keep their identity).
  virtual void to(ScalarType dtype, bool non_blocking = false);
  // Parameters and buffers live on the CPU: the CPU is accepted, any other device is an error.
  virtual void to(Device device, bool non_blocking = false);
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  void apply(const std::function<void(Module&)>& fn);

  // Writes this module's own line, e.g. "Linear(in_features=1, out_features=512, bias=True)".
  virtual void pretty_print(std::ostream& stream) const;
  // Extra text between the parentheses; modules with no options leave it empty.
  virtual std::string extra_repr() const { return ""; }
  bool is_serializable() const { return true; }

  // Parameters and buffers by dotted name, each module's own before its children's, as Python's
  // state_dict() orders them. The tensors are the module's own (not copies).
  OrderedDict<std::string, Tensor> state_dict() const;
  struct IncompatibleKeys {
    std::vector<std::string> missing_keys;
    std::vector<std::string> unexpected_keys;
  };
  // Copies tensors into the parameters and buffers of the same names, without autograd history
  // and converting the dtype, as Python's load_state_dict. A shape mismatch is always an error;
  // with strict, keys missing from state_dict and keys the module does not have are errors too.
  // The error lists every problem in PyTorch's words ("Error(s) in loading state_dict for
  // Linear:\n\tMissing key(s) in state_dict: ..."); on error nothing is changed. Without strict,
  // the keys that did not match are returned.
  IncompatibleKeys load_state_dict(const OrderedDict<std::string, Tensor>& state_dict,
                                   bool strict = true);

 protected:
  // This module's own parameter `name`, or null (for containers that index their parameters).
  Tensor* find_parameter(const std::string& name) { return parameters_.find(name); }

 private:
  void register_module_impl(std::string name, std::shared_ptr<Module> module);
  void collect_modules(const std::string& prefix, OrderedDict<std::string, std::shared_ptr<Module>>& out,
                       bool include_self);
  friend void print_module(std::ostream&, const Module&, int);

  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};
  mutable std::string name_;
  bool is_training_ = true;
};

// Python-style nested printing of a module tree.
std::ostream& operator<<(std::ostream& stream, const Module& module);

// Holds a shared_ptr to a module implementation, like libtorch's ModuleHolder: `Linear l(1, 2);`
// constructs LinearImpl(1, 2); `Linear l{nullptr};` is empty; `l->weight`, `l(x)`, `*l`.
template <typename Impl>
class ModuleHolder {
 public:
  using ContainedType = Impl;

  ModuleHolder() : impl_(default_construct()) {}
  ModuleHolder(std::nullptr_t) {}  // NOLINT
  template <typename Head, typename... Tail,
            typename = std::enable_if_t<
                !(std::is_same_v<std::decay_t<Head>, std::nullptr_t> ||
                  std::is_base_of_v<ModuleHolder, std::decay_t<Head>> ||
                  std::is_same_v<std::decay_t<Head>, std::shared_ptr<Impl>>)>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Impl>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}
  ModuleHolder(std::shared_ptr<Impl> module) : impl_(std::move(module)) {}  // NOLINT

  Impl* operator->() { return checked(); }
  const Impl* operator->() const { return checked(); }
  Impl& operator*() { return *checked(); }
  const Impl& operator*() const { return *checked(); }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  Impl* get() { return impl_.get(); }
  bool is_empty() const { return impl_ == nullptr; }
  explicit operator bool() const { return impl_ != nullptr; }

  template <typename... Args, typename I = Impl>
  auto operator()(Args&&... args) -> decltype(std::declval<I&>().forward(std::forward<Args>(args)...)) {
    return checked()->forward(std::forward<Args>(args)...);
  }
  // seq[i] on a Sequential holder, as in libtorch.
  template <typename Arg, typename I = Impl>
  auto operator[](Arg&& arg) -> decltype(std::declval<I&>()[std::forward<Arg>(arg)]) {
    return (*checked())[std::forward<Arg>(arg)];
  }

 private:
  static std::shared_ptr<Impl> default_construct() {
    if constexpr (std::is_default_constructible_v<Impl>) {
      return std::make_shared<Impl>();
    } else {
      return nullptr;
    }
  }
  Impl* checked() const {
    TG_CHECK(impl_ != nullptr, "Accessing an empty ModuleHolder (constructed with nullptr)");
    return impl_.get();
  }
  std::shared_ptr<Impl> impl_;
};

template <typename Impl>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<Impl>& m) {
  return stream << *m;
}

}  // namespace tg::nn

// TG_MODULE(Linear) declares `Linear`, a holder of `LinearImpl`, as TORCH_MODULE does.
#define TG_MODULE(Name)                                            \
  class Name : public ::tg::nn::ModuleHolder<Name##Impl> {         \
   public:                                                         \
    using ::tg::nn::ModuleHolder<Name##Impl>::ModuleHolder;        \
  }
