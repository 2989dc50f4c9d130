// Custom autograd functions (Function<T>, AutogradContext, CppNode<T>): libtorch's own examples
// (LinearFunction, MulConstant), saved tensors and values, needs_input_grad, mark_dirty,
// mark_non_differentiable, set_materialize_grads, higher-order gradients, and the errors, whose
// wording is libtorch 1.13's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <optional>
#include <string>
#include <vector>

#include "error_of.h"
#include "ops/gradcheck.h"

using tg::Tensor;
using tg::autograd::AutogradContext;
using tg::autograd::Function;
using tg::autograd::tensor_list;
using tg::autograd::variable_list;

// Outside the anonymous namespace, so that its node's name is libtorch's tour's exactly.
struct LinearFunction : public Function<LinearFunction> {
  static std::vector<bool> needs;  // what the last backward saw in needs_input_grad
  static Tensor forward(AutogradContext* ctx, Tensor input, Tensor weight, Tensor bias = Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];
    auto grad_output = grad_outputs[0];
    needs.clear();
    for (size_t i = 0; i < saved.size(); ++i)
      needs.push_back(bias.defined() || i < 2 ? ctx->needs_input_grad(i) : false);
    Tensor grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) grad_input = grad_output.mm(weight);
    if (ctx->needs_input_grad(1)) grad_weight = grad_output.t().mm(input);
    if (bias.defined() && ctx->needs_input_grad(2)) grad_bias = grad_output.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};
std::vector<bool> LinearFunction::needs;

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Tensor randn64(tg::IntArrayRef sizes, bool requires_grad = true) {
  return tg::randn(sizes, tg::dtype(tg::kFloat64).requires_grad(requires_grad));
}

using tg_test::error_of;

struct MulConstant : public Function<MulConstant> {
  static Tensor forward(AutogradContext* ctx, Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), Tensor()};
  }
};

TEST(CustomFunction, LinearFunctionMatchesBuiltInOps) {
  tg::manual_seed(0);
  Tensor x = randn64({2, 3}), w = randn64({4, 3}), b = randn64({4});
  Tensor y = LinearFunction::apply(x, w, b);
  EXPECT_EQ(y.grad_fn()->name(), "torch::autograd::CppNode<LinearFunction>");
  Tensor gy = randn64({2, 4}, false);
  y.backward(gy);
  EXPECT_EQ(LinearFunction::needs, (std::vector<bool>{true, true, true}));

  Tensor x2 = x.detach().requires_grad_(), w2 = w.detach().requires_grad_(),
         b2 = b.detach().requires_grad_();
  Tensor y2 = tg::addmm(b2, x2, w2.t());
  EXPECT_TRUE(tg::allclose(y, y2));
  y2.backward(gy);
  EXPECT_TRUE(tg::allclose(x.grad(), x2.grad()));
  EXPECT_TRUE(tg::allclose(w.grad(), w2.grad()));
  EXPECT_TRUE(tg::allclose(b.grad(), b2.grad()));
}

TEST(CustomFunction, LinearFunctionWithoutBias) {
  tg::manual_seed(1);
  Tensor x = randn64({2, 3}), w = randn64({4, 3});
  LinearFunction::apply(x, w).sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::ones({2, 4}, tg::kFloat64).mm(w.detach())));
  EXPECT_TRUE(tg::allclose(w.grad(), tg::ones({4, 2}, tg::kFloat64).mm(x.detach())));
  EXPECT_EQ(LinearFunction::needs, (std::vector<bool>{true, true, false}));
}

TEST(CustomFunction, NeedsInputGradFollowsThePass) {
  tg::manual_seed(2);
  Tensor x = randn64({2, 3}), w = randn64({4, 3});
  // autograd::grad for w only: the pass does not need x's gradient (libtorch: needs 01).
  auto g = tg::autograd::grad({LinearFunction::apply(x, w).sum()}, {w});
  EXPECT_EQ(LinearFunction::needs, (std::vector<bool>{false, true, false}));
  EXPECT_TRUE(tg::allclose(g[0], tg::ones({4, 2}, tg::kFloat64).mm(x.detach())));
  // An input that does not require grad has no edge at all.
  Tensor c = randn64({2, 3}, false);
  LinearFunction::apply(c, w).sum().backward();
  EXPECT_EQ(LinearFunction::needs, (std::vector<bool>{false, true, false}));
  // libtorch's bounds check: the node has one edge per tensor argument.
  Tensor y = LinearFunction::apply(x, w);
  EXPECT_EQ(error_of([&] { y.grad_fn()->task_should_compute_output(3); }), "Index out of range");
}

TEST(CustomFunction, MulConstantWithSavedDouble) {
  Tensor x = randn64({3});
  Tensor y = MulConstant::apply(x, 5.5);
  EXPECT_EQ(y.grad_fn()->name(), "torch::autograd::CppNode<(anonymous namespace)::MulConstant>");
  EXPECT_EQ(y.grad_fn()->num_inputs(), 1u);  // the double is not an input of the node
  EXPECT_TRUE(tg::allclose(y, x.detach() * 5.5));
  y.sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({3}, 5.5, tg::kFloat64)));
}

// Every kind of saved value, read back in backward with the matching accessor.
struct SavedValues : public Function<SavedValues> {
  static Tensor forward(AutogradContext* ctx, Tensor x, int n, int64_t m, bool flag,
                        std::string label, std::vector<Tensor> extra) {
    ctx->saved_data["n"] = n;
    ctx->saved_data["m"] = m;
    ctx->saved_data["flag"] = flag;
    ctx->saved_data["label"] = label;
    ctx->saved_data["extra"] = extra;
    ctx->saved_data["sizes"] = std::vector<int64_t>{2, 3};
    ctx->saved_data["weights"] = std::vector<double>{0.5, 0.25};
    ctx->saved_data["mask"] = std::vector<bool>{true, false};
    ctx->saved_data["t"] = x * 2;
    return x * static_cast<double>(n + m);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    auto& d = ctx->saved_data;
    EXPECT_TRUE(d["n"].isInt());
    EXPECT_EQ(d["n"].toInt(), 2);
    EXPECT_EQ(d["m"].toInt(), 3);
    EXPECT_TRUE(d["flag"].isBool() && d["flag"].toBool());
    EXPECT_EQ(d["label"].toStringRef(), "scale");
    EXPECT_TRUE(d["extra"].isTensorList());
    EXPECT_EQ(d["extra"].toTensorList().size(), 2u);
    EXPECT_EQ(d["extra"].toTensorVector()[1].item<double>(), 7.0);
    EXPECT_EQ(d["sizes"].toIntVector(), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(d["weights"].toDoubleVector(), (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(d["mask"].toBoolList(), (std::vector<bool>{true, false}));
    EXPECT_TRUE(d["t"].isTensor());
    EXPECT_FALSE(d["t"].toTensor().requires_grad());  // made under forward's no-grad
    const double k = static_cast<double>(d["n"].toInt() + d["m"].toInt());
    return {g[0] * k, Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
  }
};

TEST(CustomFunction, NonTensorArgumentsAndSavedData) {
  Tensor x = randn64({3});
  std::vector<Tensor> extra{tg::zeros({1}), tg::full({1}, 7.0)};
  Tensor y = SavedValues::apply(x, 2, int64_t{3}, true, std::string("scale"), extra);
  // A std::vector<Tensor> is passed through as a value, as in libtorch: one input only.
  EXPECT_EQ(y.grad_fn()->num_inputs(), 1u);
  y.sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({3}, 5.0, tg::kFloat64)));
}

TEST(CustomFunction, IValueAccessorsAndErrors) {
  tg::IValue d(3.0), i(3), b(true), s("hi"), none;
  EXPECT_TRUE(d.isDouble() && i.isInt() && b.isBool() && s.isString() && none.isNone());
  EXPECT_TRUE(d.isScalar() && !s.isScalar());
  EXPECT_EQ(tg::IValue(tg::Scalar(2.5)).toDouble(), 2.5);
  EXPECT_EQ(tg::IValue(tg::Scalar(int64_t{4})).toInt(), 4);
  EXPECT_EQ(i.toScalar().to<int64_t>(), 3);
  // libtorch 1.13's names (every list is a GenericList) and printing.
  EXPECT_EQ(s.tagKind(), "String");
  EXPECT_EQ(i.tagKind(), "Int");
  EXPECT_EQ(tg::IValue(tg::zeros({1})).tagKind(), "Tensor");
  EXPECT_EQ(tg::IValue(std::vector<int64_t>{1}).tagKind(), "GenericList");
  EXPECT_EQ(none.tagKind(), "None");
  std::ostringstream os;
  os << i << " " << d << " " << s << " " << b;
  EXPECT_EQ(os.str(), "3 3. hi True");
  EXPECT_EQ(error_of([&] { i.toTensor(); }), "Expected Tensor but got Int");
  EXPECT_EQ(error_of([&] { i.toStringRef(); }), "Expected String but got Int");
  EXPECT_EQ(error_of([&] { i.toTensorList(); }), "Expected TensorList but got Int");
  EXPECT_EQ(error_of([&] { d.toInt(); }), "Expected Int but got Double");
  EXPECT_EQ(error_of([&] { tg::IValue(std::vector<double>{1}).toBool(); }),
            "Expected Bool but got GenericList");
}

// d/dx x^3 written with differentiable ops, so that its gradient has a gradient too.
struct Cube : public Function<Cube> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return x * x * x;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    Tensor x = ctx->get_saved_variables()[0];
    return {g[0] * 3 * x * x};
  }
};

// Saves its own output: backward reads y, which is reattached to this node when unpacked.
struct Exp : public Function<Exp> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    Tensor y = x.exp();
    ctx->save_for_backward({y});
    return y;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    return {g[0] * ctx->get_saved_variables()[0]};
  }
};

// Two inputs, broadcasting: a * b with b of shape [3] against a of shape [2, 3].
struct Mul : public Function<Mul> {
  static Tensor forward(AutogradContext* ctx, Tensor a, Tensor b) {
    ctx->save_for_backward({a, b});
    return a * b;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    auto s = ctx->get_saved_variables();
    // Returning the unreduced [2, 3] gradient for b: the engine sums it to b's shape.
    return {g[0] * s[1], g[0] * s[0]};
  }
};

TEST(CustomFunction, GradcheckAndGradgradcheck) {
  tgtest::Rng rng(7);
  auto cube = [](const std::vector<Tensor>& in) { return Cube::apply(in[0]); };
  auto exp = [](const std::vector<Tensor>& in) { return Exp::apply(in[0]); };
  auto mul = [](const std::vector<Tensor>& in) { return Mul::apply(in[0], in[1]); };
  Tensor x = tgtest::uniform({2, 3}, -1.5, 1.5, rng).requires_grad_();
  Tensor xt = tgtest::uniform({3, 2}, -1.5, 1.5, rng).t().requires_grad_();  // non-contiguous
  Tensor b = tgtest::uniform({3}, -1.5, 1.5, rng).requires_grad_();
  EXPECT_TRUE(tgtest::gradcheck(cube, {x}));
  EXPECT_TRUE(tgtest::gradgradcheck(cube, {x}));
  EXPECT_TRUE(tgtest::gradcheck(cube, {xt}));
  EXPECT_TRUE(tgtest::gradcheck(exp, {x}));
  EXPECT_TRUE(tgtest::gradgradcheck(exp, {xt}));
  EXPECT_TRUE(tgtest::gradcheck(mul, {x, b}));
  EXPECT_TRUE(tgtest::gradgradcheck(mul, {xt, b}));
}

TEST(CustomFunction, ThirdDerivativeThroughCreateGraph) {
  Tensor x = tg::tensor({2.0}, tg::dtype(tg::kFloat64).requires_grad(true));
  Tensor y = Cube::apply(x);
  auto g1 = tg::autograd::grad({y}, {x}, {}, std::nullopt, true);
  auto g2 = tg::autograd::grad({g1[0]}, {x}, {}, std::nullopt, true);
  auto g3 = tg::autograd::grad({g2[0]}, {x});
  EXPECT_DOUBLE_EQ(g1[0].item<double>(), 12.0);
  EXPECT_DOUBLE_EQ(g2[0].item<double>(), 12.0);
  EXPECT_DOUBLE_EQ(g3[0].item<double>(), 6.0);
}

namespace ns {
// Two outputs; with materialize_grads off, an output without gradient gives backward an
// undefined tensor.
struct Split2 : public Function<Split2> {
  static bool materialize;
  static std::vector<bool> seen_defined;
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    ctx->set_materialize_grads(materialize);
    return {x * 2, x * 3};
  }
  static tensor_list backward(AutogradContext*, tensor_list g) {
    seen_defined = {g[0].defined(), g[1].defined()};
    Tensor r = tg::zeros({3}, tg::kFloat64);
    if (g[0].defined()) r = r + g[0] * 2;
    if (g[1].defined()) r = r + g[1] * 3;
    return {r};
  }
};
bool Split2::materialize = true;
std::vector<bool> Split2::seen_defined;
}  // namespace ns

TEST(CustomFunction, MultipleOutputsAndMaterializeGrads) {
  Tensor x = randn64({3});
  auto outs = ns::Split2::apply(x);
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1].grad_fn()->name(),
            "torch::autograd::CppNode<(anonymous namespace)::ns::Split2>");
  EXPECT_EQ(outs[0].output_nr(), 0u);
  EXPECT_EQ(outs[1].output_nr(), 1u);
  EXPECT_EQ(outs[0].grad_fn(), outs[1].grad_fn());
  // Only output 1 is used: the default hands backward zeros for output 0.
  outs[1].sum().backward();
  EXPECT_EQ(ns::Split2::seen_defined, (std::vector<bool>{true, true}));
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({3}, 3.0, tg::kFloat64)));

  ns::Split2::materialize = false;
  Tensor x2 = randn64({3});
  auto outs2 = ns::Split2::apply(x2);
  outs2[1].sum().backward();
  ns::Split2::materialize = true;
  EXPECT_EQ(ns::Split2::seen_defined, (std::vector<bool>{false, true}));
  EXPECT_TRUE(tg::allclose(x2.grad(), tg::full({3}, 3.0, tg::kFloat64)));
}

// In place: doubles its input and says so with mark_dirty.
struct MulTwoInPlace : public Function<MulTwoInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
};

TEST(CustomFunction, MarkDirtyRebasesTheInput) {
  Tensor leaf = tg::tensor({1.0, 2.0, 3.0}, tg::dtype(tg::kFloat64).requires_grad(true));
  Tensor a = leaf * 1;
  const int64_t version = a._version();
  Tensor y = MulTwoInPlace::apply(a);
  EXPECT_TRUE(y.is_same(a));             // the input itself, modified, as in libtorch
  EXPECT_EQ(a._version(), version + 2);  // the op's write and mark_dirty's bump
  EXPECT_EQ(a.grad_fn()->name(), "torch::autograd::CppNode<(anonymous namespace)::MulTwoInPlace>");
  EXPECT_EQ(a[2].item<double>(), 6.0);
  (a * a).sum().backward();
  // d/dleaf (2 leaf)^2 = 8 leaf
  EXPECT_TRUE(tg::allclose(leaf.grad(), leaf.detach() * 8));
}

// The example of libtorch's Function documentation: a non-tensor argument first, an in-place
// change, and a variable_list result.
struct MyFunction : public Function<MyFunction> {
  static variable_list forward(AutogradContext* ctx, int n, tg::autograd::Variable var) {
    ctx->saved_data["n"] = n;
    var.mul_(2);
    ctx->mark_dirty({var});
    return {var};
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    auto n = ctx->saved_data["n"].toInt();
    return {Tensor(), grad_output[0] * n};
  }
};

TEST(CustomFunction, LibtorchDocumentationExample) {
  Tensor x = randn64({3});
  Tensor v = x * 1;
  auto y = MyFunction::apply(6, v);
  EXPECT_TRUE(y[0].is_same(v));
  EXPECT_TRUE(tg::allclose(v, x.detach() * 2));
  EXPECT_EQ(y[0].grad_fn()->num_inputs(), 1u);  // only the tensor
  y[0].sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({3}, 6.0, tg::kFloat64)));
}

TEST(CustomFunction, MarkDirtyErrors) {
  Tensor leaf = randn64({3});
  EXPECT_EQ(error_of([&] { MulTwoInPlace::apply(leaf); }),
            "a leaf Variable that requires grad has been used in an in-place operation.");
  struct DirtyNotReturned : public Function<DirtyNotReturned> {
    static Tensor forward(AutogradContext* ctx, Tensor x) {
      x.mul_(2);
      ctx->mark_dirty({x});
      return x * 1;
    }
    static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
  };
  Tensor a = leaf * 1;
  EXPECT_EQ(error_of([&] { DirtyNotReturned::apply(a); }),
            "Some elements marked as dirty during the forward method were not returned as output. "
            "The inputs that are modified inplace must all be outputs of the Function.");
}

// Values and their order as outputs; the order (an index) gets no gradient.
struct SortedWithOrder : public Function<SortedWithOrder> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    Tensor order = tg::argmax(x, 0, true).to(tg::kFloat64);
    Tensor values = x * 1;
    ctx->mark_non_differentiable({order});
    return {values, order};
  }
  static tensor_list backward(AutogradContext*, tensor_list g) {
    EXPECT_FALSE(g[1].defined() && g[1].abs().sum().item<double>() != 0);
    return {g[0]};
  }
};

TEST(CustomFunction, MarkNonDifferentiable) {
  Tensor x = randn64({4});
  auto outs = SortedWithOrder::apply(x);
  EXPECT_TRUE(outs[0].requires_grad());
  EXPECT_FALSE(outs[1].requires_grad());
  EXPECT_EQ(outs[1].grad_fn(), nullptr);
  outs[0].sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::ones({4}, tg::kFloat64)));
}

struct Identity : public Function<Identity> {
  static Tensor forward(AutogradContext*, Tensor x) { return x; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0]}; }
};

TEST(CustomFunction, InputReturnedAsIsBecomesANewTensor) {
  Tensor x = randn64({2});
  Tensor y = Identity::apply(x);
  EXPECT_FALSE(y.is_same(x));
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
  EXPECT_TRUE(x.is_leaf());  // the input keeps its own history
  EXPECT_EQ(y.grad_fn()->name(), "torch::autograd::CppNode<(anonymous namespace)::Identity>");
  (y * 3).sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({2}, 3.0, tg::kFloat64)));
}

TEST(CustomFunction, NoGraphWithoutGradMode) {
  Tensor x = randn64({2});
  tg::NoGradGuard no_grad;
  Tensor y = Cube::apply(x);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  Tensor c = randn64({2}, false);
  tg::AutoGradMode on(true);
  EXPECT_FALSE(Cube::apply(c).requires_grad());
}

TEST(CustomFunction, OptionalTensorArgument) {
  struct AddMaybe : public Function<AddMaybe> {
    static Tensor forward(AutogradContext*, Tensor x, std::optional<Tensor> y) {
      return y ? x + *y : x * 1;
    }
    static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
  };
  Tensor x = randn64({2}), y = randn64({2});
  Tensor z = AddMaybe::apply(x, std::optional<Tensor>(y));
  EXPECT_EQ(z.grad_fn()->num_inputs(), 2u);
  z.sum().backward();
  EXPECT_TRUE(tg::allclose(y.grad(), tg::ones({2}, tg::kFloat64)));
  // An absent optional is not an input, so backward's second gradient must be undefined.
  Tensor w = AddMaybe::apply(x, std::optional<Tensor>());
  EXPECT_EQ(w.grad_fn()->num_inputs(), 1u);
  EXPECT_THAT(error_of([&] { w.sum().backward(); }),
              HasSubstr("returned a gradient different that is defined at position 2, but the "
                        "corresponding forward input was not a Variable"));
}

struct TooManyGrads : public Function<TooManyGrads> {
  static Tensor forward(AutogradContext*, Tensor t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
struct GradForInt : public Function<GradForInt> {
  static Tensor forward(AutogradContext*, Tensor t, int64_t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
struct ExtraUndefined : public Function<ExtraUndefined> {
  static Tensor forward(AutogradContext*, Tensor t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2, Tensor()}; }
};

TEST(CustomFunction, GradientCountErrors) {
  Tensor x = randn64({2, 3});
  EXPECT_EQ(error_of([&] { TooManyGrads::apply(x).sum().backward(); }),
            "function torch::autograd::CppNode<(anonymous namespace)::TooManyGrads> returned an "
            "incorrect number of gradients (expected 1, got 2)");
  EXPECT_EQ(error_of([&] { GradForInt::apply(x, 3).sum().backward(); }),
            "function torch::autograd::CppNode<(anonymous namespace)::GradForInt> returned a "
            "gradient different that is defined at position 2, but the corresponding forward "
            "input was not a Variable");
  // Extra undefined gradients are dropped.
  ExtraUndefined::apply(x).sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), tg::full({2, 3}, 2.0, tg::kFloat64)));
}

struct Saver : public Function<Saver> {
  static Tensor forward(AutogradContext* ctx, Tensor t) {
    ctx->save_for_backward({t});
    return t * 2;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list g) {
    return {g[0] * ctx->get_saved_variables()[0]};
  }
};

TEST(CustomFunction, SavedTensorsAreVersionChecked) {
  Tensor x = randn64({2, 3});
  Tensor a = x * 1;
  Tensor s = Saver::apply(a);
  a.mul_(2);
  // The same check and wording as a built-in op's saved tensors.
  const std::string err = error_of([&] { s.sum().backward(); });
  EXPECT_THAT(err, StartsWith("one of the variables needed for gradient computation has been "
                              "modified by an inplace operation: [torch.float64 [2, 3]], which is "
                              "input of torch::autograd::CppNode<(anonymous namespace)::Saver>, "
                              "is at version 1; expected version 0 instead."));
  Tensor e = Exp::apply(x);
  e.mul_(2);
  EXPECT_THAT(error_of([&] { e.sum().backward(); }),
              HasSubstr("which is output of torch::autograd::CppNode<(anonymous namespace)::Exp>"));
}

TEST(CustomFunction, SavedTensorsAreFreedAfterBackward) {
  Tensor x = randn64({2});
  Tensor s = Saver::apply(x);
  s.sum().backward(Tensor(), true);  // retain_graph: a second pass works
  s.sum().backward();
  EXPECT_TRUE(tg::allclose(x.grad(), x.detach() * 2));  // x from each of the two passes
  EXPECT_THAT(error_of([&] { s.sum().backward(); }),
              StartsWith("Trying to backward through the graph a second time"));
}

}  // namespace
