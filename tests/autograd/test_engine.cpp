// The autograd engine and its bookkeeping: requires_grad, leaves, node names (PyTorch 1.13's),
// accumulation, retain_graph, higher-order gradients, grad modes, detach, hooks, version counters,
// very deep graphs, and freeing saved tensors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/tensor_impl.h"

namespace {

using ::testing::HasSubstr;
using tg::Tensor;

Tensor leaf(std::initializer_list<double> v) {
  return tg::tensor(std::vector<double>(v), tg::dtype(tg::kFloat64).requires_grad(true));
}

double at(const Tensor& t, int64_t i) { return t.reshape({-1})[i].item<double>(); }

// ---- requires_grad and leaves

TEST(RequiresGrad, SpreadsFromAnyInput) {
  Tensor a = leaf({1, 2});
  Tensor b = tg::tensor({3.0, 4.0}, tg::kFloat64);
  EXPECT_TRUE(a.requires_grad());
  EXPECT_FALSE(b.requires_grad());
  EXPECT_TRUE((a + b).requires_grad());
  EXPECT_TRUE((b * a).requires_grad());
  EXPECT_TRUE(((b * 2).exp() - a.sum()).requires_grad());
  EXPECT_FALSE((b * 2).requires_grad());
  EXPECT_FALSE((b * 2).grad_fn());
  EXPECT_TRUE(tg::cat({b, a}).requires_grad());
  EXPECT_TRUE(tg::where(b > 3.5, b, a).requires_grad());
  // Comparisons and argmax never require grad.
  EXPECT_FALSE((a > 1.5).requires_grad());
  EXPECT_FALSE(a.argmax().requires_grad());
}

TEST(RequiresGrad, FactoriesAndSetters) {
  Tensor a = tg::ones({2, 2}, tg::requires_grad());
  EXPECT_TRUE(a.requires_grad());
  EXPECT_EQ(a.scalar_type(), tg::kFloat32);
  Tensor b = tg::zeros({3});
  EXPECT_FALSE(b.requires_grad());
  b.requires_grad_();
  EXPECT_TRUE(b.requires_grad());
  b.set_requires_grad(false);
  EXPECT_FALSE(b.requires_grad());
  Tensor c = tg::full({2}, 1.5, tg::TensorOptions().dtype(tg::kFloat64).requires_grad(true));
  EXPECT_TRUE(c.requires_grad());
  EXPECT_EQ(c.scalar_type(), tg::kFloat64);
}

TEST(IsLeaf, LeavesAndResults) {
  Tensor a = leaf({1, 2});
  Tensor plain = tg::ones({2});
  EXPECT_TRUE(a.is_leaf());
  EXPECT_TRUE(plain.is_leaf());
  EXPECT_FALSE(a.grad_fn());
  Tensor y = a * 2;
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.grad_fn());
  // Results of ops on tensors that do not require grad are leaves.
  EXPECT_TRUE((plain * 2).is_leaf());
  EXPECT_TRUE(y.detach().is_leaf());
  // Views of leaves that require grad are not leaves.
  EXPECT_FALSE(a.view({1, 2}).is_leaf());
  EXPECT_FALSE(a[0].is_leaf());
}

// ---- node names: PyTorch 1.13's, as printed by `type(t.grad_fn).__name__`

struct NameCase {
  const char* expected;
  std::function<Tensor(const Tensor& x, const Tensor& y, const Tensor& v)> make;
};

TEST(GradFn, NamesMatchPyTorch) {
  Tensor x = (tg::arange(6, tg::kFloat64).reshape({2, 3}) + 1) / 8;
  Tensor y = (tg::arange(6, tg::kFloat64).reshape({2, 3}) + 2) / 9;
  Tensor v = tg::tensor({0.5, 0.25, 0.75}, tg::kFloat64);
  x.requires_grad_();
  y.requires_grad_();
  v.requires_grad_();
  Tensor m = tg::ones({3, 4}, tg::kFloat64).requires_grad_();
  Tensor b3 = tg::ones({5, 2, 3}, tg::kFloat64).requires_grad_();
  Tensor cond = x.detach() > 0.3;
  const std::vector<NameCase> cases = {
      {"AddBackward0", [](auto& x, auto& y, auto&) { return x + y; }},
      {"AddBackward0", [](auto& x, auto&, auto&) { return x + 2; }},
      {"AddBackward0", [](auto& x, auto&, auto&) { return 2 + x; }},
      {"AddBackward0", [](auto& x, auto& y, auto&) { return x.add(y, 2); }},
      {"SubBackward0", [](auto& x, auto& y, auto&) { return x - y; }},
      {"SubBackward0", [](auto& x, auto&, auto&) { return x - 2; }},
      {"RsubBackward1", [](auto& x, auto&, auto&) { return 2 - x; }},
      {"MulBackward0", [](auto& x, auto& y, auto&) { return x * y; }},
      {"MulBackward0", [](auto& x, auto&, auto&) { return x * 2; }},
      {"MulBackward0", [](auto& x, auto&, auto&) { return 2 * x; }},
      {"MulBackward0", [](auto& x, auto&, auto&) { return 2 / x; }},
      {"DivBackward0", [](auto& x, auto& y, auto&) { return x / y; }},
      {"DivBackward0", [](auto& x, auto&, auto&) { return x / 2; }},
      {"NegBackward0", [](auto& x, auto&, auto&) { return -x; }},
      {"PowBackward0", [](auto& x, auto&, auto&) { return x.pow(2); }},
      {"PowBackward0", [](auto& x, auto&, auto&) { return x.square(); }},
      {"PowBackward0", [](auto& x, auto&, auto&) { return tg::pow(x, 2.5); }},
      {"PowBackward1", [](auto& x, auto& y, auto&) { return x.pow(y); }},
      {"PowBackward2", [](auto& x, auto&, auto&) { return tg::pow(2, x); }},
      {"SqrtBackward0", [](auto& x, auto&, auto&) { return x.sqrt(); }},
      {"RsqrtBackward0", [](auto& x, auto&, auto&) { return x.rsqrt(); }},
      {"ExpBackward0", [](auto& x, auto&, auto&) { return x.exp(); }},
      {"LogBackward0", [](auto& x, auto&, auto&) { return x.log(); }},
      {"Log1PBackward0", [](auto& x, auto&, auto&) { return x.log1p(); }},
      {"SinBackward0", [](auto& x, auto&, auto&) { return tg::sin(x); }},
      {"CosBackward0", [](auto& x, auto&, auto&) { return x.cos(); }},
      {"TanBackward0", [](auto& x, auto&, auto&) { return x.tan(); }},
      {"TanhBackward0", [](auto& x, auto&, auto&) { return x.tanh(); }},
      {"SigmoidBackward0", [](auto& x, auto&, auto&) { return x.sigmoid(); }},
      {"ReluBackward0", [](auto& x, auto&, auto&) { return x.relu(); }},
      {"AbsBackward0", [](auto& x, auto&, auto&) { return x.abs(); }},
      {"ReciprocalBackward0", [](auto& x, auto&, auto&) { return x.reciprocal(); }},
      {"SignBackward0", [](auto& x, auto&, auto&) { return x.sign(); }},
      {"ClampBackward1", [](auto& x, auto&, auto&) { return x.clamp(0.2, 0.8); }},
      {"ClampBackward1", [](auto& x, auto&, auto&) { return x.clamp(0.5); }},
      {"ClampBackward1", [](auto& x, auto&, auto&) { return x.clamp(std::nullopt, 0.5); }},
      {"ClampMinBackward0", [](auto& x, auto&, auto&) { return x.clamp_min(0.5); }},
      {"ClampMaxBackward0", [](auto& x, auto&, auto&) { return tg::clamp_max(x, 0.5); }},
      {"MaximumBackward0", [](auto& x, auto& y, auto&) { return tg::maximum(x, y); }},
      {"MinimumBackward0", [](auto& x, auto& y, auto&) { return tg::minimum(x, y); }},
      {"SoftmaxBackward0", [](auto& x, auto&, auto&) { return x.softmax(1); }},
      {"LogSoftmaxBackward0", [](auto& x, auto&, auto&) { return tg::log_softmax(x, 1); }},
      {"SumBackward0", [](auto& x, auto&, auto&) { return x.sum(); }},
      {"SumBackward1", [](auto& x, auto&, auto&) { return x.sum({1}); }},
      {"MeanBackward0", [](auto& x, auto&, auto&) { return x.mean(); }},
      {"MeanBackward1", [](auto& x, auto&, auto&) { return x.mean({0}, true); }},
      {"MaxBackward1", [](auto& x, auto&, auto&) { return x.max(); }},
      {"MaxBackward0", [](auto& x, auto&, auto&) { return std::get<0>(x.max(1)); }},
      {"MinBackward1", [](auto& x, auto&, auto&) { return x.min(); }},
      {"MinBackward0", [](auto& x, auto&, auto&) { return std::get<0>(x.min(1)); }},
      {"AmaxBackward0", [](auto& x, auto&, auto&) { return x.amax({1}); }},
      {"AminBackward0", [](auto& x, auto&, auto&) { return x.amin({1}); }},
      {"ProdBackward0", [](auto& x, auto&, auto&) { return x.prod(); }},
      {"ProdBackward1", [](auto& x, auto&, auto&) { return x.prod(1); }},
      {"VarBackward0", [](auto& x, auto&, auto&) { return x.var(); }},
      {"VarBackward0", [](auto& x, auto&, auto&) { return x.var(tg::IntArrayRef{1}); }},
      {"StdBackward0", [](auto& x, auto&, auto&) { return x.std(); }},
      {"StdBackward0", [](auto& x, auto&, auto&) { return x.std(tg::IntArrayRef{1}); }},
      {"NormBackward1", [](auto& x, auto&, auto&) { return x.norm(); }},
      {"NormBackward1", [](auto& x, auto&, auto&) { return x.norm(1); }},
      {"NormBackward1", [](auto& x, auto&, auto&) { return x.norm(2, {1}); }},
      {"DotBackward0", [](auto&, auto&, auto& v) { return tg::matmul(v, v); }},
      {"DotBackward0", [](auto&, auto&, auto& v) { return v.dot(v); }},
      {"MvBackward0", [](auto& x, auto&, auto& v) { return tg::matmul(x, v); }},
      {"TBackward0", [](auto& x, auto&, auto&) { return x.t(); }},
      {"ViewBackward0", [](auto& x, auto&, auto&) { return x.view({6}); }},
      {"ReshapeAliasBackward0", [](auto& x, auto&, auto&) { return x.reshape({3, 2}); }},
      {"ReshapeAliasBackward0", [](auto& x, auto&, auto&) { return x.flatten(); }},
      {"UnsafeViewBackward0", [](auto& x, auto&, auto&) { return x.t().reshape({6}); }},
      {"UnsafeViewBackward0", [](auto& x, auto&, auto&) { return x.t().flatten(); }},
      {"SqueezeBackward0", [](auto& x, auto&, auto&) { return x.unsqueeze(0).squeeze(); }},
      {"SqueezeBackward1", [](auto& x, auto&, auto&) { return x.unsqueeze(0).squeeze(0); }},
      {"UnsqueezeBackward0", [](auto& x, auto&, auto&) { return x.unsqueeze(0); }},
      {"TransposeBackward0", [](auto& x, auto&, auto&) { return x.transpose(0, 1); }},
      {"PermuteBackward0", [](auto& x, auto&, auto&) { return x.permute({1, 0}); }},
      {"ExpandBackward0", [](auto&, auto&, auto& v) { return v.expand({2, 3}); }},
      {"SelectBackward0", [](auto& x, auto&, auto&) { return x.select(0, 1); }},
      {"SelectBackward0", [](auto& x, auto&, auto&) { return x[0]; }},
      {"SliceBackward0", [](auto& x, auto&, auto&) { return x.slice(1, 0, 2); }},
      {"SliceBackward0", [](auto& x, auto&, auto&) { return x.narrow(1, 0, 2); }},
      {"IndexSelectBackward0",
       [](auto& x, auto&, auto&) { return x.index_select(1, tg::tensor({0, 2}, tg::kLong)); }},
      {"CatBackward0", [](auto& x, auto& y, auto&) { return tg::cat({x, y}); }},
      {"StackBackward0", [](auto& x, auto& y, auto&) { return tg::stack({x, y}); }},
      {"SplitBackward0", [](auto& x, auto&, auto&) { return x.chunk(2, 1)[0]; }},
      {"SplitBackward0", [](auto& x, auto&, auto&) { return x.split(2, 1)[1]; }},
      {"CloneBackward0", [](auto& x, auto&, auto&) { return x.t().contiguous(); }},
      {"CloneBackward0", [](auto& x, auto&, auto&) { return x.clone(); }},
      {"ToCopyBackward0", [](auto& x, auto&, auto&) { return x.to(tg::kFloat32); }},
      {"WhereBackward0", [](auto& x, auto& y, auto&) { return tg::where(x.detach() > 0.3, x, y); }},
  };
  for (const auto& c : cases) {
    Tensor out = c.make(x, y, v);
    ASSERT_TRUE(out.grad_fn()) << c.expected;
    EXPECT_EQ(out.grad_fn()->name(), c.expected);
  }
  EXPECT_EQ(tg::matmul(x, m).grad_fn()->name(), "MmBackward0");
  EXPECT_EQ(tg::mm(x, m).grad_fn()->name(), "MmBackward0");
  EXPECT_EQ(tg::bmm(b3, b3.transpose(1, 2)).grad_fn()->name(), "BmmBackward0");
  EXPECT_EQ(tg::addmm(v, x, m.slice(1, 0, 3)).grad_fn()->name(), "AddmmBackward0");
  EXPECT_EQ(tg::matmul(b3, m).grad_fn()->name(), "UnsafeViewBackward0");
  (void)cond;
}

TEST(GradFn, InPlaceOpsOnNonLeaves) {
  Tensor x = leaf({1, 2, 3});
  Tensor z = leaf({4, 5, 6});
  auto name_after = [&](const std::function<void(Tensor&)>& op) {
    Tensor y = x * 1;
    op(y);
    return y.grad_fn()->name();
  };
  EXPECT_EQ(name_after([&](Tensor& y) { y.add_(z); }), "AddBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y += 1; }), "AddBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.sub_(z); }), "SubBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.mul_(2); }), "MulBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.div_(z); }), "DivBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.sqrt_(); }), "SqrtBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.neg_(); }), "NegBackward0");
  EXPECT_EQ(name_after([&](Tensor& y) { y.clamp_(0.5); }), "ClampBackward1");
  EXPECT_EQ(name_after([&](Tensor& y) { y.copy_(z); }), "CopyBackwards");
}

TEST(GradFn, NextFunctionsPointAtInputs) {
  Tensor a = leaf({1, 2});
  Tensor b = leaf({3, 4});
  Tensor c = tg::tensor({5.0, 6.0}, tg::kFloat64);
  Tensor y = a * b;
  const auto& next = y.grad_fn()->next_functions();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].function->name(), "torch::autograd::AccumulateGrad");
  EXPECT_EQ(next[1].function->name(), "torch::autograd::AccumulateGrad");
  // One accumulator per leaf, shared by every use.
  Tensor y2 = a + 1;
  EXPECT_EQ(y2.grad_fn()->next_functions()[0].function, next[0].function);
  // Inputs that do not require grad have no edge.
  Tensor w = (y * c).tanh();
  EXPECT_EQ(w.grad_fn()->name(), "TanhBackward0");
  const auto& mul = w.grad_fn()->next_functions()[0].function;
  EXPECT_EQ(mul->name(), "MulBackward0");
  EXPECT_EQ(mul->next_functions()[0].function, y.grad_fn());
  EXPECT_FALSE(mul->next_functions()[1].is_valid());
}

// ---- backward and accumulation

TEST(Backward, GradientsAccumulateAcrossCalls) {
  Tensor x = leaf({1, 2, 3});
  (x * x).sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::tensor({2.0, 4.0, 6.0}, tg::kFloat64)));
  (x * x).sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::tensor({4.0, 8.0, 12.0}, tg::kFloat64)));
  (x * 3).sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::tensor({7.0, 11.0, 15.0}, tg::kFloat64)));
  EXPECT_FALSE(x.grad().requires_grad());
}

TEST(Backward, ZeroGradInPlace) {
  Tensor x = leaf({1, 2, 3});
  (x * x).sum().backward();
  Tensor g = x.grad();
  const void* p = g.data_ptr();
  x.grad().zero_();
  EXPECT_TRUE(g.equal(tg::zeros({3}, tg::kFloat64)));
  EXPECT_TRUE(x.grad().equal(tg::zeros({3}, tg::kFloat64)));
  // The next backward accumulates into the same buffer.
  (x * 2).sum().backward();
  EXPECT_EQ(x.grad().data_ptr(), p);
  EXPECT_TRUE(g.equal(tg::full({3}, 2.0, tg::kFloat64)));
  // Assigning an undefined tensor clears it; the next backward starts afresh.
  x.mutable_grad() = Tensor();
  EXPECT_FALSE(x.grad().defined());
  (x * 5).sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::full({3}, 5.0, tg::kFloat64)));
}

TEST(Backward, DiamondAndReuseSumContributions) {
  Tensor x = leaf({0.5, -1.0});
  Tensor a = x * x;
  Tensor b = x.sin();
  Tensor y = (a * b + a + x).sum();
  y.backward();
  for (int i = 0; i < 2; ++i) {
    const double v = at(x, i);
    const double expect = 2 * v * std::sin(v) + v * v * std::cos(v) + 2 * v + 1;
    EXPECT_NEAR(at(x.grad(), i), expect, 1e-12);
  }
}

TEST(Backward, NonScalarOutputWithExplicitGradient) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * x;
  y.backward(tg::tensor({1.0, 0.5, -1.0}, tg::kFloat64));
  EXPECT_TRUE(x.grad().equal(tg::tensor({2.0, 2.0, -6.0}, tg::kFloat64)));
}

TEST(Backward, Float32GradientsStayFloat32) {
  Tensor x = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  Tensor y = (x.to(tg::kFloat64) * 3).sum();
  y.backward();
  EXPECT_EQ(x.grad().scalar_type(), tg::kFloat32);
  EXPECT_TRUE(x.grad().equal(tg::tensor({3.0f, 3.0f})));
}

TEST(Backward, InputsRestrictAccumulation) {
  Tensor x = leaf({1, 2});
  Tensor w = leaf({3, 4});
  (x * w).sum().backward({}, std::nullopt, false, std::vector<Tensor>{x});
  EXPECT_TRUE(x.grad().equal(w.detach()));
  EXPECT_FALSE(w.grad().defined());
}

TEST(Backward, RetainGraph) {
  Tensor x = leaf({0.5, 1.5});
  Tensor y = x.exp().sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  EXPECT_TRUE(x.grad().allclose(2 * x.detach().exp()));
  // Without retain_graph the saved values are gone.
  try {
    y.backward();
    FAIL() << "expected a tg::Error";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("second time"));
  }
  EXPECT_TRUE(x.grad().allclose(2 * x.detach().exp()));
}

TEST(Backward, RetainGraphOnSharedSubgraph) {
  Tensor x = leaf({2.0});
  Tensor h = x.tanh();
  Tensor a = h * 3;
  Tensor b = h * h;
  a.sum().backward({}, true);
  b.sum().backward();
  const double t = std::tanh(2.0);
  EXPECT_NEAR(at(x.grad(), 0), (3 + 2 * t) * (1 - t * t), 1e-12);
  EXPECT_THROW(b.sum().backward(), tg::Error);
}

// ---- higher-order gradients

TEST(HigherOrder, ThirdDerivativeOfXToTheFourth) {
  Tensor x = leaf({1.5, -0.5});
  Tensor y = x.pow(4).sum();
  auto g1 = tg::autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true);
  ASSERT_TRUE(g1[0].requires_grad());
  auto g2 = tg::autograd::grad({g1[0].sum()}, {x}, {}, std::nullopt, true);
  auto g3 = tg::autograd::grad({g2[0].sum()}, {x}, {}, std::nullopt, true);
  auto g4 = tg::autograd::grad({g3[0].sum()}, {x});
  for (int i = 0; i < 2; ++i) {
    const double v = at(x, i);
    EXPECT_DOUBLE_EQ(at(g1[0], i), 4 * v * v * v);
    EXPECT_DOUBLE_EQ(at(g2[0], i), 12 * v * v);
    EXPECT_DOUBLE_EQ(at(g3[0], i), 24 * v);
    EXPECT_DOUBLE_EQ(at(g4[0], i), 24);
  }
  // autograd::grad leaves .grad() alone.
  EXPECT_FALSE(x.grad().defined());
}

TEST(HigherOrder, BackwardWithCreateGraph) {
  Tensor x = leaf({0.7});
  Tensor y = x.sin() * x;
  y.backward({}, std::nullopt, /*create_graph=*/true);
  const double v = 0.7;
  EXPECT_NEAR(at(x.grad(), 0), std::cos(v) * v + std::sin(v), 1e-14);
  ASSERT_TRUE(x.grad().requires_grad());
  Tensor g = x.grad();
  x.mutable_grad() = Tensor();
  g.backward();
  EXPECT_NEAR(at(x.grad(), 0), -std::sin(v) * v + 2 * std::cos(v), 1e-14);
}

TEST(HigherOrder, MixedPartials) {
  Tensor a = leaf({1.3});
  Tensor b = leaf({-0.4});
  Tensor f = (a * a * b.exp()).sum();
  auto ga = tg::autograd::grad({f}, {a}, {}, std::nullopt, true)[0];
  auto gab = tg::autograd::grad({ga.sum()}, {b})[0];
  EXPECT_NEAR(at(gab, 0), 2 * 1.3 * std::exp(-0.4), 1e-14);
}

TEST(AutogradGrad, AllowUnused) {
  Tensor x = leaf({1, 2});
  Tensor w = leaf({3, 4});
  Tensor y = (x * 2).sum();
  try {
    tg::autograd::grad({y}, {x, w}, {}, true);
    FAIL() << "expected a tg::Error";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("allow_unused"));
  }
  auto g = tg::autograd::grad({y}, {x, w}, {}, std::nullopt, false, /*allow_unused=*/true);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_TRUE(g[0].equal(tg::full({2}, 2.0, tg::kFloat64)));
  EXPECT_FALSE(g[1].defined());
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(AutogradGrad, GradOutputsAndNonLeafInputs) {
  Tensor x = leaf({1, 2});
  Tensor h = x * 3;
  Tensor y = h * h;
  auto g = tg::autograd::grad({y}, {h, x}, {tg::tensor({1.0, -1.0}, tg::kFloat64)});
  EXPECT_TRUE(g[0].equal(tg::tensor({6.0, -12.0}, tg::kFloat64)));
  EXPECT_TRUE(g[1].equal(tg::tensor({18.0, -36.0}, tg::kFloat64)));
  EXPECT_FALSE(h.grad().defined());
}

TEST(AutogradGrad, InputThatDoesNotRequireGradThrows) {
  Tensor x = leaf({1, 2});
  Tensor c = tg::ones({2}, tg::kFloat64);
  Tensor y = (x * c).sum();
  EXPECT_THROW(tg::autograd::grad({y}, {c}), tg::Error);
}

// ---- grad modes

TEST(GradMode, NoGradGuardRecordsNothing) {
  Tensor x = leaf({1, 2});
  EXPECT_TRUE(tg::is_grad_enabled());
  {
    tg::NoGradGuard guard;
    EXPECT_FALSE(tg::is_grad_enabled());
    Tensor y = x * 2 + x.exp();
    EXPECT_FALSE(y.requires_grad());
    EXPECT_FALSE(y.grad_fn());
    EXPECT_TRUE(y.is_leaf());
    {
      tg::NoGradGuard nested;
      EXPECT_FALSE(tg::is_grad_enabled());
    }
    EXPECT_FALSE(tg::is_grad_enabled());
  }
  EXPECT_TRUE(tg::is_grad_enabled());
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST(GradMode, AutoGradMode) {
  Tensor x = leaf({1, 2});
  {
    tg::AutoGradMode off(false);
    EXPECT_FALSE((x * 2).requires_grad());
    {
      tg::AutoGradMode on(true);
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE((x * 2).requires_grad());
  tg::set_grad_enabled(false);
  EXPECT_FALSE((x * 2).requires_grad());
  tg::set_grad_enabled(true);
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST(GradMode, IsThreadLocal) {
  Tensor x = leaf({1, 2});
  {
    tg::NoGradGuard guard;
    bool other_records = false;
    std::thread t([&] { other_records = tg::is_grad_enabled() && (x * 2).requires_grad(); });
    t.join();
    EXPECT_TRUE(other_records);
    EXPECT_FALSE((x * 2).requires_grad());
  }
  bool other_off = true;
  std::thread t([&] {
    tg::NoGradGuard guard;
    other_off = !(x * 2).requires_grad();
  });
  t.join();
  EXPECT_TRUE(other_off);
  EXPECT_TRUE(tg::is_grad_enabled());
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST(GradMode, BackwardInAnotherThread) {
  Tensor x = leaf({1, 2});
  Tensor y = (x * x).sum();
  std::thread t([&] { y.backward(); });
  t.join();
  EXPECT_TRUE(x.grad().equal(tg::tensor({2.0, 4.0}, tg::kFloat64)));
}

// ---- detach

TEST(Detach, SharesStorageWithoutHistory) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * 2;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(d.data_ptr(), y.data_ptr());
  d.mul_(10);  // visible through y, and bumps the shared version counter
  EXPECT_DOUBLE_EQ(at(y, 1), 40.0);
  EXPECT_EQ(y._version(), d._version());
  Tensor z = (x * d).sum();  // no gradient flows into d
  z.backward();
  EXPECT_TRUE(x.grad().equal(d));
  EXPECT_TRUE(x.data().equal(x.detach()));
}

TEST(Detach, DetachInPlace) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 2;
  y.detach_();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
  EXPECT_FALSE(y.grad_fn());
  Tensor z = x * 3 + y;
  z.sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::full({2}, 3.0, tg::kFloat64)));
}

// ---- retain_grad and hooks

TEST(RetainGrad, NonLeafKeepsItsGradient) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3;
  Tensor h = x * 4;
  y.retain_grad();
  EXPECT_TRUE(y.retains_grad());
  EXPECT_FALSE(h.retains_grad());
  (y * y + h).sum().backward();
  ASSERT_TRUE(y.grad().defined());
  EXPECT_TRUE(y.grad().equal(2 * y.detach()));
  EXPECT_FALSE(h.grad().defined());
  EXPECT_TRUE(x.grad().equal(tg::tensor({22.0, 40.0}, tg::kFloat64)));
  // Accumulates like a leaf's.
  (y * 1).sum().backward();
  EXPECT_TRUE(y.grad().equal(2 * y.detach() + 1));
  // retain_grad on a leaf is a no-op.
  x.retain_grad();
}

TEST(RetainGrad, FollowsInPlaceOps) {
  // As in PyTorch: after y.mul_(3), y.grad() is the gradient w.r.t. y's new value, while a hook
  // registered before the in-place op sees the gradient of the old value.
  Tensor x = leaf({1, 2});
  Tensor y = x * 2;
  y.retain_grad();
  std::vector<double> hook_saw;
  y.register_hook([&](const Tensor& g) {
    for (int i = 0; i < 2; ++i) hook_saw.push_back(at(g, i));
  });
  y.mul_(3);
  (y * y).sum().backward();
  EXPECT_TRUE(y.grad().equal(tg::tensor({12.0, 24.0}, tg::kFloat64))) << y.grad();
  EXPECT_EQ(hook_saw, (std::vector<double>{36, 72}));
  EXPECT_TRUE(x.grad().equal(tg::tensor({72.0, 144.0}, tg::kFloat64)));
  // The same through the other in-place paths.
  for (int k = 0; k < 4; ++k) {
    Tensor z = x * 2;
    z.retain_grad();
    if (k == 0) z.add_(1);
    if (k == 1) z.sqrt_();
    if (k == 2) z.copy_(x * 5);
    if (k == 3) z.div_(x);
    (z * z).sum().backward();
    EXPECT_TRUE(z.grad().allclose(2 * z.detach())) << k << ": " << z.grad();
  }
}

TEST(Hooks, LeafHookReplacesGradient) {
  Tensor x = leaf({1, 2});
  x.register_hook([](const Tensor& g) { return g * 10; });
  (x * x).sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::tensor({20.0, 40.0}, tg::kFloat64)));
}

TEST(Hooks, NonLeafHookChangesWhatFlowsUpstream) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3;
  std::vector<double> seen;
  y.register_hook([&](const Tensor& g) { seen.push_back(g.sum().item<double>()); });
  unsigned h = y.register_hook([](const Tensor& g) { return g * 2; });
  y.sum().backward();
  EXPECT_EQ(seen, std::vector<double>{2.0});
  EXPECT_TRUE(x.grad().equal(tg::full({2}, 6.0, tg::kFloat64)));
  // After remove_hook the gradient flows unchanged.
  Tensor y2 = x * 3;
  unsigned h2 = y2.register_hook([](const Tensor& g) { return g * 100; });
  y2.remove_hook(h2);
  x.mutable_grad() = Tensor();
  y2.sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::full({2}, 3.0, tg::kFloat64)));
  (void)h;
}

TEST(Hooks, VoidHookSeesGradientOfLeaf) {
  Tensor x = leaf({1, 2, 3});
  Tensor seen;
  x.register_hook([&](const Tensor& g) { seen = g.clone(); });
  (x * x).sum().backward();
  ASSERT_TRUE(seen.defined());
  EXPECT_TRUE(seen.equal(tg::tensor({2.0, 4.0, 6.0}, tg::kFloat64)));
  EXPECT_TRUE(x.grad().equal(seen));
}

TEST(Hooks, HookOnTensorThatDoesNotRequireGradThrows) {
  Tensor c = tg::ones({2});
  EXPECT_THROW(c.register_hook([](const Tensor& g) { return g; }), tg::Error);
}

// ---- version counter

TEST(VersionCounter, InPlaceOpsBumpIt) {
  Tensor t = tg::zeros({3});
  EXPECT_EQ(t._version(), 0);
  t.add_(1);
  t.mul_(2);
  t += 1;
  EXPECT_EQ(t._version(), 3);
  Tensor v = t.view({3});
  v.zero_();
  EXPECT_EQ(t._version(), 4);
  EXPECT_EQ(v._version(), 4);
}

TEST(VersionCounter, ModifiedSavedOutputIsDetected) {
  Tensor x = leaf({0.5, 1.0});
  Tensor y = x.tanh();  // TanhBackward0 saves its output
  y.add_(1);
  try {
    y.sum().backward();
    FAIL() << "expected a tg::Error";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("modified by an inplace operation"));
    EXPECT_THAT(e.what(), HasSubstr("TanhBackward0"));
    EXPECT_THAT(e.what(), HasSubstr("is at version 1; expected version 0 instead"));
  }
}

TEST(VersionCounter, ModifiedSavedInputIsDetected) {
  Tensor x = leaf({1, 2});
  Tensor w = leaf({3, 4});
  Tensor a = x * w;  // MulBackward0 saves both inputs
  {
    tg::NoGradGuard guard;
    w.mul_(2);
  }
  try {
    a.sum().backward();
    FAIL() << "expected a tg::Error";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("modified by an inplace operation"));
    EXPECT_THAT(e.what(), HasSubstr("MulBackward0"));
  }
}

TEST(VersionCounter, ModifyingThroughAViewIsDetected) {
  Tensor x = leaf({0.2, 0.4, 0.6});
  Tensor h = x * 1;
  Tensor y = h.exp();  // saves its output, which shares storage with nothing else
  Tensor s = h.sin();  // saves h
  {
    tg::NoGradGuard guard;
    h.detach()[1].fill_(5.0);
  }
  EXPECT_THROW(s.sum().backward(), tg::Error);
  // The exp branch saved its own output, which is unchanged.
  y.sum().backward();
  EXPECT_TRUE(x.grad().allclose(y.detach()));
}

TEST(VersionCounter, UnrelatedInPlaceIsFine) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 2;  // saves nothing about y
  Tensor z = y + 1;  // AddBackward0 saves nothing
  y.mul_(3);         // so changing y is harmless
  z.sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::full({2}, 2.0, tg::kFloat64)));
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
}

TEST(InPlace, OnLeafRequiringGradThrows) {
  Tensor x = leaf({1, 2});
  try {
    x.add_(1);
    FAIL() << "expected a tg::Error";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("leaf Variable that requires grad"));
  }
  EXPECT_THROW(x.mul_(2), tg::Error);
  EXPECT_THROW(x += x, tg::Error);
  EXPECT_THROW(x.zero_(), tg::Error);
  EXPECT_THROW(x[0].fill_(3), tg::Error);  // a view of such a leaf
  EXPECT_TRUE(x.detach().equal(tg::tensor({1.0, 2.0}, tg::kFloat64)));
  EXPECT_EQ(x._version(), 0);
  // Allowed under NoGradGuard (what optimizers do).
  {
    tg::NoGradGuard guard;
    x.sub_(0.5);
  }
  EXPECT_TRUE(x.detach().equal(tg::tensor({0.5, 1.5}, tg::kFloat64)));
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
}

// ---- very deep graphs

TEST(DeepGraph, HundredThousandNodeChain) {
  Tensor x = leaf({1.0});
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0001;
    y.backward();
    EXPECT_NEAR(at(x.grad(), 0), std::pow(1.0001, 100000), 1e-6 * std::pow(1.0001, 100000));
  }  // y and its graph are destroyed here
  x.mutable_grad() = Tensor();
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y + 0.0;
    y.backward();
    EXPECT_EQ(at(x.grad(), 0), 1.0);
  }
}

TEST(DeepGraph, DestroyingAnUnusedChain) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = (i % 2 == 0) ? y * 1.0 : y.tanh();
  y = Tensor();  // releases the whole chain (saved tensors included) without backward
  // Nodes that keep their non-leaf inputs (and so the input's grad_fn) for backward.
  Tensor w = leaf({0.5, 1.0});
  Tensor z = x;
  for (int i = 0; i < 100000; ++i) z = (i % 2 == 0) ? z.sin() : z * w;
  z = Tensor();
  // A chain of views.
  Tensor v = x * 1;
  for (int i = 0; i < 50000; ++i) v = v.unsqueeze(0).squeeze(0);  // 100,000 nodes
  v.sum().backward();
  EXPECT_TRUE(x.grad().equal(tg::ones({2}, tg::kFloat64)));
  v = Tensor();
}

TEST(DeepGraph, RetainedChainAndHigherOrder) {
  Tensor x = leaf({0.5});
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = y + x * 0.0001;
  auto g = tg::autograd::grad({y.sum()}, {x}, {}, std::nullopt, true);
  EXPECT_NEAR(at(g[0], 0), 1 + 20000 * 0.0001, 1e-9);
}

// ---- saved tensors are freed

TEST(SavedTensors, BackwardFreesThem) {
  Tensor x = leaf({0.1, 0.2, 0.3});
  Tensor h = x * 2;  // non-leaf
  const long before = tg::impl_of(h)->storage.use_count();
  Tensor s = h.sin();  // SinBackward0 saves h
  EXPECT_GT(tg::impl_of(h)->storage.use_count(), before);
  s.sum().backward({}, /*retain_graph=*/true);
  EXPECT_GT(tg::impl_of(h)->storage.use_count(), before);
  s.sum().backward();
  EXPECT_EQ(tg::impl_of(h)->storage.use_count(), before);
  // The output saved by exp is freed too.
  Tensor e = h.exp();
  const long saved = tg::impl_of(e)->storage.use_count();
  e.sum().backward();
  EXPECT_LT(tg::impl_of(e)->storage.use_count(), saved);
}

TEST(SavedTensors, LeafUseCountDropsAfterBackward) {
  Tensor x = leaf({1, 2});
  Tensor w = leaf({3, 4});
  const long before = w.use_count();
  Tensor a = x * w;  // saves w (and x)
  const long during = w.use_count();
  EXPECT_GT(during, before);
  a.sum().backward();
  EXPECT_EQ(w.use_count(), during - 1);
}

TEST(SavedTensors, DroppingTheGraphFreesEverything) {
  Tensor x = leaf({1, 2});
  const long before = x.use_count();
  {
    Tensor y = (x * x).exp().sum();
    EXPECT_GT(x.use_count(), before);
  }
  EXPECT_EQ(x.use_count(), before);
}

}  // namespace

namespace {

// tanh's and relu's backward write into the incoming gradient's buffer when only the engine holds
// it. Whoever else holds that gradient (retain_grad, a hook, autograd::grad's result) must see it
// unchanged.
struct ElementwiseBackward {
  const char* name;
  Tensor (*f)(const Tensor&);
  double (*derivative)(double x);
};

const ElementwiseBackward kReusing[] = {
    {"tanh", [](const Tensor& x) { return tg::tanh(x); },
     [](double x) { return 1 - std::tanh(x) * std::tanh(x); }},
    {"relu", [](const Tensor& x) { return tg::relu(x); },
     [](double x) { return x > 0 ? 1.0 : 0.0; }},
};

TEST(GradientBuffers, ReusedWhenOnlyTheEngineHoldsThem) {
  for (const auto& op : kReusing) {
    Tensor x = leaf({-1.5, -0.25, 0.5, 2});
    Tensor z = op.f(x);
    const void* incoming = nullptr;
    // A hook that looks at the gradient without keeping it.
    z.register_hook([&](const Tensor& g) { incoming = g.data_ptr(); });
    (z * 3).sum().backward();
    ASSERT_NE(incoming, nullptr) << op.name;
    // The gradient of x was written where z's gradient was, and became x.grad as it was.
    EXPECT_EQ(x.grad().data_ptr(), incoming) << op.name;
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_NEAR(at(x.grad(), i), 3 * op.derivative(at(x, i)), 1e-12) << op.name << " " << i;
  }
}

TEST(GradientBuffers, LeftAloneWhenSomeoneElseHoldsThem) {
  for (const auto& op : kReusing) {
    // retain_grad keeps z's gradient in z.grad().
    Tensor x = leaf({-1.5, -0.25, 0.5, 2});
    Tensor z = op.f(x);
    z.retain_grad();
    (z * 3).sum().backward();
    EXPECT_TRUE(z.grad().equal(tg::full({4}, 3.0, tg::kFloat64))) << op.name;
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_NEAR(at(x.grad(), i), 3 * op.derivative(at(x, i)), 1e-12) << op.name << " " << i;

    // A hook that keeps the gradient it is shown.
    Tensor x2 = leaf({-1.5, -0.25, 0.5, 2});
    Tensor z2 = op.f(x2);
    Tensor kept;
    z2.register_hook([&](const Tensor& g) { kept = g; });
    (z2 * 3).sum().backward();
    EXPECT_TRUE(kept.equal(tg::full({4}, 3.0, tg::kFloat64))) << op.name;

    // autograd::grad returns the gradient of z as well as the one of x.
    Tensor x3 = leaf({-1.5, -0.25, 0.5, 2});
    Tensor z3 = op.f(x3);
    auto gs = tg::autograd::grad({(z3 * 3).sum()}, {z3, x3});
    EXPECT_TRUE(gs[0].equal(tg::full({4}, 3.0, tg::kFloat64))) << op.name;
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_NEAR(at(gs[1], i), 3 * op.derivative(at(x3, i)), 1e-12) << op.name << " " << i;

    // A gradient passed in by the caller belongs to the caller.
    Tensor x4 = leaf({-1.5, -0.25, 0.5, 2});
    Tensor gz = tg::full({4}, 3.0, tg::kFloat64);
    op.f(x4).backward(gz);
    EXPECT_TRUE(gz.equal(tg::full({4}, 3.0, tg::kFloat64))) << op.name;
  }
}

}  // namespace
