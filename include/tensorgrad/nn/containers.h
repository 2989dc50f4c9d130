// The module containers of libtorch's frontend: ModuleList and ModuleDict (modules registered
// under their index or key), ParameterList and ParameterDict, and AnyModule, which holds any
// module and calls its forward() with arguments checked at run time.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"

namespace tg::nn {

namespace detail {
// The text of a parameter in ParameterList/ParameterDict's repr, as Python writes it: "Parameter
// containing: [torch.float32 of size 3x4]" (with the type name instead of the dtype when
// `type_name` is set, as ParameterDict writes it).
std::string parameter_summary(const Tensor& p, bool type_name);
// Prints name(extra) on one line when extra is one line, else one indented line per line of it,
// as torch.nn.Module.__repr__ does for a module without children.
void print_extra_lines(std::ostream& stream, const std::string& name, const std::string& extra);
}  // namespace detail

// Holds modules in a list, registered as "0", "1", ...; it has no forward() of its own.
class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  template <typename... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  template <typename M>
  void push_back(ModuleHolder<M> holder) {
    push_back(std::static_pointer_cast<Module>(holder.ptr()));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, M>>>
  void push_back(M&& module) {
    push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  template <typename Container>
  void extend(const Container& container) {
    for (const auto& m : container) push_back(m);
  }
  // Inserts before `index` (0 <= index <= size()), renumbering the modules after it.
  void insert(size_t index, std::shared_ptr<Module> module);
  template <typename M>
  void insert(size_t index, ModuleHolder<M> holder) {
    insert(index, std::static_pointer_cast<Module>(holder.ptr()));
  }

  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  std::shared_ptr<Module> ptr(size_t index) const;
  template <typename M>
  std::shared_ptr<M> ptr(size_t index) const {
    return std::dynamic_pointer_cast<M>(ptr(index));
  }
  template <typename M>
  M& at(size_t index) {
    auto p = ptr<M>(index);
    TG_CHECK(p != nullptr, "ModuleList::at: module ", index, " is not of the requested type");
    return *p;
  }
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};
TG_MODULE(ModuleList);

// Holds modules by key, in insertion order.
class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(
      const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  explicit ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules);

  // Adds a module, or replaces the one with that key (keeping its place).
  std::shared_ptr<Module> insert(const std::string& key, std::shared_ptr<Module> module);
  template <typename M>
  std::shared_ptr<Module> insert(const std::string& key, ModuleHolder<M> holder) {
    return insert(key, std::static_pointer_cast<Module>(holder.ptr()));
  }
  template <typename Container>
  void update(const Container& items) {
    for (const auto& [k, m] : items) insert(k, m);
  }

  std::shared_ptr<Module> operator[](const std::string& key) const;
  template <typename M>
  M& at(const std::string& key) {
    auto p = std::dynamic_pointer_cast<M>((*this)[key]);
    TG_CHECK(p != nullptr, "ModuleDict::at: module '", key, "' is not of the requested type");
    return *p;
  }
  bool contains(const std::string& key) const { return modules_.contains(key); }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  const std::vector<OrderedDict<std::string, std::shared_ptr<Module>>::Item>& items() const {
    return modules_.items();
  }
  size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.is_empty(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  OrderedDict<std::string, std::shared_ptr<Module>> modules_{"Module"};
};
TG_MODULE(ModuleDict);

// Parameters in a list, registered as "0", "1", ...; each keeps its requires_grad (as libtorch).
class ParameterListImpl : public Module {
 public:
  ParameterListImpl() = default;
  template <typename... Tensors>
  explicit ParameterListImpl(Tensors&&... params) {
    (append(std::forward<Tensors>(params)), ...);
  }
  void append(const Tensor& param);
  template <typename Container>
  void extend(const Container& container) {
    for (const auto& p : container) append(p);
  }
  Tensor& operator[](size_t index);
  const Tensor& operator[](size_t index) const;
  Tensor& at(size_t index) { return (*this)[index]; }
  size_t size() const { return count_; }
  bool is_empty() const { return count_ == 0; }
  void pretty_print(std::ostream& stream) const override;

 private:
  size_t count_ = 0;
};
TG_MODULE(ParameterList);

// Parameters by key, in insertion order; each keeps its requires_grad (as libtorch).
class ParameterDictImpl : public Module {
 public:
  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params);
  Tensor& insert(const std::string& key, const Tensor& param);
  template <typename Container>
  void update(const Container& items) {
    for (const auto& [k, p] : items) insert(k, p);
  }
  Tensor& operator[](const std::string& key);
  const Tensor& operator[](const std::string& key) const;
  Tensor& get(const std::string& key) { return (*this)[key]; }
  bool contains(const std::string& key) const;
  std::vector<std::string> keys() const;
  std::vector<Tensor> values() const;
  size_t size() const;
  bool empty() const { return size() == 0; }
  void pretty_print(std::ostream& stream) const override;

 private:
  std::vector<std::string> keys_;
};
TG_MODULE(ParameterDict);

// Any module with a (single, non-template) forward(), called with its arguments checked at run
// time: AnyModule any(Linear(2, 3)); any.forward(x). Copies share the module; clone() does not.
class AnyModule {
 public:
  AnyModule() = default;
  template <typename M>
  explicit AnyModule(std::shared_ptr<M> module) : module_(module), type_(&typeid(M)) {
    invoke_ = make_invoker(module, &M::forward);
  }
  template <typename M>
  explicit AnyModule(ModuleHolder<M> holder) : AnyModule(holder.ptr()) {}
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  explicit AnyModule(M&& module)
      : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}

  // Calls forward(arguments...) and returns its result as T (a Tensor unless given).
  template <typename T = Tensor, typename... Args>
  T forward(Args&&... arguments) {
    std::any out = any_forward(std::forward<Args>(arguments)...);
    T* value = std::any_cast<T>(&out);
    TG_CHECK(value != nullptr, "Attempted to cast module output to ", typeid(T).name(),
             ", but its actual type is ", out.type().name());
    return *value;
  }
  template <typename... Args>
  std::any any_forward(Args&&... arguments) {
    TG_CHECK(!is_empty(), "Cannot call forward() on an empty AnyModule");
    std::vector<std::any> args{std::any(std::decay_t<Args>(std::forward<Args>(arguments)))...};
    return invoke_(args);
  }

  std::shared_ptr<Module> ptr() const { return checked(); }
  template <typename M>
  std::shared_ptr<M> ptr() const {
    check_type<M>();
    return std::static_pointer_cast<M>(checked());
  }
  template <typename M>
  M& get() const {
    return *ptr<M>();
  }
  const std::type_info& type_info() const {
    checked();
    return *type_;
  }
  bool is_empty() const noexcept { return module_ == nullptr; }

 private:
  using Invoker = std::function<std::any(std::vector<std::any>&)>;

  template <typename T>
  static T arg_as(std::vector<std::any>& args, size_t i) {
    using D = std::decay_t<T>;
    D* v = std::any_cast<D>(&args[i]);
    TG_CHECK(v != nullptr, "Expected argument #", i, " to be of type ", typeid(D).name(),
             ", but received value of type ", args[i].type().name());
    return *v;
  }
  template <typename M, typename R, typename... A, size_t... I>
  static std::any call(M& m, R (M::*f)(A...), std::vector<std::any>& args,
                       std::index_sequence<I...>) {
    return std::any((m.*f)(arg_as<A>(args, I)...));
  }
  template <typename M, typename R, typename... A>
  static Invoker make_invoker(std::shared_ptr<M> m, R (M::*f)(A...)) {
    return [m, f](std::vector<std::any>& args) {
      TG_CHECK(args.size() == sizeof...(A), m->name(), "'s forward() method expects ", sizeof...(A),
               " argument(s), but received ", args.size(), ".");
      return call(*m, f, args, std::index_sequence_for<A...>{});
    };
  }
  std::shared_ptr<Module> checked() const {
    TG_CHECK(module_ != nullptr, "Cannot call ptr() on an empty AnyModule");
    return module_;
  }
  template <typename M>
  void check_type() const {
    TG_CHECK(typeid(M) == type_info(), "Attempted to cast module of type ", type_info().name(),
             " to type ", typeid(M).name());
  }

  std::shared_ptr<Module> module_;
  const std::type_info* type_ = nullptr;
  Invoker invoke_;
};

}  // namespace tg::nn
