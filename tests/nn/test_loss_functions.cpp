// The losses and distances of src/nn/losses.cpp and the extended nll_loss/cross_entropy against
// PyTorch 1.13 (tests/fixtures/nn/loss_functions.json, made by scripts/make_loss_fixtures.py):
// values, grad_fn names and gradients; finite-difference checks in float64 (first and second
// order, broadcast and non-contiguous inputs); error messages; the module forms.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error_of.h"
#include "ops/gradcheck.h"

namespace F = tg::nn::functional;
using json = nlohmann::json;
using Inputs = std::vector<tg::Tensor>;

namespace {

tg::Reduction reduction_of(const json& o) {
  const std::string r = o.value("reduction", std::string("mean"));
  return r == "mean" ? tg::kMean : r == "sum" ? tg::kSum : tg::kNone;
}

tg::Tensor weight_of(const json& o) {
  if (!o.contains("weight")) return {};
  return tg::tensor(o["weight"].get<std::vector<double>>(), tg::kFloat64);
}

// Calls the function a fixture case names, with the case's options.
tg::Tensor call(const std::string& fn, const Inputs& in, const json& o) {
  const tg::Reduction r = reduction_of(o);
  if (fn == "smooth_l1_loss")
    return F::smooth_l1_loss(in[0], in[1],
                             F::SmoothL1LossFuncOptions(r).beta(o.value("beta", 1.0)));
  if (fn == "huber_loss")
    return F::huber_loss(in[0], in[1], F::HuberLossFuncOptions(r).delta(o.value("delta", 1.0)));
  if (fn == "soft_margin_loss") return F::soft_margin_loss(in[0], in[1], r);
  if (fn == "multilabel_soft_margin_loss")
    return F::multilabel_soft_margin_loss(
        in[0], in[1], F::MultilabelSoftMarginLossFuncOptions(r).weight(weight_of(o)));
  if (fn == "kl_div") {
    tg::nn::KLDivReduction kr = o.value("reduction", std::string()) == "batchmean"
                                    ? tg::nn::KLDivReduction(tg::kBatchMean)
                                    : tg::nn::KLDivReduction(r);
    return F::kl_div(in[0], in[1],
                     F::KLDivFuncOptions(kr).log_target(o.value("log_target", false)));
  }
  if (fn == "margin_ranking_loss")
    return F::margin_ranking_loss(
        in[0], in[1], in[2],
        F::MarginRankingLossFuncOptions().margin(o.value("margin", 0.0)).reduction(r));
  if (fn == "hinge_embedding_loss")
    return F::hinge_embedding_loss(
        in[0], in[1],
        F::HingeEmbeddingLossFuncOptions().margin(o.value("margin", 1.0)).reduction(r));
  if (fn == "cosine_embedding_loss")
    return F::cosine_embedding_loss(
        in[0], in[1], in[2],
        F::CosineEmbeddingLossFuncOptions().margin(o.value("margin", 0.0)).reduction(r));
  if (fn == "triplet_margin_loss")
    return F::triplet_margin_loss(in[0], in[1], in[2],
                                  F::TripletMarginLossFuncOptions()
                                      .margin(o.value("margin", 1.0))
                                      .p(o.value("p", 2.0))
                                      .swap(o.value("swap", false))
                                      .reduction(r));
  if (fn == "poisson_nll_loss")
    return F::poisson_nll_loss(in[0], in[1],
                               F::PoissonNLLLossFuncOptions()
                                   .log_input(o.value("log_input", true))
                                   .full(o.value("full", false))
                                   .reduction(r));
  if (fn == "cosine_similarity")
    return F::cosine_similarity(
        in[0], in[1],
        F::CosineSimilarityFuncOptions().dim(o.value("dim", 1)).eps(o.value("eps", 1e-8)));
  if (fn == "pairwise_distance")
    return F::pairwise_distance(in[0], in[1],
                                F::PairwiseDistanceFuncOptions()
                                    .p(o.value("p", 2.0))
                                    .eps(o.value("eps", 1e-6))
                                    .keepdim(o.value("keepdim", false)));
  if (fn == "normalize")
    return F::normalize(in[0],
                        F::NormalizeFuncOptions().p(o.value("p", 2.0)).dim(o.value("dim", 1)));
  if (fn == "multi_margin_loss")
    return F::multi_margin_loss(in[0], in[1],
                                F::MultiMarginLossFuncOptions()
                                    .p(o.value("p", 1))
                                    .margin(o.value("margin", 1.0))
                                    .weight(weight_of(o))
                                    .reduction(r));
  if (fn == "multilabel_margin_loss") return F::multilabel_margin_loss(in[0], in[1], r);
  if (fn == "nll_loss")
    return F::nll_loss(
        in[0], in[1],
        F::NLLLossFuncOptions(r).weight(weight_of(o)).ignore_index(o.value("ignore_index", -100)));
  if (fn == "cross_entropy")
    return F::cross_entropy(in[0], in[1],
                            F::CrossEntropyFuncOptions(r)
                                .weight(weight_of(o))
                                .ignore_index(o.value("ignore_index", -100))
                                .label_smoothing(o.value("label_smoothing", 0.0)));
  ADD_FAILURE() << "unknown function " << fn;
  return {};
}

tg::Tensor input_of(const json& j) {
  std::vector<int64_t> shape = j["shape"];
  if (j["dtype"] == "int64")
    return tg::tensor(j["values"].get<std::vector<int64_t>>(), tg::kLong).reshape(shape);
  return tg::tensor(j["values"].get<std::vector<double>>(), tg::kFloat64).reshape(shape);
}

void expect_close(const tg::Tensor& got, const json& want, const std::string& what) {
  std::vector<double> w = want.get<std::vector<double>>();
  tg::Tensor g = got.to(tg::kFloat64).contiguous().reshape({-1});
  ASSERT_EQ(g.numel(), static_cast<int64_t>(w.size())) << what;
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(g.data_ptr<double>()[i], w[i], 1e-12 + 1e-10 * std::abs(w[i]))
        << what << " at " << i;
}

using tg_test::error_of;

#define EXPECT_ERROR(stmt, text) \
  EXPECT_NE(error_of([&] { stmt; }).find(text), std::string::npos) << error_of([&] { stmt; })

}  // namespace

TEST(LossFunctions, MatchPyTorch) {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/loss_functions.json");
  ASSERT_TRUE(f.good());
  json fx = json::parse(f);
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    const std::string fn = c["fn"];
    const std::string what = fn + " " + c["label"].get<std::string>() + " " + c["options"].dump();
    Inputs in;
    for (const auto& j : c["inputs"]) {
      tg::Tensor t = input_of(j);
      if (j["requires_grad"].get<bool>()) t.requires_grad_();
      in.push_back(t);
    }
    tg::Tensor out = call(fn, in, c["options"]);
    ASSERT_TRUE(out.defined()) << what;
    EXPECT_EQ(out.sizes().vec(), c["out_shape"].get<std::vector<int64_t>>()) << what;
    expect_close(out, c["output"], what + " value");
    ASSERT_NE(out.grad_fn(), nullptr) << what;
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>()) << what;
    out.backward(
        tg::tensor(c["upstream"].get<std::vector<double>>(), tg::kFloat64).reshape(out.sizes()));
    for (size_t i = 0; i < in.size(); ++i) {
      if (c["grads"][i].is_null()) continue;
      ASSERT_TRUE(in[i].grad().defined()) << what << " input " << i;
      expect_close(in[i].grad(), c["grads"][i], what + " grad " + std::to_string(i));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 101);
}

// Finite differences in float64, first and second order, for every loss and reduction, with a
// broadcast or non-contiguous input where the function allows it.
TEST(LossFunctions, Gradcheck) {
  tgtest::Rng rng(11);
  auto u = [&](std::vector<int64_t> s, double lo = -2, double hi = 2) {
    return tgtest::uniform(s, lo, hi, rng).requires_grad_();
  };
  // Targets of ±1 and 0/1 as float64 constants.
  tg::Tensor sgn = tg::tensor({1.0, -1.0, -1.0, 1.0}, tg::kFloat64);
  tg::Tensor sgn43 = tg::tensor(
      {{1.0, -1.0, 1.0}, {-1.0, -1.0, 1.0}, {1.0, 1.0, -1.0}, {-1.0, 1.0, 1.0}}, tg::kFloat64);
  tg::Tensor bits = (sgn43 + 1) / 2;
  tg::Tensor cls = tg::tensor({0, 2, 1, 2});
  tg::Tensor w = tg::tensor({0.3, 1.0, 2.5}, tg::kFloat64);
  struct Row {
    std::string name;
    tgtest::TensorFn fn;
    Inputs in;
  };
  std::vector<Row> rows;
  for (tg::Reduction r : {tg::kMean, tg::kSum, tg::kNone}) {
    const std::string rn = r == tg::kMean ? "/mean" : r == tg::kSum ? "/sum" : "/none";
    // The kinked losses get inputs away from their kinks by construction (|x - y| in
    // [0.6, 1.4] for smooth_l1/huber against beta/delta = 1 and 0.3).
    tg::Tensor base = u({4, 3});
    tg::Tensor off = tgtest::uniform({4, 3}, 0.6, 1.4, rng) * sgn43;
    rows.push_back({"smooth_l1" + rn,
                    [r](const Inputs& v) {
                      return F::smooth_l1_loss(v[0], v[1], F::SmoothL1LossFuncOptions(r).beta(0.3));
                    },
                    {(base + off).detach().requires_grad_(), base.detach().requires_grad_()}});
    rows.push_back({"smooth_l1_quadratic" + rn,
                    [r](const Inputs& v) {
                      return F::smooth_l1_loss(v[0], v[1], F::SmoothL1LossFuncOptions(r).beta(3.0));
                    },
                    {(base + off).detach().requires_grad_(), base.detach().requires_grad_()}});
    rows.push_back(
        {"huber" + rn,
         [r](const Inputs& v) {
           return F::huber_loss(v[0], v[1], F::HuberLossFuncOptions(r).delta(0.3));
         },
         {(base + off).detach().t().requires_grad_(), base.detach().t().requires_grad_()}});
    rows.push_back({"soft_margin" + rn,
                    [r, sgn43](const Inputs& v) { return F::soft_margin_loss(v[0], sgn43, r); },
                    {u({4, 3})}});
    rows.push_back({"multilabel_soft_margin" + rn,
                    [r, bits, w](const Inputs& v) {
                      return F::multilabel_soft_margin_loss(
                          v[0], bits, F::MultilabelSoftMarginLossFuncOptions(r).weight(w));
                    },
                    {u({4, 3})}});
    rows.push_back({"kl_div" + rn,
                    [r](const Inputs& v) { return F::kl_div(v[0], v[1], F::KLDivFuncOptions(r)); },
                    {u({4, 3}), u({4, 3}, 0.1, 1.0)}});
    rows.push_back({"kl_div_log_target" + rn,
                    [r](const Inputs& v) {
                      return F::kl_div(v[0], v[1], F::KLDivFuncOptions(r).log_target(true));
                    },
                    {u({4, 3}), u({3}, -2, 0)}});
    rows.push_back({"margin_ranking" + rn,
                    [r, sgn](const Inputs& v) {
                      return F::margin_ranking_loss(
                          v[0], v[1], sgn,
                          F::MarginRankingLossFuncOptions().margin(0.1).reduction(r));
                    },
                    {u({4}), u({4})}});
    rows.push_back({"hinge_embedding" + rn,
                    [r, sgn43](const Inputs& v) {
                      return F::hinge_embedding_loss(
                          v[0], sgn43, F::HingeEmbeddingLossFuncOptions().margin(0.5).reduction(r));
                    },
                    {tgtest::uniform_avoiding({4, 3}, -2, 2, {0.5}, 0.05, rng).requires_grad_()}});
    rows.push_back({"cosine_embedding" + rn,
                    [r, sgn](const Inputs& v) {
                      return F::cosine_embedding_loss(
                          v[0], v[1], sgn,
                          F::CosineEmbeddingLossFuncOptions().margin(-0.9).reduction(r));
                    },
                    {u({4, 3}), u({3, 4}).t()}});
    rows.push_back({"triplet_margin" + rn,
                    [r](const Inputs& v) {
                      return F::triplet_margin_loss(
                          v[0], v[1], v[2],
                          F::TripletMarginLossFuncOptions().margin(5.0).swap(true).reduction(r));
                    },
                    {u({4, 3}), u({4, 3}), u({4, 3})}});
    rows.push_back({"poisson_nll" + rn,
                    [r](const Inputs& v) {
                      return F::poisson_nll_loss(v[0], v[1],
                                                 F::PoissonNLLLossFuncOptions().reduction(r));
                    },
                    {u({4, 3}), u({4, 3}, 0, 3)}});
    rows.push_back({"poisson_nll_full" + rn,
                    [r](const Inputs& v) {
                      return F::poisson_nll_loss(
                          v[0], v[1],
                          F::PoissonNLLLossFuncOptions().log_input(false).full(true).reduction(r));
                    },
                    {u({4, 3}, 0.5, 3), u({4, 3}, 1.2, 4)}});
    rows.push_back(
        {"cross_entropy_smoothing" + rn,
         [r, cls, w](const Inputs& v) {
           return F::cross_entropy(
               v[0], cls,
               F::CrossEntropyFuncOptions(r).weight(w).ignore_index(1).label_smoothing(0.2));
         },
         {u({3, 4}).t()}});
    rows.push_back({"cross_entropy_probs" + rn,
                    [r, w](const Inputs& v) {
                      return F::cross_entropy(
                          v[0], v[1].softmax(1),
                          F::CrossEntropyFuncOptions(r).weight(w).label_smoothing(0.1));
                    },
                    {u({4, 3}), u({4, 3})}});
    // Inputs whose margins z = 1 - x[y] + x[k] stay away from the kink at 0 (|z| >= 0.05).
    tg::Tensor mx = tg::tensor(
        {{0.1, 0.9, -0.4, 1.7, 0.35}, {-1.2, 0.3, 0.8, -0.25, 2.2}, {0.6, -0.7, 1.3, 0.05, -1.9}},
        tg::kFloat64);
    rows.push_back({"multi_margin" + rn,
                    [r, w](const Inputs& v) {
                      return F::multi_margin_loss(v[0], tg::tensor({3, 0, 2}),
                                                  F::MultiMarginLossFuncOptions().reduction(r));
                    },
                    {mx.clone().requires_grad_()}});
    rows.push_back({"multi_margin_p2_weight" + rn,
                    [r](const Inputs& v) {
                      return F::multi_margin_loss(
                          v[0], tg::tensor({1, 4, 0}),
                          F::MultiMarginLossFuncOptions()
                              .p(2)
                              .weight(tg::tensor({0.5, 1.0, 2.0, 1.5, 0.2}, tg::kFloat64))
                              .reduction(r));
                    },
                    {mx.t().contiguous().t().requires_grad_()}});
    rows.push_back({"multilabel_margin" + rn,
                    [r](const Inputs& v) {
                      return F::multilabel_margin_loss(
                          v[0], tg::tensor({{3, 3, 1, -1, 0}, {4, -1, 0, 0, 0}, {0, 1, 2, 3, 4}}),
                          r);
                    },
                    {mx.clone().requires_grad_()}});
    rows.push_back({"nll_nd" + rn,
                    [r, w](const Inputs& v) {
                      return F::nll_loss(v[0], tg::tensor({{0, 2}, {1, 1}}),
                                         F::NLLLossFuncOptions(r).weight(w));
                    },
                    {u({2, 2, 3}).permute({0, 2, 1})}});
  }
  rows.push_back({"cosine_similarity",
                  [](const Inputs& v) {
                    return F::cosine_similarity(v[0], v[1],
                                                F::CosineSimilarityFuncOptions().dim(0));
                  },
                  {u({3, 4}), u({3, 1})}});
  rows.push_back({"pairwise_distance",
                  [](const Inputs& v) {
                    return F::pairwise_distance(v[0], v[1], F::PairwiseDistanceFuncOptions().p(3));
                  },
                  {u({3, 4}).t(), u({3})}});
  rows.push_back({"normalize", [](const Inputs& v) { return F::normalize(v[0]); }, {u({2, 3, 2})}});
  for (const auto& row : rows) {
    EXPECT_TRUE(tgtest::gradcheck(row.fn, row.in)) << row.name;
    EXPECT_TRUE(tgtest::gradgradcheck(row.fn, row.in)) << row.name;
  }
}

TEST(LossFunctions, Errors) {
  auto x = tg::ones({2, 3}, tg::kFloat64);
  EXPECT_ERROR(
      F::smooth_l1_loss(x, tg::ones({4})),
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  EXPECT_ERROR(F::kl_div(x, tg::ones({3, 3})),
               "The size of tensor a (2) must match the size of tensor b (3)");
  EXPECT_ERROR(F::pairwise_distance(x, tg::ones({2, 4})),
               "The size of tensor a (3) must match the size of tensor b (4)");
  EXPECT_ERROR(F::smooth_l1_loss(x, x, F::SmoothL1LossFuncOptions().beta(-1)),
               "smooth_l1_loss does not support negative values for beta.");
  EXPECT_ERROR(F::huber_loss(x, x, F::HuberLossFuncOptions().delta(0)),
               "huber_loss does not support non-positive values for delta.");
  EXPECT_ERROR(F::cosine_embedding_loss(x, x, tg::ones({2, 1})),
               "0D or 1D target tensor expected, multi-target not supported");
  EXPECT_ERROR(
      F::cosine_embedding_loss(x, x, tg::ones({})),
      "0D target tensor expects 1D input tensors, but found inputs with sizes [2, 3] and [2, 3].");
  EXPECT_ERROR(F::triplet_margin_loss(x, x, tg::ones({3})),
               "All inputs should have same dimension but got 2D, 2D and 1D inputs.");
  EXPECT_ERROR(F::margin_ranking_loss(x, x, tg::ones({3})),
               "All input tensors should have same dimension");
  EXPECT_ERROR(F::one_hot(x), "one_hot is only applicable to index tensor.");
  EXPECT_ERROR(F::one_hot(tg::tensor({-1, 2})), "Class values must be non-negative.");
  EXPECT_ERROR(F::one_hot(tg::tensor({1, 2}), 2), "Class values must be smaller than num_classes.");
  EXPECT_ERROR(
      F::cross_entropy(x, tg::tensor({0, 1}), F::CrossEntropyFuncOptions().label_smoothing(1.5)),
      "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
  EXPECT_ERROR(F::cross_entropy(x, x, F::CrossEntropyFuncOptions().ignore_index(1)),
               "ignore_index is not supported for floating point target");
  EXPECT_ERROR(F::cross_entropy(x, x, F::CrossEntropyFuncOptions().weight(tg::ones({2}))),
               "weight tensor should be defined either for all 3 classes or no classes");
  EXPECT_ERROR(F::nll_loss(tg::ones({2, 3, 4}), tg::zeros({2, 5}, tg::kLong)),
               "Expected target size [2, 4], got [2, 5]");
  EXPECT_ERROR(F::nll_loss(tg::ones({2, 3, 4}), tg::zeros({3, 4}, tg::kLong)),
               "Expected input batch_size (2) to match target batch_size (3).");
  EXPECT_ERROR(F::nll_loss(tg::ones({2, 3, 4}), tg::full({2, 4}, 3, tg::kLong)),
               "Target 3 is out of bounds");
  EXPECT_ERROR(F::multi_margin_loss(x, tg::tensor({0, 1}), F::MultiMarginLossFuncOptions().p(3)),
               "only p == 1 and p == 2 supported");
  EXPECT_ERROR(F::multi_margin_loss(x, tg::tensor({0, 1, 2})),
               "inconsistent target size, got: [3]");
  EXPECT_ERROR(F::multi_margin_loss(x, tg::tensor({0, 3})), "target out of range");
  EXPECT_ERROR(F::multilabel_margin_loss(x, tg::tensor({0, 1})),
               "inconsistent size [2] for argument #2 'target'");
  EXPECT_ERROR(F::multilabel_margin_loss(x, tg::tensor({{0, 1, 3}, {0, 1, 2}})),
               "argument #2 'target' is out of range");
  EXPECT_ERROR(F::kl_div(tg::ones({2}, tg::kLong), tg::ones({2}, tg::kLong)),
               "kl_div: Integral inputs not supported.");
}

TEST(LossFunctions, OneHot) {
  tg::Tensor oh = F::one_hot(tg::tensor({{0, 2}, {1, 0}}));
  EXPECT_EQ(oh.scalar_type(), tg::kLong);
  EXPECT_TRUE(oh.equal(tg::tensor({{{1, 0, 0}, {0, 0, 1}}, {{0, 1, 0}, {1, 0, 0}}})));
  EXPECT_EQ(F::one_hot(tg::tensor({1}), 4).sizes().vec(), (std::vector<int64_t>{1, 4}));
}

TEST(LossFunctions, NllLossIgnoresAllToNaN) {
  // Every target ignored: the mean divides 0 by a total weight of 0, as PyTorch does.
  auto x = tg::randn({2, 3}, tg::kFloat64);
  auto out = F::nll_loss(x, tg::tensor({1, 1}), F::NLLLossFuncOptions().ignore_index(1));
  EXPECT_TRUE(std::isnan(out.item<double>()));
  EXPECT_EQ(F::nll_loss(x, tg::tensor({1, 1}), F::NLLLossFuncOptions(tg::kSum).ignore_index(1))
                .item<double>(),
            0.0);
}

TEST(LossFunctions, ModulesForwardAndPrint) {
  namespace nn = tg::nn;
  auto x = tg::randn({4, 3}, tg::kFloat64), y = tg::randn({4, 3}, tg::kFloat64);
  auto t = tg::tensor({1.0, -1.0, 1.0, 1.0}, tg::kFloat64);
  EXPECT_TRUE(nn::SmoothL1Loss(nn::SmoothL1LossOptions().beta(0.5))(x, y).equal(
      F::smooth_l1_loss(x, y, F::SmoothL1LossFuncOptions().beta(0.5))));
  EXPECT_TRUE(nn::HuberLoss(nn::HuberLossOptions(tg::kSum).delta(2))(x, y).equal(
      F::huber_loss(x, y, F::HuberLossFuncOptions(tg::kSum).delta(2))));
  EXPECT_TRUE(nn::SoftMarginLoss()(x, y.sign()).equal(F::soft_margin_loss(x, y.sign())));
  EXPECT_TRUE(nn::MultiLabelSoftMarginLoss()(x, y.sign())
                  .equal(F::multilabel_soft_margin_loss(x, y.sign())));
  EXPECT_TRUE(nn::KLDivLoss(nn::KLDivLossOptions(tg::kBatchMean))(x, y.abs())
                  .equal(F::kl_div(x, y.abs(), F::KLDivFuncOptions(tg::kBatchMean))));
  EXPECT_TRUE(nn::HingeEmbeddingLoss()(x, y.sign()).equal(F::hinge_embedding_loss(x, y.sign())));
  EXPECT_TRUE(nn::PoissonNLLLoss()(x, y.abs()).equal(F::poisson_nll_loss(x, y.abs())));
  auto cls = tg::tensor({0, 2, 1, 1});
  EXPECT_TRUE(nn::MultiMarginLoss(nn::MultiMarginLossOptions().margin(0.5))(x, cls).equal(
      F::multi_margin_loss(x, cls, F::MultiMarginLossFuncOptions().margin(0.5))));
  auto labels = tg::tensor({{0, -1, 0}, {2, 1, -1}, {1, 1, 1}, {-1, 0, 0}});
  EXPECT_TRUE(nn::MultiLabelMarginLoss()(x, labels).equal(F::multilabel_margin_loss(x, labels)));
  EXPECT_TRUE(nn::MarginRankingLoss()(x.select(1, 0), y.select(1, 0), t)
                  .equal(F::margin_ranking_loss(x.select(1, 0), y.select(1, 0), t)));
  EXPECT_TRUE(nn::CosineEmbeddingLoss()(x, y, t).equal(F::cosine_embedding_loss(x, y, t)));
  EXPECT_TRUE(nn::TripletMarginLoss()(x, y, -y).equal(F::triplet_margin_loss(x, y, -y)));
  EXPECT_TRUE(nn::CosineSimilarity()(x, y).equal(F::cosine_similarity(x, y)));
  EXPECT_TRUE(nn::PairwiseDistance()(x, y).equal(F::pairwise_distance(x, y)));
  // Python prints the losses without their options.
  std::ostringstream ss;
  ss << *nn::SmoothL1Loss() << " " << *nn::KLDivLoss() << " " << *nn::TripletMarginLoss() << " "
     << *nn::CosineSimilarity();
  EXPECT_EQ(ss.str(), "SmoothL1Loss() KLDivLoss() TripletMarginLoss() CosineSimilarity()");
}
