// Drawing backward graphs: a tensor's graph as Graphviz DOT, one box per op (PyTorch's node
// names), one ellipse per leaf, edges in the direction of the forward computation; optional labels
// with names, shapes, values and gradients. render() lays it out with Graphviz into SVG or PNG.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::viz {

struct GraphOptions {
  // Tensors to label by name: leaves (x, w, ...) and intermediates (their op box gets the name).
  std::vector<std::pair<std::string, Tensor>> names;
  bool show_shapes = true;
  bool show_values = false;  // values of named tensors with at most max_values elements
  bool show_grads = false;   // .grad() of named tensors (call retain_grad() on intermediates)
  int max_values = 4;
  std::string title;
  std::string rankdir = "LR";  // "LR" left to right, "TB" top to bottom
};

// The backward graph of `root` in the DOT language.
std::string to_dot(const Tensor& root, const GraphOptions& options = {});

// Lays out DOT source with Graphviz's dot engine and writes `path`; the format comes from the
// extension (.svg, .png, .pdf). `dpi` > 0 sets the resolution of PNG output (Graphviz's default is
// 96). Throws tg::Error if Graphviz fails.
void render(const std::string& dot_source, const std::string& path, double dpi = 0);

}  // namespace tg::viz
