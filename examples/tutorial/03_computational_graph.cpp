// Section 1.3: a computational graph and the backward pass through it.
//
//   f(x, y, z) = tanh(ln(1 + z * 2x / sin(y)))
//
// broken into the notebook's intermediate values
//   a = 2x,  b = sin(y),  c = a / b,  d = c z,  e = ln(1 + d),  f = tanh(e).
// The forward pass computes a..f; the backward pass multiplies local derivatives from f back to the
// inputs, which is what the chain-rule formulas spell out:
//   df/dx = (1 - tanh^2(e)) * 1/(d + 1) * z * 1/b * 2
//   df/dy = (1 - tanh^2(e)) * 1/(d + 1) * z * (-a / b^2) * cos(y)
//   df/dz = (1 - tanh^2(e)) * 1/(d + 1) * c
// retain_grad() keeps autograd's gradient at each intermediate node, so every step can be compared,
// and the drawing of the graph shows each node's value and gradient.
#include <cmath>
#include <iostream>

#include "figures.h"
#include "format.h"
#include "sections.h"

namespace tutorial {

void computational_graph(const Settings& settings) {
  print_header(3, "Computational graph and backprop: f = tanh(ln(1 + z * 2x / sin(y)))");

  tg::Tensor x = tg::tensor(1.0, tg::requires_grad());
  tg::Tensor y = tg::tensor(2.0, tg::requires_grad());
  tg::Tensor z = tg::tensor(3.0, tg::requires_grad());

  // Forward pass.
  tg::Tensor a = 2 * x;
  tg::Tensor b = tg::sin(y);
  tg::Tensor c = a / b;
  tg::Tensor d = c * z;
  tg::Tensor e = tg::log(1 + d);
  tg::Tensor f = tg::tanh(e);
  for (tg::Tensor* t : {&a, &b, &c, &d, &e, &f}) t->retain_grad();

  auto v = [](const tg::Tensor& t) { return t.item<double>(); };
  std::cout << "inputs: x = " << py_item(x) << ", y = " << py_item(y) << ", z = " << py_item(z)
            << '\n';

  print_subheader("Forward pass");
  Table forward({"node", "definition", "value", "grad_fn"});
  forward.add_row({"a", "2x", fixed(v(a), 6), a.grad_fn()->name()});
  forward.add_row({"b", "sin(y)", fixed(v(b), 6), b.grad_fn()->name()});
  forward.add_row({"c", "a / b", fixed(v(c), 6), c.grad_fn()->name()});
  forward.add_row({"d", "c z", fixed(v(d), 6), d.grad_fn()->name()});
  forward.add_row({"e", "ln(1 + d)", fixed(v(e), 6), e.grad_fn()->name()});
  forward.add_row({"f", "tanh(e)", fixed(v(f), 6), f.grad_fn()->name()});
  forward.align_left(0);
  forward.align_left(1);
  forward.align_left(3);
  forward.print(std::cout);

  // Backward pass.
  f.backward();

  // The same derivatives by hand, from the stored forward values.
  const double df_de = 1 - std::pow(std::tanh(v(e)), 2);
  const double df_dd = df_de / (v(d) + 1);
  const double df_dc = df_dd * v(z);
  const double df_db = df_dc * (-v(a) / (v(b) * v(b)));
  const double df_da = df_dc / v(b);
  const double df_dx = df_de * 1 / (v(d) + 1) * v(z) * 1 / v(b) * 2;
  const double df_dy = df_de * 1 / (v(d) + 1) * v(z) * (-v(a) / (v(b) * v(b))) * std::cos(v(y));
  const double df_dz = df_de * 1 / (v(d) + 1) * v(c);

  print_subheader("Backward pass: autograd next to the chain rule");
  Table backward({"gradient", "autograd", "chain rule", "formula", "|difference|"});
  auto row = [&](const char* name, const tg::Tensor& leaf, double by_hand, const char* formula) {
    const double g = v(leaf.grad());
    backward.add_row(
        {name, fixed(g, 7), fixed(by_hand, 7), formula, general(std::fabs(g - by_hand), 2)});
  };
  row("df/de", e, df_de, "1 - tanh^2(e)");
  row("df/dd", d, df_dd, "df/de * 1/(d + 1)");
  row("df/dc", c, df_dc, "df/dd * z");
  row("df/db", b, df_db, "df/dc * (-a / b^2)");
  row("df/da", a, df_da, "df/dc * 1/b");
  row("df/dx", x, df_dx, "(1 - tanh^2(e)) * 1/(d+1) * z * 1/b * 2");
  row("df/dy", y, df_dy, "(1 - tanh^2(e)) * 1/(d+1) * z * (-a/b^2) * cos(y)");
  row("df/dz", z, df_dz, "(1 - tanh^2(e)) * 1/(d+1) * c");
  backward.align_left(0);
  backward.align_left(3);
  backward.print(std::cout);
  std::cout << "\nautograd works in float32 and the formulas in double, hence differences below "
               "1e-7.\n";

  // The graph autograd recorded, drawn from f back to the leaves: one box per operation (named
  // as PyTorch names its grad_fn), one ellipse per input, with every named value and gradient.
  std::cout << '\n';
  save_value_graph(
      f, {{"x", x}, {"y", y}, {"z", z}, {"a", a}, {"b", b}, {"c", c}, {"d", d}, {"e", e}, {"f", f}},
      "f(x, y, z) = tanh(ln(1 + z * 2x / sin(y)))", settings, "computational_graph");
}

}  // namespace tutorial
