// Reading tests/fixtures/nn/layers.json (made by scripts/make_layer_fixtures.py): tensors as
// {"shape", "dtype", "values"} and closeness checks that name the first element that differs.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace layer_test {

using json = nlohmann::json;

inline const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/layers.json");
    return f ? json::parse(f) : json::object();
  }();
  return j;
}

inline const json& section(const char* name) {
  static const json empty = json::array();
  const json& f = fixture();
  return f.contains(name) ? f[name] : empty;
}

inline double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return NAN;
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return v.get<double>();
}

inline tg::Tensor from(const json& t) {
  const auto shape = t["shape"].get<std::vector<int64_t>>();
  if (t["dtype"] == "int64")
    return tg::tensor(t["values"].get<std::vector<int64_t>>(), tg::kLong).reshape(shape);
  std::vector<double> v;
  for (const auto& e : t["values"]) v.push_back(number(e));
  const tg::ScalarType dt = t["dtype"] == "float32" ? tg::kFloat32 : tg::kFloat64;
  return tg::tensor(v, tg::kFloat64).to(dt).reshape(shape);
}

// got against want, with tolerances scaled for float32 (rtol 1e-5) or float64 (1e-10) unless
// given.
inline ::testing::AssertionResult close(const tg::Tensor& got, const json& want, double rtol = -1,
                                        double atol = -1) {
  const bool f32 = want["dtype"] == "float32";
  if (!got.defined()) return ::testing::AssertionFailure() << "undefined result";
  if (got.sizes().vec() != want["shape"].get<std::vector<int64_t>>())
    return ::testing::AssertionFailure()
           << "shape " << got.sizes() << ", expected " << want["shape"].dump();
  if (rtol < 0) rtol = f32 ? 1e-5 : 1e-10;
  if (atol < 0) atol = f32 ? 1e-6 : 1e-12;
  const tg::Tensor g = got.to(tg::kFloat64).contiguous().reshape({-1});
  const auto& w = want["values"];
  for (size_t i = 0; i < w.size(); ++i) {
    double e = number(w[i]);
    if (f32) e = static_cast<float>(e);
    const double v = g.data_ptr<double>()[i];
    if (std::isnan(e) ? !std::isnan(v) : !(std::fabs(v - e) <= atol + rtol * std::fabs(e)))
      return ::testing::AssertionFailure() << "[" << i << "] got " << v << ", expected " << e;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace layer_test
