// The tutorial "Gradient descent and autograd" as a C++ program: each section of the notebook is a
// function in its own source file (see sections.h), run in order or one at a time.
//
//   tutorial                 all sections
//   tutorial --section 3     only section 3
//   tutorial --help          the options and the list of sections
#include <tensorgrad/tensorgrad.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "sections.h"

namespace {

struct Section {
  int number;
  const char* title;
  void (*run)(const tutorial::Settings&);
};

// The sections of this program, in the order of the notebook.
constexpr Section kSections[] = {
    {1, "Gradient vector of z = sin(x^2 + y^2)", tutorial::gradient_vector},
    {2, "Gradient descent with autograd", tutorial::gradient_descent},
    {3, "Computational graph and backprop", tutorial::computational_graph},
    {4, "Autograd on a single neuron (SimpleGraph)", tutorial::simple_graph},
    {5, "Training a wide network with nn and optim (WideNet)", tutorial::wide_net},
};

std::string section_list() {
  std::string s = "Sections:\n";
  for (const Section& section : kSections) {
    s += "  " + std::to_string(section.number) + "  " + section.title + "\n";
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  tutorial::Settings settings;
  int only = 0;
  std::string out_dir = settings.out_dir.string();

  CLI::App app{"Gradient descent and autograd: the tutorial's computations with tensorgrad."};
  app.add_option("--section", only, "Run only this section (0 runs all of them)")
      ->capture_default_str();
  app.add_option("--out", out_dir, "Directory for the figures and data files")
      ->capture_default_str();
  app.add_option("--epochs", settings.epochs, "Epochs of the training loop")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "Seed given to tg::manual_seed before each section")
      ->capture_default_str();
  app.footer(section_list());
  CLI11_PARSE(app, argc, argv);
  settings.out_dir = out_dir;

  bool known = only == 0;
  for (const Section& section : kSections) known = known || section.number == only;
  if (!known) {
    std::cerr << "There is no section " << only << " in this program.\n" << section_list();
    return 2;
  }

  tg::set_num_threads(1);  // the tensors here are tiny; threads would only add overhead
  std::cout << "Gradient descent and autograd, with tensorgrad\n"
            << "seed " << settings.seed << ", figures in " << settings.out_dir.string() << "/\n";
  try {
    std::filesystem::create_directories(settings.out_dir);
    for (const Section& section : kSections) {
      if (only != 0 && section.number != only) continue;
      tg::manual_seed(settings.seed);
      section.run(settings);
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
