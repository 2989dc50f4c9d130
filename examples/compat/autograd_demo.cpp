// One program, two libraries. This file is a libtorch program: it includes <torch/torch.h> and
// spells everything torch::, and it builds unchanged against libtorch and against tensorgrad's
// tensorgrad::torch target. Both builds must print the same numbers; the test in tests/compat/
// compares them.
//
// Numbers are printed by hand with "%.6g", so that the comparison reads value by value.
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <string>
#include <tuple>
#include <vector>

namespace {

using Tensor = torch::Tensor;

const char* dtype_name(const Tensor& t) {
  if (t.scalar_type() == torch::kFloat) return "float32";
  if (t.scalar_type() == torch::kDouble) return "float64";
  if (t.scalar_type() == torch::kLong) return "int64";
  if (t.scalar_type() == torch::kBool) return "bool";
  return "other";
}

// "label dtype [sizes] v0 v1 ...": the dtype, the shape and every value in row-major order.
void show(const char* label, const Tensor& t) {
  std::string shape;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d > 0) shape += ',';
    shape += std::to_string(t.size(d));
  }
  std::printf("%-28s %-7s [%s]", label, dtype_name(t), shape.c_str());
  const Tensor flat = t.detach().reshape({-1});
  for (int64_t i = 0; i < flat.numel(); ++i) std::printf(" %.6g", flat[i].item<double>());
  std::printf("\n");
}

void show_value(const char* label, double v) { std::printf("%-28s %.6g\n", label, v); }
void show_text(const char* label, const std::string& s) {
  std::printf("%-28s %s\n", label, s.c_str());
}

void tutorial_gradient_vector() {
  // z = sin(x^2 + y^2) on a small grid; dz/dx = cos(x^2 + y^2) 2x.
  Tensor x = torch::linspace(-2.5, 2.5, 5).reshape({1, 5}).expand({3, 5}).contiguous();
  Tensor y = torch::linspace(-1.0, 1.0, 3).reshape({3, 1}).expand({3, 5}).contiguous();
  x.requires_grad_(true);
  y.requires_grad_(true);
  Tensor z = torch::sin(x.pow(2) + y.pow(2));
  z.sum().backward();
  show("grid.z", z);
  show("grid.dz_dx", x.grad());
  show("grid.dz_dy", y.grad());
  show_text("grid.z.grad_fn", z.grad_fn()->name());
}

void tutorial_computational_graph() {
  // f = tanh(ln(1 + z 2x / sin(y))) through the intermediate values a..e.
  Tensor x = torch::tensor(1.0, torch::requires_grad());
  Tensor y = torch::tensor(2.0, torch::requires_grad());
  Tensor z = torch::tensor(3.0, torch::requires_grad());
  Tensor a = 2 * x;
  Tensor b = torch::sin(y);
  Tensor c = a / b;
  Tensor d = c * z;
  Tensor e = torch::log(1 + d);
  Tensor f = torch::tanh(e);
  for (Tensor* t : {&a, &b, &c, &d, &e}) t->retain_grad();
  f.backward();
  show("graph.f", f);
  show("graph.df_de", e.grad());
  show("graph.df_dd", d.grad());
  show("graph.df_dc", c.grad());
  show("graph.df_db", b.grad());
  show("graph.df_da", a.grad());
  show("graph.df_dx", x.grad());
  show("graph.df_dy", y.grad());
  show("graph.df_dz", z.grad());
}

void tutorial_simple_graph() {
  // prediction = tanh(w x + b), loss = (y - prediction)^2, with integer feature and target.
  Tensor w = torch::tensor({-0.5}, torch::requires_grad());
  Tensor b = torch::tensor({0.5}, torch::requires_grad());
  Tensor feature = torch::tensor({1});
  Tensor target = torch::tensor({7});
  Tensor prediction = torch::tanh(feature * w + b);
  Tensor loss = (target - prediction).pow(2);
  show("neuron.feature", feature);
  show("neuron.prediction", prediction);
  show("neuron.loss", loss);
  show_text("neuron.prediction.grad_fn", prediction.grad_fn()->name());
  show_text("neuron.loss.grad_fn", loss.grad_fn()->name());
  loss.backward();
  Tensor y_p = prediction.detach();
  Tensor analytic_dw = -2 * feature * (target - y_p) * (1 - y_p.pow(2));
  show("neuron.dloss_dw", w.grad());
  show("neuron.dloss_db", b.grad());
  show("neuron.analytic==autograd", analytic_dw == w.grad());
}

void gradient_descent() {
  // Five steps of w <- w - 0.1 grad f on f(w) = (w0 - 1)^2 + 4 (w1 + 0.5)^2.
  Tensor w = torch::tensor({-2.0, 1.5}, torch::requires_grad());
  for (int t = 0; t < 5; ++t) {
    Tensor f = (w[0] - 1).pow(2) + 4 * (w[1] + 0.5).pow(2);
    f.backward();
    {
      torch::NoGradGuard no_grad;
      w -= 0.1 * w.grad();
    }
    w.grad().zero_();
  }
  show("descent.w", w);
  show("descent.grad_after_zero", w.grad());
  show_value("descent.is_leaf", w.is_leaf());
}

void broadcasting_and_reductions() {
  Tensor m = torch::tensor({{1.0, -2.0, 3.0}, {-4.0, 5.0, -6.0}}, torch::requires_grad());
  Tensor row = torch::tensor({0.5, 1.0, 2.0}, torch::requires_grad());
  Tensor out = (m * row + row).relu();
  out.mean().backward();
  show("bcast.out", out);
  show("bcast.dm", m.grad());
  show("bcast.drow", row.grad());

  Tensor v = torch::tensor({{1.0, 2.0, 4.0}, {3.0, 0.5, -1.0}});
  show("reduce.sum_dim1", v.sum({1}));
  show("reduce.mean_keepdim", v.mean({1}, true));
  show("reduce.var", v.var());
  show("reduce.std_dim0", v.std(std::vector<int64_t>{0}));
  show("reduce.norm", v.norm());
  show("reduce.prod", v.prod());
  auto [values, indices] = v.max(1);
  show("reduce.max_values", values);
  show("reduce.max_indices", indices);
  show("reduce.argmin_dim0", v.argmin(0));
  show("reduce.amax", v.max());
}

void linear_algebra() {
  Tensor a = torch::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, torch::requires_grad());
  Tensor b = torch::tensor({{0.5, -1.0, 2.0}, {1.5, 0.25, -0.5}}, torch::requires_grad());
  Tensor c = torch::matmul(a, b);
  c.pow(2).sum().backward();
  show("matmul.c", c);
  show("matmul.da", a.grad());
  show("matmul.db", b.grad());
  Tensor bias = torch::ones({3, 3});
  show("addmm", torch::addmm(bias, a.detach(), b.detach()));
  show("dot", torch::dot(torch::tensor({1.0, 2.0, 3.0}), torch::tensor({4.0, -5.0, 6.0})));
  Tensor batch = torch::arange(12, torch::kFloat).reshape({2, 2, 3});
  show("bmm", torch::bmm(batch, batch.transpose(1, 2)));
}

void activations_and_softmax() {
  Tensor x = torch::linspace(-2.0, 2.0, 6, torch::requires_grad());
  Tensor s = torch::softmax(x.reshape({2, 3}), 1);
  Tensor ls = torch::log_softmax(x.reshape({2, 3}), 1);
  (s * torch::arange(6, torch::kFloat).reshape({2, 3})).sum().backward();
  show("softmax", s);
  show("log_softmax", ls);
  show("softmax.dx", x.grad());
  Tensor xd = x.detach();
  show("sigmoid", torch::sigmoid(xd));
  show("tanh", torch::tanh(xd));
  show("exp", torch::exp(xd));
  show("log1p_abs", torch::log1p(torch::abs(xd)));
  show("sqrt_abs", torch::sqrt(torch::abs(xd)));
  show("clamp", torch::clamp(xd, -1.0, 0.5));
  show("where", torch::where(xd > 0, xd, xd * 0.1));
  show("maximum", torch::maximum(xd, torch::zeros_like(xd)));
}

void views_and_joins() {
  Tensor t = torch::arange(24).reshape({2, 3, 4});
  show("view.permute", t.permute({2, 0, 1}).contiguous());
  show("view.transpose", t.transpose(0, 2).contiguous());
  show("view.select", t.select(1, 2));
  show("view.slice", t.slice(2, 1, 4, 2));
  show("view.narrow", t.narrow(1, 0, 2));
  show("view.index_select", t.index_select(2, torch::tensor({3, 0})));
  show("view.squeeze", t.unsqueeze(0).squeeze(0).flatten());
  show("join.cat", torch::cat({t[0], t[1]}, 1));
  show("join.stack", torch::stack({t[0][0], t[1][2]}, 0));
  std::vector<Tensor> parts = t.chunk(2, 2);
  show("split.chunk1", parts[1]);
}

void types_and_comparisons() {
  Tensor i = torch::tensor({1, 2, 3});
  show("promote.int_times_double", i * 1.5);
  show("promote.int_plus_float", i + torch::tensor({0.5f, 0.25f, 0.125f}));
  show("promote.int_div_int", i / torch::tensor({2, 2, 2}));
  show("promote.bool_plus_int", (i > 1) + i);
  Tensor f = torch::tensor({1.0, 2.0, 3.0});
  show("compare.eq", f == torch::tensor({1.0, 0.0, 3.0}));
  show("compare.le", f <= 2.0);
  show("compare.isfinite", torch::isfinite(f / torch::tensor({1.0, 0.0, 1.0})));
  show_value("compare.allclose", torch::allclose(f, f + 1e-9));
  show_value("compare.equal", torch::equal(f, f.clone()));
  show("cast.to_double", f.to(torch::kDouble) / 3);
  show("fill.full", torch::full({2, 2}, 7.5));
  show("fill.eye", torch::eye(3));
}

void higher_order_and_modes() {
  // d/dx x^3 = 3x^2 and d2/dx2 = 6x, through create_graph.
  Tensor x = torch::tensor(2.0, torch::requires_grad());
  Tensor y = x.pow(3);
  Tensor dy = torch::autograd::grad({y}, {x}, {}, true, true)[0];
  Tensor d2y = torch::autograd::grad({dy}, {x})[0];
  show("grad.dy_dx", dy);
  show("grad.d2y_dx2", d2y);

  Tensor w = torch::tensor({1.0, 2.0}, torch::requires_grad());
  {
    torch::NoGradGuard no_grad;
    show_value("nograd.requires_grad", (w * 2).requires_grad());
  }
  show_value("grad_mode.requires_grad", (w * 2).requires_grad());
  show_value("detach.requires_grad", w.detach().requires_grad());

  // Gradients accumulate over two backward passes.
  (w * w).sum().backward();
  (w * 3).sum().backward();
  show("accumulate.grad", w.grad());

  // Changing a value that backward needs is caught when backward runs.
  Tensor e = torch::exp(w);
  e.add_(1);
  bool caught = false;
  try {
    e.sum().backward();
  } catch (const std::exception&) {
    caught = true;
  }
  show_value("inplace.error_caught", caught);
}

void random_numbers() {
  // The tutorial's data set: 32 points of sin(pi x) plus noise, seed 2021.
  torch::manual_seed(2021);
  Tensor inputs = torch::linspace(-1.0, 1.0, 32).reshape({32, 1});
  Tensor noise = torch::randn({32, 1}) / 4;
  show("random.noise", noise);
  torch::manual_seed(0);
  show("random.rand", torch::rand({6}));
  show("random.randn", torch::randn({6}));
  show("random.randint", torch::randint(0, 10, {6}));
  show("random.randperm", torch::randperm(6));
}

}  // namespace

int main() {
  torch::set_num_threads(1);
  tutorial_gradient_vector();
  tutorial_computational_graph();
  tutorial_simple_graph();
  gradient_descent();
  broadcasting_and_reductions();
  linear_algebra();
  activations_and_softmax();
  views_and_joins();
  types_and_comparisons();
  higher_order_and_modes();
  random_numbers();
  return 0;
}
