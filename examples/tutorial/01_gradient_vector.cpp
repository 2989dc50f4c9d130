// Section 1.1: the gradient vector of z = h(x, y) = sin(x^2 + y^2).
//
// The chain rule with f(u) = sin(u) and g(x, y) = x^2 + y^2 gives
//   dz/dx = cos(x^2 + y^2) * 2x,    dz/dy = cos(x^2 + y^2) * 2y.
// Here autograd computes the same two partial derivatives at every point of the notebook's quiver
// grid (x and y from -2.5 to 2.5 in steps of 0.5), checks them against the formula, and draws them
// over the contours of z as the notebook's ex1_plot does.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "figures.h"
#include "format.h"
#include "sections.h"

namespace tutorial {

void gradient_vector(const Settings& settings) {
  print_header(1, "Gradient vector of z = sin(x^2 + y^2)");

  // np.arange(-2.5, 2.6, 0.5): 11 points per axis.
  const tg::Tensor g = tg::arange(-2.5, 2.6, 0.5);
  const int64_t n = g.numel();
  // The grid as two n x n tensors, like np.meshgrid: xx varies along columns, yy along rows.
  tg::Tensor xx = g.reshape({1, n}).expand({n, n}).contiguous().requires_grad_();
  tg::Tensor yy = g.reshape({n, 1}).expand({n, n}).contiguous().requires_grad_();

  tg::Tensor zz = tg::sin(xx.pow(2) + yy.pow(2));
  // Each z depends only on its own (x, y), so the gradient of the sum holds every point's gradient.
  zz.sum().backward();
  const tg::Tensor dz_dx = xx.grad();
  const tg::Tensor dz_dy = yy.grad();

  // Everything below only reads values: no graph needs recording.
  tg::NoGradGuard no_grad;

  // The chain-rule formula.
  const tg::Tensor inner_cos = tg::cos(xx.pow(2) + yy.pow(2));
  const tg::Tensor formula_dx = inner_cos * (2 * xx);
  const tg::Tensor formula_dy = inner_cos * (2 * yy);

  std::cout << "Grid: x, y in " << g << "\n"
            << "z = sin(x^2 + y^2) on the grid: " << zz.sizes()[0] << " x " << zz.sizes()[1]
            << ", grad_fn of z: <" << zz.grad_fn()->name() << ">\n";

  const int64_t row = 7;  // y = 1.0
  print_subheader("One row of the grid (y = " + py_item(g[row]) +
                  "): autograd next to cos(x^2 + y^2) * 2x and cos(x^2 + y^2) * 2y");
  Table table(
      {"x", "y", "z", "dz/dx autograd", "dz/dx formula", "dz/dy autograd", "dz/dy formula"});
  for (int64_t j = 0; j < n; ++j) {
    table.add_row({fixed(xx[row][j].item<double>(), 1), fixed(yy[row][j].item<double>(), 1),
                   fixed(zz[row][j].item<double>(), 6), fixed(dz_dx[row][j].item<double>(), 6),
                   fixed(formula_dx[row][j].item<double>(), 6),
                   fixed(dz_dy[row][j].item<double>(), 6),
                   fixed(formula_dy[row][j].item<double>(), 6)});
  }
  table.print(std::cout);

  const double diff_x = (dz_dx - formula_dx).abs().max().item<double>();
  const double diff_y = (dz_dy - formula_dy).abs().max().item<double>();
  std::cout << "\nOver all " << n * n << " grid points:\n"
            << "  max |dz/dx autograd - formula| = " << general(diff_x, 3) << '\n'
            << "  max |dz/dy autograd - formula| = " << general(diff_y, 3) << '\n';

  // The notebook's ex1_plot: filled contours of z on a fine grid, with autograd's gradient
  // vectors on top. quiver(scale=50): an arrow of length |grad z| / 50 panel widths.
  const tg::Tensor fine = tg::arange(-3.0, 3.01, 0.02, tg::kDouble);  // 301 points per axis
  const int64_t m = fine.numel();
  const tg::Tensor fine_z = tg::sin(fine.reshape({1, m}).pow(2) + fine.reshape({m, 1}).pow(2));
  tg::viz::Figure figure(800, 700);
  figure.add_axes()
      .set_title("Gradient vectors point towards steepest ascent")
      .set_xlabel("x")
      .set_ylabel("y")
      .set_aspect_equal()
      .contourf(fine, fine, fine_z,
                tg::viz::ContourStyle().levels(20).colorbar_label("z = h(x, y)"))
      .quiver(xx.detach(), yy.detach(), dz_dx, dz_dy, tg::viz::QuiverStyle().color("r").scale(50));
  std::cout << '\n';
  save_figure(figure, settings, "gradient_vectors", "figure");

  // The whole field as numbers, for other tools.
  const auto path = settings.out_dir / "gradient_vectors.csv";
  std::ofstream csv(path);
  csv << "x,y,z,dz_dx,dz_dy\n";
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      csv << xx[i][j].item<double>() << ',' << yy[i][j].item<double>() << ','
          << zz[i][j].item<double>() << ',' << dz_dx[i][j].item<double>() << ','
          << dz_dy[i][j].item<double>() << '\n';
    }
  }
  TG_CHECK(csv.good(), "could not write ", path.string());
  std::cout << "  grid points and gradients: " << path.string() << '\n';
}

}  // namespace tutorial
