// Writing the sections' figures: every plot and every graph drawing goes to the output directory
// as a PNG (for documents and the README) and an SVG (for zooming in), and the section says where.
#pragma once

#include <tensorgrad/viz/graph.h>
#include <tensorgrad/viz/plot.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sections.h"

namespace tutorial {

// Saves `figure` as <out>/<stem>.png and <out>/<stem>.svg (creating <out> if needed) and prints
// both paths after `what`, e.g. "figure: gradient field  -> out/gradient_vectors.png, .svg".
void save_figure(const tg::viz::Figure& figure, const Settings& settings, std::string_view stem,
                 std::string_view what);

// The same for a backward graph in Graphviz's DOT language (from tg::viz::to_dot).
void save_graph(const std::string& dot, const Settings& settings, std::string_view stem,
                std::string_view what);

// The tutorial's drawing of a backward graph: from `root` down to the leaves, the named tensors
// labelled with their values and gradients, saved as a "graph" figure under `stem`.
void save_value_graph(const tg::Tensor& root, std::vector<std::pair<std::string, tg::Tensor>> names,
                      std::string title, const Settings& settings, std::string_view stem);

}  // namespace tutorial
