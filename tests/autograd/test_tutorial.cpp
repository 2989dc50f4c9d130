// Sections 1 and 2 of the tutorial (Neuromatch W1D2 T1, "Gradient Descent and AutoGrad") as tests:
// the gradient of sin(x^2 + y^2), the chain rule through the computational graph of
// f(x, y, z) = tanh(ln(1 + z * 2x / sin(y))), and the SimpleGraph neuron, whose analytic gradients
// the tutorial shows to be equal (==) to autograd's.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <sstream>
#include <vector>

namespace {

using tg::Tensor;

std::string str(const Tensor& t) {
  std::ostringstream ss;
  ss << t;
  return ss.str();
}

// ---- Section 1.1: z = h(x, y) = sin(x^2 + y^2), gradient (cos(x^2+y^2) 2x, cos(x^2+y^2) 2y)

// The quiver grid of ex1_plot: np.arange(-2.5, 2.6, 0.5), 11 points.
Tensor quiver_axis(tg::ScalarType dt) { return tg::arange(-2.5, 2.6, 0.5, dt); }

TEST(TutorialGradientVector, GridMatchesTheTutorial) {
  Tensor g = quiver_axis(tg::kFloat64);
  ASSERT_EQ(g.numel(), 11);
  for (int64_t i = 0; i < 11; ++i) EXPECT_DOUBLE_EQ(g[i].item<double>(), -2.5 + 0.5 * i);
}

TEST(TutorialGradientVector, ElementwiseOnMeshgrid) {
  for (tg::ScalarType dt : {tg::kFloat64, tg::kFloat32}) {
    Tensor axis = quiver_axis(dt);
    const int64_t n = axis.numel();
    // np.meshgrid(x, y): xx[i][j] = x[j], yy[i][j] = y[i].
    Tensor xx = axis.reshape({1, n}).expand({n, n}).clone().requires_grad_();
    Tensor yy = axis.reshape({n, 1}).expand({n, n}).clone().requires_grad_();
    Tensor z = tg::sin(xx.pow(2) + yy.pow(2));
    z.backward(tg::ones_like(z));

    Tensor u = xx.detach().pow(2) + yy.detach().pow(2);
    Tensor dz_dx = tg::cos(u) * 2 * xx.detach();
    Tensor dz_dy = tg::cos(u) * 2 * yy.detach();
    EXPECT_EQ(xx.grad().scalar_type(), dt);
    const double tol = dt == tg::kFloat64 ? 1e-14 : 1e-6;
    EXPECT_TRUE(xx.grad().allclose(dz_dx, tol, tol)) << xx.grad() << "\n" << dz_dx;
    EXPECT_TRUE(yy.grad().allclose(dz_dy, tol, tol)) << yy.grad() << "\n" << dz_dy;

    // And against the formula evaluated in plain double arithmetic.
    Tensor gx = xx.grad().to(tg::kFloat64), gy = yy.grad().to(tg::kFloat64);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const double x = -2.5 + 0.5 * j, y = -2.5 + 0.5 * i;
        const double c = std::cos(x * x + y * y);
        const double ftol = dt == tg::kFloat64 ? 1e-12 : 2e-4;
        EXPECT_NEAR(gx[i][j].item<double>(), c * 2 * x, ftol) << "x=" << x << " y=" << y;
        EXPECT_NEAR(gy[i][j].item<double>(), c * 2 * y, ftol) << "x=" << x << " y=" << y;
      }
  }
}

TEST(TutorialGradientVector, PointByPoint) {
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j) {
      const double x0 = -2.5 + 0.5 * i, y0 = -2.5 + 0.5 * j;
      Tensor x = tg::tensor(x0, tg::dtype(tg::kFloat64).requires_grad(true));
      Tensor y = tg::tensor(y0, tg::dtype(tg::kFloat64).requires_grad(true));
      Tensor z = (x * x + y * y).sin();
      EXPECT_EQ(z.dim(), 0);
      z.backward();
      const double c = std::cos(x0 * x0 + y0 * y0);
      EXPECT_NEAR(x.grad().item<double>(), c * 2 * x0, 1e-12);
      EXPECT_NEAR(y.grad().item<double>(), c * 2 * y0, 1e-12);
      EXPECT_NEAR(z.item<double>(), std::sin(x0 * x0 + y0 * y0), 1e-12);
    }
}

// ---- Section 1.3: Computational Graphs and Backprop
//
// The tutorial's formulas, exactly as printed:
//   df/dx = (1 - tanh^2(e)) * 1/(d+1) * z * (1/b) * 2
//   df/dy = (1 - tanh^2(e)) * 1/(d+1) * z * (-a/b^2) * cos(y)
// For these to be the chain rule, the graph's d must be z * c and e = ln(d + 1) (the "1 +" sits
// in the ln node): a = 2x, b = sin(y), c = a/b, d = z*c, e = ln(1 + d), f = tanh(e). Then
//   df/dz = (1 - tanh^2(e)) * 1/(d+1) * c.

struct Graph {
  Tensor x, y, z, a, b, c, d, e, f;
};

Graph build(double x0, double y0, double z0) {
  Graph g;
  auto opt = tg::dtype(tg::kFloat64).requires_grad(true);
  g.x = tg::tensor({x0}, opt);
  g.y = tg::tensor({y0}, opt);
  g.z = tg::tensor({z0}, opt);
  g.a = 2 * g.x;
  g.b = tg::sin(g.y);
  g.c = g.a / g.b;
  g.d = g.z * g.c;
  g.e = tg::log(1 + g.d);
  g.f = tg::tanh(g.e);
  return g;
}

TEST(TutorialComputationalGraph, ChainRuleFormulasMatchAutograd) {
  const std::vector<std::vector<double>> points = {
      {0.5, 1.0, 2.0}, {1.2, 0.7, 0.3}, {-0.3, 2.0, 1.5}, {2.0, -1.1, -0.4}, {0.1, 0.4, 3.0}};
  for (const auto& p : points) {
    Graph g = build(p[0], p[1], p[2]);
    for (Tensor* t : {&g.a, &g.b, &g.c, &g.d, &g.e}) t->retain_grad();
    g.f.backward(tg::ones_like(g.f));

    const double x = p[0], y = p[1], z = p[2];
    const double a = 2 * x, b = std::sin(y), c = a / b, d = z * c, e = std::log(1 + d);
    ASSERT_GT(1 + d, 0) << "the point must be inside the domain of ln";
    EXPECT_NEAR(g.f.item<double>(), std::tanh(std::log(1 + z * 2 * x / std::sin(y))), 1e-14);
    const double df_de = 1 - std::tanh(e) * std::tanh(e);
    const double df_dx = df_de * 1 / (d + 1) * z * (1 / b) * 2;
    const double df_dy = df_de * 1 / (d + 1) * z * (-a / (b * b)) * std::cos(y);
    const double df_dz = df_de * 1 / (d + 1) * c;
    auto near = [](double got, double want) {
      return std::fabs(got - want) <= 1e-12 * (1 + std::fabs(want));
    };
    EXPECT_PRED2(near, g.x.grad().item<double>(), df_dx) << "at " << x << ", " << y << ", " << z;
    EXPECT_PRED2(near, g.y.grad().item<double>(), df_dy) << "at " << x << ", " << y << ", " << z;
    EXPECT_PRED2(near, g.z.grad().item<double>(), df_dz) << "at " << x << ", " << y << ", " << z;

    // The backward pass, node by node (the gradients on the arrows of the tutorial's figure).
    EXPECT_PRED2(near, g.e.grad().item<double>(), df_de);
    EXPECT_PRED2(near, g.d.grad().item<double>(), df_de / (d + 1));
    EXPECT_PRED2(near, g.c.grad().item<double>(), df_de / (d + 1) * z);
    EXPECT_PRED2(near, g.a.grad().item<double>(), df_de / (d + 1) * z / b);
    EXPECT_PRED2(near, g.b.grad().item<double>(), df_de / (d + 1) * z * (-a / (b * b)));
  }
}

TEST(TutorialComputationalGraph, GraphStructure) {
  Graph g = build(0.5, 1.0, 2.0);
  EXPECT_EQ(g.f.grad_fn()->name(), "TanhBackward0");
  EXPECT_EQ(g.e.grad_fn()->name(), "LogBackward0");
  EXPECT_EQ(g.d.grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(g.c.grad_fn()->name(), "DivBackward0");
  EXPECT_EQ(g.b.grad_fn()->name(), "SinBackward0");
  EXPECT_EQ(g.a.grad_fn()->name(), "MulBackward0");
  // e = ln(1 + d): the log's input is the AddBackward0 of 1 + d.
  EXPECT_EQ(g.e.grad_fn()->next_functions()[0].function->name(), "AddBackward0");
  // The same function written in one line, as in the tutorial's formula.
  Tensor f2 = tg::tanh(tg::log(1 + g.z * (2 * g.x) / tg::sin(g.y)));
  EXPECT_NEAR(f2.item<double>(), g.f.item<double>(), 1e-15);
}

// ---- Section 2: SimpleGraph, a single tanh neuron

struct SimpleGraph {
  Tensor w, b;
  SimpleGraph(double w0, double b0)
      : w(tg::tensor({static_cast<float>(w0)}, tg::requires_grad())),
        b(tg::tensor({static_cast<float>(b0)}, tg::requires_grad())) {}
  Tensor forward(const Tensor& x) const { return tg::tanh(w * x + b); }
};

Tensor sq_loss(const Tensor& y_true, const Tensor& y_prediction) {
  return (y_true - y_prediction).pow(2);
}

TEST(TutorialSimpleGraph, ForwardAndGradFns) {
  Tensor a = tg::tensor({1.0}, tg::requires_grad());
  Tensor b = tg::tensor({-1.0}, tg::requires_grad());
  Tensor c = a + b;
  EXPECT_EQ(c.grad_fn()->name(), "AddBackward0");

  Tensor feature = tg::tensor({1});  // int64, as torch.tensor([1])
  Tensor target = tg::tensor({7});
  ASSERT_EQ(feature.scalar_type(), tg::kInt64);
  ASSERT_EQ(target.scalar_type(), tg::kInt64);
  SimpleGraph simple_graph(-0.5, 0.5);
  EXPECT_EQ(simple_graph.w.item<double>(), -0.5);
  EXPECT_EQ(simple_graph.b.item<double>(), 0.5);
  Tensor prediction = simple_graph.forward(feature);
  Tensor square_loss = sq_loss(target, prediction);
  EXPECT_EQ(prediction.scalar_type(), tg::kFloat32);
  EXPECT_EQ(square_loss.scalar_type(), tg::kFloat32);
  EXPECT_EQ(feature.item<int64_t>(), 1);
  EXPECT_EQ(target.item<int64_t>(), 7);
  EXPECT_EQ(prediction.item<double>(), 0.0);
  EXPECT_EQ(square_loss.item<double>(), 49.0);
  EXPECT_EQ(prediction.grad_fn()->name(), "TanhBackward0");
  EXPECT_EQ(square_loss.grad_fn()->name(), "PowBackward0");
  EXPECT_EQ(str(prediction), "tensor([0.], grad_fn=<TanhBackward0>)");
  EXPECT_EQ(str(square_loss), "tensor([49.], grad_fn=<PowBackward0>)");
}

// Values from PyTorch 1.13 (float32): prediction, loss, and the printed tensors.
struct SimpleGraphCase {
  double w, b;
  float prediction, loss, dloss_dw;
  const char* prediction_str;
  const char* loss_str;
  const char* grad_str;
};

TEST(TutorialSimpleGraph, AnalyticGradientsEqualAutograd) {
  const std::vector<SimpleGraphCase> cases = {
      {-0.5, 0.5, 0.0f, 49.0f, -14.0f, "tensor([0.], grad_fn=<TanhBackward0>)",
       "tensor([49.], grad_fn=<PowBackward0>)", "tensor([-14.])"},
      {0.3, -0.2, 0.0996680036187172f, 47.61458206176758f, -13.663572311401367f,
       "tensor([0.0997], grad_fn=<TanhBackward0>)", "tensor([47.6146], grad_fn=<PowBackward0>)",
       "tensor([-13.6636])"},
      {0.8, 0.1, 0.7162978649139404f, 39.48490905761719f, -6.119287490844727f,
       "tensor([0.7163], grad_fn=<TanhBackward0>)", "tensor([39.4849], grad_fn=<PowBackward0>)",
       "tensor([-6.1193])"},
      {-1.0, 0.25, -0.6351489424705505f, 58.295501708984375f, -9.1100435256958f,
       "tensor([-0.6351], grad_fn=<TanhBackward0>)", "tensor([58.2955], grad_fn=<PowBackward0>)",
       "tensor([-9.1100])"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(::testing::Message() << "w=" << k.w << " b=" << k.b);
    Tensor feature = tg::tensor({1});
    Tensor target = tg::tensor({7});
    SimpleGraph simple_graph(k.w, k.b);
    Tensor prediction = simple_graph.forward(feature);
    Tensor square_loss = sq_loss(target, prediction);
    EXPECT_FLOAT_EQ(prediction.item<float>(), k.prediction);
    EXPECT_FLOAT_EQ(square_loss.item<float>(), k.loss);
    EXPECT_EQ(str(prediction), k.prediction_str);
    EXPECT_EQ(str(square_loss), k.loss_str);

    // Analytical gradients (remember detaching)
    Tensor ana_dloss_dw =
        -2 * feature * (target - prediction.detach()) * (1 - prediction.detach().pow(2));
    Tensor ana_dloss_db = -2 * (target - prediction.detach()) * (1 - prediction.detach().pow(2));
    EXPECT_FALSE(ana_dloss_dw.requires_grad());

    square_loss.backward();
    const Tensor& autograd_dloss_dw = simple_graph.w.grad();
    const Tensor& autograd_dloss_db = simple_graph.b.grad();
    EXPECT_FLOAT_EQ(autograd_dloss_dw.item<float>(), k.dloss_dw);
    EXPECT_EQ(str(autograd_dloss_dw), k.grad_str);

    // print(ana_dloss_dw == autograd_dloss_dw) shows tensor([True]).
    Tensor eq_w = ana_dloss_dw == autograd_dloss_dw;
    Tensor eq_b = ana_dloss_db == autograd_dloss_db;
    EXPECT_EQ(str(eq_w), "tensor([True])");
    EXPECT_EQ(str(eq_b), "tensor([True])");
    EXPECT_EQ(autograd_dloss_dw.item<float>(), ana_dloss_dw.item<float>());
    EXPECT_EQ(autograd_dloss_db.item<float>(), ana_dloss_db.item<float>());
  }
}

TEST(TutorialSimpleGraph, GradientsAccumulateUntilZeroed) {
  Tensor feature = tg::tensor({1});
  Tensor target = tg::tensor({7});
  SimpleGraph g(-0.5, 0.5);
  sq_loss(target, g.forward(feature)).backward();
  sq_loss(target, g.forward(feature)).backward();
  EXPECT_EQ(g.w.grad().item<float>(), -28.0f);
  g.w.grad().zero_();
  g.b.grad().zero_();
  sq_loss(target, g.forward(feature)).backward();
  EXPECT_EQ(g.w.grad().item<float>(), -14.0f);
  EXPECT_EQ(g.b.grad().item<float>(), -14.0f);
}

}  // namespace
