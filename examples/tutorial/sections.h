// The tutorial's sections, one function (and one source file) each, in the order of the notebook.
// main.cpp lists them in a table; adding a section means declaring it here and adding a row there.
#pragma once

#include <cstdint>
#include <filesystem>

namespace tutorial {

// What every section may use: the command-line settings.
struct Settings {
  std::filesystem::path out_dir = "out";  // figures, graph drawings and data files go here
  int epochs = 1847;                      // length of the training loop
  uint64_t seed = 2021;                   // tg::manual_seed before each section
};

void gradient_vector(const Settings& settings);      // 01_gradient_vector.cpp
void gradient_descent(const Settings& settings);     // 02_gradient_descent.cpp
void computational_graph(const Settings& settings);  // 03_computational_graph.cpp
void simple_graph(const Settings& settings);         // 04_simple_graph.cpp
void wide_net(const Settings& settings);             // 05_wide_net.cpp

}  // namespace tutorial
