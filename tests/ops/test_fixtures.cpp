// Compares tensorgrad with PyTorch 1.13 on the cases in tests/fixtures/ops/{ops,print}.json, which
// scripts/make_op_fixtures.py writes by running real PyTorch. Every case carries its own inputs;
// the table below maps each case's op name to the tensorgrad call that mirrors the Python one.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using json = nlohmann::json;
using tg::Tensor;
using Tensors = std::vector<Tensor>;

// ---------------------------------------------------------------------------- loading

const json& load_fixture(const std::string& file) {
  static std::map<std::string, json> cache;
  auto it = cache.find(file);
  if (it != cache.end()) return it->second;
  json j;
  std::ifstream in(std::string(TG_FIXTURE_DIR) + "/ops/" + file);
  if (in) j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("cases")) j = json{{"cases", json::array()}};
  return cache.emplace(file, std::move(j)).first->second;
}

const json& op_cases() { return load_fixture("ops.json")["cases"]; }
const json& print_cases() { return load_fixture("print.json")["cases"]; }

tg::ScalarType dtype_from(const std::string& s) {
  if (s == "float32") return tg::kFloat32;
  if (s == "float64") return tg::kFloat64;
  if (s == "int64") return tg::kInt64;
  if (s == "bool") return tg::kBool;
  throw std::runtime_error("unknown dtype " + s);
}

std::string dtype_str(tg::ScalarType t) {
  switch (t) {
    case tg::kFloat32:
      return "float32";
    case tg::kFloat64:
      return "float64";
    case tg::kInt64:
      return "int64";
    case tg::kBool:
      return "bool";
  }
  return "?";
}

// JSON has no nan or inf; the fixtures spell them as strings.
double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::nan("");
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    throw std::runtime_error("bad number " + s);
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

// Python's int, float and bool stay apart, since they decide type promotion.
tg::Scalar scalar_of(const json& v) {
  if (v.is_boolean()) return tg::Scalar(v.get<bool>());
  if (v.is_number_integer()) return tg::Scalar(v.get<int64_t>());
  return tg::Scalar(number(v));
}

std::vector<int64_t> int_list(const json& v) { return v.get<std::vector<int64_t>>(); }

template <typename T>
Tensor tensor_from_values(const json& values, const std::vector<int64_t>& shape,
                          tg::ScalarType dtype) {
  const size_t n = values.size();
  std::unique_ptr<T[]> buf(new T[n == 0 ? 1 : n]);
  for (size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      buf[i] = values[i].get<bool>();
    } else if constexpr (std::is_same_v<T, int64_t>) {
      buf[i] = values[i].get<int64_t>();
    } else {
      buf[i] = static_cast<T>(number(values[i]));
    }
  }
  return tg::from_blob(buf.get(), shape, tg::TensorOptions().dtype(dtype)).clone();
}

Tensor make_tensor(const json& j) {
  const auto shape = int_list(j["shape"]);
  const tg::ScalarType dtype = dtype_from(j["dtype"]);
  Tensor t;
  switch (dtype) {
    case tg::kFloat32:
      t = tensor_from_values<float>(j["values"], shape, dtype);
      break;
    case tg::kFloat64:
      t = tensor_from_values<double>(j["values"], shape, dtype);
      break;
    case tg::kInt64:
      t = tensor_from_values<int64_t>(j["values"], shape, dtype);
      break;
    case tg::kBool:
      t = tensor_from_values<bool>(j["values"], shape, dtype);
      break;
  }
  if (j.value("requires_grad", false)) t.requires_grad_(true);
  return t;
}

std::vector<double> values_of(const Tensor& t) {
  Tensor c = t.contiguous();
  std::vector<double> v(static_cast<size_t>(c.numel()));
  auto read = [&](auto* p) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(p[i]);
  };
  switch (c.scalar_type()) {
    case tg::kFloat32:
      read(c.data_ptr<float>());
      break;
    case tg::kFloat64:
      read(c.data_ptr<double>());
      break;
    case tg::kInt64:
      read(c.data_ptr<int64_t>());
      break;
    case tg::kBool:
      read(c.data_ptr<bool>());
      break;
  }
  return v;
}

// ---------------------------------------------------------------------------- comparing

// float32: PyTorch and tensorgrad may sum or vectorise in a different order, and SLEEF's float
// functions are accurate to about 1 ulp; a few ulps of relative error is what remains honest.
// float64: the same reasoning at double precision. Integers and bools must match exactly.
struct Tolerance {
  double rtol, atol;
};
Tolerance tolerance_for(tg::ScalarType t) {
  if (t == tg::kFloat32) return {1e-5, 1e-6};
  if (t == tg::kFloat64) return {1e-12, 1e-14};
  return {0, 0};
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ")";
  return os.str();
}

::testing::AssertionResult matches(const Tensor& actual, const json& expected,
                                   const std::string& what) {
  if (!actual.defined()) return ::testing::AssertionFailure() << what << ": undefined tensor";
  const auto shape = int_list(expected["shape"]);
  const std::vector<int64_t> got_shape = actual.sizes().vec();
  if (got_shape != shape)
    return ::testing::AssertionFailure()
           << what << ": shape " << shape_str(got_shape) << ", expected " << shape_str(shape);
  const tg::ScalarType dtype = dtype_from(expected["dtype"]);
  if (actual.scalar_type() != dtype)
    return ::testing::AssertionFailure() << what << ": dtype " << dtype_str(actual.scalar_type())
                                         << ", expected " << dtype_str(dtype);
  const auto got = values_of(actual);
  const json& want = expected["values"];
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << what << ": " << got.size() << " values, expected " << want.size();
  const Tolerance tol = tolerance_for(dtype);
  std::ostringstream bad;
  int mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i];
    double w = number(want[i]);
    // float32 values are stored as the shortest decimal that reads back as the same float.
    if (dtype == tg::kFloat32) w = static_cast<float>(w);
    bool ok;
    if (std::isnan(w) || std::isnan(g)) {
      ok = std::isnan(w) && std::isnan(g);
    } else if (std::isinf(w) || std::isinf(g)) {
      ok = g == w;
    } else {
      ok = std::fabs(g - w) <= tol.atol + tol.rtol * std::fabs(w);
    }
    if (!ok && ++mismatches <= 5)
      bad << "\n  [" << i << "] got " << std::setprecision(17) << g << ", expected " << w;
  }
  if (mismatches > 0)
    return ::testing::AssertionFailure()
           << what << ": " << mismatches << " of " << got.size() << " values differ (rtol "
           << tol.rtol << ", atol " << tol.atol << ")" << bad.str();
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------- the op table

using OpFn = std::function<Tensors(const Tensors&, const json&)>;

template <typename F>
OpFn one(F f) {
  return [f](const Tensors& x, const json& a) { return Tensors{f(x, a)}; };
}

std::optional<tg::Scalar> opt_scalar(const json& v) {
  if (v.is_null()) return std::nullopt;
  return scalar_of(v);
}

Tensors pair(const std::tuple<Tensor, Tensor>& t) { return {std::get<0>(t), std::get<1>(t)}; }

const std::map<std::string, OpFn>& op_table() {
  using A = const json&;
  using X = const Tensors&;
  static const std::map<std::string, OpFn> table = {
      // arithmetic
      {"add", one([](X x, A) { return x[0] + x[1]; })},
      {"sub", one([](X x, A) { return x[0] - x[1]; })},
      {"mul", one([](X x, A) { return x[0] * x[1]; })},
      {"div", one([](X x, A) { return x[0] / x[1]; })},
      {"add_alpha", one([](X x, A a) { return tg::add(x[0], x[1], scalar_of(a["alpha"])); })},
      {"sub_alpha", one([](X x, A a) { return tg::sub(x[0], x[1], scalar_of(a["alpha"])); })},
      {"mul_self", one([](X x, A) { return x[0] * x[0]; })},
      {"add_scalar", one([](X x, A a) { return x[0] + scalar_of(a["scalar"]); })},
      {"radd_scalar", one([](X x, A a) { return scalar_of(a["scalar"]) + x[0]; })},
      {"sub_scalar", one([](X x, A a) { return x[0] - scalar_of(a["scalar"]); })},
      {"rsub_scalar", one([](X x, A a) { return scalar_of(a["scalar"]) - x[0]; })},
      {"mul_scalar", one([](X x, A a) { return x[0] * scalar_of(a["scalar"]); })},
      {"rmul_scalar", one([](X x, A a) { return scalar_of(a["scalar"]) * x[0]; })},
      {"div_scalar", one([](X x, A a) { return x[0] / scalar_of(a["scalar"]); })},
      {"rdiv_scalar", one([](X x, A a) { return scalar_of(a["scalar"]) / x[0]; })},
      {"pow_scalar", one([](X x, A a) { return x[0].pow(scalar_of(a["scalar"])); })},
      {"pow_tensor", one([](X x, A) { return x[0].pow(x[1]); })},
      {"rpow_scalar", one([](X x, A a) { return tg::pow(scalar_of(a["scalar"]), x[0]); })},
  // the elementwise ops of tensorgrad/ops/pointwise_ops.h, one row each
#define TG_UNARY_ROW(name, ...) {#name, one([](X x, A) { return tg::name(x[0]); })},
#define TG_BINARY_ROW(name, ...) {#name, one([](X x, A) { return tg::name(x[0], x[1]); })},
      TG_UNARY_OPS(TG_UNARY_ROW) TG_BINARY_OPS(TG_BINARY_ROW)
#undef TG_UNARY_ROW
#undef TG_BINARY_ROW
          {"clamp",
           one([](X x, A a) { return x[0].clamp(opt_scalar(a["min"]), opt_scalar(a["max"])); })},
      // the ops of TG_UNARY_PARAM_OPS, the activations and tensor-bound clamp and lerp
      {"elu", one([](X x, A a) { return tg::elu(x[0], scalar_of(a["alpha"])); })},
      {"celu", one([](X x, A a) { return x[0].celu(scalar_of(a["alpha"])); })},
      {"softplus", one([](X x, A a) {
         return tg::softplus(x[0], scalar_of(a["beta"]), scalar_of(a["threshold"]));
       })},
      {"hardtanh", one([](X x, A a) {
         return tg::hardtanh(x[0], scalar_of(a["min_val"]), scalar_of(a["max_val"]));
       })},
      {"softshrink", one([](X x, A a) { return tg::softshrink(x[0], scalar_of(a["lambd"])); })},
      {"hardshrink", one([](X x, A a) { return x[0].hardshrink(scalar_of(a["lambd"])); })},
      {"threshold", one([](X x, A a) {
         return tg::threshold(x[0], scalar_of(a["threshold"]), scalar_of(a["value"]));
       })},
      {"gelu", one([](X x, A a) { return tg::gelu(x[0], a["approximate"].get<std::string>()); })},
      {"logit", one([](X x, A a) {
         return a["eps"].is_null() ? x[0].logit() : tg::logit(x[0], a["eps"].get<double>());
       })},
      {"round_decimals",
       one([](X x, A a) { return tg::round(x[0], a["decimals"].get<int64_t>()); })},
      {"polygamma", one([](X x, A a) { return tg::polygamma(a["n"].get<int64_t>(), x[0]); })},
      {"selu", one([](X x, A) { return tg::selu(x[0]); })},
      {"relu6", one([](X x, A) { return tg::relu6(x[0]); })},
      {"softsign", one([](X x, A) { return tg::nn::functional::softsign(x[0]); })},
      {"tanhshrink", one([](X x, A) { return tg::nn::functional::tanhshrink(x[0]); })},
      {"glu", one([](X x, A a) { return tg::glu(x[0], a["dim"].get<int64_t>()); })},
      {"prelu", one([](X x, A) { return tg::prelu(x[0], x[1]); })},
      {"clamp_tensor", one([](X x, A) { return tg::clamp(x[0], x[1], x[2]); })},
      {"clamp_tensor_min", one([](X x, A) { return x[0].clamp(x[1]); })},
      {"clamp_min_tensor", one([](X x, A) { return tg::clamp_min(x[0], x[1]); })},
      {"clamp_max_tensor", one([](X x, A) { return x[0].clamp_max(x[1]); })},
      {"lerp_scalar", one([](X x, A a) { return tg::lerp(x[0], x[1], scalar_of(a["weight"])); })},
      {"lerp_tensor", one([](X x, A) { return x[0].lerp(x[1], x[2]); })},
      {"fmod_scalar", one([](X x, A a) { return tg::fmod(x[0], scalar_of(a["scalar"])); })},
      {"remainder_scalar", one([](X x, A a) { return x[0].remainder(scalar_of(a["scalar"])); })},
      {"maximum", one([](X x, A) { return tg::maximum(x[0], x[1]); })},
      {"minimum", one([](X x, A) { return tg::minimum(x[0], x[1]); })},
      {"where", one([](X x, A) { return tg::where(x[0], x[1], x[2]); })},
      {"where_scalar_other",
       one([](X x, A a) { return tg::where(x[0], x[1], scalar_of(a["scalar"])); })},
      {"where_scalar_self",
       one([](X x, A a) { return tg::where(x[0], scalar_of(a["scalar"]), x[1]); })},
      {"softmax", one([](X x, A a) { return tg::softmax(x[0], a["dim"].get<int64_t>()); })},
      {"log_softmax", one([](X x, A a) { return x[0].log_softmax(a["dim"].get<int64_t>()); })},
      // reductions
      {"sum_all", one([](X x, A) { return x[0].sum(); })},
      {"mean_all", one([](X x, A) { return x[0].mean(); })},
      {"sum_dims", one([](X x, A a) { return x[0].sum(int_list(a["dims"]), a["keepdim"]); })},
      {"mean_dims", one([](X x, A a) { return x[0].mean(int_list(a["dims"]), a["keepdim"]); })},
      {"prod_all", one([](X x, A) { return x[0].prod(); })},
      {"prod_dim", one([](X x, A a) { return x[0].prod(a["dim"].get<int64_t>(), a["keepdim"]); })},
      {"max_all", one([](X x, A) { return x[0].max(); })},
      {"min_all", one([](X x, A) { return tg::min(x[0]); })},
      {"max_dim",
       [](X x, A a) { return pair(x[0].max(a["dim"].get<int64_t>(), a["keepdim"].get<bool>())); }},
      {"min_dim",
       [](X x, A a) { return pair(tg::min(x[0], a["dim"].get<int64_t>(), a["keepdim"])); }},
      {"amax", one([](X x, A a) { return x[0].amax(int_list(a["dims"]), a["keepdim"]); })},
      {"amin", one([](X x, A a) { return tg::amin(x[0], int_list(a["dims"]), a["keepdim"]); })},
      {"argmax", one([](X x, A a) {
         std::optional<int64_t> d;
         if (!a["dim"].is_null()) d = a["dim"].get<int64_t>();
         return x[0].argmax(d, a["keepdim"].get<bool>());
       })},
      {"argmin", one([](X x, A a) {
         std::optional<int64_t> d;
         if (!a["dim"].is_null()) d = a["dim"].get<int64_t>();
         return tg::argmin(x[0], d, a["keepdim"].get<bool>());
       })},
      {"var_all", one([](X x, A a) { return x[0].var(a["unbiased"].get<bool>()); })},
      {"std_all", one([](X x, A a) { return tg::std(x[0], a["unbiased"].get<bool>()); })},
      {"var_dims", one([](X x, A a) {
         return x[0].var(int_list(a["dims"]), a["unbiased"].get<bool>(), a["keepdim"].get<bool>());
       })},
      {"std_dims", one([](X x, A a) {
         return tg::std(x[0], int_list(a["dims"]), a["unbiased"].get<bool>(),
                        a["keepdim"].get<bool>());
       })},
      {"norm_all", one([](X x, A a) { return x[0].norm(scalar_of(a["p"])); })},
      {"norm_dims", one([](X x, A a) {
         return tg::norm(x[0], scalar_of(a["p"]), int_list(a["dims"]), a["keepdim"].get<bool>());
       })},
      // linear algebra
      {"matmul", one([](X x, A) { return tg::matmul(x[0], x[1]); })},
      {"matmul_t_rhs", one([](X x, A) { return x[0].matmul(x[1].transpose(-1, -2)); })},
      {"matmul_t_lhs", one([](X x, A) { return tg::matmul(x[0].transpose(-1, -2), x[1]); })},
      {"mm", one([](X x, A) { return x[0].mm(x[1]); })},
      {"mm_t", one([](X x, A) { return tg::mm(x[0].t(), x[1].t()); })},
      {"bmm", one([](X x, A) { return tg::bmm(x[0], x[1]); })},
      {"dot", one([](X x, A) { return x[0].dot(x[1]); })},
      {"addmm", one([](X x, A a) {
         return tg::addmm(x[0], x[1], x[2], scalar_of(a["beta"]), scalar_of(a["alpha"]));
       })},
      // views and shape
      {"reshape", one([](X x, A a) { return x[0].reshape(int_list(a["shape"])); })},
      {"transpose_reshape", one([](X x, A a) {
         return x[0].transpose(a["d0"], a["d1"]).reshape(int_list(a["shape"]));
       })},
      {"view", one([](X x, A a) { return x[0].view(int_list(a["shape"])); })},
      {"flatten", one([](X x, A a) { return x[0].flatten(a["start"], a["end"]); })},
      {"squeeze", one([](X x, A a) {
         return a["dim"].is_null() ? x[0].squeeze() : x[0].squeeze(a["dim"].get<int64_t>());
       })},
      {"unsqueeze", one([](X x, A a) { return x[0].unsqueeze(a["dim"].get<int64_t>()); })},
      {"t", one([](X x, A) { return x[0].t(); })},
      {"transpose", one([](X x, A a) { return x[0].transpose(a["d0"], a["d1"]); })},
      {"permute", one([](X x, A a) { return x[0].permute(int_list(a["dims"])); })},
      {"expand", one([](X x, A a) { return x[0].expand(int_list(a["sizes"])); })},
      {"select", one([](X x, A a) {
         return x[0].select(a["dim"].get<int64_t>(), a["index"].get<int64_t>());
       })},
      {"slice", one([](X x, A a) {
         return x[0].slice(a["dim"].get<int64_t>(), a["start"].get<int64_t>(),
                           a["end"].get<int64_t>(), a["step"].get<int64_t>());
       })},
      {"narrow", one([](X x, A a) {
         return x[0].narrow(a["dim"].get<int64_t>(), a["start"].get<int64_t>(),
                            a["length"].get<int64_t>());
       })},
      {"index_select",
       one([](X x, A a) { return x[0].index_select(a["dim"].get<int64_t>(), x[1]); })},
      {"cat", one([](X x, A a) { return tg::cat(x, a["dim"].get<int64_t>()); })},
      {"stack", one([](X x, A a) { return tg::stack(x, a["dim"].get<int64_t>()); })},
      {"chunk",
       [](X x, A a) { return x[0].chunk(a["chunks"].get<int64_t>(), a["dim"].get<int64_t>()); }},
      {"split",
       [](X x, A a) { return tg::split(x[0], a["size"].get<int64_t>(), a["dim"].get<int64_t>()); }},
      {"transpose_contiguous",
       one([](X x, A a) { return x[0].transpose(a["d0"], a["d1"]).contiguous(); })},
      {"clone", one([](X x, A) { return x[0].clone(); })},
      {"chain", one([](X x, A) {
         return x[0].t().slice(0, 1, 5, 2).unsqueeze(0).expand({3, 2, 4}).permute({2, 0, 1});
       })},
      // comparisons
      {"eq", one([](X x, A) { return x[0] == x[1]; })},
      {"ne", one([](X x, A) { return x[0] != x[1]; })},
      {"lt", one([](X x, A) { return x[0] < x[1]; })},
      {"le", one([](X x, A) { return x[0].le(x[1]); })},
      {"gt", one([](X x, A) { return tg::gt(x[0], x[1]); })},
      {"ge", one([](X x, A) { return x[0] >= x[1]; })},
      {"eq_scalar", one([](X x, A a) { return x[0].eq(scalar_of(a["scalar"])); })},
      {"ne_scalar", one([](X x, A a) { return x[0] != scalar_of(a["scalar"]); })},
      {"lt_scalar", one([](X x, A a) { return x[0] < scalar_of(a["scalar"]); })},
      {"le_scalar", one([](X x, A a) { return x[0] <= scalar_of(a["scalar"]); })},
      {"gt_scalar", one([](X x, A a) { return x[0].gt(scalar_of(a["scalar"])); })},
      {"ge_scalar", one([](X x, A a) { return x[0] >= scalar_of(a["scalar"]); })},
      {"isnan", one([](X x, A) { return x[0].isnan(); })},
      {"isfinite", one([](X x, A) { return tg::isfinite(x[0]); })},
      // small graphs
      {"mlp", one([](X x, A) {
         return tg::tanh(x[0].matmul(x[1]) + x[2]).pow(2).mean(std::vector<int64_t>{1});
       })},
      {"reuse", one([](X x, A) {
         const Tensor& v = x[0];
         return (v * v.sin() + v.exp() / (1 + v * v)).sum();
       })},
      {"softmax_ce", one([](X x, A) {
         return -(x[0].log_softmax(1) * x[1]).sum(std::vector<int64_t>{1}).mean();
       })},
  };
  return table;
}

// A view op followed by a reduction, as the fixture's "then" asks.
Tensor then(const Tensor& t, const std::string& what) {
  if (what == "sum_last") return t.sum(std::vector<int64_t>{-1});
  if (what == "mean_first") return t.mean(std::vector<int64_t>{0});
  throw std::runtime_error("unknown then: " + what);
}

// ---------------------------------------------------------------------------- test names

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::vector<std::string> unique_names(const json& cases) {
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (const auto& c : cases) {
    std::string n = sanitize(c["name"].get<std::string>());
    if (const int k = ++seen[n]; k > 1) {
      // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) about "_" + std::string.
      n += '_';
      n += std::to_string(k);
    }
    names.push_back(n);
  }
  return names;
}

template <const json& (*Cases)()>
std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  static const std::vector<std::string> names = unique_names(Cases());
  return names[info.param];
}

// ---------------------------------------------------------------------------- tests

TEST(FixtureFiles, Load) {
  EXPECT_GT(op_cases().size(), 500u) << "tests/fixtures/ops/ops.json missing or unreadable";
  EXPECT_GT(print_cases().size(), 50u) << "tests/fixtures/ops/print.json missing or unreadable";
}

TEST(FixtureFiles, EveryOpHasAnEntry) {
  for (const auto& c : op_cases())
    EXPECT_TRUE(op_table().count(c["op"].get<std::string>()))
        << "no tensorgrad call for op " << c["op"] << " (case " << c["name"] << ")";
}

class FixtureOps : public ::testing::TestWithParam<size_t> {};

TEST_P(FixtureOps, MatchesPyTorch) {
  const json& c = op_cases()[GetParam()];
  const std::string op = c["op"];
  SCOPED_TRACE("case " + c["name"].get<std::string>() + ", op " + op);
  auto it = op_table().find(op);
  ASSERT_NE(it, op_table().end()) << "no tensorgrad call for op " << op;

  Tensors inputs;
  for (const auto& j : c["inputs"]) inputs.push_back(make_tensor(j));
  const json& args = c["args"];

  Tensors outs;
  try {
    outs = it->second(inputs, args);
    if (args.contains("then"))
      for (auto& o : outs) o = then(o, args["then"]);
  } catch (const std::exception& e) {
    FAIL() << "forward threw: " << e.what();
  }

  ASSERT_EQ(outs.size(), c["outputs"].size());
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::string what = "output " + std::to_string(i);
    EXPECT_TRUE(matches(outs[i], c["outputs"][i], what));
    const json& fn = c["grad_fns"][i];
    const auto& node = outs[i].grad_fn();
    if (fn.is_null()) {
      EXPECT_EQ(node, nullptr) << what << ": unexpected grad_fn " << node->name();
    } else {
      ASSERT_NE(node, nullptr) << what << ": no grad_fn, expected " << fn;
      EXPECT_EQ(node->name(), fn.get<std::string>()) << what;
    }
  }

  Tensors diff, ups;
  for (size_t i = 0; i < outs.size(); ++i) {
    if (c["upstream"][i].is_null()) continue;
    diff.push_back(outs[i]);
    ups.push_back(make_tensor(c["upstream"][i]));
  }
  if (diff.empty()) return;
  try {
    tg::autograd::backward(diff, ups);
  } catch (const std::exception& e) {
    FAIL() << "backward threw: " << e.what();
  }
  for (size_t j = 0; j < inputs.size(); ++j) {
    const json& want = c["grads"][j];
    const std::string what = "grad of input " + std::to_string(j);
    if (want.is_null()) {
      EXPECT_FALSE(inputs[j].grad().defined()) << what << " should be undefined";
    } else {
      EXPECT_TRUE(matches(inputs[j].grad(), want, what));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixture, FixtureOps, ::testing::Range<size_t>(0, op_cases().size()),
                         case_name<op_cases>);

class FixturePrint : public ::testing::TestWithParam<size_t> {};

TEST_P(FixturePrint, MatchesPythonRepr) {
  const json& c = print_cases()[GetParam()];
  SCOPED_TRACE("case " + c["name"].get<std::string>());
  Tensor t = make_tensor(c["input"]);
  const std::string op = c["op"];
  if (op != "identity") {
    auto it = op_table().find(op);
    ASSERT_NE(it, op_table().end()) << "no tensorgrad call for op " << op;
    t = it->second({t}, c["args"]).at(0);
  }
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), c["repr"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixture, FixturePrint, ::testing::Range<size_t>(0, print_cases().size()),
                         case_name<print_cases>);

}  // namespace
