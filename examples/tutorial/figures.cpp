#include "figures.h"

#include <filesystem>
#include <iostream>

namespace tutorial {
namespace {

void report(const std::filesystem::path& base, std::string_view what) {
  std::cout << "  " << what << ": " << base.string() << ".png, " << base.string() << ".svg\n";
}

}  // namespace

void save_figure(const tg::viz::Figure& figure, const Settings& settings, std::string_view stem,
                 std::string_view what) {
  std::filesystem::create_directories(settings.out_dir);
  const auto base = settings.out_dir / stem;
  figure.save(base.string() + ".png");
  figure.save(base.string() + ".svg");
  report(base, what);
}

void save_graph(const std::string& dot, const Settings& settings, std::string_view stem,
                std::string_view what) {
  std::filesystem::create_directories(settings.out_dir);
  const auto base = settings.out_dir / stem;
  tg::viz::render(dot, base.string() + ".svg");
  // 144 dpi keeps the text sharp when the PNG is shown scaled down.
  tg::viz::render(dot, base.string() + ".png", 144);
  report(base, what);
}

void save_value_graph(const tg::Tensor& root, std::vector<std::pair<std::string, tg::Tensor>> names,
                      std::string title, const Settings& settings, std::string_view stem) {
  tg::viz::GraphOptions options;
  options.names = std::move(names);
  options.show_values = true;
  options.show_grads = true;
  options.show_shapes = false;
  options.title = std::move(title);
  options.rankdir = "TB";
  save_graph(tg::viz::to_dot(root, options), settings, stem, "graph");
}

}  // namespace tutorial
