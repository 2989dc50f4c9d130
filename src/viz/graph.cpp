// DOT export walks the graph from the root's grad_fn over next_functions (iteratively), the way
// torchviz does for PyTorch; rendering goes through Graphviz's library (gvc), not a subprocess.
#include "tensorgrad/viz/graph.h"

#include <gvc.h>

#include <cstdio>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "autograd/function.h"
#include "core/tensor_impl.h"
#include "tensorgrad/autograd.h"

namespace tg::viz {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string shape_of(const Tensor& t) {
  std::ostringstream ss;
  ss << "(";
  for (int64_t i = 0; i < t.dim(); ++i) ss << (i ? ", " : "") << t.size(i);
  if (t.dim() == 1) ss << ",";
  ss << ")";
  return ss.str();
}

std::string values_of(const Tensor& t, int max_values) {
  if (t.numel() > max_values) return "";
  Tensor c = t.detach().to(kDouble).contiguous().reshape({-1});
  std::ostringstream ss;
  char buf[32];
  if (c.numel() != 1) ss << "[";
  for (int64_t i = 0; i < c.numel(); ++i) {
    std::snprintf(buf, sizeof buf, "%.4g", c.data_ptr<double>()[i]);
    ss << (i ? ", " : "") << buf;
  }
  if (c.numel() != 1) ss << "]";
  return ss.str();
}

std::string describe(const std::string& name, const Tensor& t, const GraphOptions& o) {
  std::vector<std::string> lines;
  std::string first = name;
  if (o.show_shapes) {
    if (!first.empty()) first += ' ';
    first += shape_of(t);
  }
  if (!first.empty()) lines.push_back(first);
  if (o.show_values) {
    std::string v = values_of(t, o.max_values);
    if (!v.empty()) lines.push_back("value " + v);
  }
  if (o.show_grads && t.grad().defined()) {
    std::string g = values_of(t.grad(), o.max_values);
    if (!g.empty()) lines.push_back("grad " + g);
  }
  std::string label;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) label += "\n";
    label += lines[i];
  }
  return label;
}

}  // namespace

std::string to_dot(const Tensor& root, const GraphOptions& o) {
  TG_CHECK(root.defined(), "to_dot: undefined tensor");
  std::unordered_map<const autograd::Node*, std::string> op_names;   // op -> tensor it produced
  std::unordered_map<const autograd::Node*, Tensor> op_tensors;
  std::unordered_map<const TensorImpl*, std::string> leaf_names;
  for (const auto& [name, t] : o.names) {
    if (!t.defined()) continue;
    if (t.grad_fn()) {
      op_names[t.grad_fn().get()] = name;
      op_tensors[t.grad_fn().get()] = t;
    } else {
      leaf_names[impl_of(t)] = name;
    }
  }
  std::ostringstream dot;
  dot << "digraph backward {\n  rankdir=" << o.rankdir << ";\n"
      << "  graph [fontname=\"Helvetica\", fontsize=16];\n"
      << "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [color=\"#555555\"];\n";
  if (!o.title.empty()) dot << "  labelloc=t;\n  label=\"" << escape(o.title) << "\";\n";

  std::unordered_map<const autograd::Node*, std::string> ids;
  auto id_of = [&](const autograd::Node* n) {
    auto it = ids.find(n);
    if (it != ids.end()) return it->second;
    std::string id = "n";
    id += std::to_string(ids.size());
    ids.emplace(n, id);
    return id;
  };

  // The root: either an op or a leaf.
  std::vector<const autograd::Node*> stack;
  std::unordered_set<const autograd::Node*> seen;
  // An unnamed result gets its own ellipse; a named one is labelled on its op's box instead.
  const bool root_named = root.grad_fn() && op_names.count(root.grad_fn().get());
  if (!root.grad_fn() || !root_named) {
    dot << "  output [shape=ellipse, style=filled, fillcolor=\"#a6dba0\", label=\""
        << escape(describe("output", root, o)) << "\"];\n";
  }
  if (!root.grad_fn()) {
    return dot.str() + "}\n";
  }
  const autograd::Node* top = root.grad_fn().get();
  if (!root_named) dot << "  " << id_of(top) << " -> output;\n";
  stack.push_back(top);
  seen.insert(top);
  while (!stack.empty()) {
    const autograd::Node* n = stack.back();
    stack.pop_back();
    const std::string id = id_of(n);
    if (autograd::is_accumulate_grad(n)) {
      auto var = autograd::accumulate_grad_variable(n);
      Tensor leaf(var);
      auto it = leaf_names.find(var.get());
      std::string name = it == leaf_names.end() ? "" : it->second;
      dot << "  " << id << " [shape=ellipse, style=filled, fillcolor=\"#c2e0f4\", label=\""
          << escape(describe(name, leaf, o)) << "\"];\n";
      continue;
    }
    std::string label = n->name();
    auto named = op_names.find(n);
    if (named != op_names.end()) {
      const std::string details = describe("", op_tensors[n], o);
      label = named->second + " = " + label + (details.empty() ? "" : "\n" + details);
    }
    dot << "  " << id << " [shape=box, style=\"rounded,filled\", fillcolor=\"#f7f7f7\", label=\"" << escape(label)
        << "\"];\n";
    for (const auto& e : n->next_functions()) {
      if (!e.is_valid()) continue;
      const autograd::Node* child = e.function.get();
      dot << "  " << id_of(child) << " -> " << id << ";\n";
      if (seen.insert(child).second) stack.push_back(child);
    }
  }
  dot << "}\n";
  return dot.str();
}

void render(const std::string& dot_source, const std::string& path, double dpi) {
  auto dot_pos = path.rfind('.');
  TG_CHECK(dot_pos != std::string::npos, "render: cannot tell the format of '", path, "' (use .svg, .png or .pdf)");
  std::string format = path.substr(dot_pos + 1);
  TG_CHECK(format == "svg" || format == "png" || format == "pdf", "render: unsupported format '", format,
           "' for '", path, "' (use .svg, .png or .pdf)");
  // One context for the whole process: Graphviz 2.42 caches font data in statics that outlive a
  // freed context, so freeing and recreating contexts reads freed memory (seen with ASan).
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  static GVC_t* gvc = gvContext();
  TG_CHECK(gvc != nullptr, "render: could not start Graphviz");
  Agraph_t* g = agmemread(dot_source.c_str());
  TG_CHECK(g != nullptr, "render: Graphviz could not parse the DOT source");
  if (dpi > 0 && format == "png") agsafeset(g, const_cast<char*>("dpi"), std::to_string(dpi).data(), const_cast<char*>(""));
  int rc = gvLayout(gvc, g, "dot");
  if (rc == 0) rc = gvRenderFilename(gvc, g, format.c_str(), path.c_str());
  gvFreeLayout(gvc, g);
  agclose(g);
  TG_CHECK(rc == 0, "render: Graphviz failed to write '", path, "'");
}

}  // namespace tg::viz
