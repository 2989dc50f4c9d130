// The library side of custom autograd functions: the context's saved tensors, the node's
// backward (zeros for missing gradients, the count and placement of what T::backward returns),
// and how forward's outputs join the graph. The rules follow libtorch's CppNode and
// _wrap_outputs, so a Function written for libtorch behaves the same here.
#include "tensorgrad/autograd/custom_function.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "autograd/function.h"
#include "core/tensor_impl.h"

namespace tg::autograd {

AutogradContext::AutogradContext() = default;
AutogradContext::~AutogradContext() = default;

void AutogradContext::save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }

void AutogradContext::mark_dirty(const variable_list& inputs) {
  dirty_inputs_.clear();
  for (const auto& v : inputs) dirty_inputs_.insert(v.unsafeGetTensorImpl());
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  non_differentiable_.clear();
  for (const auto& v : outputs) non_differentiable_.insert(v.unsafeGetTensorImpl());
}

void AutogradContext::set_materialize_grads(bool value) { materialize_grads_ = value; }

const std::unordered_set<TensorImpl*>& AutogradContext::get_and_bump_dirty() const {
  for (TensorImpl* t : dirty_inputs_) t->bump_version();
  return dirty_inputs_;
}

const std::unordered_set<TensorImpl*>& AutogradContext::get_non_differentiable() const {
  return non_differentiable_;
}

// A saved tensor that is an output of this very node is kept without its grad_fn (it would be a
// reference cycle through the node) and gets it back when unpacked.
void AutogradContext::save_variables() {
  saved_variables_.clear();
  saved_variables_.reserve(to_save_.size());
  for (const auto& v : to_save_) {
    if (v.defined())
      saved_variables_.emplace_back(v, v.grad_fn().get() == node_);
    else
      saved_variables_.emplace_back();
  }
  to_save_.clear();
}

variable_list AutogradContext::get_saved_variables() const {
  const std::string name = node_ ? node_->name() : std::string("CppNode");
  TG_CHECK(!has_freed_buffers_, kBackwardTwiceMessage, " (in ", name, ")");
  variable_list saved;
  saved.reserve(saved_variables_.size());
  for (const auto& v : saved_variables_) saved.push_back(v.unpack(node_, name.c_str()));
  return saved;
}

bool AutogradContext::needs_input_grad(size_t output_edge_index) const {
  return node_->task_should_compute_output(output_edge_index);
}

bool AutogradContext::needs_input_grad(std::initializer_list<IndexRange> idxs) const {
  for (const IndexRange& r : idxs)
    for (size_t i = r.first; i < r.second; ++i)
      if (needs_input_grad(i)) return true;
  return false;
}

VariableInfo::VariableInfo(const Tensor& var) {
  if (!var.defined()) return;
  size.assign(var.sizes().begin(), var.sizes().end());
  scalar_type = var.scalar_type();
  requires_grad = var.requires_grad();
  is_empty = false;
}

Tensor VariableInfo::zeros() const {
  TG_CHECK(!is_empty, "a custom Function output without a tensor has no gradient to materialize");
  return tg::zeros(size, scalar_type);
}

std::string cpp_node_name(const std::type_info& function_type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(function_type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : function_type.name();
  std::free(demangled);  // NOLINT: __cxa_demangle's buffer comes from malloc
  return "torch::autograd::CppNode<" + name + ">";
}

CppNodeBase::CppNodeBase(std::string name) : name_(std::move(name)) { ctx_.node_ = this; }

tensor_list CppNodeBase::apply(tensor_list&& grads) {
  variable_list backward_inputs;
  backward_inputs.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].defined() || !ctx_.materialize_grads_)
      backward_inputs.push_back(std::move(grads[i]));
    else
      backward_inputs.push_back(output_info_[i].zeros());
  }
  variable_list outputs = call_backward(std::move(backward_inputs));

  const size_t num_forward_inputs = is_variable_input_.size();
  // Extra results are fine as long as they are all undefined.
  if (outputs.size() > num_forward_inputs &&
      std::all_of(outputs.begin() + static_cast<std::ptrdiff_t>(num_forward_inputs), outputs.end(),
                  [](const Tensor& t) { return !t.defined(); }))
    outputs.resize(num_forward_inputs);
  TG_CHECK(outputs.size() == num_forward_inputs, "function ", name_,
           " returned an incorrect number of gradients (expected ", num_forward_inputs, ", got ",
           outputs.size(), ")");

  tensor_list results;
  results.reserve(num_forward_inputs);
  for (size_t i = 0; i < num_forward_inputs; ++i) {
    if (!is_variable_input_[i]) {
      TG_CHECK(!outputs[i].defined(), "function ", name_,
               " returned a gradient different that is defined at position ", i + 1,
               ", but the corresponding forward input was not a Variable");
      continue;
    }
    results.push_back(std::move(outputs[i]));
  }
  return results;
}

void CppNodeBase::release_variables() {
  ctx_.saved_variables_.clear();
  ctx_.has_freed_buffers_ = true;
}

namespace function_detail {

bool begin_custom_function(CppNodeBase& node, const variable_list& inputs) {
  bool is_executable = false;
  if (grad_mode())
    for (const auto& v : inputs) is_executable = is_executable || needs_grad(v);
  if (is_executable) collect_next_edges(node, inputs);
  node.input_info_.reserve(inputs.size());
  for (const auto& v : inputs) node.input_info_.emplace_back(v);
  return is_executable;
}

namespace {

// An input that was modified in place (mark_dirty) takes the node as its new history, as a
// built-in in-place op's result does.
void rebase_dirty_input(Tensor& var, const std::shared_ptr<CppNodeBase>& node, uint32_t output_nr,
                        size_t num_outputs) {
  auto* impl = impl_of(var);
  TG_CHECK(!(var.is_leaf() && var.requires_grad()),
           "a leaf Variable that requires grad has been used in an in-place operation.");
  TG_CHECK(!(impl->is_view && num_outputs > 1),
           "If your Function modifies inplace an input that is a view of another Tensor, your "
           "Function cannot return more than one Tensor. This is not supported by the current "
           "autograd engine. You should either make sure the input is not a view (using "
           ".clone() for example) or make your Function only return one Tensor (potentially "
           "splitting it into two Functions: one doing the inplace that returns a single Tensor "
           "and a second one that does the other operations).");
  // Rewriting the history of a view would also have to rewrite its base's; tensorgrad's own
  // in-place ops refuse views in autograd for the same reason.
  TG_CHECK(!(impl->is_view && node), node ? node->name() : std::string(),
           ": in-place operations on a view of a tensor that takes part in autograd are not "
           "supported; apply the op out of place (shape ",
           impl->sizes.ref(), ")");
  if (impl->autograd) {
    auto& meta = *impl->autograd;
    meta.grad = Tensor();
    meta.leaf_hooks.clear();
    // The tensor's own hooks were for its old value; its retain_grad moves with it (set_history).
    if (meta.grad_fn) {
      auto& hooks = meta.grad_fn->pre_hooks_;
      const uint32_t nr = meta.output_nr;
      hooks.erase(std::remove_if(hooks.begin(), hooks.end(),
                                 [&](const Node::PreHook& h) {
                                   return h.output_nr == nr && !h.is_retain_grad;
                                 }),
                  hooks.end());
    }
  }
  if (node) set_history(var, node, output_nr);
}

}  // namespace

variable_list finish_custom_function(const std::shared_ptr<CppNodeBase>& node,
                                     const variable_list& inputs, variable_list outputs,
                                     bool is_executable) {
  AutogradContext& ctx = node->ctx_;
  const auto& dirty = ctx.get_and_bump_dirty();
  const auto& non_differentiable = ctx.get_non_differentiable();
  std::unordered_set<TensorImpl*> input_impls;
  for (const auto& v : inputs)
    if (v.defined()) input_impls.insert(v.unsafeGetTensorImpl());
  const std::shared_ptr<CppNodeBase> cdata = is_executable ? node : nullptr;

  const size_t num_outputs = outputs.size();
  if (cdata) cdata->num_outputs_ = num_outputs;
  std::unordered_set<TensorImpl*> output_impls;
  for (size_t i = 0; i < num_outputs; ++i) {
    Tensor& var = outputs[i];
    if (!var.defined()) continue;
    TensorImpl* impl = var.unsafeGetTensorImpl();
    output_impls.insert(impl);
    const bool is_input = input_impls.count(impl) != 0;
    const bool is_modified = dirty.count(impl) != 0;
    const bool is_differentiable =
        cdata && non_differentiable.count(impl) == 0 && is_floating_point(var.scalar_type());
    const auto output_nr = static_cast<uint32_t>(i);

    if (!is_differentiable) {
      if (!var.requires_grad()) {
        // An input returned as is comes back as a new tensor, as if forward returned a view.
        if (is_input && !is_modified) var = make_alias(var);
        continue;
      }
      // A non-differentiable output must not require grad: inputs come back as detached
      // aliases, and a tensor made by forward is detached in place.
      if (is_input)
        var = var.detach();
      else if (!impl->is_view)
        var.detach_();
    } else if (is_modified) {
      rebase_dirty_input(var, cdata, output_nr, num_outputs);
    } else if (is_input) {
      var = make_alias(var);
      set_history(var, cdata, output_nr);
    } else {
      set_history(var, cdata, output_nr);
    }
  }
  for (TensorImpl* d : dirty)
    TG_CHECK(output_impls.count(d) != 0,
             "Some elements marked as dirty during the forward method were not returned as "
             "output. The inputs that are modified inplace must all be outputs of the Function.");

  if (cdata) {
    node->output_info_.reserve(num_outputs);
    for (const auto& v : outputs) node->output_info_.emplace_back(v);
    node->save_variables_to_ctx();
  }
  return outputs;
}

}  // namespace function_detail
}  // namespace tg::autograd
