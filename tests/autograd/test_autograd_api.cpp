// The rest of libtorch's autograd API: autograd::grad/backward errors, hooks and their removal,
// retain_grad, grad mode switches, anomaly detection and inference mode. Expected messages are
// libtorch 1.13's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "error_of.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using tg::Tensor;
using tg::autograd::AutogradContext;
using tg::autograd::Function;
using tg::autograd::tensor_list;

Tensor leaf(std::initializer_list<double> v) {
  return tg::tensor(std::vector<double>(v), tg::dtype(tg::kFloat64).requires_grad(true));
}

using tg_test::error_of;

// ---- autograd::grad and autograd::backward

TEST(AutogradApi, GradAndBackwardErrors) {
  Tensor x = leaf({1, 2, 3});
  Tensor w = leaf({1});
  EXPECT_EQ(error_of([&] { tg::autograd::grad({(x * 2).sum()}, {tg::ones({2})}); }),
            "One of the differentiated Tensors does not require grad");
  EXPECT_EQ(error_of([&] { tg::autograd::grad({(x * 2).sum()}, {w}); }),
            "One of the differentiated Tensors appears to not have been used in the graph. Set "
            "allow_unused=True if this is the desired behavior.");
  EXPECT_THAT(error_of([&] { tg::autograd::grad({x * 2}, {x}); }),
              StartsWith("grad can be implicitly created only for scalar outputs"));
  EXPECT_THAT(error_of([&] { tg::autograd::backward({x * 2}); }),
              StartsWith("grad can be implicitly created only for scalar outputs"));
  EXPECT_EQ(error_of([&] { tg::autograd::backward({tg::ones({2})}); }),
            "element 0 of tensors does not require grad and does not have a grad_fn");
  EXPECT_EQ(error_of([&] {
              tg::autograd::backward({(x * 2).sum(), x.sum()}, {tg::ones({})});
            }),
            "got 2 tensors and 1 gradients");
}

TEST(AutogradApi, DefaultsAndAllowUnused) {
  Tensor x = leaf({1, 2}), w = leaf({3});
  Tensor y = (x * x).sum();
  // retain_graph defaults to create_graph: false, so the graph is freed after this call.
  auto g = tg::autograd::grad({y}, {x, w}, {}, std::nullopt, false, true);
  EXPECT_TRUE(tg::allclose(g[0], x.detach() * 2));
  EXPECT_FALSE(g[1].defined());
  EXPECT_FALSE(x.grad().defined());  // grad() leaves .grad() alone
  EXPECT_THAT(error_of([&] { tg::autograd::grad({y}, {x}); }),
              StartsWith("Trying to backward through the graph a second time"));
  // backward with inputs accumulates into those only.
  Tensor z = (x * w).sum();
  tg::autograd::backward({z}, {}, std::nullopt, false, {w});
  EXPECT_FALSE(x.grad().defined());
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 3.0);
}

// ---- hooks

TEST(Hooks, HandlesArePositionsAndRemovalStopsTheHook) {
  Tensor x = leaf({1, 2});
  unsigned h0 = x.register_hook([](const Tensor& g) { return g * 2; });
  unsigned h1 = x.register_hook([](const Tensor& g) { return g * 10; });
  EXPECT_EQ(h0, 0u);  // libtorch: a hook's position among the tensor's hooks
  EXPECT_EQ(h1, 1u);
  (x * 1).sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({2}, 20.0, tg::kFloat64)));
  x.remove_hook(h0);
  x.remove_hook(h0);  // removing again is fine, as in libtorch
  x.mutable_grad() = Tensor();
  (x * 1).sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({2}, 10.0, tg::kFloat64)));
  EXPECT_EQ(error_of([&] { x.remove_hook(5); }), "Invalid index, no hook at position 5");
  // Each tensor counts its own hooks.
  Tensor y = x * 3;
  EXPECT_EQ(y.register_hook([](const Tensor&) {}), 0u);
}

TEST(Hooks, RemovingANonLeafHook) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3;
  int calls = 0;
  unsigned h = y.register_hook([&](const Tensor& g) {
    ++calls;
    return g * 0;
  });
  y.remove_hook(h);
  y.sum().backward();
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({2}, 3.0, tg::kFloat64)));
  EXPECT_EQ(error_of([] { tg::ones({2}).register_hook([](const Tensor& g) { return g; }); }),
            "cannot register a hook on a variable that doesn't require gradient");
}

TEST(RetainGrad, FlagAndError) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 2;
  EXPECT_FALSE(y.retains_grad());
  y.retain_grad();
  EXPECT_TRUE(y.retains_grad());
  EXPECT_FALSE(x.retains_grad());  // a leaf keeps its gradient anyway
  (y * y).sum().backward();
  EXPECT_TRUE(tg::allclose(y.grad(), y.detach() * 2));
  EXPECT_EQ(error_of([] { tg::ones({2}).retain_grad(); }),
            "can't retain_grad on Tensor that has requires_grad=False");
}

// ---- grad mode

TEST(GradModeApi, SetGradEnabledAndGuards) {
  Tensor x = leaf({1});
  EXPECT_TRUE(tg::GradMode::is_enabled());
  tg::set_grad_enabled(false);
  EXPECT_FALSE(tg::autograd::GradMode::is_enabled());
  EXPECT_FALSE((x * 2).requires_grad());
  tg::set_grad_enabled(true);
  {
    tg::NoGradGuard no_grad;
    EXPECT_FALSE(tg::is_grad_enabled());
    {
      tg::AutoGradMode enable(true);
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE(tg::GradMode::is_enabled());
}

// ---- anomaly detection

TEST(Anomaly, NanInBackwardNamesTheForwardOp) {
  Tensor a = tg::zeros({2}, tg::dtype(tg::kFloat64).requires_grad(true));
  {
    tg::autograd::DetectAnomalyGuard detect;
    EXPECT_TRUE(tg::autograd::AnomalyMode::is_enabled());
    Tensor b = a.sqrt() * 0;
    const std::string err = error_of([&] { b.sum().backward(); });
    EXPECT_THAT(err, StartsWith("Function 'SqrtBackward0' returned nan values in its 0th output."));
    // Where the node was made: the forward call's stack, which passes through Tensor::sqrt.
    EXPECT_THAT(err, HasSubstr("Error detected in SqrtBackward0. Traceback of forward call that "
                               "caused the error:"));
    EXPECT_THAT(err, HasSubstr("sqrt("));
    // 0 / 0: the gradient for the divisor, -g * a / b^2, is the NaN one.
    Tensor c = a / a;
    EXPECT_THAT(error_of([&] { c.sum().backward(); }),
                StartsWith("Function 'DivBackward0' returned nan values in its 1th output."));
  }
  EXPECT_FALSE(tg::autograd::AnomalyMode::is_enabled());
  // Without detection the NaN simply flows into .grad().
  Tensor b = a.sqrt() * 0;
  b.sum().backward();
  EXPECT_TRUE(std::isnan(a.grad()[0].item<double>()));
}

TEST(Anomaly, CheckNanOffAndOtherErrors) {
  Tensor a = tg::zeros({2}, tg::dtype(tg::kFloat64).requires_grad(true));
  tg::autograd::DetectAnomalyGuard detect(false);
  EXPECT_FALSE(tg::autograd::AnomalyMode::should_check_nan());
  Tensor b = a.sqrt() * 0;
  EXPECT_NO_THROW(b.sum().backward());
  // An error inside a backward function is told where that node's forward ran.
  Tensor x = leaf({1, 2});
  Tensor y = x * 1;
  Tensor z = y.exp();
  z.mul_(2);
  const std::string err = error_of([&] { z.sum().backward(); });
  EXPECT_THAT(err, StartsWith("one of the variables needed for gradient computation"));
  EXPECT_THAT(err, HasSubstr("Error detected in ExpBackward0. Traceback of forward call"));
}

struct NanBackward : public Function<NanBackward> {
  static Tensor forward(AutogradContext*, Tensor x) { return x * 1; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * std::nan("")}; }
};

TEST(Anomaly, CustomFunctionAndNodeMadeInBackward) {
  tg::autograd::DetectAnomalyGuard detect;
  Tensor x = leaf({1, 2});
  EXPECT_THAT(error_of([&] { NanBackward::apply(x).sum().backward(); }),
              StartsWith("Function 'torch::autograd::CppNode<(anonymous namespace)::NanBackward>' "
                         "returned nan values "
                         "in its 0th output."));
  // Nodes made by a create_graph backward remember the node whose backward made them.
  Tensor y = x.sqrt();
  auto g = tg::autograd::grad({y.sum()}, {x}, {}, std::nullopt, true);
  ASSERT_NE(g[0].grad_fn(), nullptr);
  const std::string* trace = g[0].grad_fn()->anomaly_trace();
  ASSERT_NE(trace, nullptr);
  EXPECT_THAT(*trace, HasSubstr("Previous calculation was induced by SqrtBackward0."));
}

// ---- inference mode

TEST(InferenceModeTest, TensorsMadeInsideAreInferenceTensors) {
  Tensor x = leaf({1, 2});
  Tensor inf, z, v;
  EXPECT_FALSE(tg::InferenceMode::is_enabled());
  {
    tg::InferenceMode guard;
    EXPECT_TRUE(tg::InferenceMode::is_enabled());
    EXPECT_FALSE(tg::GradMode::is_enabled());
    inf = tg::ones({2}, tg::kFloat64);
    z = x * 2;
    v = x.view({2});
    EXPECT_TRUE(inf.is_inference());
    EXPECT_TRUE(x.sum().is_inference());  // zero-dim results take a shorter allocation path
    EXPECT_TRUE(tg::scalar_tensor(1.5).is_inference());
    inf.add_(1);                                                  // fine inside
    EXPECT_TRUE(tg::ones({1}).requires_grad_().requires_grad());  // fine inside, too
    {
      tg::InferenceMode off(false);
      EXPECT_FALSE(tg::InferenceMode::is_enabled());
      EXPECT_TRUE(tg::GradMode::is_enabled());
      EXPECT_FALSE(tg::ones({1}).is_inference());
    }
    EXPECT_TRUE(tg::InferenceMode::is_enabled());
  }
  EXPECT_FALSE(tg::InferenceMode::is_enabled());
  EXPECT_TRUE(tg::GradMode::is_enabled());
  EXPECT_TRUE(z.is_inference());  // an op's result: inference, no history
  EXPECT_FALSE(z.requires_grad());
  EXPECT_FALSE(v.is_inference());  // a view of a normal tensor stays normal
  EXPECT_FALSE(x.is_inference());
  EXPECT_TRUE(inf.view({2}).is_inference());
  EXPECT_FALSE(inf.clone().is_inference());
  EXPECT_DOUBLE_EQ(inf[0].item<double>(), 2.0);
}

TEST(InferenceModeTest, InferenceTensorsOutsideInferenceMode) {
  Tensor inf;
  {
    tg::InferenceMode guard;
    inf = tg::ones({2}, tg::kFloat64);
  }
  EXPECT_EQ(error_of([&] { inf.add_(1); }),
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.");
  EXPECT_DOUBLE_EQ(inf[0].item<double>(), 1.0);  // refused before writing
  EXPECT_THAT(error_of([&] { inf.fill_(3); }), StartsWith("Inplace update to inference tensor"));
  EXPECT_EQ(error_of([&] { inf.requires_grad_(true); }),
            "Setting requires_grad=True on inference tensor outside InferenceMode is not "
            "allowed.");
  Tensor w = leaf({1, 2});
  // Reading an inference tensor is fine; saving it for backward is not.
  Tensor s = inf + w;
  s.sum().backward();
  EXPECT_TRUE(tg::allclose(w.grad(), tg::ones({2}, tg::kFloat64)));
  EXPECT_EQ(error_of([&] { (inf * w).sum().backward(); }),
            "Inference tensors cannot be saved for backward. To work around you can make a clone "
            "to get a normal tensor and use it in autograd.");
  Tensor c = inf.clone();
  c.add_(1);  // a clone is a normal tensor
  EXPECT_DOUBLE_EQ(c[0].item<double>(), 2.0);
}

TEST(InferenceModeTest, IsThreadLocal) {
  tg::InferenceMode guard;
  bool other = true, other_grad = false;
  std::thread t([&] {
    other = tg::InferenceMode::is_enabled();
    other_grad = tg::GradMode::is_enabled();
  });
  t.join();
  EXPECT_FALSE(other);
  EXPECT_TRUE(other_grad);
}

}  // namespace
