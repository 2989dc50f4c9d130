// What an op needs to take part in autograd: saved tensors with version checks, a node whose
// backward is a lambda, and record(), which wires a new node to its inputs and outputs only when
// grad mode is on and some input requires grad.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "core/tensor_impl.h"
#include "tensorgrad/autograd.h"

namespace tg::autograd {

// The grad mode flag behind GradMode, readable inline by the ops (a plain TLS load: __thread has
// no initialisation guard).
extern __thread bool grad_mode_enabled;
inline bool grad_mode() { return grad_mode_enabled; }

// The error of a backward through freed saved values, in PyTorch's words.
inline constexpr const char* kBackwardTwiceMessage =
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=true if you need "
    "to backward through the graph a second time.";

// Whether anomaly detection is on (AnomalyMode), readable inline by the engine.
extern bool anomaly_mode_enabled;
// Under anomaly detection, where a node is being made: the calling stack and, for a node made by
// a backward function (create_graph), the node whose backward made it.
std::unique_ptr<std::string> capture_anomaly_trace();
// The node whose backward function is running on this thread, or null.
const Node* engine_current_node();

// Whether the running backward pass needs the gradient for next edge i of node n (see
// Node::task_should_compute_output); true outside a backward pass.
bool engine_needs_edge(const Node* n, size_t i);

// A tensor kept for backward. Outputs of the node itself are kept without their grad_fn (that
// would be a reference cycle) and reattached when unpacked.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // self: the node that saved this variable (the grad_fn of a saved output).
  Tensor unpack(Node* self, const char* op) const;
  bool defined() const { return data_.defined(); }
  bool is_wrapped_number() const { return data_.defined() && impl_of(data_)->wrapped_number; }
  void reset() { data_ = Tensor(); }
  std::shared_ptr<Node>&& take_grad_fn() { return std::move(grad_fn_); }

 private:
  Tensor data_;
  std::shared_ptr<Node> grad_fn_;
  uint32_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool leaf_ = false;
};

// The backward pass behind backward() and grad(): runs the graph from `roots` (seeded with
// grad_roots, or ones for scalar roots when empty). With capture_edges it returns the gradients
// arriving at those edges and leaves .grad() alone; otherwise it accumulates into the leaves.
tensor_list run_backward(TensorList roots, TensorList grad_roots, bool keep_graph,
                         bool create_graph, const std::vector<Edge>& capture_edges,
                         bool allow_unused);

// Hands a node to the iterative teardown (see Node::~Node).
void defer_release(std::shared_ptr<Node>&& node);

// The edge through which a gradient for t flows: its grad_fn, or its leaf accumulator.
Edge gradient_edge(const Tensor& t);
// The accumulator node of a leaf that requires grad (created on first use, then shared).
std::shared_ptr<Node> grad_accumulator(const Tensor& t);
bool is_accumulate_grad(const Node* n);
std::shared_ptr<TensorImpl> accumulate_grad_variable(const Node* n);

// Always inlined, as should_record: they run for every input of every op.
[[gnu::always_inline]] inline bool needs_grad(const Tensor& t) {
  return t.defined() && impl_of(t)->requires_grad();
}

// A tensor_list borrowed from a per-thread free list and returned empty (capacity kept), so that
// the lists a backward step needs cost no allocation.
struct ScratchList {
  ScratchList();
  ~ScratchList();
  ScratchList(const ScratchList&) = delete;
  ScratchList& operator=(const ScratchList&) = delete;
  tensor_list& list;
};

template <typename F>
struct LambdaNode final : Node {
  LambdaNode(const char* name, F&& fn) : name_(name), fn_(std::move(fn)) {}
  ~LambdaNode() override {
    for (auto& s : saved_) defer_release(s.take_grad_fn());
  }
  std::string name() const override { return name_; }
  tensor_list apply(tensor_list&& grads) override {
    TG_CHECK(!released_, kBackwardTwiceMessage, " (in ", name_, ")");
    ScratchList saved;
    for (const auto& s : saved_) saved.list.push_back(s.unpack(this, name_));
    return fn_(grads, saved.list);
  }
  // Frees what backward kept, except wrapped numbers: those are constants of the op (x * 2), as
  // a Scalar argument would be, so a second backward through the node still has them.
  void release_variables() override {
    for (auto& s : saved_) {
      if (s.defined() && !s.is_wrapped_number()) {
        s = SavedVariable();
        released_ = true;
      }
    }
  }
  const char* name_;
  F fn_;
  detail::InlineVector<SavedVariable, 2> saved_;
  bool released_ = false;
};

// The tensors an op reads or writes, as record() and should_record() take them: braced pointers
// for a fixed count ({&a, &b}), or a whole list (cat's inputs, split's outputs). It refers to
// storage the caller keeps alive for the call; nothing is copied.
class TensorRefs {
 public:
  // The braced list outlives the call it is written in, which is all a TensorRefs is used for.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  TensorRefs(std::initializer_list<const Tensor*> l)  // NOLINT: braced lists at every call site
      : ptrs_(l.begin()), size_(l.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  TensorRefs(ArrayRef<const Tensor*> l) : ptrs_(l.data()), size_(l.size()) {}        // NOLINT
  TensorRefs(TensorList l) : tensors_(l.data()), size_(l.size()) {}                  // NOLINT
  TensorRefs(const std::vector<Tensor>& l) : tensors_(l.data()), size_(l.size()) {}  // NOLINT
  size_t size() const { return size_; }
  const Tensor& operator[](size_t i) const { return ptrs_ ? *ptrs_[i] : tensors_[i]; }

 private:
  const Tensor* const* ptrs_ = nullptr;
  const Tensor* tensors_ = nullptr;
  size_t size_ = 0;
};

// What a node keeps for its backward: inputs by value, outputs flagged with save_output().
struct ToSave {
  Tensor t;
  bool is_output;
};
inline ToSave save(const Tensor& t) { return {t, false}; }
inline ToSave save_output(const Tensor& t) { return {t, true}; }

// Gives an op's output the history (node, output_nr). An output that is a view of the op's own
// buffer stops being tracked as a view: its history is the op's, not the buffer's.
void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr);
// The same for the tensor an in-place op wrote. Written through a tracked view, the base takes a
// CopySlices node (its old value with the view's elements replaced) and the view becomes a view
// of that.
void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node, uint32_t output_nr);
// Marks `view`, just made from `self` by a view op, as a view of self's base (or of self).
void track_view(const Tensor& view, const Tensor& self);
void collect_next_edges(Node& node, TensorRefs inputs);

namespace detail {
// A node named `name` with backward fn, an edge to each input and `num_outputs` output slots.
template <typename F>
std::shared_ptr<LambdaNode<std::decay_t<F>>> new_node(const char* name, TensorRefs inputs,
                                                      size_t num_outputs, F&& fn) {
  auto node = make_pooled<LambdaNode<std::decay_t<F>>>(name, std::forward<F>(fn));
  collect_next_edges(*node, inputs);
  node->num_outputs_ = num_outputs;
  return node;
}
template <typename N>
void save_all(N& node, std::initializer_list<ToSave> saved) {
  if (saved.size() == 0) return;
  node.saved_.reserve(saved.size());
  for (const auto& s : saved) node.saved_.emplace_back(s.t, s.is_output);
}
}  // namespace detail

// The one way an op joins the graph: a new node named `name` whose backward is
// fn(const tensor_list& grad_outputs, const tensor_list& saved) -> tensor_list (one gradient per
// input, undefined where none is needed), with an edge to each input and one output slot per
// output. Call it only when should_record(inputs) is true.
template <typename F>
void record(const char* name, TensorRefs inputs, TensorRefs outputs,
            std::initializer_list<ToSave> saved, F&& fn) {
  auto node = detail::new_node(name, inputs, outputs.size(), std::forward<F>(fn));
  // History first: a saved output records the grad_fn and output_nr it has just been given.
  for (size_t k = 0; k < outputs.size(); ++k)
    set_history(outputs[k], node, static_cast<uint32_t>(k));
  detail::save_all(*node, saved);
}

// record() for an in-place op whose one output is `self`, also one of the inputs: the node
// becomes self's history through rebase_history (a write through a view is the base's too).
template <typename F>
void record_inplace(const char* name, TensorRefs inputs, const Tensor& self,
                    std::initializer_list<ToSave> saved, F&& fn) {
  auto node = detail::new_node(name, inputs, 1, std::forward<F>(fn));
  rebase_history(self, node, 0);
  detail::save_all(*node, saved);
}

// The history of an op that overwrites self whatever it held (fill_, the random fills): a node
// that passes no gradient to the old value (derivatives.yaml: "self: zeros_like(grad)"). Records
// only when self requires grad under grad mode.
void record_overwrite(const Tensor& self, const char* name);

// True when an op with these inputs must record a node.
[[gnu::always_inline]] inline bool should_record(TensorRefs inputs) {
  if (!grad_mode()) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (needs_grad(inputs[i])) return true;
  return false;
}

// Checks and history for an in-place op on self: errors for leaves that require grad and for
// views of tensors that require grad (under grad mode), bumps the version counter. Call before
// writing; then, if the op is differentiable, record the node with self as output through
// record_inplace() or rebase_history().
void check_inplace(const Tensor& self, std::initializer_list<const Tensor*> others, const char* op);

}  // namespace tg::autograd
