// The backward engine. One pass discovers the part of the graph reachable from the roots and
// counts, for every node, how many edges lead into it; then nodes run in an order where each runs
// once all its gradient contributions have arrived (ties broken by creation order, newest first,
// as PyTorch does). Everything is iterative, so graph depth is limited only by memory.
#include <algorithm>
#include <queue>
#include <unordered_map>

#include "autograd/function.h"
#include "ops/internal.h"

namespace tg::autograd {
namespace {

struct Task {
  Node* node;
  int dependencies = 0;
  bool needed = true;
  // Where this node's next edges start in the flat edge -> task table (filled by the DFS).
  size_t first_edge = 0;
  tensor_list buffer;
};

constexpr size_t kNoTask = static_cast<size_t>(-1);

struct Capture {
  size_t task;
  uint32_t input_nr;
};

void add_to_buffer(Tensor& slot, Tensor g) {
  if (!slot.defined()) {
    slot = std::move(g);
  } else {
    slot = slot + g;
  }
}

Tensor validate_gradient(Node& node, size_t i, Tensor g) {
  const auto& meta = node.input_meta_[i];
  if (!g.sizes().equals(meta.sizes)) {
    TG_CHECK(is_expandable_to(meta.sizes, g.sizes()), "Function ", node.name(),
             " returned an invalid gradient at index ", i, " - got ", g.sizes(),
             " but expected shape compatible with ", meta.sizes.ref());
    g = sum_to(g, meta.sizes);
  }
  if (g.scalar_type() != meta.dtype && is_floating_point(meta.dtype)) g = g.to(meta.dtype);
  return g;
}

}  // namespace

// Runs backward from `roots`. With captures (autograd::grad), returns the gradients arriving at
// those edges and leaves .grad() alone; otherwise accumulates into the leaves.
tensor_list run_backward(const tensor_list& roots, const tensor_list& grad_roots, bool keep_graph,
                         bool create_graph, const std::vector<Edge>& capture_edges,
                         bool allow_unused) {
  TG_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(), "backward: got ",
           grad_roots.size(), " gradients for ", roots.size(), " tensors");
  std::vector<Edge> root_edges;
  tensor_list root_grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    TG_CHECK(r.defined(), "backward: element ", i, " of tensors is undefined");
    Edge e = gradient_edge(r);
    TG_CHECK(e.is_valid(), "element ", i, " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_roots.empty() ? Tensor() : grad_roots[i];
    if (!g.defined()) {
      TG_CHECK(r.numel() == 1, "grad can be implicitly created only for scalar outputs (backward on a "
               "tensor of shape ", r.sizes(), " needs an explicit gradient)");
      g = ones_like(r);
    } else {
      TG_CHECK(g.sizes().equals(r.sizes()), "Mismatch in shape: grad_output[", i, "] has a shape of ",
               g.sizes(), " and output[", i, "] has a shape of ", r.sizes(), ".");
    }
    root_edges.push_back(e);
    root_grads.push_back(g);
  }

  // Discover the graph (iterative DFS, post-order so that `needed` can be computed bottom-up).
  std::unordered_map<Node*, size_t> index;
  index.reserve(32);
  std::vector<Task> tasks;
  tasks.reserve(32);
  auto task_of = [&](Node* n) -> size_t {
    auto [it, inserted] = index.try_emplace(n, tasks.size());
    if (inserted) tasks.emplace_back().node = n;
    return it->second;
  };
  // edge_task[tasks[t].first_edge + i]: the task that next edge i of task t leads to. Later passes
  // read this table instead of hashing node pointers again.
  std::vector<size_t> edge_task;
  edge_task.reserve(64);
  auto child_task = [&](size_t t, size_t i) { return edge_task[tasks[t].first_edge + i]; };
  std::vector<size_t> post_order;
  post_order.reserve(32);
  {
    std::vector<std::pair<size_t, size_t>> stack;  // (task, next edge to visit)
    std::vector<char> visited;
    auto open = [&](size_t t) {
      visited[t] = 1;
      tasks[t].first_edge = edge_task.size();
      edge_task.resize(edge_task.size() + tasks[t].node->next_edges_.size(), kNoTask);
      stack.push_back({t, 0});
    };
    for (const Edge& e : root_edges) {
      size_t t = task_of(e.function.get());
      visited.resize(tasks.size(), 0);
      if (visited[t]) continue;
      open(t);
      while (!stack.empty()) {
        const size_t cur = stack.back().first;
        const size_t next = stack.back().second;
        Node* n = tasks[cur].node;
        if (next < n->next_edges_.size()) {
          stack.back().second = next + 1;
          const Edge& child = n->next_edges_[next];
          if (!child.is_valid()) continue;
          size_t c = task_of(child.function.get());
          edge_task[tasks[cur].first_edge + next] = c;
          visited.resize(tasks.size(), 0);
          if (!visited[c]) open(c);
        } else {
          post_order.push_back(cur);
          stack.pop_back();
        }
      }
    }
  }

  const bool capturing = !capture_edges.empty();
  std::vector<std::vector<Capture>> captures_at(capturing ? tasks.size() : 0);
  tensor_list captured(capture_edges.size());
  std::vector<char> capture_found(capture_edges.size(), 0);
  if (capturing) {
    for (auto& t : tasks) t.needed = false;
    for (size_t j = 0; j < capture_edges.size(); ++j) {
      auto it = index.find(capture_edges[j].function.get());
      if (it == index.end()) {
        TG_CHECK(allow_unused, "One of the differentiated Tensors appears to not have been used in "
                 "the graph. Set allow_unused=True if this is the desired behavior.");
        continue;
      }
      capture_found[j] = 1;
      captures_at[it->second].push_back({j, capture_edges[j].input_nr});
      tasks[it->second].needed = true;
    }
    for (size_t t : post_order) {
      if (tasks[t].needed) continue;
      for (size_t i = 0; i < tasks[t].node->next_edges_.size(); ++i) {
        const size_t c = child_task(t, i);
        if (c != kNoTask && tasks[c].needed) {
          tasks[t].needed = true;
          break;
        }
      }
    }
  }
  for (size_t t = 0; t < tasks.size(); ++t) {
    if (!tasks[t].needed) continue;
    for (size_t i = 0; i < tasks[t].node->next_edges_.size(); ++i) {
      const size_t c = child_task(t, i);
      if (c != kNoTask) tasks[c].dependencies++;
    }
  }
  for (auto& t : tasks) t.buffer.resize(t.node->num_outputs());
  for (size_t i = 0; i < root_edges.size(); ++i) {
    Task& t = tasks[index[root_edges[i].function.get()]];
    add_to_buffer(t.buffer[root_edges[i].input_nr], root_grads[i]);
  }

  auto later_first = [&](size_t a, size_t b) {
    return tasks[a].node->sequence_nr() < tasks[b].node->sequence_nr();
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later_first)> ready(later_first);
  {
    std::vector<char> queued(tasks.size(), 0);
    for (const Edge& e : root_edges) {
      size_t t = index[e.function.get()];
      if (tasks[t].dependencies == 0 && tasks[t].needed && !queued[t]) {
        queued[t] = 1;
        ready.push(t);
      }
    }
  }

  AutoGradMode mode(create_graph);
  while (!ready.empty()) {
    size_t ti = ready.top();
    ready.pop();
    Task& task = tasks[ti];
    Node* node = task.node;
    tensor_list grads = std::move(task.buffer);

    // Tensor hooks first, then retain_grad, so a retained gradient is what flows on.
    for (int pass = 0; pass < 2; ++pass)
      for (auto& h : node->pre_hooks_) {
        if (h.is_retain_grad != (pass == 1)) continue;
        Tensor& g = grads[h.output_nr];
        if (!g.defined()) continue;
        Tensor r = h.fn(g);
        if (r.defined()) g = r;
      }
    if (capturing)
      for (const Capture& c : captures_at[ti]) captured[c.task] = grads[c.input_nr];

    tensor_list outputs;
    bool any = std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
    // Under autograd::grad the leaves' accumulators only serve as capture points.
    if (any && !(capturing && is_accumulate_grad(node))) {
      outputs = node->apply(std::move(grads));
      if (!keep_graph) node->release_variables();
      TG_CHECK(outputs.size() == node->next_edges_.size() || is_accumulate_grad(node), "Function ",
               node->name(), " returned ", outputs.size(), " gradients, expected ",
               node->next_edges_.size());
    }
    for (size_t i = 0; i < node->next_edges_.size(); ++i) {
      const size_t ci = child_task(ti, i);
      if (ci == kNoTask) continue;
      Task& child = tasks[ci];
      if (!child.needed) continue;
      const Edge& e = node->next_edges_[i];
      if (i < outputs.size() && outputs[i].defined())
        add_to_buffer(child.buffer[e.input_nr], validate_gradient(*node, i, std::move(outputs[i])));
      if (--child.dependencies == 0) ready.push(ci);
    }
  }
  return captured;
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
             "One of the differentiated Tensors does not require grad (input ", i, ")");
    edges.push_back(gradient_edge(inputs[i]));
  }
  return run_backward(outputs, grad_outputs, retain_graph.value_or(create_graph), create_graph, edges,
                      allow_unused);
}

}  // namespace tg::autograd
