#include "autograd/function.h"

#include <atomic>

#include "tensorgrad/autograd.h"

namespace tg::autograd {

__thread bool grad_mode_enabled = true;

namespace {
// Per thread, as in PyTorch: the number only orders the nodes of one backward pass (newest first
// among those ready), and a thread-local counter costs no atomic read-modify-write per node.
__thread uint64_t next_sequence_nr = 0;
}  // namespace

bool GradMode::is_enabled() { return grad_mode_enabled; }
void GradMode::set_enabled(bool e) { grad_mode_enabled = e; }

Node::Node() : sequence_nr_(next_sequence_nr++) {
  if (__builtin_expect(anomaly_mode_enabled, 0)) anomaly_trace_ = capture_anomaly_trace();
}

bool Node::should_compute_output(size_t output_edge_index) const {
  TG_CHECK(output_edge_index < num_inputs(), "Index out of range");
  return next_edges_[output_edge_index].is_valid();
}

bool Node::task_should_compute_output(size_t output_edge_index) const {
  return should_compute_output(output_edge_index) && engine_needs_edge(this, output_edge_index);
}

namespace {
// Free tensor_lists for ScratchList; they never shrink, and a thread keeps only as many as its
// deepest nesting of backward functions needed.
struct ListPool {
  std::vector<std::unique_ptr<tensor_list>> free;
};
thread_local ListPool list_pool;

tensor_list& take_list() {
  auto& f = list_pool.free;
  if (f.empty()) return *new tensor_list();
  tensor_list* l = f.back().release();
  f.pop_back();
  return *l;
}
}  // namespace

ScratchList::ScratchList() : list(take_list()) {}
ScratchList::~ScratchList() {
  list.clear();
  list_pool.free.emplace_back(&list);
}

// Destroying a long graph must not recurse once per node (a 100,000-op chain would overflow the
// stack). Each dying node hands its children to a per-thread list instead, and the outermost
// destructor releases that list in a loop.
namespace {
thread_local std::vector<std::shared_ptr<Node>> graveyard;
thread_local bool draining = false;
}  // namespace

void defer_release(std::shared_ptr<Node>&& node) {
  if (node) graveyard.push_back(std::move(node));
}

Node::~Node() {
  for (auto& e : next_edges_) defer_release(std::move(e.function));
  if (draining) return;
  draining = true;
  while (!graveyard.empty()) {
    std::shared_ptr<Node> n = std::move(graveyard.back());
    graveyard.pop_back();
    n.reset();
  }
  draining = false;
}

// Leaves that require grad send their gradient here; it runs the leaf's hooks and adds the
// gradient into .grad().
struct AccumulateGrad final : Node {
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> v) : variable(std::move(v)) {}
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  tensor_list apply(tensor_list&& grads) override;
  std::shared_ptr<TensorImpl> variable;
};

tensor_list AccumulateGrad::apply(tensor_list&& grads) {
  Tensor g = std::move(grads[0]);
  if (!g.defined()) return {};
  auto& meta = variable->meta();
  for (auto& [id, hook] : meta.leaf_hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  Tensor& acc = meta.grad;
  if (!acc.defined()) {
    if (GradMode::is_enabled()) {
      acc = g;
    } else {
      // Keep the incoming buffer when nobody else can see it; otherwise own a copy, so later
      // in-place accumulation never writes into another tensor's memory.
      auto* gi = impl_of(g);
      bool exclusive =
          g.use_count() == 1 && gi->storage.use_count() == 1 && gi->contiguous && !gi->autograd;
      acc = exclusive ? g : g.detach().clone();
    }
  } else if (GradMode::is_enabled()) {
    acc = acc + g;
  } else {
    acc.add_(g);
  }
  return {};
}

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  auto& meta = impl_of(t)->meta();
  if (auto acc = meta.grad_accumulator.lock()) return acc;
  auto acc = make_pooled<AccumulateGrad>(t.impl());
  acc->input_meta_.push_back({impl_of(t)->sizes, impl_of(t)->dtype});
  meta.grad_accumulator = acc;
  return acc;
}

bool is_accumulate_grad(const Node* n) { return dynamic_cast<const AccumulateGrad*>(n) != nullptr; }
std::shared_ptr<TensorImpl> accumulate_grad_variable(const Node* n) {
  return static_cast<const AccumulateGrad*>(n)->variable;
}

Edge gradient_edge(const Tensor& t) {
  auto* impl = impl_of(t);
  if (!impl->autograd) return {};
  if (impl->autograd->grad_fn) return {impl->autograd->grad_fn, impl->autograd->output_nr};
  if (impl->autograd->requires_grad) return {grad_accumulator(t), 0};
  return {};
}

void collect_next_edges(Node& node, TensorRefs inputs) {
  node.next_edges_.reserve(inputs.size());
  node.input_meta_.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (t.defined() && impl_of(t)->requires_grad()) {
      node.next_edges_.push_back(gradient_edge(t));
      node.input_meta_.push_back({impl_of(t)->sizes, impl_of(t)->dtype});
    } else {
      node.next_edges_.push_back({});
      node.input_meta_.push_back({});
    }
  }
}

void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  auto& meta = impl_of(output)->meta();
  // An in-place op gives the tensor a new grad_fn; as in PyTorch its retain_grad hook moves along,
  // so that .grad() is the gradient of the tensor's new value.
  if (meta.retains_grad && meta.grad_fn && meta.grad_fn != node) {
    auto& hooks = meta.grad_fn->pre_hooks_;
    for (auto it = hooks.begin(); it != hooks.end(); ++it) {
      if (it->is_retain_grad && it->output_nr == meta.output_nr) {
        Node::PreHook h = std::move(*it);
        hooks.erase(it);
        h.output_nr = output_nr;
        node->pre_hooks_.push_back(std::move(h));
        break;
      }
    }
  }
  meta.grad_fn = node;
  meta.output_nr = output_nr;
  meta.requires_grad = true;
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  auto* impl = impl_of(t);
  TG_CHECK(!impl->storage->inference,
           "Inference tensors cannot be saved for backward. To work around you can make a clone "
           "to get a normal tensor and use it in autograd.");
  saved_version_ = impl->storage->version;
  requires_grad_ = impl->requires_grad();
  bool is_leaf = !impl->autograd || !impl->autograd->grad_fn;
  if (is_leaf && !is_output) {
    data_ = t;  // a leaf has no grad_fn, so holding it makes no cycle; unpack returns it as is
    leaf_ = true;
  } else {
    data_ = make_alias(t);
    output_nr_ = impl->autograd ? impl->autograd->output_nr : 0;
    if (!is_output && impl->autograd) grad_fn_ = impl->autograd->grad_fn;
  }
}

Tensor SavedVariable::unpack(Node* self, const char* op) const {
  if (!data_.defined()) return {};
  auto* impl = impl_of(data_);
  if (impl->storage->version != saved_version_) {
    TG_ERROR(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [",
        dtype_name(impl->dtype), " ", impl->sizes.ref(), "], which is ",
        is_output_ ? "output" : "input", " of ", op, ", is at version ", impl->storage->version,
        "; expected version ", saved_version_, " instead.");
  }
  // Without grad mode (backward without create_graph) nothing records the tensor's history, so
  // the plain saved data serves and no view with a grad_fn needs to be made.
  if (leaf_ || !requires_grad_ || !grad_mode()) return data_;
  Tensor t = make_alias(data_);
  auto& meta = impl_of(t)->meta();
  meta.requires_grad = true;
  meta.grad_fn = is_output_ ? self->shared_from_this() : grad_fn_;
  meta.output_nr = output_nr_;
  return t;
}

void check_inplace(const Tensor& self, std::initializer_list<const Tensor*> others,
                   const char* op) {
  auto* impl = impl_of(self);
  // Before the op writes (bump_version, which checks the same, runs after the write).
  if (impl->storage->inference && !inference_mode_enabled) throw_inplace_on_inference_tensor();
  if (GradMode::is_enabled()) {
    if (impl->requires_grad()) {
      TG_CHECK(impl->autograd->grad_fn || impl->is_view == false, op,
               ": a view of a leaf Variable that requires grad is being used in an in-place "
               "operation.");
      TG_CHECK(impl->autograd->grad_fn != nullptr, op,
               ": a leaf Variable that requires grad is being used in an in-place operation.");
    }
    bool any_grad = impl->requires_grad();
    for (const Tensor* o : others) any_grad = any_grad || needs_grad(*o);
    TG_CHECK(!(any_grad && impl->is_view), op,
             ": in-place operations on a view of a tensor that takes part in autograd are not "
             "supported; apply the op out of place (shape ",
             impl->sizes.ref(), ")");
  }
}

}  // namespace tg::autograd
