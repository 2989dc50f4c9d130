// Module tree, registration, naming, printing, holders, train/eval, zero_grad, to(dtype).
#include <gtest/gtest.h>

#include <sstream>

#include <tensorgrad/tensorgrad.h>

namespace nn = tg::nn;

namespace {

struct WideNetImpl : nn::Module {
  WideNetImpl() {
    // Braces: list-initialisation evaluates the layers left to right, so they draw their initial
    // weights in PyTorch's order (plain parentheses leave the order to the compiler).
    layers = register_module("layers", nn::Sequential{nn::Linear(1, 512), nn::Tanh(), nn::Linear(512, 1)});
  }
  tg::Tensor forward(const tg::Tensor& x) { return layers->forward(x); }
  nn::Sequential layers{nullptr};
};
TG_MODULE(WideNet);

struct WithBufferImpl : nn::Module {
  WithBufferImpl() {
    w = register_parameter("w", tg::ones({2}));
    running = register_buffer("running", tg::zeros({2}));
    fc = register_module("fc", nn::Linear(nn::LinearOptions(2, 3).bias(false)));
  }
  tg::Tensor w, running;
  nn::Linear fc{nullptr};
};
TG_MODULE(WithBuffer);

std::string str(const nn::Module& m) {
  std::ostringstream ss;
  ss << m;
  return ss.str();
}

}  // namespace

TEST(Module, PrintsLikePython) {
  WideNet net;
  EXPECT_EQ(str(*net),
            "WideNet(\n"
            "  (layers): Sequential(\n"
            "    (0): Linear(in_features=1, out_features=512, bias=True)\n"
            "    (1): Tanh()\n"
            "    (2): Linear(in_features=512, out_features=1, bias=True)\n"
            "  )\n"
            ")");
  EXPECT_EQ(str(*nn::Linear(nn::LinearOptions(3, 4).bias(false))), "Linear(in_features=3, out_features=4, bias=False)");
  EXPECT_EQ(str(*nn::LeakyReLU()), "LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(str(*nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(str(*nn::Dropout(0.25)), "Dropout(p=0.25, inplace=False)");
  EXPECT_EQ(str(*nn::ReLU()), "ReLU()");
  EXPECT_EQ(str(*nn::Sigmoid()), "Sigmoid()");
  EXPECT_EQ(str(*nn::MSELoss()), "MSELoss()");
}

TEST(Module, NamedParametersInOrder) {
  WideNet net;
  auto named = net->named_parameters();
  std::vector<std::string> keys = named.keys();
  EXPECT_EQ(keys, (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"}));
  EXPECT_EQ(named["layers.0.weight"].sizes(), (std::vector<int64_t>{512, 1}));
  EXPECT_EQ(named["layers.2.bias"].sizes(), (std::vector<int64_t>{1}));
  EXPECT_THROW(named["layers.9.weight"], tg::Error);
  EXPECT_EQ(net->parameters().size(), 4u);
  EXPECT_EQ(net->parameters(/*recurse=*/false).size(), 0u);
  for (const auto& p : net->parameters()) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
  }
  // Parameters are shared with the layers, not copies.
  EXPECT_TRUE(named["layers.0.weight"].is_same(net->layers->ptr<nn::LinearImpl>(0)->weight));
}

TEST(Module, BuffersChildrenModules) {
  WithBuffer m;
  EXPECT_EQ(m->named_buffers().keys(), std::vector<std::string>{"running"});
  EXPECT_EQ(m->named_parameters().keys(), (std::vector<std::string>{"w", "fc.weight"}));
  EXPECT_FALSE(m->named_buffers()["running"].requires_grad());
  EXPECT_EQ(m->children().size(), 1u);
  EXPECT_EQ(m->named_modules().keys(), (std::vector<std::string>{"", "fc"}));
  EXPECT_THROW(m->register_parameter("w", tg::ones({1})), tg::Error);
  EXPECT_THROW(m->register_parameter("a.b", tg::ones({1})), tg::Error);
}

TEST(Module, TrainEvalPropagates) {
  WideNet net;
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (auto& m : net->modules()) EXPECT_FALSE(m->is_training());
  net->train();
  for (auto& m : net->modules()) EXPECT_TRUE(m->is_training());
}

TEST(Module, ZeroGradInPlace) {
  WideNet net;
  auto x = tg::linspace(-1, 1, 8).reshape({8, 1});
  net->forward(x).sum().backward();
  tg::Tensor g = net->layers->ptr<nn::LinearImpl>(0)->weight.grad();
  ASSERT_TRUE(g.defined());
  EXPECT_GT(g.abs().sum().item<double>(), 0);
  net->zero_grad();
  EXPECT_EQ(g.abs().sum().item<double>(), 0.0);  // the same tensor, cleared in place
  net->zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(net->layers->ptr<nn::LinearImpl>(0)->weight.grad().defined());
}

TEST(Module, ToDoubleKeepsIdentity) {
  WideNet net;
  tg::Tensor w = net->named_parameters()["layers.0.weight"];
  std::vector<float> before(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  net->to(tg::kFloat64);
  EXPECT_EQ(w.scalar_type(), tg::kFloat64);  // the handle we held sees the conversion
  for (int64_t i = 0; i < w.numel(); ++i) EXPECT_EQ(w.data_ptr<double>()[i], static_cast<double>(before[i]));
  auto y = net->forward(tg::ones({2, 1}, tg::kFloat64));
  EXPECT_EQ(y.scalar_type(), tg::kFloat64);
}

TEST(Module, HolderSemantics) {
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_THROW(empty->forward(tg::ones({1, 1})), tg::Error);
  nn::Linear a(2, 3);
  nn::Linear b = a;  // shares the module
  EXPECT_EQ(a.get(), b.get());
  auto y = a(tg::ones({4, 2}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(y.grad_fn()->name(), "AddmmBackward0");
}

TEST(Sequential, IndexPushBackForward) {
  nn::Sequential seq{nn::Linear(2, 4), nn::ReLU()};
  seq->push_back(nn::Linear(4, 1));
  seq->push_back(nn::Functional(tg::sigmoid));
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq[0]->name(), "Linear");
  EXPECT_EQ(seq[3]->name(), "Functional");
  EXPECT_THROW(seq[7], tg::Error);
  auto y = seq->forward(tg::ones({5, 2}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(y.grad_fn()->name(), "SigmoidBackward0");
  EXPECT_EQ(seq->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
}

TEST(Linear, ForwardMatchesFormula) {
  tg::manual_seed(0);
  nn::Linear l(3, 2);
  auto x = tg::randn({4, 3});
  auto expected = tg::matmul(x, l->weight.t()) + l->bias;
  EXPECT_TRUE(tg::allclose(l(x), expected, 1e-6, 1e-6));
  // 1-d and 3-d inputs go through matmul.
  EXPECT_EQ(l(tg::ones({3})).sizes(), (std::vector<int64_t>{2}));
  EXPECT_EQ(l(tg::ones({5, 4, 3})).sizes(), (std::vector<int64_t>{5, 4, 2}));
  EXPECT_THROW(l(tg::ones({4, 2})), tg::Error);
}

TEST(Linear, DefaultInitBounds) {
  tg::manual_seed(3);
  nn::Linear l(64, 32);
  const double bound = 1.0 / std::sqrt(64.0);
  EXPECT_LE(l->weight.abs().max().item<double>(), bound);
  EXPECT_LE(l->bias.abs().max().item<double>(), bound);
}

TEST(Dropout, TrainAndEval) {
  tg::manual_seed(1);
  nn::Dropout d(0.5);
  auto x = tg::ones({1000});
  auto y = d(x);
  double kept = (y != 0).to(tg::kFloat).sum().item<double>();
  EXPECT_GT(kept, 400);
  EXPECT_LT(kept, 600);
  // Kept values are scaled by 1 / (1 - p).
  EXPECT_TRUE(((y == 0) | (y == 2.0)).all().item<bool>());
  d->eval();
  EXPECT_TRUE(d(x).equal(x));
}
