// Dropout1d/2d/3d, AlphaDropout and FeatureAlphaDropout against PyTorch 1.13
// (tests/fixtures/nn/layers.json, made by scripts/make_layer_fixtures.py): with the same seed the
// masks and scaled outputs equal PyTorch's; gradients, eval mode, in-place forms, reprs, errors.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <map>
#include <sstream>

#include "error_of.h"
#include "nn/layer_fixtures.h"
#include "ops/gradcheck.h"

namespace nn = tg::nn;
namespace F = tg::nn::functional;
using layer_test::close;
using layer_test::from;
using layer_test::json;
using layer_test::section;
using tg::Tensor;
using tg_test::error_of;

namespace {

Tensor call(const std::string& fn, const Tensor& x, double p, bool inplace = false) {
  if (fn == "dropout1d") return F::dropout1d(x, F::Dropout1dFuncOptions(p).inplace(inplace));
  if (fn == "dropout2d") return F::dropout2d(x, F::Dropout2dFuncOptions(p).inplace(inplace));
  if (fn == "dropout3d") return F::dropout3d(x, F::Dropout3dFuncOptions(p).inplace(inplace));
  if (fn == "alpha_dropout")
    return F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(p).training(true).inplace(inplace));
  return F::feature_alpha_dropout(
      x, F::FeatureAlphaDropoutFuncOptions().p(p).training(true).inplace(inplace));
}

template <typename M>
std::string repr(const M& m) {
  std::ostringstream ss;
  ss << *m;
  return ss.str();
}

}  // namespace

TEST(ChannelDropout, SeededMasksMatchPyTorch) {
  const json& cases = section("dropout");
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    const std::string fn = c["fn"];
    SCOPED_TRACE(fn + " " + c["input"]["shape"].dump());
    const double p = c["p"];
    Tensor x = from(c["input"]);
    tg::manual_seed(c["seed"].get<uint64_t>());
    EXPECT_TRUE(close(call(fn, x, p), c["output"]));
    // The in-place form draws the same mask and writes it into its input.
    Tensor y = x.clone();
    tg::manual_seed(c["seed"].get<uint64_t>());
    call(fn, y, p, true);
    EXPECT_TRUE(close(y, c["output"]));
  }
}

TEST(ChannelDropout, WholeChannelsAndGradients) {
  tg::manual_seed(4);
  Tensor x = tg::ones({4, 8, 3, 3}, tg::requires_grad());
  Tensor y = F::dropout2d(x, F::Dropout2dFuncOptions(0.5));
  EXPECT_EQ(y.grad_fn()->name(), std::string("MulBackward0"));
  // Each (n, c) channel is all zeros or all 2.
  Tensor per = y.detach().view({32, 9});
  Tensor lo = std::get<0>(per.min(1)), hi = std::get<0>(per.max(1));
  EXPECT_TRUE(lo.eq(hi).all().item<bool>());
  y.sum().backward();
  EXPECT_TRUE(tg::equal(x.grad(), y.detach()));

  tg::manual_seed(5);
  Tensor z = tg::ones({3, 5}, tg::requires_grad());
  Tensor a = F::alpha_dropout(z, F::AlphaDropoutFuncOptions().p(0.3).training(true));
  EXPECT_EQ(a.grad_fn()->name(), std::string("AddBackward0"));
  tgtest::Rng rng(3);
  Tensor w = tgtest::uniform({2, 3, 4}, -1, 1, rng).set_requires_grad(true);
  for (const char* fn : {"dropout1d", "alpha_dropout", "feature_alpha_dropout"}) {
    SCOPED_TRACE(fn);
    auto f = [&](const std::vector<Tensor>& in) {
      tg::manual_seed(9);  // the same mask on every evaluation
      return call(fn, in[0], 0.4);
    };
    EXPECT_TRUE(tgtest::gradcheck(f, {w}));
    EXPECT_TRUE(tgtest::gradgradcheck(f, {w}));
  }
}

TEST(ChannelDropout, ModulesEvalAndReprs) {
  std::map<std::string, std::string> want;
  for (const auto& e : section("repr")) want[e[0].get<std::string>()] = e[1].get<std::string>();
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(repr(nn::Dropout1d()), want["Dropout1d()"]);
  EXPECT_EQ(repr(nn::Dropout2d(0.25)), want["Dropout2d(0.25)"]);
  EXPECT_EQ(repr(nn::Dropout3d(nn::Dropout3dOptions(0.1).inplace(true))),
            want["Dropout3d(0.1, inplace=True)"]);
  EXPECT_EQ(repr(nn::AlphaDropout(0.2)), want["AlphaDropout(0.2)"]);
  EXPECT_EQ(repr(nn::FeatureAlphaDropout()), want["FeatureAlphaDropout()"]);

  Tensor x = tg::randn({2, 3, 4});
  nn::Dropout1d d1(0.5);
  nn::AlphaDropout ad(0.5);
  nn::FeatureAlphaDropout fad(0.5);
  d1->eval();
  ad->eval();
  fad->eval();
  EXPECT_TRUE(tg::equal(d1(x), x));
  EXPECT_TRUE(tg::equal(ad(x), x));
  EXPECT_TRUE(tg::equal(fad(x), x));
  // Training modules match the functional forms under the same seed.
  nn::Dropout3d d3(0.5);
  Tensor v = tg::randn({2, 3, 2, 2, 2});
  tg::manual_seed(1);
  Tensor m = d3(v);
  tg::manual_seed(1);
  EXPECT_TRUE(tg::equal(m, F::dropout3d(v, F::Dropout3dFuncOptions(0.5))));
  // p = 1 zeroes everything; p = 0 returns the input.
  EXPECT_TRUE(F::dropout2d(x, F::Dropout2dFuncOptions(1.0)).eq(0).all().item<bool>());
  EXPECT_TRUE(tg::equal(F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(0).training(true)), x));
}

TEST(ChannelDropout, Errors) {
  Tensor x = tg::ones({1, 2, 3, 4});
  EXPECT_EQ(error_of([&] { F::dropout1d(x); }),
            "dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
            "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
  EXPECT_EQ(error_of([&] { F::dropout2d(x, F::Dropout2dFuncOptions(1.5)); }),
            "dropout probability has to be between 0 and 1, but got 1.5");
  EXPECT_EQ(
      error_of([&] { F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(-0.5).training(true)); }),
      "dropout probability has to be between 0 and 1, but got -0.5");
  EXPECT_EQ(error_of([&] { nn::AlphaDropout(2.0); }),
            "dropout probability has to be between 0 and 1, but got 2.0");
  EXPECT_TRUE(x.eq(1).all().item<bool>());
}
