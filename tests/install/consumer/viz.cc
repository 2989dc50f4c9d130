// Uses the installed drawing library: a backward graph as DOT and a small figure as PNG.
#include <tensorgrad/tensorgrad.h>
#include <tensorgrad/viz/graph.h>
#include <tensorgrad/viz/plot.h>

#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer_viz FIGURE.png\n";
    return 2;
  }
  tg::Tensor w = tg::tensor({0.5}, tg::requires_grad());
  const std::string dot = tg::viz::to_dot(tg::tanh(w).sum());
  tg::viz::Figure figure(200, 150);
  figure.add_axes().plot({0, 1, 2}, {1, 0, 1});
  figure.save(argv[1]);
  const bool ok = dot.rfind("digraph", 0) == 0 && dot.find("TanhBackward") != std::string::npos &&
                  std::filesystem::file_size(argv[1]) > 1000;
  std::cout << (ok ? "consumer_viz: ok" : "consumer_viz: wrong output\n" + dot) << '\n';
  return ok ? 0 : 1;
}
