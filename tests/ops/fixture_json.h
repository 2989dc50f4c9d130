// Reading the tensors that the fixture scripts write ({"dtype", "shape", "values"}, with NaN and
// the infinities as strings) and comparing results with them.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/gradcheck.h"

namespace tgtest {

inline tg::ScalarType dtype_from(const std::string& s) {
  if (s == "float32") return tg::kFloat32;
  if (s == "float64") return tg::kFloat64;
  if (s == "int64") return tg::kInt64;
  return tg::kBool;
}

inline double json_number(const nlohmann::json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    return std::nan("");
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

inline tg::Tensor tensor_from(const nlohmann::json& j) {
  const tg::ScalarType dt = dtype_from(j["dtype"]);
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  if (dt == tg::kInt64) {
    std::vector<int64_t> vals;
    for (const auto& v : j["values"]) vals.push_back(v.get<int64_t>());
    return tg::tensor(vals, tg::kInt64).reshape(shape);
  }
  std::vector<double> vals;
  for (const auto& v : j["values"]) vals.push_back(json_number(v));
  return tg::tensor(vals, tg::kFloat64).reshape(shape).to(dt);
}

// The "cases" of a fixture file under tests/fixtures (an empty list if it cannot be read).
inline nlohmann::json fixture_cases(const std::string& file) {
  std::ifstream in(std::string(TG_FIXTURE_DIR) + "/" + file);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json::array() : j["cases"];
}

// Same dtype and shape; values within a relative tolerance (float32: 2e-6 unless given), NaN
// and the infinities matching exactly.
inline void expect_matches(const tg::Tensor& got, const tg::Tensor& want, const std::string& what,
                           double f32_tol = 2e-6) {
  ASSERT_EQ(got.scalar_type(), want.scalar_type()) << what;
  ASSERT_TRUE(got.sizes().equals(want.sizes()))
      << what << ": " << got.sizes() << " vs " << want.sizes();
  const double tol = got.scalar_type() == tg::kFloat32 ? f32_tol : 1e-12;
  std::vector<double> g = values(got), e = values(want);
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isinf(e[i]) || std::isnan(e[i])) {
      EXPECT_TRUE(g[i] == e[i] || (std::isnan(g[i]) && std::isnan(e[i])))
          << what << " @" << i << ": " << g[i] << " vs " << e[i];
      continue;
    }
    EXPECT_NEAR(g[i], e[i], tol * (1 + std::abs(e[i]))) << what << " @" << i;
  }
}

}  // namespace tgtest
