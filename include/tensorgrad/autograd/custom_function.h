// Custom autograd functions, as libtorch has them: a struct T deriving from Function<T> with
// static T::forward(AutogradContext*, args...) and T::backward(AutogradContext*, variable_list);
// T::apply(args...) runs forward without recording and puts one node (CppNode<T>) in the graph
// whose backward is T::backward. Tensors among the arguments are the node's inputs; every other
// argument is passed through untouched.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/ivalue.h"

namespace tg::autograd {

class SavedVariable;
struct CppNodeBase;
using IndexRange = std::pair<size_t, size_t>;

// What forward gives backward: saved tensors (version-checked when unpacked, like the tensors
// built-in ops save), other saved values, and which inputs and outputs take part in autograd.
struct AutogradContext {
  AutogradContext();
  ~AutogradContext();
  AutogradContext(const AutogradContext&) = delete;
  AutogradContext& operator=(const AutogradContext&) = delete;

  // Non-tensor values for backward: ctx->saved_data["constant"] = 0.5;
  std::unordered_map<std::string, IValue> saved_data;

  // Tensors for backward; call at most once, from forward.
  void save_for_backward(variable_list to_save);
  // Inputs that forward modified in place; they must be returned as outputs too.
  void mark_dirty(const variable_list& inputs);
  // Outputs that get no gradient (indices, masks); they are returned not requiring grad.
  void mark_non_differentiable(const variable_list& outputs);
  // With false, backward receives undefined tensors for outputs that got no gradient, instead of
  // zeros (the default, true).
  void set_materialize_grads(bool value);

  // The tensors of save_for_backward, checked against in-place changes since they were saved.
  variable_list get_saved_variables() const;
  const std::unordered_set<TensorImpl*>& get_and_bump_dirty() const;
  const std::unordered_set<TensorImpl*>& get_non_differentiable() const;

  // Whether backward must compute the gradient of the i-th tensor input: false when that input
  // does not require grad, or when the running backward pass (autograd::grad with inputs) does
  // not need it.
  bool needs_input_grad(size_t output_edge_index) const;
  bool needs_input_grad(std::initializer_list<IndexRange> idxs) const;

 private:
  friend struct CppNodeBase;
  void save_variables();

  std::unordered_set<TensorImpl*> non_differentiable_;
  std::unordered_set<TensorImpl*> dirty_inputs_;
  std::vector<SavedVariable> saved_variables_;
  variable_list to_save_;
  bool materialize_grads_ = true;
  bool has_freed_buffers_ = false;
  // The node that owns this context (never null once apply() has started).
  CppNodeBase* node_ = nullptr;
};

// Shape and dtype of a forward output, to make the zeros that stand for a missing gradient.
struct VariableInfo {
  VariableInfo() = default;
  explicit VariableInfo(const Tensor& var);
  Tensor zeros() const;

  std::vector<int64_t> size;
  ScalarType scalar_type = kFloat;
  bool requires_grad = false;
  bool is_empty = true;
};

// The part of CppNode<T> that does not depend on T (in the library).
struct CppNodeBase : Node {
  explicit CppNodeBase(std::string name);
  std::string name() const override { return name_; }
  tensor_list apply(tensor_list&& grads) override;
  void release_variables() override;
  virtual variable_list call_backward(variable_list&& grads) = 0;
  // Turns what forward passed to save_for_backward into saved variables.
  void save_variables_to_ctx() { ctx_.save_variables(); }

  AutogradContext ctx_;
  std::vector<bool> is_variable_input_;
  std::vector<VariableInfo> input_info_;
  std::vector<VariableInfo> output_info_;

 private:
  std::string name_;
};

// libtorch's name for the node of a custom function:
// "torch::autograd::CppNode<" + the demangled name of T + ">".
std::string cpp_node_name(const std::type_info& function_type);

// The node of Function<T> in the graph; its backward is T::backward.
template <class T>
struct CppNode final : CppNodeBase {
  CppNode() : CppNodeBase(cpp_node_name(typeid(T))) {}
  variable_list call_backward(variable_list&& grads) override {
    return T::backward(&ctx_, std::move(grads));
  }
};

namespace function_detail {

// Which arguments of apply() are the node's inputs: tensors (an undefined one included, so that
// backward's gradients line up with forward's arguments), present optional tensors and lists
// of tensors given as TensorList. Anything else, std::vector<Tensor> included (as in libtorch),
// is passed through and gets no gradient.
inline void extract_var(std::vector<bool>& is_var, variable_list& list, const Tensor& x) {
  is_var.push_back(true);
  list.push_back(x);
}
inline void extract_var(std::vector<bool>& is_var, variable_list& list,
                        const std::optional<Tensor>& x) {
  if (x.has_value() && x->defined()) {
    is_var.push_back(true);
    list.push_back(*x);
  } else {
    is_var.push_back(false);
  }
}
inline void extract_var(std::vector<bool>& is_var, variable_list& list, TensorList xs) {
  for (const Tensor& x : xs) {
    is_var.push_back(true);
    list.push_back(x);
  }
}
template <typename U>
void extract_var(std::vector<bool>& is_var, variable_list& /*list*/, const U& /*x*/) {
  is_var.push_back(false);
}

// Before forward: wires the node to its inputs when a graph is recorded (returns whether it is).
bool begin_custom_function(CppNodeBase& node, const variable_list& inputs);
// After forward: gives the outputs their history (or none for non-differentiable ones), applies
// mark_dirty, and saves what forward asked to save.
variable_list finish_custom_function(const std::shared_ptr<CppNodeBase>& node,
                                     const variable_list& inputs, variable_list outputs,
                                     bool is_executable);

inline variable_list to_output_list(Tensor&& t) { return {std::move(t)}; }
inline variable_list to_output_list(variable_list&& l) { return std::move(l); }

}  // namespace function_detail

// The return type of T::forward for these arguments (a Tensor or a variable_list).
template <typename X, typename... Args>
using forward_t = decltype(X::forward(nullptr, std::declval<Args>()...));

template <class T>
struct Function {
  // X is T; the parameter only delays naming T::forward until T is complete.
  template <typename X = T, typename... Args>
  static auto apply(Args&&... args)
      -> std::enable_if_t<std::is_same_v<X, T>, forward_t<X, Args...>>;
};

template <class T>
template <typename X, typename... Args>
auto Function<T>::apply(Args&&... args)
    -> std::enable_if_t<std::is_same_v<X, T>, forward_t<X, Args...>> {
  using Result = forward_t<X, Args...>;
  static_assert(std::is_same_v<Result, Tensor> || std::is_same_v<Result, variable_list>,
                "forward of a custom autograd Function must return a Tensor or a variable_list");
  auto node = std::make_shared<CppNode<T>>();
  variable_list input_vars;
  input_vars.reserve(sizeof...(Args));
  node->is_variable_input_.reserve(sizeof...(Args));
  (function_detail::extract_var(node->is_variable_input_, input_vars, args), ...);
  const bool is_executable = function_detail::begin_custom_function(*node, input_vars);

  Result outputs;
  {
    AutoGradMode no_grad(false);
    outputs = T::forward(&node->ctx_, std::forward<Args>(args)...);
  }
  variable_list wrapped = function_detail::finish_custom_function(
      node, input_vars, function_detail::to_output_list(std::move(outputs)), is_executable);
  if constexpr (std::is_same_v<Result, Tensor>) {
    return std::move(wrapped[0]);
  } else {
    return wrapped;
  }
}

}  // namespace tg::autograd
