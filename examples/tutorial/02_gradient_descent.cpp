// Section 1.2: vanilla gradient descent, w(t+1) = w(t) - eta * grad f(w(t)).
//
// The function to minimise is an elongated bowl,
//   f(w) = (w0 - 1)^2 + 4 (w1 + 0.5)^2,
// whose only minimum is f = 0 at w = (1, -0.5). Its gradient is (2 (w0 - 1), 8 (w1 + 0.5)), but the
// loop below never uses that formula: autograd supplies grad f at every step. The figure shows the
// path of the iterates over the contours of f.
#include <cmath>
#include <fstream>
#include <iostream>
#include <vector>

#include "figures.h"
#include "format.h"
#include "sections.h"

namespace tutorial {
namespace {

tg::Tensor bowl(const tg::Tensor& w) { return (w[0] - 1).pow(2) + 4 * (w[1] + 0.5).pow(2); }

}  // namespace

void gradient_descent(const Settings& settings) {
  print_header(2, "Gradient descent with autograd");

  const double eta = 0.1;  // learning rate
  const int steps = 60;
  tg::Tensor w = tg::tensor({-2.0, 1.5}, tg::requires_grad());

  std::cout << "f(w) = (w0 - 1)^2 + 4 (w1 + 0.5)^2, minimum f = 0 at w = (1, -0.5)\n"
            << "start w = " << w << "\nlearning rate eta = " << eta << ", " << steps << " steps\n";

  Table table({"t", "w0", "w1", "f(w)", "df/dw0", "df/dw1"});
  std::filesystem::create_directories(settings.out_dir);
  const auto path = settings.out_dir / "gradient_descent_path.csv";
  std::ofstream csv(path);
  csv << "t,w0,w1,f\n";
  std::vector<double> path_w0, path_w1;  // the iterates, for the figure

  for (int t = 0; t <= steps; ++t) {
    tg::Tensor f = bowl(w);
    f.backward();  // fills w.grad() with grad f(w)
    const tg::Tensor grad = w.grad();

    if (t < 8 || t == steps) {
      if (t == steps) table.add_ellipsis();
      table.add_row({std::to_string(t), fixed(w[0].item<double>(), 6),
                     fixed(w[1].item<double>(), 6), general(f.item<double>(), 6),
                     general(grad[0].item<double>(), 6), general(grad[1].item<double>(), 6)});
    }
    path_w0.push_back(w[0].item<double>());
    path_w1.push_back(w[1].item<double>());
    csv << t << ',' << w[0].item<double>() << ',' << w[1].item<double>() << ',' << f.item<double>()
        << '\n';
    if (t == steps) break;

    {
      // The update itself must not become part of the next step's graph.
      tg::NoGradGuard no_grad;
      w -= eta * grad;
    }
    // backward() adds into .grad(); clear it so the next step sees only its own gradient.
    w.grad().zero_();
  }
  table.print(std::cout);

  const tg::Tensor final_w = w.detach();
  const double distance =
      std::hypot(final_w[0].item<double>() - 1, final_w[1].item<double>() + 0.5);
  std::cout << "\nfinal w = " << final_w << ", f(w) = " << general(bowl(final_w).item<double>(), 6)
            << "\ndistance to the minimum (1, -0.5): " << general(distance, 3) << '\n';

  // The path over the contours of f. The same bowl() evaluates the whole grid at once: stacked,
  // w[0] and w[1] are the grid's x and y.
  const tg::Tensor gx = tg::arange(-3.0, 3.001, 0.02, tg::kDouble);
  const tg::Tensor gy = tg::arange(-2.0, 2.001, 0.02, tg::kDouble);
  const int64_t nx = gx.numel(), ny = gy.numel();
  const tg::Tensor grid_f =
      bowl(tg::stack({gx.reshape({1, nx}).expand({ny, nx}), gy.reshape({ny, 1}).expand({ny, nx})}));
  tg::viz::Figure figure(800, 560);
  figure.add_axes()
      .set_title("Gradient descent on f, η = " + py_float(eta) + ", " + std::to_string(steps) +
                 " steps")
      .set_xlabel("w₀")
      .set_ylabel("w₁")
      .set_aspect_equal()
      .contourf(gx, gy, grid_f,
                tg::viz::ContourStyle().levels(20).lines(true).colorbar_label(
                    "f(w) = (w₀ − 1)² + 4 (w₁ + 0.5)²"))
      .path(path_w0, path_w1,
            tg::viz::PathStyle()
                .label("w(t)")
                .start_label("w(0) = (−2, 1.5)")
                .end_label("w(" + std::to_string(steps) + ")"))
      .legend(tg::viz::LegendLoc::UpperRight);
  std::cout << '\n';
  save_figure(figure, settings, "gradient_descent", "figure");
  TG_CHECK(csv.good(), "could not write ", path.string());
  std::cout << "  the path as numbers: " << path.string() << '\n';
}

}  // namespace tutorial
