// Section 1.2: vanilla gradient descent, w(t+1) = w(t) - eta * grad f(w(t)).
//
// The function to minimise is an elongated bowl,
//   f(w) = (w0 - 1)^2 + 4 (w1 + 0.5)^2,
// whose only minimum is f = 0 at w = (1, -0.5). Its gradient is (2 (w0 - 1), 8 (w1 + 0.5)), but the
// loop below never uses that formula: autograd supplies grad f at every step.
#include <cmath>
#include <fstream>
#include <iostream>

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
  const auto path = settings.out_dir / "02_gradient_descent_path.csv";
  std::ofstream csv(path);
  csv << "t,w0,w1,f\n";

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
  TG_CHECK(csv.good(), "could not write ", path.string());
  std::cout << "the whole path is in " << path.string() << '\n';
}

}  // namespace tutorial
