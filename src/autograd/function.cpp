#include "autograd/function.h"

#include <atomic>

#include "kernels/copy.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/tensor.h"

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
  sync_view_history(impl);
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

namespace {

void set_history_of(TensorImpl* impl, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  auto& meta = impl->meta();
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

// Where a tracked view lies in its base: sizes and strides, and the offset from the base's first
// element. The base is contiguous (check_inplace refuses a write through a view of any other), so
// the same geometry finds the view's elements in any contiguous tensor of the base's shape, such
// as a gradient of the base.
struct ViewGeometry {
  DimVector base_sizes;
  DimVector sizes;
  DimVector strides;
  int64_t offset = 0;
};

ViewGeometry geometry_of(const TensorImpl* view) {
  const TensorImpl* base = view->view_base.get();
  return {base->sizes, view->sizes, view->strides, view->offset - base->offset};
}

Tensor region_of(const Tensor& contiguous_base, const ViewGeometry& g) {
  return make_view(contiguous_base, g.sizes, g.strides,
                   impl_of(contiguous_base)->offset + g.offset);
}

Tensor gather_region(const Tensor& t, const ViewGeometry& g);
Tensor scatter_region(const Tensor& grad, const ViewGeometry& g);

// The backward of a view of the base: the view's gradient put where the view lies, zeros around.
struct ScatterRegionBackward {
  ViewGeometry g;
  tensor_list operator()(const tensor_list& grads, const tensor_list&) const {
    return {scatter_region(grads[0], g)};
  }
};

// Zeros of the base's shape with `grad` (of the view's shape) written where the view lies;
// recorded, so that a create_graph backward through a write into a view can be differentiated
// again.
Tensor scatter_region(const Tensor& grad, const ViewGeometry& g) {
  Tensor z = zeros(g.base_sizes, grad.scalar_type());
  kernels::copy(region_of(z, g), grad);
  if (should_record({&grad}))
    record("AsStridedScatterBackward", {&grad}, {&z}, {},
           [g](const tensor_list& gg, const tensor_list&) {
             return tensor_list{gather_region(gg[0], g)};
           });
  return z;
}

// The view's elements of `t` (of the base's shape) as a new contiguous tensor; recorded.
Tensor gather_region(const Tensor& t, const ViewGeometry& g) {
  Tensor out = make_empty(g.sizes, t.scalar_type());
  kernels::copy(out, region_of(t.contiguous(), g));
  if (should_record({&t})) record("AsStridedBackward0", {&t}, {&out}, {}, ScatterRegionBackward{g});
  return out;
}

// A contiguous copy of `t` (of the base's shape) with the view's elements set to zero; recorded
// (it is its own backward). One pass over the base, where gather, scatter and subtract took four.
Tensor zero_region(const Tensor& t, const ViewGeometry& g) {
  Tensor out = make_empty(g.base_sizes, t.scalar_type());
  kernels::copy(out, t);
  kernels::fill(region_of(out, g), 0);
  if (should_record({&t}))
    record("ZeroRegionBackward", {&t}, {&out}, {}, [g](const tensor_list& gg, const tensor_list&) {
      return tensor_list{zero_region(gg[0], g)};
    });
  return out;
}

// The history of a tracked view: a view of its base's current value.
void set_view_history(TensorImpl* view) {
  const Tensor base(view->view_base);
  auto node = make_pooled<LambdaNode<ScatterRegionBackward>>(
      "AsStridedBackward0", ScatterRegionBackward{geometry_of(view)});
  collect_next_edges(*node, {&base});
  set_history_of(view, node, 0);
  view->view_version = view->storage->version;
}

// The base's history after an in-place op wrote through one of its views (PyTorch's CopySlices):
// the base is its old value with the view's elements replaced by the op's result. Backward: the
// gradient outside the view goes to the base's old history; inside it, through the op's own
// node, whose edges (to the view's old value and the op's other inputs) are this node's edges
// after the first.
struct CopySlices final : Node {
  CopySlices(ViewGeometry g, std::shared_ptr<Node> fn)
      : geometry(std::move(g)), fn(std::move(fn)) {}
  // libtorch's C++ name, as AccumulateGrad's above (Python shows the class name, CopySlices).
  std::string name() const override { return "torch::autograd::CopySlices"; }
  tensor_list apply(tensor_list&& grads) override {
    tensor_list out(num_inputs());
    const Tensor& g = grads[0];
    if (!g.defined()) return out;
    if (should_compute_output(0)) out[0] = zero_region(g, geometry);
    tensor_list res = fn->apply(tensor_list{gather_region(g, geometry)});
    for (size_t i = 0; i < res.size() && i + 1 < out.size(); ++i) out[i + 1] = std::move(res[i]);
    return out;
  }
  void release_variables() override { fn->release_variables(); }
  ViewGeometry geometry;
  std::shared_ptr<Node> fn;
};

// An in-place op on a tracked view recorded `node` for the view's new value.
void rebase_view_history(TensorImpl* view, const std::shared_ptr<Node>& node) {
  const Tensor base(view->view_base);
  auto copy_slices = make_pooled<CopySlices>(geometry_of(view), node);
  collect_next_edges(*copy_slices, {&base});
  for (size_t i = 0; i < node->next_edges_.size(); ++i) {
    copy_slices->next_edges_.push_back(node->next_edges_[i]);
    copy_slices->input_meta_.push_back(node->input_meta_[i]);
  }
  set_history_of(impl_of(base), copy_slices, 0);
  set_view_history(view);
}

}  // namespace

void refresh_view_history(TensorImpl* view) {
  view->view_version = view->storage->version;
  if (view->view_base->requires_grad()) set_view_history(view);
}

void track_view(const Tensor& view, const Tensor& self) {
  TensorImpl* v = impl_of(view);
  TensorImpl* s = impl_of(self);
  v->view_base = s->view_base ? s->view_base : self.impl();
  v->view_version = v->storage->version;
}

void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  TensorImpl* impl = impl_of(output);
  if (__builtin_expect(impl->view_base != nullptr, 0)) impl->view_base.reset();
  set_history_of(impl, node, output_nr);
}

void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  TensorImpl* impl = impl_of(self);
  if (impl->view_base) {
    TG_CHECK(output_nr == 0 && node->num_outputs_ == 1, node->name(),
             ": an op with several outputs cannot write into a view in place");
    rebase_view_history(impl, node);
    return;
  }
  set_history_of(impl, node, output_nr);
}

void record_overwrite(const Tensor& self, const char* name) {
  if (!grad_mode() || !impl_of(self)->requires_grad()) return;
  record_inplace(name, {&self}, self, {}, [](const tensor_list& g, const tensor_list&) {
    return tensor_list{zeros_like(g[0])};
  });
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
    // A leaf has no grad_fn, so holding it makes no cycle; unpack returns it as is. A view that
    // needs no gradient is held as an alias instead: it would hold its base, whose history a
    // later write through another view may lead back to this node.
    data_ = impl->view_base && !requires_grad_ ? make_alias(t) : t;
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
    if (any_grad && impl->is_view) {
      // Views made by view ops are tracked (set_history rebases them); other aliases (detach(),
      // the outputs of split or unbind) and views of bases laid out other than contiguously are
      // not.
      const TensorImpl* base = impl->view_base.get();
      TG_CHECK(base && base->contiguous, op,
               ": in-place operations on a view of a tensor that takes part in autograd are not "
               "supported; apply the op out of place (shape ",
               impl->sizes.ref(), ")");
      TG_CHECK(!(base->autograd && base->autograd->requires_grad && !base->autograd->grad_fn), op,
               ": a view of a leaf Variable that requires grad is being used in an in-place "
               "operation.");
      for (size_t d = 0; d < impl->sizes.size(); ++d)
        TG_CHECK(impl->strides[d] != 0 || impl->sizes[d] <= 1, op,
                 ": unsupported operation: more than one element of the written-to tensor refers "
                 "to a single memory location. Please clone() the tensor before performing the "
                 "operation.");
    }
  }
}

}  // namespace tg::autograd
