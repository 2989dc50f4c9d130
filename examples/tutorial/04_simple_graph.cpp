// Section 2: autograd on a single neuron.
//
// SimpleGraph is the notebook's one-neuron model, prediction = tanh(w x + b), with the squared
// error loss = (y_t - y_p)^2. Working the derivatives out by hand gives
//   dloss/dw = -2 x (y_t - y_p)(1 - y_p^2),    dloss/db = -2 (y_t - y_p)(1 - y_p^2),
// and loss.backward() must produce the same numbers in w.grad() and b.grad(). The drawing of the
// graph shows where each of them comes from.
#include <iostream>
#include <string>
#include <string_view>

#include "figures.h"
#include "format.h"
#include "sections.h"

namespace tutorial {
namespace {

class SimpleGraph {
 public:
  // Both parameters are one-element tensors that autograd tracks.
  SimpleGraph(double w, double b)
      : w(tg::tensor({w}, tg::requires_grad())), b(tg::tensor({b}, tg::requires_grad())) {}

  tg::Tensor forward(const tg::Tensor& x) const { return tg::tanh(x * w + b); }

  tg::Tensor w;
  tg::Tensor b;
};

// L2 loss (squared error) of one prediction.
tg::Tensor sq_loss(const tg::Tensor& y_true, const tg::Tensor& y_prediction) {
  return (y_true - y_prediction).pow(2);
}

// Python prints a grad_fn as "<AddBackward0 object at 0x...>"; the name is the part that matters.
std::string grad_fn_text(const tg::Tensor& t) {
  if (!t.grad_fn()) return "None";
  std::string text = "<";
  text.append(t.grad_fn()->name()).append(">");
  return text;
}

}  // namespace

void simple_graph(const Settings& settings) {
  print_header(4, "Autograd on a single neuron: SimpleGraph");

  const tg::Tensor feature = tg::tensor({1});  // input
  const tg::Tensor target = tg::tensor({7});   // target

  SimpleGraph graph(-0.5, 0.5);
  std::cout << "initial weight = " << py_item(graph.w) << ", \ninitial bias = " << py_item(graph.b)
            << '\n';
  const tg::Tensor prediction = graph.forward(feature);
  const tg::Tensor square_loss = sq_loss(target, prediction);
  std::cout << "for x=" << py_item(feature) << " and y=" << py_item(target)
            << ", prediction=" << py_item(prediction) << ", and L2 Loss = " << py_item(square_loss)
            << '\n';

  print_subheader("The tensors themselves");
  std::cout << "feature     = " << feature << "\ntarget      = " << target
            << "\nw           = " << graph.w << "\nb           = " << graph.b
            << "\nprediction  = " << prediction << "\nsquare_loss = " << square_loss << '\n';

  print_subheader("grad_fn: the operation that made a tensor");
  {
    const tg::Tensor a = tg::tensor({1.0}, tg::requires_grad());
    const tg::Tensor b = tg::tensor({-1.0}, tg::requires_grad());
    std::cout << "a = " << a << ", b = " << b << '\n';
    auto show = [](std::string_view expression, const tg::Tensor& c) {
      std::cout << "  " << expression << std::string(18 - expression.size(), ' ')
                << "Gradient function = " << grad_fn_text(c) << '\n';
    };
    show("c = a + b", a + b);
    show("c = a * b", a * b);
    show("c = tg::sin(a)", tg::sin(a));
    show("c = a (a leaf)", a);
  }
  std::cout << "Gradient function for prediction = " << grad_fn_text(prediction) << '\n';
  std::cout << "Gradient function for loss = " << grad_fn_text(square_loss) << '\n';

  print_subheader("Backward pass: analytical gradients next to autograd");
  // The analytical gradients use the prediction's value only, so it is detached from the graph.
  const tg::Tensor y_p = prediction.detach();
  const tg::Tensor ana_dloss_dw = -2 * feature * (target - y_p) * (1 - y_p.pow(2));
  const tg::Tensor ana_dloss_db = -2 * (target - y_p) * (1 - y_p.pow(2));

  prediction.retain_grad();   // keep dloss/dprediction for the drawing below,
  square_loss.retain_grad();  // and dloss/dloss = 1, where the backward pass starts
  square_loss.backward();     // fills graph.w.grad() and graph.b.grad()
  const tg::Tensor autograd_dloss_dw = graph.w.grad();
  const tg::Tensor autograd_dloss_db = graph.b.grad();

  Table table({"gradient", "analytical", "autograd"});
  table.add_row({"dloss/dw", py_item(ana_dloss_dw), py_item(autograd_dloss_dw)});
  table.add_row({"dloss/db", py_item(ana_dloss_db), py_item(autograd_dloss_db)});
  table.print(std::cout);
  std::cout << '\n'
            << "ana_dloss_dw == autograd_dloss_dw: " << (ana_dloss_dw == autograd_dloss_dw) << '\n'
            << "ana_dloss_db == autograd_dloss_db: " << (ana_dloss_db == autograd_dloss_db) << '\n';

  std::cout << '\n';
  save_value_graph(
      square_loss,
      {{"w", graph.w}, {"b", graph.b}, {"prediction", prediction}, {"loss", square_loss}},
      "SimpleGraph at x = 1, y = 7\nloss = (y - tanh(w x + b))^2", settings, "simple_graph");
}

}  // namespace tutorial
