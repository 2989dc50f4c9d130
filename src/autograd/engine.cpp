// The backward engine. One pass discovers the part of the graph reachable from the roots and
// counts, for every node, how many edges lead into it; then nodes run in an order where each runs
// once all its gradient contributions have arrived (ties broken by creation order, newest first,
// as PyTorch does). Everything is iterative, so graph depth is limited only by memory.
//
// A backward pass over a small graph is dominated by its bookkeeping, so that bookkeeping lives in
// flat per-thread scratch arrays that keep their capacity from one pass to the next: after the
// first pass of a given size, running the engine allocates nothing itself.
#include <algorithm>
#include <memory>

#include "autograd/function.h"
#include "kernels/copy.h"
#include "ops/internal.h"

namespace tg::autograd {
namespace {

constexpr uint32_t kNoTask = static_cast<uint32_t>(-1);

struct Task {
  Node* node;
  int32_t dependencies;
  bool needed;
  bool queued;
  // Where this node's next edges start in the flat edge -> task table (filled by the DFS).
  uint32_t first_edge;
  // Where this node's gradient inputs (one per output of the node) start in the flat buffer.
  uint32_t first_grad;
  // This node's entries in the sorted capture list (autograd::grad only).
  uint32_t first_capture;
  uint32_t end_capture;
};

struct Capture {
  uint32_t task;
  uint32_t index;  // into the returned list
  uint32_t input_nr;
};

// Node* -> task index by open addressing. Each slot carries the stamp of the pass that wrote it,
// so a new pass starts with an empty table without clearing it.
class NodeIndex {
 public:
  void start() {
    if (slots_.empty()) rehash(64);
    if (++stamp_ == 0) {  // wrapped: forget every old stamp
      for (auto& s : slots_) s.stamp = 0;
      stamp_ = 1;
    }
    size_ = 0;
  }
  uint32_t find(const Node* n) const {
    for (size_t i = hash(n);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.stamp != stamp_) return kNoTask;
      if (s.key == n) return s.value;
    }
  }
  // The task of n, or kNoTask after inserting n -> value.
  uint32_t find_or_insert(const Node* n, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    for (size_t i = hash(n);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.stamp != stamp_) {
        s = {n, stamp_, value};
        ++size_;
        return kNoTask;
      }
      if (s.key == n) return s.value;
    }
  }
  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    const Node* key;
    uint32_t stamp;
    uint32_t value;
  };
  size_t hash(const Node* n) const {
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(n) * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void rehash(size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{nullptr, 0, 0});
    mask_ = n - 1;
    shift_ = 64 - __builtin_ctzll(n);
    const uint32_t live = stamp_;
    if (stamp_ == 0) stamp_ = 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.stamp == live && live != 0) {
        for (size_t i = hash(s.key);; i = (i + 1) & mask_)
          if (slots_[i].stamp != stamp_) {
            slots_[i] = {s.key, stamp_, s.value};
            ++size_;
            break;
          }
      }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  uint32_t stamp_ = 0;
  size_t size_ = 0;
};

// Everything one pass needs besides the graph.
struct Scratch {
  NodeIndex index;
  std::vector<Task> tasks;
  std::vector<uint32_t> edge_task;  // edge_task[tasks[t].first_edge + i]: task of next edge i
  tensor_list grads;                // the gradient inputs of every task
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // DFS: (task, next edge to visit)
  std::vector<uint32_t> post_order;
  std::vector<uint32_t> ready;  // a heap, newest node on top
  std::vector<Edge> root_edges;
  std::vector<uint32_t> root_tasks;
  tensor_list root_grads;
  std::vector<Capture> captures;
  tensor_list node_grads;  // what Node::apply receives

  // Drops what the pass referenced (tensors, nodes), keeping the capacity.
  void clear() {
    tasks.clear();
    edge_task.clear();
    grads.clear();
    stack.clear();
    post_order.clear();
    ready.clear();
    root_edges.clear();
    root_tasks.clear();
    root_grads.clear();
    captures.clear();
    node_grads.clear();
  }
};

// One Scratch per nesting level: a backward function or hook may run a backward pass itself.
struct ScratchStack {
  std::vector<std::unique_ptr<Scratch>> levels;
  size_t depth = 0;
};
thread_local ScratchStack scratch_stack;

// A graph this large is rare; its scratch is given back rather than kept for the next pass.
constexpr size_t kKeepTasks = 1 << 14;

class ScratchLease {
 public:
  ScratchLease() : stack_(scratch_stack) {
    if (stack_.depth == stack_.levels.size()) stack_.levels.push_back(nullptr);
    auto& slot = stack_.levels[stack_.depth++];
    if (!slot) slot = std::make_unique<Scratch>();
    s_ = slot.get();
  }
  ~ScratchLease() {
    auto& slot = stack_.levels[--stack_.depth];
    if (s_->tasks.capacity() > kKeepTasks || s_->index.capacity() > 4 * kKeepTasks)
      slot.reset();
    else
      s_->clear();
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch& operator*() const { return *s_; }

 private:
  ScratchStack& stack_;
  Scratch* s_;
};

// The node whose backward function is running on this thread, with its pass, so that the node
// can ask which of its inputs' gradients the pass needs (Node::task_should_compute_output).
struct CurrentTask {
  const Scratch* scratch = nullptr;
  uint32_t task = 0;
  bool capturing = false;
};
thread_local CurrentTask current_task;

// Sets current_task for one apply(); restores the outer one (a nested backward) on the way out.
class CurrentTaskScope {
 public:
  // Inactive, it leaves current_task alone (see track_task in run_backward).
  CurrentTaskScope(const Scratch& s, uint32_t task, bool capturing, bool active) : active_(active) {
    if (!active) return;
    prev_ = current_task;
    current_task = {&s, task, capturing};
  }
  ~CurrentTaskScope() {
    if (active_) current_task = prev_;
  }
  CurrentTaskScope(const CurrentTaskScope&) = delete;
  CurrentTaskScope& operator=(const CurrentTaskScope&) = delete;

 private:
  CurrentTask prev_;
  bool active_;
};

// What anomaly detection adds to an error raised in node's backward: where its forward ran.
std::string anomaly_context(const Node& node) {
  std::string s = "\nError detected in " + node.name() + ". ";
  if (const std::string* t = node.anomaly_trace())
    s += "Traceback of forward call that caused the error:\n" + *t;
  else
    s += "(The node was made before anomaly detection was turned on; no traceback.)";
  return s;
}

// node.apply() under anomaly detection: an error from the backward function names where the
// node's forward ran, and (with check_nan) a NaN in a returned gradient is an error.
[[gnu::cold, gnu::noinline]] tensor_list apply_with_anomaly_checks(Node& node,
                                                                   tensor_list&& grads) {
  tensor_list outputs;
  try {
    outputs = node.apply(std::move(grads));
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + anomaly_context(node));
  }
  if (AnomalyMode::should_check_nan()) {
    AutoGradMode no_grad(false);
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& g = outputs[i];
      if (g.defined() && g.is_floating_point() && g.isnan().any().item<bool>())
        TG_ERROR("Function '", node.name(), "' returned nan values in its ", i, "th output.",
                 anomaly_context(node));
    }
  }
  return outputs;
}

void add_to_buffer(Tensor& slot, Tensor&& g) {
  if (!slot.defined()) {
    slot = std::move(g);
  } else {
    slot = slot + g;
  }
}

Tensor validate_gradient(Node& node, size_t i, Tensor g) {
  const auto& meta = node.input_meta_[i];
  auto* gi = impl_of(g);
  if (!meta.sizes.ref().equals(gi->sizes)) {
    TG_CHECK(is_expandable_to(meta.sizes, gi->sizes), "Function ", node.name(),
             " returned an invalid gradient at index ", i, " - got ", g.sizes(),
             " but expected shape compatible with ", meta.sizes.ref());
    g = sum_to(g, meta.sizes);
  }
  if (impl_of(g)->dtype != meta.dtype && is_floating_point(meta.dtype)) g = g.to(meta.dtype);
  return g;
}

}  // namespace

tensor_list run_backward(TensorList roots, TensorList grad_roots, bool keep_graph,
                         bool create_graph, const std::vector<Edge>& capture_edges,
                         bool allow_unused) {
  TG_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(), "got ", roots.size(),
           " tensors and ", grad_roots.size(), " gradients");
  ScratchLease lease;
  Scratch& S = *lease;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    TG_CHECK(r.defined(), "backward: element ", i, " of tensors is undefined");
    Edge e = gradient_edge(r);
    TG_CHECK(e.is_valid(), "element ", i,
             " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_roots.empty() ? Tensor() : grad_roots[i];
    if (!g.defined()) {
      TG_CHECK(r.numel() == 1,
               "grad can be implicitly created only for scalar outputs (backward on a "
               "tensor of shape ",
               r.sizes(), " needs an explicit gradient)");
      g = make_empty(r.sizes(), r.scalar_type());  // ones_like(r)
      kernels::fill(g, 1);
    } else {
      TG_CHECK(g.sizes().equals(r.sizes()), "Mismatch in shape: grad_output[", i,
               "] has a shape of ", g.sizes(), " and output[", i, "] has a shape of ", r.sizes(),
               ".");
    }
    S.root_edges.push_back(std::move(e));
    S.root_grads.push_back(std::move(g));
  }

  // Discover the graph (iterative DFS, post-order so that `needed` can be computed bottom-up).
  auto& tasks = S.tasks;
  auto& edge_task = S.edge_task;
  S.index.start();
  // Creates the task of a newly found node and pushes it on the DFS stack.
  auto open = [&](Node* n) {
    const auto t = static_cast<uint32_t>(tasks.size());
    Task task;
    task.node = n;
    task.dependencies = 0;
    task.needed = true;
    task.queued = false;
    task.first_edge = static_cast<uint32_t>(edge_task.size());
    task.first_grad = static_cast<uint32_t>(S.grads.size());
    task.first_capture = task.end_capture = 0;
    tasks.push_back(task);
    // Element by element: the vectors keep their capacity, and resize() is an out-of-line call.
    for (size_t i = n->next_edges_.size(); i > 0; --i) edge_task.push_back(kNoTask);
    for (size_t i = n->num_outputs(); i > 0; --i) S.grads.emplace_back();
    S.stack.push_back({t, 0});
    return t;
  };
  const bool capturing = !capture_edges.empty();
  // Which node is running matters only to autograd::grad (a node's needs_input_grad), to anomaly
  // detection's tracebacks and to a pass nested inside one that tracks it; a plain backward() skips
  // the two thread-local writes per node.
  const bool track_task = capturing || anomaly_mode_enabled || current_task.scratch != nullptr;
  for (const Edge& e : S.root_edges) {
    Node* root = e.function.get();
    uint32_t t = S.index.find_or_insert(root, static_cast<uint32_t>(tasks.size()));
    if (t != kNoTask) {
      S.root_tasks.push_back(t);
      continue;
    }
    S.root_tasks.push_back(open(root));
    while (!S.stack.empty()) {
      const uint32_t cur = S.stack.back().first;
      const uint32_t next = S.stack.back().second;
      Node* n = tasks[cur].node;
      if (next < n->next_edges_.size()) {
        S.stack.back().second = next + 1;
        const Edge& child = n->next_edges_[next];
        if (!child.is_valid()) continue;
        Node* cn = child.function.get();
        uint32_t c = S.index.find_or_insert(cn, static_cast<uint32_t>(tasks.size()));
        if (c == kNoTask) c = open(cn);
        edge_task[tasks[cur].first_edge + next] = c;
      } else {
        if (capturing) S.post_order.push_back(cur);
        S.stack.pop_back();
      }
    }
  }
  auto child_task = [&](uint32_t t, size_t i) { return edge_task[tasks[t].first_edge + i]; };

  tensor_list captured(capture_edges.size());
  if (capturing) {
    for (auto& t : tasks) t.needed = false;
    for (size_t j = 0; j < capture_edges.size(); ++j) {
      const uint32_t t = S.index.find(capture_edges[j].function.get());
      if (t == kNoTask) {
        TG_CHECK(allow_unused,
                 "One of the differentiated Tensors appears to not have been used in "
                 "the graph. Set allow_unused=True if this is the desired behavior.");
        continue;
      }
      S.captures.push_back({t, static_cast<uint32_t>(j), capture_edges[j].input_nr});
      tasks[t].needed = true;
    }
    std::stable_sort(S.captures.begin(), S.captures.end(),
                     [](const Capture& a, const Capture& b) { return a.task < b.task; });
    for (uint32_t k = 0; k < S.captures.size(); ++k) {
      Task& t = tasks[S.captures[k].task];
      if (t.end_capture == 0) t.first_capture = k;
      t.end_capture = k + 1;
    }
    for (uint32_t t : S.post_order) {
      if (tasks[t].needed) continue;
      for (size_t i = 0; i < tasks[t].node->next_edges_.size(); ++i) {
        const uint32_t c = child_task(t, i);
        if (c != kNoTask && tasks[c].needed) {
          tasks[t].needed = true;
          break;
        }
      }
    }
  }
  for (uint32_t t = 0; t < tasks.size(); ++t) {
    if (!tasks[t].needed) continue;
    for (size_t i = 0; i < tasks[t].node->next_edges_.size(); ++i) {
      const uint32_t c = child_task(t, i);
      if (c != kNoTask) tasks[c].dependencies++;
    }
  }
  for (size_t i = 0; i < S.root_edges.size(); ++i) {
    const Task& t = tasks[S.root_tasks[i]];
    add_to_buffer(S.grads[t.first_grad + S.root_edges[i].input_nr], std::move(S.root_grads[i]));
  }

  auto later_first = [&](uint32_t a, uint32_t b) {
    return tasks[a].node->sequence_nr() < tasks[b].node->sequence_nr();
  };
  auto& ready = S.ready;
  auto push_ready = [&](uint32_t t) {
    ready.push_back(t);
    std::push_heap(ready.begin(), ready.end(), later_first);
  };
  for (uint32_t t : S.root_tasks) {
    Task& task = tasks[t];
    if (task.dependencies == 0 && task.needed && !task.queued) {
      task.queued = true;
      push_ready(t);
    }
  }

  AutoGradMode mode(create_graph);
  tensor_list& grads = S.node_grads;
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later_first);
    const uint32_t ti = ready.back();
    ready.pop_back();
    Task& task = tasks[ti];
    Node* node = task.node;
    grads.clear();
    for (size_t k = 0; k < node->num_outputs(); ++k)
      grads.push_back(std::move(S.grads[task.first_grad + k]));

    // Tensor hooks first, then retain_grad, so a retained gradient is what flows on.
    for (int pass = 0; pass < 2; ++pass)
      for (auto& h : node->pre_hooks_) {
        if (h.is_retain_grad != (pass == 1)) continue;
        Tensor& g = grads[h.output_nr];
        if (!g.defined()) continue;
        Tensor r = h.fn(g);
        if (r.defined()) g = r;
      }
    for (uint32_t k = task.first_capture; k < task.end_capture; ++k)
      captured[S.captures[k].index] = grads[S.captures[k].input_nr];

    tensor_list outputs;
    bool any = std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
    // Under autograd::grad the leaves' accumulators only serve as capture points.
    if (any && !(capturing && is_accumulate_grad(node))) {
      {
        CurrentTaskScope scope(S, ti, capturing, track_task);
        if (__builtin_expect(anomaly_mode_enabled, 0))
          outputs = apply_with_anomaly_checks(*node, std::move(grads));
        else
          outputs = node->apply(std::move(grads));
      }
      if (!keep_graph) node->release_variables();
      TG_CHECK(outputs.size() == node->next_edges_.size() || is_accumulate_grad(node), "Function ",
               node->name(), " returned ", outputs.size(), " gradients, expected ",
               node->next_edges_.size());
    }
    for (size_t i = 0; i < node->next_edges_.size(); ++i) {
      const uint32_t ci = child_task(ti, i);
      if (ci == kNoTask) continue;
      Task& child = tasks[ci];
      if (!child.needed) continue;
      if (i < outputs.size() && outputs[i].defined())
        add_to_buffer(S.grads[child.first_grad + node->next_edges_[i].input_nr],
                      validate_gradient(*node, i, std::move(outputs[i])));
      if (--child.dependencies == 0) push_ready(ci);
    }
  }
  return captured;
}

const Node* engine_current_node() {
  const CurrentTask& c = current_task;
  return c.scratch ? c.scratch->tasks[c.task].node : nullptr;
}

bool engine_needs_edge(const Node* n, size_t i) {
  const CurrentTask& c = current_task;
  if (!c.scratch || !c.capturing) return true;
  const Scratch& S = *c.scratch;
  const Task& t = S.tasks[c.task];
  if (t.node != n) return true;  // asked about a node other than the running one
  const uint32_t child = S.edge_task[t.first_edge + i];
  return child != kNoTask && S.tasks[child].needed;
}

void backward(const tensor_list& tensors, const tensor_list& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph, const tensor_list& inputs) {
  const bool keep = retain_graph.value_or(create_graph);
  if (inputs.empty()) {
    run_backward(tensors, grad_tensors, keep, create_graph, {}, false);
    return;
  }
  // Accumulate only into the given tensors.
  tensor_list gs = grad(tensors, inputs, grad_tensors, keep, create_graph, true);
  AutoGradMode mode(create_graph);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!gs[i].defined()) continue;
    Tensor& acc = inputs[i].mutable_grad();
    if (!acc.defined())
      acc = create_graph ? gs[i] : gs[i].detach();
    else if (create_graph)
      acc = acc + gs[i];
    else
      acc.add_(gs[i]);
  }
}

tensor_list grad(const tensor_list& outputs, const tensor_list& inputs,
                 const tensor_list& grad_outputs, std::optional<bool> retain_graph,
                 bool create_graph, bool allow_unused) {
  std::vector<Edge> edges;
  for (size_t i = 0; i < inputs.size(); ++i) {
    TG_CHECK(inputs[i].defined() && inputs[i].requires_grad(),
             "One of the differentiated Tensors does not require grad");
    edges.push_back(gradient_edge(inputs[i]));
  }
  return run_backward(outputs, grad_outputs, retain_graph.value_or(create_graph), create_graph,
                      edges, allow_unused);
}

}  // namespace tg::autograd
