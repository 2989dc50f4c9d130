// Module containers (ModuleList, ModuleDict, ParameterList, ParameterDict, AnyModule) and
// nn::utils (gradient clipping, parameters_to_vector), against PyTorch 1.13 where it defines the
// result (tests/fixtures/nn/utils.json, made by scripts/make_nn_utils_fixtures.py).
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error_of.h"

namespace nn = tg::nn;
using json = nlohmann::json;

namespace {

const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/utils.json");
    EXPECT_TRUE(f.good());
    return json::parse(f);
  }();
  return j;
}

template <typename M>
std::string repr(const M& m) {
  std::ostringstream ss;
  ss << m;
  return ss.str();
}

using tg_test::error_of;

struct NetImpl : nn::Module {
  NetImpl() {
    blocks = register_module("blocks", nn::ModuleList(nn::Linear(2, 3), nn::ReLU()));
    heads = register_module(
        "heads", nn::ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
                     {"cls", nn::Linear(3, 4).ptr()}, {"reg", nn::Linear(3, 1).ptr()}}));
    extra = register_module(
        "extra", nn::ParameterList(tg::zeros({3, 4}, tg::requires_grad()),
                                   tg::zeros({3}, tg::requires_grad().dtype(tg::kDouble))));
    table = register_module("table", nn::ParameterDict());
    table->insert("a", tg::zeros({2, 5}, tg::requires_grad()));
    table->insert("b", tg::zeros({}, tg::requires_grad()));
  }
  nn::ModuleList blocks{nullptr};
  nn::ModuleDict heads{nullptr};
  nn::ParameterList extra{nullptr};
  nn::ParameterDict table{nullptr};
};
TG_MODULE(Net);

}  // namespace

TEST(Containers, PrintLikePyTorch) {
  Net net;
  EXPECT_EQ(repr(*net), fixture()["repr"]["net"].get<std::string>());
  EXPECT_EQ(repr(*nn::ParameterList(tg::zeros({2}, tg::requires_grad()))),
            fixture()["repr"]["single_parameter_list"].get<std::string>());
  EXPECT_EQ(repr(*nn::ModuleList()), fixture()["repr"]["empty_module_list"].get<std::string>());
}

TEST(Containers, NamesAndOrder) {
  Net net;
  std::vector<std::string> want = {
      "blocks.0.weight", "blocks.0.bias", "heads.cls.weight", "heads.cls.bias", "heads.reg.weight",
      "heads.reg.bias",  "extra.0",       "extra.1",          "table.a",        "table.b"};
  EXPECT_EQ(net->named_parameters().keys(), want);
  EXPECT_EQ(net->parameters().size(), 10u);
  auto modules = net->named_modules();
  EXPECT_EQ(modules.keys(), (std::vector<std::string>{"", "blocks", "blocks.0", "blocks.1", "heads",
                                                      "heads.cls", "heads.reg", "extra", "table"}));
}

TEST(Containers, ModuleList) {
  nn::ModuleList list(nn::Linear(2, 3));
  list->push_back(nn::Tanh());
  list->insert(1, nn::ReLU());
  list->insert(0, nn::Sigmoid());
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ(list[0]->name(), "Sigmoid");
  EXPECT_EQ(list[2]->name(), "ReLU");
  EXPECT_EQ(list->named_children().keys(), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(list->named_children()["2"]->name(), "ReLU");
  EXPECT_EQ(list->named_children()["3"]->name(), "Tanh");
  EXPECT_EQ(list->at<nn::LinearImpl>(1).weight.sizes().vec(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(list->ptr<nn::LinearImpl>(0), nullptr);
  EXPECT_NE(error_of([&] { list->at<nn::LinearImpl>(0); }).find("not of the requested type"),
            std::string::npos);
  EXPECT_NE(error_of([&] { list[7]; }).find("index 7 is out of range (size 4)"), std::string::npos);
  tg::Tensor x = tg::ones({1, 2});
  for (const auto& m : *list)
    if (auto lin = std::dynamic_pointer_cast<nn::LinearImpl>(m)) x = lin->forward(x);
  EXPECT_EQ(x.sizes().vec(), (std::vector<int64_t>{1, 3}));
}

TEST(Containers, ModuleDict) {
  nn::ModuleDict dict;
  dict->insert("a", nn::Linear(1, 2));
  dict->insert("b", nn::ReLU());
  dict->insert("a", nn::Linear(1, 5));  // replaces, keeping the place
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(dict->at<nn::LinearImpl>("a").weight.size(0), 5);
  EXPECT_EQ(dict->named_parameters().keys(), (std::vector<std::string>{"a.weight", "a.bias"}));
  EXPECT_TRUE(dict->contains("b"));
  EXPECT_FALSE(dict->contains("c"));
  EXPECT_NE(error_of([&] { (*dict)["c"]; }).find("'c' is not defined"), std::string::npos);
}

TEST(Containers, ParameterListAndDict) {
  nn::ParameterList list(tg::ones({2}, tg::requires_grad()));
  list->append(tg::zeros({3}));  // keeps requires_grad = false, as libtorch does
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(list[0].requires_grad());
  EXPECT_FALSE(list[1].requires_grad());
  EXPECT_EQ(list->named_parameters().keys(), (std::vector<std::string>{"0", "1"}));
  EXPECT_NE(error_of([&] { list[2]; }).find("out of range"), std::string::npos);

  nn::ParameterDict dict;
  dict->insert("w", tg::ones({2, 2}, tg::requires_grad()));
  dict->insert("w", tg::zeros({2, 2}, tg::requires_grad()));
  EXPECT_EQ(dict->size(), 1u);
  EXPECT_EQ(dict["w"].sum().item<float>(), 0.0f);
  EXPECT_EQ(dict->parameters()[0].sum().item<float>(), 0.0f);
  EXPECT_NE(error_of([&] { dict->get("v"); }).find("'v' is not defined"), std::string::npos);
}

TEST(Containers, AnyModule) {
  nn::AnyModule any(nn::Linear(2, 3));
  tg::Tensor y = any.forward(tg::ones({4, 2}));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(any.get<nn::LinearImpl>().weight.size(0), 3);
  EXPECT_EQ(any.ptr()->name(), "Linear");
  EXPECT_NE(error_of([&] { any.forward(1.0); }).find("Expected argument #0 to be of type"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              any.forward(tg::ones({1, 2}), tg::ones({1, 2}));
            }).find("expects 1 argument(s), but received 2"),
            std::string::npos);
  EXPECT_NE(error_of([&] { any.get<nn::ReLUImpl>(); }).find("Attempted to cast module"),
            std::string::npos);
  nn::AnyModule loss(nn::MSELoss{});
  EXPECT_TRUE(loss.forward(tg::ones({2}), tg::zeros({2})).equal(tg::tensor(1.0f)));
  nn::AnyModule empty;
  EXPECT_TRUE(empty.is_empty());
  EXPECT_NE(error_of([&] { empty.forward(tg::ones({1})); }).find("empty AnyModule"),
            std::string::npos);
}

TEST(Containers, ApplyVisitsEveryModule) {
  Net net;
  int count = 0;
  net->apply([&](nn::Module& m) {
    if (auto* lin = dynamic_cast<nn::LinearImpl*>(&m)) {
      tg::NoGradGuard guard;
      lin->weight.fill_(1);
    }
    ++count;
  });
  EXPECT_EQ(count, 9);
  EXPECT_EQ(net->heads->at<nn::LinearImpl>("reg").weight.sum().item<float>(), 3.0f);
}

TEST(Utils, ClipGradNormMatchesPyTorch) {
  const json& fx = fixture()["clip_grad_norm"];
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    std::vector<tg::Tensor> params;
    for (const auto& g : fx["grads"]) {
      tg::Tensor p = tg::zeros(g["shape"].get<std::vector<int64_t>>(), tg::requires_grad());
      p.mutable_grad() = tg::tensor(g["values"].get<std::vector<float>>())
                             .reshape(g["shape"].get<std::vector<int64_t>>());
      params.push_back(p);
    }
    const double norm_type = c["norm_type"].is_string() ? std::numeric_limits<double>::infinity()
                                                        : c["norm_type"].get<double>();
    const std::string what =
        "norm_type " + c["norm_type"].dump() + " max_norm " + c["max_norm"].dump();
    const double total = nn::utils::clip_grad_norm_(params, c["max_norm"].get<double>(), norm_type);
    EXPECT_NEAR(total, c["total_norm"].get<double>(), 1e-6 * c["total_norm"].get<double>()) << what;
    for (size_t i = 0; i < params.size(); ++i) {
      std::vector<float> want = c["grads"][i].get<std::vector<float>>();
      tg::Tensor g = params[i].grad().reshape({-1});
      for (size_t k = 0; k < want.size(); ++k)
        EXPECT_NEAR(g[static_cast<int64_t>(k)].item<float>(), want[k],
                    1e-6 + 1e-6 * std::fabs(want[k]))
            << what;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(Utils, ClipGradNormErrorsAndEdgeCases) {
  auto p = tg::zeros({2}, tg::requires_grad());
  EXPECT_EQ(nn::utils::clip_grad_norm_(p, 1.0), 0.0);  // no gradient: nothing to clip
  p.mutable_grad() = tg::tensor({std::nanf(""), 1.0f});
  EXPECT_NE(error_of([&] {
              nn::utils::clip_grad_norm_(p, 1.0, 2.0, true);
            }).find("The total norm of order 2 for gradients from `parameters` is non-finite"),
            std::string::npos);
  EXPECT_TRUE(std::isnan(nn::utils::clip_grad_norm_(p, 1.0)));
}

TEST(Utils, ClipGradValue) {
  auto p = tg::zeros({3}, tg::requires_grad());
  p.mutable_grad() = tg::tensor({-2.0f, 0.5f, 3.0f});
  nn::utils::clip_grad_value_(p, 1.0);
  EXPECT_TRUE(p.grad().equal(tg::tensor({-1.0f, 0.5f, 1.0f})));
}

TEST(Utils, ParametersToVectorAndBack) {
  nn::Linear lin(3, 2);
  tg::Tensor v = nn::utils::parameters_to_vector(lin->parameters());
  ASSERT_EQ(v.numel(), 8);
  EXPECT_TRUE(v.slice(0, 0, 6).equal(lin->weight.reshape({-1})));
  EXPECT_TRUE(v.slice(0, 6, 8).equal(lin->bias));
  nn::utils::vector_to_parameters(tg::arange(8, tg::kFloat), lin->parameters());
  EXPECT_TRUE(lin->weight.equal(tg::arange(6, tg::kFloat).reshape({2, 3})));
  EXPECT_TRUE(lin->bias.equal(tg::tensor({6.0f, 7.0f})));
  EXPECT_NE(error_of([&] {
              nn::utils::vector_to_parameters(tg::zeros({5}), lin->parameters());
            }).find("the vector has 5 elements but the parameters have 8"),
            std::string::npos);
}
