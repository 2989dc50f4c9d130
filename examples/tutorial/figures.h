// Writing the sections' figures: every plot and every graph drawing goes to the output directory
// as a PNG (for documents and the README) and an SVG (for zooming in), and the section says where.
#pragma once

#include <tensorgrad/viz/graph.h>
#include <tensorgrad/viz/plot.h>

#include <string>
#include <string_view>

#include "sections.h"

namespace tutorial {

// Saves `figure` as <out>/<stem>.png and <out>/<stem>.svg (creating <out> if needed) and prints
// both paths after `what`, e.g. "figure: gradient field  -> out/gradient_vectors.png, .svg".
void save_figure(const tg::viz::Figure& figure, const Settings& settings, std::string_view stem,
                 std::string_view what);

// The same for a backward graph in Graphviz's DOT language (from tg::viz::to_dot).
void save_graph(const std::string& dot, const Settings& settings, std::string_view stem,
                std::string_view what);

}  // namespace tutorial
