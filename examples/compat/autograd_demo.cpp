// One program, two libraries. Everything below uses only names from tensorgrad's API contract,
// spelled through the macro TG_NS, so the file compiles against tensorgrad (TG_NS = tg) and, with
// -DTG_COMPAT_LIBTORCH, against libtorch (TG_NS = torch). Both builds must print the same numbers;
// the test in tests/compat/ compares them.
//
// Numbers are printed by hand with "%.6g" rather than with operator<<, because libtorch's C++
// operator<< and tensorgrad's Python-style one format tensors differently.
#include <cstdio>
#include <exception>
#include <string>
#include <tuple>
#include <vector>

#ifdef TG_COMPAT_LIBTORCH
#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>
#define TG_NS torch
#else
#include <tensorgrad/tensorgrad.h>
#define TG_NS tg
#endif

namespace {

using Tensor = TG_NS::Tensor;

const char* dtype_name(const Tensor& t) {
  if (t.scalar_type() == TG_NS::kFloat) return "float32";
  if (t.scalar_type() == TG_NS::kDouble) return "float64";
  if (t.scalar_type() == TG_NS::kLong) return "int64";
  if (t.scalar_type() == TG_NS::kBool) return "bool";
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
  Tensor x = TG_NS::linspace(-2.5, 2.5, 5).reshape({1, 5}).expand({3, 5}).contiguous();
  Tensor y = TG_NS::linspace(-1.0, 1.0, 3).reshape({3, 1}).expand({3, 5}).contiguous();
  x.requires_grad_(true);
  y.requires_grad_(true);
  Tensor z = TG_NS::sin(x.pow(2) + y.pow(2));
  z.sum().backward();
  show("grid.z", z);
  show("grid.dz_dx", x.grad());
  show("grid.dz_dy", y.grad());
  show_text("grid.z.grad_fn", z.grad_fn()->name());
}

void tutorial_computational_graph() {
  // f = tanh(ln(1 + z 2x / sin(y))) through the intermediate values a..e.
  Tensor x = TG_NS::tensor(1.0, TG_NS::requires_grad());
  Tensor y = TG_NS::tensor(2.0, TG_NS::requires_grad());
  Tensor z = TG_NS::tensor(3.0, TG_NS::requires_grad());
  Tensor a = 2 * x;
  Tensor b = TG_NS::sin(y);
  Tensor c = a / b;
  Tensor d = c * z;
  Tensor e = TG_NS::log(1 + d);
  Tensor f = TG_NS::tanh(e);
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
  Tensor w = TG_NS::tensor({-0.5}, TG_NS::requires_grad());
  Tensor b = TG_NS::tensor({0.5}, TG_NS::requires_grad());
  Tensor feature = TG_NS::tensor({1});
  Tensor target = TG_NS::tensor({7});
  Tensor prediction = TG_NS::tanh(feature * w + b);
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
  Tensor w = TG_NS::tensor({-2.0, 1.5}, TG_NS::requires_grad());
  for (int t = 0; t < 5; ++t) {
    Tensor f = (w[0] - 1).pow(2) + 4 * (w[1] + 0.5).pow(2);
    f.backward();
    {
      TG_NS::NoGradGuard no_grad;
      w -= 0.1 * w.grad();
    }
    w.grad().zero_();
  }
  show("descent.w", w);
  show("descent.grad_after_zero", w.grad());
  show_value("descent.is_leaf", w.is_leaf());
}

void broadcasting_and_reductions() {
  Tensor m = TG_NS::tensor({{1.0, -2.0, 3.0}, {-4.0, 5.0, -6.0}}, TG_NS::requires_grad());
  Tensor row = TG_NS::tensor({0.5, 1.0, 2.0}, TG_NS::requires_grad());
  Tensor out = (m * row + row).relu();
  out.mean().backward();
  show("bcast.out", out);
  show("bcast.dm", m.grad());
  show("bcast.drow", row.grad());

  Tensor v = TG_NS::tensor({{1.0, 2.0, 4.0}, {3.0, 0.5, -1.0}});
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
  Tensor a = TG_NS::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, TG_NS::requires_grad());
  Tensor b = TG_NS::tensor({{0.5, -1.0, 2.0}, {1.5, 0.25, -0.5}}, TG_NS::requires_grad());
  Tensor c = TG_NS::matmul(a, b);
  c.pow(2).sum().backward();
  show("matmul.c", c);
  show("matmul.da", a.grad());
  show("matmul.db", b.grad());
  Tensor bias = TG_NS::ones({3, 3});
  show("addmm", TG_NS::addmm(bias, a.detach(), b.detach()));
  show("dot", TG_NS::dot(TG_NS::tensor({1.0, 2.0, 3.0}), TG_NS::tensor({4.0, -5.0, 6.0})));
  Tensor batch = TG_NS::arange(12, TG_NS::kFloat).reshape({2, 2, 3});
  show("bmm", TG_NS::bmm(batch, batch.transpose(1, 2)));
}

void activations_and_softmax() {
  Tensor x = TG_NS::linspace(-2.0, 2.0, 6, TG_NS::requires_grad());
  Tensor s = TG_NS::softmax(x.reshape({2, 3}), 1);
  Tensor ls = TG_NS::log_softmax(x.reshape({2, 3}), 1);
  (s * TG_NS::arange(6, TG_NS::kFloat).reshape({2, 3})).sum().backward();
  show("softmax", s);
  show("log_softmax", ls);
  show("softmax.dx", x.grad());
  Tensor xd = x.detach();
  show("sigmoid", TG_NS::sigmoid(xd));
  show("tanh", TG_NS::tanh(xd));
  show("exp", TG_NS::exp(xd));
  show("log1p_abs", TG_NS::log1p(TG_NS::abs(xd)));
  show("sqrt_abs", TG_NS::sqrt(TG_NS::abs(xd)));
  show("clamp", TG_NS::clamp(xd, -1.0, 0.5));
  show("where", TG_NS::where(xd > 0, xd, xd * 0.1));
  show("maximum", TG_NS::maximum(xd, TG_NS::zeros_like(xd)));
}

void views_and_joins() {
  Tensor t = TG_NS::arange(24).reshape({2, 3, 4});
  show("view.permute", t.permute({2, 0, 1}).contiguous());
  show("view.transpose", t.transpose(0, 2).contiguous());
  show("view.select", t.select(1, 2));
  show("view.slice", t.slice(2, 1, 4, 2));
  show("view.narrow", t.narrow(1, 0, 2));
  show("view.index_select", t.index_select(2, TG_NS::tensor({3, 0})));
  show("view.squeeze", t.unsqueeze(0).squeeze(0).flatten());
  show("join.cat", TG_NS::cat({t[0], t[1]}, 1));
  show("join.stack", TG_NS::stack({t[0][0], t[1][2]}, 0));
  std::vector<Tensor> parts = t.chunk(2, 2);
  show("split.chunk1", parts[1]);
}

void types_and_comparisons() {
  Tensor i = TG_NS::tensor({1, 2, 3});
  show("promote.int_times_double", i * 1.5);
  show("promote.int_plus_float", i + TG_NS::tensor({0.5f, 0.25f, 0.125f}));
  show("promote.int_div_int", i / TG_NS::tensor({2, 2, 2}));
  show("promote.bool_plus_int", (i > 1) + i);
  Tensor f = TG_NS::tensor({1.0, 2.0, 3.0});
  show("compare.eq", f == TG_NS::tensor({1.0, 0.0, 3.0}));
  show("compare.le", f <= 2.0);
  show("compare.isfinite", TG_NS::isfinite(f / TG_NS::tensor({1.0, 0.0, 1.0})));
  show_value("compare.allclose", TG_NS::allclose(f, f + 1e-9));
  show_value("compare.equal", TG_NS::equal(f, f.clone()));
  show("cast.to_double", f.to(TG_NS::kDouble) / 3);
  show("fill.full", TG_NS::full({2, 2}, 7.5));
  show("fill.eye", TG_NS::eye(3));
}

void higher_order_and_modes() {
  // d/dx x^3 = 3x^2 and d2/dx2 = 6x, through create_graph.
  Tensor x = TG_NS::tensor(2.0, TG_NS::requires_grad());
  Tensor y = x.pow(3);
  Tensor dy = TG_NS::autograd::grad({y}, {x}, {}, true, true)[0];
  Tensor d2y = TG_NS::autograd::grad({dy}, {x})[0];
  show("grad.dy_dx", dy);
  show("grad.d2y_dx2", d2y);

  Tensor w = TG_NS::tensor({1.0, 2.0}, TG_NS::requires_grad());
  {
    TG_NS::NoGradGuard no_grad;
    show_value("nograd.requires_grad", (w * 2).requires_grad());
  }
  show_value("grad_mode.requires_grad", (w * 2).requires_grad());
  show_value("detach.requires_grad", w.detach().requires_grad());

  // Gradients accumulate over two backward passes.
  (w * w).sum().backward();
  (w * 3).sum().backward();
  show("accumulate.grad", w.grad());

  // Changing a value that backward needs is caught when backward runs.
  Tensor e = TG_NS::exp(w);
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
  TG_NS::manual_seed(2021);
  Tensor inputs = TG_NS::linspace(-1.0, 1.0, 32).reshape({32, 1});
  Tensor noise = TG_NS::randn({32, 1}) / 4;
  show("random.noise", noise);
  TG_NS::manual_seed(0);
  show("random.rand", TG_NS::rand({6}));
  show("random.randn", TG_NS::randn({6}));
  show("random.randint", TG_NS::randint(0, 10, {6}));
  show("random.randperm", TG_NS::randperm(6));
}

}  // namespace

int main() {
  TG_NS::set_num_threads(1);
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
