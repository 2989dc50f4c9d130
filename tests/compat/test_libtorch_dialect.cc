// tensorgrad's libtorch dialect against libtorch 1.13 itself: tensors print exactly as libtorch's
// C++ operator<< prints them, and operators with a number operand record the nodes that
// libtorch's C++ overloads record. The expected text comes from scripts/make_compat_fixtures.py.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

// At namespace scope, as in the fixture script: libtorch prints a user's module by its type name.
struct NetImpl : torch::nn::Module {
  NetImpl() {
    layers = register_module("layers",
                             torch::nn::Sequential(torch::nn::Linear(1, 512), torch::nn::Tanh(),
                                                   torch::nn::Linear(512, 1)));
    drop = register_module("drop", torch::nn::Dropout(0.25));
    act = register_module("act",
                          torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
  }
  torch::nn::Sequential layers{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::LeakyReLU act{nullptr};
};
TORCH_MODULE(Net);

namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(TG_FIXTURE_DIR) + "/compat/libtorch.json");
    EXPECT_TRUE(in.good()) << "missing fixture file tests/fixtures/compat/libtorch.json";
    return nlohmann::json::parse(in);
  }();
  return j;
}

double value_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  return s == "inf" ? INFINITY : -INFINITY;
}

torch::Tensor tensor_of(const nlohmann::json& c) {
  std::vector<double> values;
  for (const auto& v : c["values"]) values.push_back(value_of(v));
  const std::map<std::string, torch::Dtype> dtypes = {{"float32", torch::kFloat},
                                                      {"float64", torch::kDouble},
                                                      {"int64", torch::kLong},
                                                      {"bool", torch::kBool}};
  const auto sizes = c["sizes"].get<std::vector<int64_t>>();
  return torch::tensor(values, torch::kDouble).to(dtypes.at(c["dtype"])).reshape(sizes);
}

std::string printed(const torch::Tensor& t) {
  std::ostringstream s;
  s << t;
  return s.str();
}

TEST(LibtorchDialect, TensorsPrintAsLibtorchPrintsThem) {
  ASSERT_EQ(tg::get_dialect(), tg::Dialect::Libtorch);
  ASSERT_GE(fixtures()["print"].size(), 30u);
  for (const auto& c : fixtures()["print"]) {
    const std::string name = c["name"];
    EXPECT_EQ(printed(tensor_of(c)), c["expected"].get<std::string>()) << "case " << name;
  }
}

TEST(LibtorchDialect, ToStringNamesTheType) {
  for (const auto& c : fixtures()["print"])
    EXPECT_EQ(tensor_of(c).toString(), c["to_string"].get<std::string>()) << c["name"];
  EXPECT_EQ(torch::Tensor().toString(), fixtures()["undefined"].get<std::string>());
}

TEST(LibtorchDialect, PrintingIgnoresLayoutAndAutogradState) {
  // A transposed view and a tensor with a grad_fn print their values only.
  auto m = torch::arange(6, torch::kFloat).reshape({2, 3}).t();
  EXPECT_EQ(printed(m), printed(m.contiguous()));
  auto x = torch::ones({2}, torch::requires_grad());
  EXPECT_EQ(printed(x * 1), " 1\n 1\n[ CPUFloatType{2} ]");
  EXPECT_EQ(printed(torch::Tensor()), "[ Tensor (undefined) ]");
}

TEST(LibtorchDialect, PrintingRestoresTheStreamsFormat) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2);
  s << torch::tensor({1e-8, 1.0, 1e8}) << ' ' << 1.23456;
  const std::string out = s.str();
  EXPECT_EQ(out.substr(out.size() - 5), " 1.23") << out;
  // The stream's precision is the one a 0-dim tensor is printed with, as in libtorch.
  std::ostringstream p;
  p << std::setprecision(3) << torch::tensor(3.14159);
  EXPECT_EQ(p.str(), "3.14\n[ CPUFloatType{} ]");
}

template <typename M>
std::string printed_module(const M& m) {
  std::ostringstream s;
  s << m;
  return s.str();
}

TEST(LibtorchDialect, ModulesPrintAsLibtorchPrintsThem) {
  const auto& expected = fixtures()["modules"];
  const std::map<std::string, std::string> got = {
      {"net", printed_module(Net())},
      {"linear_no_bias",
       printed_module(torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false)))},
      {"relu", printed_module(torch::nn::ReLU())},
      {"sigmoid", printed_module(torch::nn::Sigmoid())},
      {"softmax", printed_module(torch::nn::Softmax(1))},
      {"leaky_relu", printed_module(torch::nn::LeakyReLU())},
      {"mse_loss", printed_module(torch::nn::MSELoss())},
      {"empty_sequential", printed_module(torch::nn::Sequential())},
  };
  ASSERT_EQ(expected.size(), got.size());
  for (const auto& [name, text] : got)
    EXPECT_EQ(text, expected.at(name).get<std::string>()) << name;
}

TEST(LibtorchDialect, NumberOperandsRecordLibtorchsNodes) {
  const std::map<std::string, std::function<torch::Tensor(const torch::Tensor&)>> ops = {
      {"x + 2", [](const torch::Tensor& x) { return x + 2; }},
      {"x - 2", [](const torch::Tensor& x) { return x - 2; }},
      {"x * 2", [](const torch::Tensor& x) { return x * 2; }},
      {"x / 2", [](const torch::Tensor& x) { return x / 2; }},
      {"2 + x", [](const torch::Tensor& x) { return 2 + x; }},
      {"2 - x", [](const torch::Tensor& x) { return 2 - x; }},
      {"2 * x", [](const torch::Tensor& x) { return 2 * x; }},
      {"2 / x", [](const torch::Tensor& x) { return 2 / x; }},
      {"x + x", [](const torch::Tensor& x) { return x + x; }},
      {"x - x", [](const torch::Tensor& x) { return x - x; }},
      {"x * x", [](const torch::Tensor& x) { return x * x; }},
      {"x / x", [](const torch::Tensor& x) { return x / x; }},
      {"x.pow(2)", [](const torch::Tensor& x) { return x.pow(2); }},
      {"x.add(2)", [](const torch::Tensor& x) { return x.add(2); }},
      {"x.sub(2)", [](const torch::Tensor& x) { return x.sub(2); }},
      {"x.mul(2)", [](const torch::Tensor& x) { return x.mul(2); }},
      {"x.div(2)", [](const torch::Tensor& x) { return x.div(2); }},
  };
  ASSERT_EQ(fixtures()["grad_fn"].size(), ops.size());
  auto x = torch::ones({2}, torch::requires_grad());
  for (const auto& c : fixtures()["grad_fn"]) {
    const std::string expression = c["expression"];
    ASSERT_TRUE(ops.count(expression)) << expression;
    EXPECT_EQ(ops.at(expression)(x).grad_fn()->name(), c["grad_fn"].get<std::string>())
        << expression;
  }
}

TEST(LibtorchDialect, NumberOperandNodesDifferentiateAsBefore) {
  // Only the names change: values and gradients are those of the tensor ops, and 2 / x divides
  // (as libtorch does) rather than multiplying by the reciprocal.
  auto x = torch::tensor({0.5, 3.0}, torch::dtype(torch::kDouble).requires_grad(true));
  auto y = (2 / x + (x - 1) * 3 - (1 - x) / 4 + 2 * x).sum();
  y.backward();
  auto xd = x.detach();
  auto expected = -2 / (xd * xd) + 3 + 0.25 + 2;
  EXPECT_TRUE(torch::allclose(x.grad(), expected)) << x.grad();
  EXPECT_EQ((2 / xd).data_ptr<double>()[1], 2.0 / 3.0);
  // Higher-order gradients go through the renamed nodes too: d2/dx2 (2 / x) = 4 / x^3.
  auto g = torch::autograd::grad({(2 / x).sum()}, {x}, {}, c10::nullopt, true)[0];
  auto h = torch::autograd::grad({g.sum()}, {x})[0];
  EXPECT_TRUE(torch::allclose(h, 4 / xd.pow(3)));
}

TEST(LibtorchDialect, PythonDialectIsUnchanged) {
  tg::set_dialect(tg::Dialect::Python);
  auto x = torch::ones({2}, torch::requires_grad());
  EXPECT_EQ((x + 2).grad_fn()->name(), "AddBackward0");
  EXPECT_EQ((2 - x).grad_fn()->name(), "RsubBackward1");
  EXPECT_EQ((2 / x).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(printed(x), "tensor([1., 1.], requires_grad=True)");
  EXPECT_EQ(x.toString(), "tensor([1., 1.], requires_grad=True)");
  EXPECT_EQ(printed_module(torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false))),
            "Linear(in_features=3, out_features=2, bias=False)");
  tg::set_dialect(tg::Dialect::Libtorch);
  EXPECT_EQ((x + 2).grad_fn()->name(), "AddBackward1");
}

}  // namespace
