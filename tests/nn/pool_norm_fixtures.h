// Reading the fixtures of scripts/make_pool_norm_fixtures.py: tensors from flat value lists, the
// input laid out as the script laid it out, and tolerant comparisons by dtype.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pool_norm {

using json = nlohmann::json;

inline json load(const std::string& name) {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/" + name);
  EXPECT_TRUE(f.good()) << name;
  return json::parse(f);
}

inline tg::ScalarType dtype_of(const json& c) {
  return c.value("dtype", std::string("float64")) == "float32" ? tg::kFloat32 : tg::kFloat64;
}

inline tg::Tensor from(const json& values, const std::vector<int64_t>& shape, tg::ScalarType dt) {
  return tg::tensor(values.get<std::vector<double>>(), tg::kFloat64).to(dt).reshape(shape);
}

// The same values with the strides the script gave them.
inline tg::Tensor laid_out(const tg::Tensor& x, const std::string& layout) {
  if (layout == "channels_last") {
    std::vector<int64_t> perm{0}, inv{0, x.dim() - 1};
    for (int64_t i = 2; i < x.dim(); ++i) perm.push_back(i);
    perm.push_back(1);
    for (int64_t i = 1; i < x.dim() - 1; ++i) inv.push_back(i);
    return x.permute(perm).contiguous().permute(inv);
  }
  if (layout == "strided") return tg::stack({x, x}, -1).select(-1, 0);
  return x;
}

inline void expect_close(const tg::Tensor& got, const json& want, tg::ScalarType dt,
                         const std::string& what) {
  ASSERT_TRUE(got.defined()) << what;
  const std::vector<double> w = want.get<std::vector<double>>();
  tg::Tensor g = got.detach().to(tg::kFloat64).contiguous().reshape({-1});
  ASSERT_EQ(g.numel(), static_cast<int64_t>(w.size())) << what;
  const double rtol = dt == tg::kFloat32 ? 2e-5 : 1e-10, atol = dt == tg::kFloat32 ? 2e-5 : 1e-11;
  int bad = 0;
  for (size_t i = 0; i < w.size() && bad < 5; ++i) {
    const double v = g.data_ptr<double>()[i];
    if (!(std::abs(v - w[i]) <= atol + rtol * std::abs(w[i]))) {
      ADD_FAILURE() << what << " at " << i << ": got " << v << ", want " << w[i];
      ++bad;
    }
  }
}

}  // namespace pool_norm
