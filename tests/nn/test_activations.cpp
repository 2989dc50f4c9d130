// The activation modules and their functional forms against PyTorch
// (tests/fixtures/nn/activations.json, made by scripts/make_activation_fixtures.py): the module's
// repr, output, node name, and the gradients of its input and parameters, in float32 and float64.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace nn = tg::nn;
namespace F = tg::nn::functional;
using json = nlohmann::json;
using tg::Tensor;

namespace {

const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/activations.json");
    return f ? json::parse(f) : json{{"cases", json::array()}};
  }();
  return j;
}

Tensor from(const json& t) {
  const tg::ScalarType dt = t["dtype"] == "float32" ? tg::kFloat32 : tg::kFloat64;
  return tg::tensor(t["values"].get<std::vector<double>>(), tg::kFloat64)
      .to(dt)
      .reshape(t["shape"].get<std::vector<int64_t>>());
}

::testing::AssertionResult close(const Tensor& got, const json& want) {
  const bool f32 = want["dtype"] == "float32";
  if (got.sizes().vec() != want["shape"].get<std::vector<int64_t>>())
    return ::testing::AssertionFailure() << "shape " << got.sizes();
  if (got.scalar_type() != (f32 ? tg::kFloat32 : tg::kFloat64))
    return ::testing::AssertionFailure() << "dtype " << got.scalar_type();
  const double rtol = f32 ? 1e-5 : 1e-10, atol = f32 ? 1e-6 : 1e-12;
  const Tensor g = got.to(tg::kFloat64).contiguous().reshape({-1});
  const auto w = want["values"].get<std::vector<double>>();
  for (size_t i = 0; i < w.size(); ++i) {
    double e = w[i];
    if (f32) e = static_cast<float>(e);
    const double v = g.data_ptr<double>()[i];
    if (!(std::fabs(v - e) <= atol + rtol * std::fabs(e)))
      return ::testing::AssertionFailure() << "[" << i << "] got " << v << ", expected " << e;
  }
  return ::testing::AssertionSuccess();
}

// A module built as the case's Python constructor builds it, and its functional form.
struct Built {
  std::shared_ptr<nn::Module> module;
  std::function<Tensor(const Tensor&)> forward;
  std::function<Tensor(const Tensor&)> functional;
};

template <typename Holder>
Built wrap(Holder h, std::function<Tensor(const Tensor&)> functional) {
  auto impl = h.ptr();
  return {impl, [impl](const Tensor& x) { return impl->forward(x); }, std::move(functional)};
}

Built build(const std::string& name, const json& a, tg::ScalarType dt) {
  auto num = [&](const char* k, double d) { return a.contains(k) ? a[k].get<double>() : d; };
  if (name == "ELU") {
    auto o = nn::ELUOptions().alpha(num("alpha", 1.0));
    return wrap(nn::ELU(o), [o](const Tensor& x) { return F::elu(x, o); });
  }
  if (name == "SELU") return wrap(nn::SELU(), [](const Tensor& x) { return F::selu(x); });
  if (name == "CELU") {
    auto o = nn::CELUOptions().alpha(num("alpha", 1.0));
    return wrap(nn::CELU(o), [o](const Tensor& x) { return F::celu(x, o); });
  }
  if (name == "GELU") {
    auto o = nn::GELUOptions().approximate(a.value("approximate", std::string("none")));
    return wrap(nn::GELU(o), [o](const Tensor& x) { return F::gelu(x, o); });
  }
  if (name == "SiLU") return wrap(nn::SiLU(), [](const Tensor& x) { return F::silu(x); });
  if (name == "Mish") return wrap(nn::Mish(), [](const Tensor& x) { return F::mish(x); });
  if (name == "Softplus") {
    auto o = nn::SoftplusOptions().beta(num("beta", 1)).threshold(num("threshold", 20));
    return wrap(nn::Softplus(o), [o](const Tensor& x) { return F::softplus(x, o); });
  }
  if (name == "Hardtanh") {
    auto o = nn::HardtanhOptions().min_val(num("min_val", -1)).max_val(num("max_val", 1));
    return wrap(nn::Hardtanh(o), [o](const Tensor& x) { return F::hardtanh(x, o); });
  }
  if (name == "Hardswish")
    return wrap(nn::Hardswish(), [](const Tensor& x) { return F::hardswish(x); });
  if (name == "Hardsigmoid")
    return wrap(nn::Hardsigmoid(), [](const Tensor& x) { return F::hardsigmoid(x); });
  if (name == "LogSigmoid")
    return wrap(nn::LogSigmoid(), [](const Tensor& x) { return F::logsigmoid(x); });
  if (name == "GLU") {
    const int64_t dim = a.value("dim", int64_t{-1});
    return wrap(nn::GLU(dim), [dim](const Tensor& x) { return F::glu(x, dim); });
  }
  if (name == "PReLU") {
    nn::PReLU m(nn::PReLUOptions()
                    .num_parameters(a.value("num_parameters", int64_t{1}))
                    .init(num("init", 0.25)));
    m->to(dt);
    Tensor w = m->weight;
    return wrap(m, [w](const Tensor& x) { return F::prelu(x, w); });
  }
  if (name == "ReLU6") return wrap(nn::ReLU6(), [](const Tensor& x) { return F::relu6(x); });
  if (name == "Softsign")
    return wrap(nn::Softsign(), [](const Tensor& x) { return F::softsign(x); });
  if (name == "Tanhshrink")
    return wrap(nn::Tanhshrink(), [](const Tensor& x) { return F::tanhshrink(x); });
  if (name == "Softshrink") {
    const double l = num("lambd", 0.5);
    return wrap(nn::Softshrink(l), [l](const Tensor& x) { return F::softshrink(x, l); });
  }
  if (name == "Hardshrink") {
    const double l = num("lambd", 0.5);
    return wrap(nn::Hardshrink(l),
                [l](const Tensor& x) { return F::hardshrink(x, F::HardshrinkFuncOptions(l)); });
  }
  if (name == "Threshold") {
    auto o = nn::ThresholdOptions(num("threshold", 0), num("value", 0));
    return wrap(nn::Threshold(o), [o](const Tensor& x) { return F::threshold(x, o); });
  }
  throw std::runtime_error("no module " + name);
}

class Activation : public ::testing::TestWithParam<size_t> {};

TEST_P(Activation, MatchesPyTorch) {
  const json& c = fixture()["cases"][GetParam()];
  const Tensor input = from(c["input"]);
  Built b = build(c["module"], c["args"], input.scalar_type());
  std::ostringstream repr;
  repr << *b.module;
  EXPECT_EQ(repr.str(), c["repr"].get<std::string>());

  Tensor x = input.clone().requires_grad_(true);
  Tensor y = b.forward(x);
  EXPECT_TRUE(close(y, c["output"])) << "output";
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
  y.backward(from(c["upstream"]));
  EXPECT_TRUE(close(x.grad(), c["input_grad"])) << "input grad";
  for (const auto& [pname, want] : c["param_grads"].items()) {
    EXPECT_TRUE(close(b.module->named_parameters()[pname].grad(), want)) << pname << " grad";
  }
  // The functional form computes the same values.
  EXPECT_TRUE(close(b.functional(input), c["output"])) << "functional output";
}

INSTANTIATE_TEST_SUITE_P(Fixture, Activation,
                         ::testing::Range<size_t>(0, fixture()["cases"].size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           std::string n = fixture()["cases"][info.param]["name"];
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(Activation, FixtureLoads) { EXPECT_GE(fixture()["cases"].size(), 50u); }

// libtorch's in-place options write into the input and return it.
TEST(Activation, InplaceOptions) {
  Tensor x = tg::tensor({-2.0, -0.5, 0.5, 3.0});
  Tensor r = F::hardtanh(x, F::HardtanhFuncOptions().inplace(true));
  EXPECT_TRUE(r.is_same(x));
  EXPECT_TRUE(x.equal(tg::tensor({-1.0, -0.5, 0.5, 1.0})));
  Tensor z = tg::tensor({-1.0, 2.0});
  F::elu(z, F::ELUFuncOptions().alpha(2.0).inplace(true));
  EXPECT_NEAR(z[0].item<double>(), 2.0 * std::expm1(-1.0), 1e-6);
  Tensor t = tg::tensor({0.05, 0.5});
  nn::Threshold th(nn::ThresholdOptions(0.1, 7.0).inplace(true));
  th->forward(t);
  EXPECT_TRUE(t.equal(tg::tensor({7.0, 0.5})));
}

TEST(Activation, PReLUParameter) {
  nn::PReLU m(nn::PReLUOptions().num_parameters(4).init(0.1));
  ASSERT_EQ(m->parameters().size(), 1u);
  EXPECT_TRUE(m->weight.requires_grad());
  EXPECT_TRUE(m->weight.allclose(tg::full({4}, 0.1)));
  std::ostringstream os;
  os << nn::Sequential(nn::Linear(4, 4), m, nn::GELU(nn::GELUOptions().approximate("tanh")));
  EXPECT_EQ(os.str(),
            "Sequential(\n  (0): Linear(in_features=4, out_features=4, bias=True)\n  (1): "
            "PReLU(num_parameters=4)\n  (2): GELU(approximate='tanh')\n)");
}

}  // namespace
