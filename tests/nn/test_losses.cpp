// Losses against PyTorch (tests/fixtures/nn/losses.json, made by scripts/make_nn_fixtures.py):
// values, node names and the gradients of input and target for every reduction.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include <tensorgrad/tensorgrad.h>

namespace F = tg::nn::functional;
using json = nlohmann::json;

namespace {

json load(const std::string& name) {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/" + name);
  EXPECT_TRUE(f.good()) << name;
  return json::parse(f);
}

tg::Tensor from(const json& values, std::vector<int64_t> shape, tg::ScalarType dt) {
  std::vector<double> v = values.get<std::vector<double>>();
  return tg::tensor(v, tg::kFloat64).to(dt).reshape(shape);
}

tg::Reduction reduction_of(const std::string& r) {
  return r == "mean" ? tg::kMean : r == "sum" ? tg::kSum : tg::kNone;
}

void expect_close(const tg::Tensor& got, const json& want, const std::string& what) {
  std::vector<double> w = want.get<std::vector<double>>();
  tg::Tensor g = got.to(tg::kFloat64).contiguous().reshape({-1});
  ASSERT_EQ(g.numel(), static_cast<int64_t>(w.size())) << what;
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(g.data_ptr<double>()[i], w[i], 1e-12 + 1e-10 * std::abs(w[i])) << what << " at " << i;
}

}  // namespace

TEST(Losses, MatchPyTorch) {
  json fx = load("losses.json");
  tg::Tensor weight = tg::tensor(fx["weight"].get<std::vector<double>>(), tg::kFloat64);
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    const std::string name = c["name"];
    const std::string what = name + "/" + c["reduction"].get<std::string>();
    std::vector<int64_t> shape = c["shape"];
    tg::Tensor input = from(c["input"], shape, tg::kFloat64).requires_grad_();
    const bool is_long = c["target_is_long"];
    tg::Tensor target = is_long ? tg::tensor(c["target"].get<std::vector<int64_t>>(), tg::kLong)
                                : from(c["target"], shape, tg::kFloat64).requires_grad_();
    const tg::Reduction r = reduction_of(c["reduction"]);
    tg::Tensor out;
    if (name == "mse_loss") out = F::mse_loss(input, target, r);
    else if (name == "l1_loss") out = F::l1_loss(input, target, r);
    else if (name == "binary_cross_entropy") out = F::binary_cross_entropy(input, target, r);
    else if (name == "binary_cross_entropy_weight")
      out = F::binary_cross_entropy(input, target, tg::nn::BCELossOptions(r).weight(weight));
    else if (name == "binary_cross_entropy_with_logits") out = F::binary_cross_entropy_with_logits(input, target, r);
    else if (name == "binary_cross_entropy_with_logits_pos_weight")
      out = F::binary_cross_entropy_with_logits(input, target, tg::nn::BCEWithLogitsLossOptions(r).pos_weight(weight));
    else if (name == "cross_entropy") out = F::cross_entropy(input, target, r);
    else if (name == "cross_entropy_weight")
      out = F::cross_entropy(input, target, tg::nn::CrossEntropyLossOptions(r).weight(weight));
    else if (name == "cross_entropy_ignore")
      out = F::cross_entropy(input, target, tg::nn::CrossEntropyLossOptions(r).ignore_index(2));
    else if (name == "nll_loss") out = F::nll_loss(input, target, r);
    else FAIL() << "unknown case " << name;
    EXPECT_EQ(out.sizes().vec(), c["out_shape"].get<std::vector<int64_t>>()) << what;
    expect_close(out, c["output"], what + " value");
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>()) << what;
    tg::Tensor up = from(c["upstream"], out.sizes().vec(), tg::kFloat64);
    out.backward(up);
    expect_close(input.grad(), c["grad_input"], what + " grad input");
    if (!c["grad_target"].is_null()) expect_close(target.grad(), c["grad_target"], what + " grad target");
    ++checked;
  }
  EXPECT_EQ(checked, 30);
}

TEST(Losses, ModulesForwardToFunctional) {
  auto x = tg::tensor({0.2, 0.7, 0.4}, tg::kFloat64);
  auto y = tg::tensor({0.0, 1.0, 1.0}, tg::kFloat64);
  EXPECT_TRUE(tg::nn::MSELoss()(x, y).equal(F::mse_loss(x, y)));
  EXPECT_TRUE(tg::nn::MSELoss(tg::nn::MSELossOptions(tg::kSum))(x, y).equal(F::mse_loss(x, y, tg::kSum)));
  EXPECT_TRUE(tg::nn::L1Loss()(x, y).equal(F::l1_loss(x, y)));
  EXPECT_TRUE(tg::nn::BCELoss()(x, y).equal(F::binary_cross_entropy(x, y)));
  EXPECT_TRUE(tg::nn::BCEWithLogitsLoss()(x, y).equal(F::binary_cross_entropy_with_logits(x, y)));
  auto logits = tg::tensor({{1.0, 2.0, 0.5}, {0.1, 0.2, 3.0}}, tg::kFloat64);
  auto cls = tg::tensor({1, 2});
  EXPECT_TRUE(tg::nn::CrossEntropyLoss()(logits, cls).equal(F::cross_entropy(logits, cls)));
  EXPECT_TRUE(tg::nn::NLLLoss()(logits, cls).equal(F::nll_loss(logits, cls)));
}

TEST(Losses, BadInput) {
  auto x = tg::ones({2, 3});
  EXPECT_THROW(F::mse_loss(x, tg::ones({4})), tg::Error);
  EXPECT_THROW(F::cross_entropy(x, tg::tensor({0.5, 1.0})), tg::Error);  // float targets
  EXPECT_THROW(F::cross_entropy(x, tg::tensor({0, 3})), tg::Error);      // class out of range
  EXPECT_THROW(F::cross_entropy(x, tg::tensor({0, 1, 2})), tg::Error);   // batch mismatch
  EXPECT_THROW(F::binary_cross_entropy(x * 2, x), tg::Error);            // input outside [0, 1]
  try {
    F::mse_loss(x, tg::ones({4}));
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
}

TEST(Losses, SecondOrderThroughMse) {
  // d/dx of d(mse)/dx = 2/n: the backward is itself differentiable.
  auto x = tg::tensor({1.0, 2.0, 4.0}, tg::requires_grad().dtype(tg::kFloat64));
  auto y = tg::tensor({0.0, 0.0, 0.0}, tg::kFloat64);
  auto loss = F::mse_loss(x, y);
  auto g = tg::autograd::grad({loss}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  auto gg = tg::autograd::grad({g.sum()}, {x})[0];
  EXPECT_TRUE(tg::allclose(gg, tg::full({3}, 2.0 / 3, tg::kFloat64)));
}
