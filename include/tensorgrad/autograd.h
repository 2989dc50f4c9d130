// Reverse-mode automatic differentiation, as PyTorch does it: ops record Nodes (grad_fn) that point
// at the nodes of their inputs; backward() walks that graph once in reverse topological order.
#pragma once

#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg {
namespace detail {

// A vector that keeps its first N elements inside itself, so the short lists every autograd node
// holds cost no heap allocation. Only what the library uses of std::vector's interface.
template <typename T, size_t N>
class InlineVector {
 public:
  InlineVector() = default;
  InlineVector(const InlineVector&) = delete;
  InlineVector& operator=(const InlineVector&) = delete;
  ~InlineVector() {
    clear();
    if (data_ != inline_data()) ::operator delete(data_);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    T* heap = static_cast<T*>(::operator new(n * sizeof(T)));
    for (size_t i = 0; i < size_; ++i) {
      new (heap + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    if (data_ != inline_data()) ::operator delete(data_);
    data_ = heap;
    capacity_ = n;
  }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) reserve(capacity_ * 2);
    T* p = new (data_ + size_) T(std::forward<Args>(args)...);
    ++size_;
    return *p;
  }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  void push_back(const T& v) { emplace_back(v); }
  void clear() {
    for (size_t i = 0; i < size_; ++i) data_[i].~T();
    size_ = 0;
  }

 private:
  T* inline_data() { return reinterpret_cast<T*>(inline_); }
  alignas(T) unsigned char inline_[N * sizeof(T)];
  T* data_ = inline_data();
  size_t size_ = 0;
  size_t capacity_ = N;
};

}  // namespace detail

namespace autograd {

struct Node;

// Where a gradient goes: input `input_nr` of node `function`.
struct Edge {
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
  bool is_valid() const { return function != nullptr; }
};

// libtorch's names: a Variable is a Tensor (the two were merged in PyTorch 0.4).
using Variable = Tensor;
using tensor_list = std::vector<Tensor>;
using variable_list = std::vector<Tensor>;
// libtorch's older name for a tensor that takes part in autograd: every Tensor does.
using Variable = Tensor;
// A node's outgoing edges, one per input of its op. Ops have at most three inputs as a rule
// (addmm), so the list lives inside the node and recording one allocates nothing for it.
using edge_list = detail::InlineVector<Edge, 3>;

// A step of the backward graph. Subclasses implement apply(): gradients w.r.t. the node's outputs
// in, gradients w.r.t. its inputs out (one per next edge, undefined where none flows).
struct Node : std::enable_shared_from_this<Node> {
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  virtual std::string name() const = 0;
  virtual tensor_list apply(tensor_list&& grads) = 0;
  // Drops what the node saved for backward; called after a backward without retain_graph.
  virtual void release_variables() {}

  tensor_list operator()(tensor_list&& grads) { return apply(std::move(grads)); }
  const edge_list& next_functions() const { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  size_t num_inputs() const { return next_edges_.size(); }
  size_t num_outputs() const { return num_outputs_; }
  uint64_t sequence_nr() const { return sequence_nr_; }
  // Whether input i of the op has an edge, i.e. its gradient is wanted at all.
  bool should_compute_output(size_t output_edge_index) const;
  // The same, narrowed by the backward pass that is running: autograd::grad() with some inputs
  // does not need the gradients of the other leaves. A backward function may skip those.
  bool task_should_compute_output(size_t output_edge_index) const;
  // Under anomaly detection: where the forward op that made this node was called (a stack trace),
  // and which node's backward created it when it was made during a create_graph backward.
  const std::string* anomaly_trace() const { return anomaly_trace_.get(); }

  // Shape and dtype of each input, so the engine can sum a broadcast gradient back to it.
  struct InputMeta {
    DimVector sizes;
    ScalarType dtype = kFloat;
  };

  edge_list next_edges_;
  detail::InlineVector<InputMeta, 2> input_meta_;
  size_t num_outputs_ = 1;
  uint64_t sequence_nr_;
  // Hooks on the gradient of output `nr` before apply() sees it (register_hook, retain_grad).
  struct PreHook {
    uint32_t output_nr;
    unsigned id;
    std::function<Tensor(const Tensor&)> fn;
    bool is_retain_grad = false;
  };
  std::vector<PreHook> pre_hooks_;
  std::unique_ptr<std::string> anomaly_trace_;
};

// Gradients of outputs w.r.t. inputs, without touching any .grad(). grad_outputs may be empty for
// scalar outputs. Undefined entries are returned for unused inputs when allow_unused is true.
tensor_list grad(const tensor_list& outputs, const tensor_list& inputs,
                 const tensor_list& grad_outputs = {},
                 std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                 bool allow_unused = false);

void backward(const tensor_list& tensors, const tensor_list& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const tensor_list& inputs = {});

// Thread-local switch for recording graphs.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// Anomaly detection, for debugging backward: nodes remember where their forward op was called,
// an error inside a backward function names that place, and (with check_nan) a backward function
// that returns NaN is an error naming its node. Process-wide, as in libtorch; it slows every op.
struct AnomalyMode {
  static bool is_enabled();
  static bool should_check_nan();
  static void set_enabled(bool enabled, bool check_nan = true);
};

// Turns anomaly detection on for the lifetime of the guard.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool check_nan = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_enabled_;
  bool prev_check_nan_;
};

}  // namespace autograd

// Turns graph recording off (or on) for the lifetime of the guard, on this thread only.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : prev_(autograd::GradMode::is_enabled()) {
    autograd::GradMode::set_enabled(enabled);
  }
  ~AutoGradMode() { autograd::GradMode::set_enabled(prev_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool prev_;
};

class NoGradGuard : public AutoGradMode {
 public:
  NoGradGuard() : AutoGradMode(false) {}
};

inline bool is_grad_enabled() { return autograd::GradMode::is_enabled(); }
inline void set_grad_enabled(bool e) { autograd::GradMode::set_enabled(e); }
using autograd::GradMode;

// Inference mode (RAII, this thread only), like c10::InferenceMode: no graph is recorded, and the
// tensors allocated meanwhile are inference tensors (Tensor::is_inference()), which skip version
// tracking. Outside inference mode they may be read by any op, but not modified in place, given
// requires_grad, or saved for backward (each is a tg::Error). InferenceMode(false) inside it
// turns it off again for a nested scope.
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;
  static bool is_enabled();

 private:
  bool prev_grad_mode_;
  bool prev_inference_mode_;
};
namespace autograd {
using tg::InferenceMode;
}  // namespace autograd

}  // namespace tg

#include "tensorgrad/autograd/custom_function.h"  // IWYU pragma: export
