// Scans and shape ops (cumsum, cumprod, logsumexp, flip, roll, tril, triu, outer): values and
// gradients against PyTorch 1.13 (tests/fixtures/ops/shape_ops.json, written by
// scripts/make_shape_fixtures.py), finite-difference gradchecks of first and second order, node
// names and argument errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/gradcheck.h"

namespace {

using json = nlohmann::json;
using tg::Tensor;
using tgtest::Rng;
using Inputs = std::vector<Tensor>;

// ---------------------------------------------------------------------------- fixtures

const json& fixture_cases() {
  static const json cases = [] {
    std::ifstream in(std::string(TG_FIXTURE_DIR) + "/ops/shape_ops.json");
    json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
    return j.is_discarded() ? json::array() : j["cases"];
  }();
  return cases;
}

tg::ScalarType dtype_from(const std::string& s) {
  if (s == "float32") return tg::kFloat32;
  if (s == "float64") return tg::kFloat64;
  if (s == "int64") return tg::kInt64;
  return tg::kBool;
}

double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    return std::nan("");
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

Tensor tensor_from(const json& j) {
  std::vector<double> vals;
  for (const auto& v : j["values"]) vals.push_back(number(v));
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  return tg::tensor(vals, tg::kFloat64).reshape(shape).to(dtype_from(j["dtype"]));
}

std::optional<tg::ScalarType> opt_dtype(const json& a) {
  if (!a.contains("dtype")) return std::nullopt;
  return dtype_from(a["dtype"]);
}

Tensor apply(const std::string& op, const Tensor& x, const json& a) {
  if (op == "cumsum") return tg::cumsum(x, a["dim"], opt_dtype(a));
  if (op == "cumprod") return x.cumprod(a["dim"], opt_dtype(a));
  if (op == "logsumexp")
    return tg::logsumexp(x, a["dims"].get<std::vector<int64_t>>(), a["keepdim"].get<bool>());
  if (op == "flip") return x.flip(a["dims"].get<std::vector<int64_t>>());
  if (op == "roll")
    return tg::roll(x, a["shifts"].get<std::vector<int64_t>>(),
                    a["dims"].get<std::vector<int64_t>>());
  if (op == "tril") return tg::tril(x, a["k"].get<int64_t>());
  if (op == "triu") return x.triu(a["k"].get<int64_t>());
  if (op == "diag") return tg::diag(x, a["k"].get<int64_t>());
  if (op == "repeat") return x.repeat(a["sizes"].get<std::vector<int64_t>>());
  if (op == "tile") return tg::tile(x, a["sizes"].get<std::vector<int64_t>>());
  if (op == "repeat_interleave") {
    if (a.contains("dim")) return x.repeat_interleave(a["repeats"].get<int64_t>(), a["dim"].get<int64_t>());
    return tg::repeat_interleave(x, a["repeats"].get<int64_t>());
  }
  if (op == "unbind_stack") {
    std::vector<Tensor> parts = tg::unbind(x, a["dim"]);
    return tg::stack(std::vector<Tensor>(parts.rbegin(), parts.rend()), 0);
  }
  if (op == "masked_fill") {
    const json& v = a["value"];
    tg::Scalar value = v.is_number_integer() ? tg::Scalar(v.get<int64_t>()) : tg::Scalar(number(v));
    return x.masked_fill(tensor_from(a["mask"]), value);
  }
  if (op == "masked_fill_tensor")
    return tg::masked_fill(x, tensor_from(a["mask"]), tg::tensor(number(a["value"])));
  if (op == "masked_select") return tg::masked_select(x, tensor_from(a["mask"]));
  if (op == "gather") return x.gather(a["dim"], tensor_from(a["index"]));
  if (a.contains("src")) {
    Tensor src = tensor_from(a["src"]).to(x.scalar_type());
    Tensor index = tensor_from(a["index"]);
    if (op == "scatter") return tg::scatter(x, a["dim"], index, src);
    if (op == "scatter_add") return x.scatter_add(a["dim"], index, src);
    if (op == "index_add") return tg::index_add(x, a["dim"], index, src, a["alpha"].get<int64_t>());
  }
  if (op == "scatter_value")
    return x.scatter(a["dim"], tensor_from(a["index"]), number(a["value"]));
  throw std::runtime_error("unknown op " + op);
}

void expect_close(const Tensor& got, const json& want, const std::string& what) {
  Tensor w = tensor_from(want);
  ASSERT_EQ(got.scalar_type(), w.scalar_type()) << what;
  ASSERT_TRUE(got.sizes().equals(w.sizes())) << what << ": " << got.sizes() << " vs " << w.sizes();
  const double tol = got.scalar_type() == tg::kFloat32 ? 2e-6 : 1e-12;
  std::vector<double> g = tgtest::values(got), e = tgtest::values(w);
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isinf(e[i]) || std::isnan(e[i])) {
      EXPECT_TRUE(g[i] == e[i] || (std::isnan(g[i]) && std::isnan(e[i]))) << what << " @" << i;
      continue;
    }
    EXPECT_NEAR(g[i], e[i], tol * (1 + std::abs(e[i]))) << what << " @" << i;
  }
}

TEST(ShapeOpsFixtures, MatchPyTorch) {
  const json& cases = fixture_cases();
  ASSERT_GE(cases.size(), 100u);
  for (const auto& c : cases) {
    const std::string op = c["op"];
    const std::string what = op + " " + c["args"].dump() + " on " +
                             c["x"]["dtype"].get<std::string>() +
                             (c["t"].get<bool>() ? " (transposed)" : "");
    SCOPED_TRACE(what);
    Tensor base = tensor_from(c["x"]);
    const bool floating = base.is_floating_point();
    if (floating) base.requires_grad_(true);
    Tensor x = c["t"].get<bool>() ? base.transpose(-1, -2) : base;
    Tensor y = apply(op, x, c["args"]);
    expect_close(y, c["out"], what);
    if (floating && c.contains("grad")) {
      Tensor gx = tg::autograd::grad({y}, {base}, {tensor_from(c["g"])})[0];
      Tensor want = tensor_from(c["grad"]);
      if (c["t"].get<bool>()) want = want.transpose(-1, -2).contiguous();
      json wj = {{"dtype", c["grad"]["dtype"]},
                 {"shape", std::vector<int64_t>(want.sizes().begin(), want.sizes().end())}};
      wj["values"] = tgtest::values(want);
      expect_close(gx, wj, what + " grad");
    }
  }
}

// ---------------------------------------------------------------------------- gradcheck

struct GradCase {
  std::string name;
  std::function<Inputs(Rng&)> inputs;
  tgtest::TensorFn fn;
  bool gradgrad = true;
};

Tensor leaf(Tensor t) {
  t.requires_grad_(true);
  return t;
}
Tensor U(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  return leaf(tgtest::uniform(s, lo, hi, r));
}
// The transpose of a [.., n, m] buffer, seen as [.., m, n]: a non-contiguous leaf.
Tensor T(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  std::vector<int64_t> sw(s.begin(), s.end());
  std::swap(sw[sw.size() - 1], sw[sw.size() - 2]);
  return leaf(tgtest::uniform(sw, lo, hi, r).transpose(-1, -2).detach());
}
// Values in [0.5, 1.5) with exact zeros at the given flat positions.
Tensor Z(Rng& r, tg::IntArrayRef s, std::vector<int64_t> zero_at) {
  Tensor t = tgtest::uniform(s, 0.5, 1.5, r);
  for (int64_t k : zero_at) t.data_ptr<double>()[k] = 0.0;
  return leaf(t);
}

Tensor idx(std::initializer_list<std::initializer_list<int64_t>> rows) {
  std::vector<int64_t> v;
  for (const auto& r : rows) v.insert(v.end(), r.begin(), r.end());
  const int64_t n = static_cast<int64_t>(rows.size());
  return tg::tensor(v, tg::kLong).reshape({n, -1});
}

Tensor mask23() { return tg::tensor({{true, false, true}, {false, false, true}}); }

#define IN(...) [](Rng& r) { return Inputs{__VA_ARGS__}; }
#define FN(...) [](const Inputs& x) -> Tensor { return __VA_ARGS__; }

std::vector<GradCase> cases() {
  return {
      {"cumsum_dim0", IN(U(r, {3, 4})), FN(tg::cumsum(x[0], 0))},
      {"cumsum_dim_last_noncontig", IN(T(r, {3, 4})), FN(x[0].cumsum(-1))},
      {"cumsum_3d", IN(U(r, {2, 3, 4})), FN(x[0].cumsum(1))},
      {"cumsum_zero_dim", IN(U(r, {})), FN(x[0].cumsum(0))},
      {"cumsum_bcast", IN(U(r, {3, 1}), U(r, {4})), FN((x[0] * x[1]).cumsum(1))},
      {"cumsum_inplace", IN(U(r, {3, 4})), FN((x[0] * 1).cumsum_(1))},
      {"cumprod_inplace_noncontig", IN(T(r, {3, 4}, 0.5, 1.5)), FN((x[0] * 1).cumprod_(0))},
      {"cumprod_inplace_zero", IN(Z(r, {4}, {1})), FN((x[0] * 1).cumprod_(0))},
      {"cumprod_dim0", IN(U(r, {4, 3}, 0.5, 1.5)), FN(tg::cumprod(x[0], 0))},
      {"cumprod_noncontig", IN(T(r, {3, 4}, -1.5, 1.5)), FN(x[0].cumprod(1))},
      {"cumprod_zero", IN(Z(r, {5}, {2})), FN(x[0].cumprod(0))},
      {"cumprod_zeros", IN(Z(r, {5}, {1, 3})), FN(x[0].cumprod(0))},
      {"cumprod_zero_first_last", IN(Z(r, {2, 4}, {0, 7})), FN(x[0].cumprod(1))},
      {"cumprod_zero_dim0", IN(Z(r, {4, 2}, {2, 3})), FN(x[0].cumprod(0))},
      {"logsumexp_dim", IN(U(r, {3, 4})), FN(tg::logsumexp(x[0], {1}))},
      {"logsumexp_keepdim_noncontig", IN(T(r, {3, 4})), FN(x[0].logsumexp({0}, true))},
      {"logsumexp_two_dims", IN(U(r, {2, 3, 4})), FN(x[0].logsumexp({0, 2}))},
      {"logsumexp_zero_dim", IN(U(r, {})), FN(x[0].logsumexp({0}))},
      {"logsumexp_all", IN(U(r, {2, 3})), FN(x[0].logsumexp({}))},
      {"logsumexp_large", IN(U(r, {2, 3}, 50.0, 53.0)), FN(x[0].logsumexp({1}))},
      {"logsumexp_bcast", IN(U(r, {3, 1}), U(r, {4})), FN((x[0] + x[1]).logsumexp({0}))},
      {"flip", IN(U(r, {2, 3, 4})), FN(tg::flip(x[0], {0, 2}))},
      {"flip_noncontig", IN(T(r, {3, 4})), FN(x[0].flip({-1}))},
      {"roll", IN(U(r, {3, 4})), FN(tg::roll(x[0], {1, -2}, {0, 1}))},
      {"roll_flat_noncontig", IN(T(r, {3, 4})), FN(x[0].roll({5}))},
      {"tril", IN(U(r, {3, 4})), FN(tg::tril(x[0]))},
      {"tril_batched_noncontig", IN(T(r, {2, 3, 4})), FN(x[0].tril(-1))},
      {"triu", IN(U(r, {4, 3})), FN(tg::triu(x[0], 1))},
      {"triu_noncontig", IN(T(r, {3, 4})), FN(x[0].triu(-1))},
      {"outer", IN(U(r, {3}), U(r, {4})), FN(tg::outer(x[0], x[1]))},
      {"outer_noncontig", IN(T(r, {3, 2}), U(r, {2})), FN(x[0].select(1, 0).outer(x[1]))},
      {"diag_vector", IN(U(r, {3})), FN(tg::diag(x[0], -1))},
      {"diag_square_noncontig", IN(T(r, {3, 3})), FN(x[0].diag(1))},
      {"diag_wide", IN(U(r, {3, 5})), FN(x[0].diag(1))},
      {"diag_tall_noncontig", IN(T(r, {4, 2})), FN(x[0].diag(-1))},
      {"unbind", IN(U(r, {3, 4})), FN(x[0].unbind(1)[2] * x[0].unbind(1)[0])},
      {"unbind_one_used", IN(T(r, {3, 4})), FN(tg::unbind(x[0])[1])},
      {"repeat", IN(U(r, {2, 3})), FN(x[0].repeat({2, 1, 3}))},
      {"repeat_noncontig", IN(T(r, {2, 3})), FN(x[0].repeat({3, 2}))},
      {"tile", IN(U(r, {2, 3})), FN(tg::tile(x[0], {2}))},
      {"repeat_interleave", IN(U(r, {2, 3})), FN(tg::repeat_interleave(x[0], 2))},
      {"repeat_interleave_dim_noncontig", IN(T(r, {2, 3})), FN(x[0].repeat_interleave(3, 1))},
      {"masked_fill", IN(U(r, {2, 3})), FN(x[0].masked_fill(mask23(), 1.5))},
      {"masked_fill_bcast", IN(U(r, {3})), FN(tg::masked_fill(x[0], mask23(), -1.0))},
      {"masked_fill_tensor", IN(T(r, {2, 3}), U(r, {})), FN(x[0].masked_fill(mask23(), x[1]))},
      {"masked_fill_inplace", IN(U(r, {2, 3})), FN((x[0] * 1).masked_fill_(mask23(), 2.0))},
      {"masked_fill_inplace_tensor", IN(U(r, {2, 3}), U(r, {})),
       FN((x[0] * 1).masked_fill_(mask23(), x[1]))},
      {"masked_select", IN(T(r, {2, 3})), FN(x[0].masked_select(mask23()))},
      {"gather", IN(U(r, {3, 4})), FN(x[0].gather(0, idx({{2, 0, 2, 1}, {1, 1, 0, 0}})))},
      {"gather_dim1_noncontig", IN(T(r, {3, 4})),
       FN(tg::gather(x[0], 1, idx({{3, 3, 0}, {1, 2, 0}, {0, 0, 0}})))},
      {"scatter", IN(U(r, {3, 4}), U(r, {2, 5})),
       FN(x[0].scatter(0, idx({{2, 0, 1, 0}, {0, 2, 0, 1}}), x[1]))},
      {"scatter_noncontig", IN(T(r, {3, 4}), T(r, {3, 2})),
       FN(tg::scatter(x[0], 1, idx({{3, 0}, {1, 2}, {0, 3}}), x[1]))},
      {"scatter_value", IN(U(r, {3, 4})), FN(x[0].scatter(1, idx({{3}, {0}, {2}}), 1.5))},
      {"scatter_inplace", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN((x[0] * 1).scatter_(0, idx({{2, 0, 1, 0}, {0, 2, 0, 1}}), x[1]))},
      {"scatter_value_inplace", IN(U(r, {3, 4})),
       FN((x[0] * 1).scatter_(1, idx({{3}, {0}, {2}}), -2.0))},
      {"scatter_add", IN(U(r, {3, 4}), U(r, {4, 4})),
       FN(x[0].scatter_add(0, idx({{2, 0, 2, 1}, {1, 1, 0, 0}, {2, 2, 2, 2}, {0, 1, 0, 1}}),
                           x[1]))},
      {"scatter_add_noncontig_inplace", IN(T(r, {3, 4}), T(r, {3, 3})),
       FN((x[0] * 1).scatter_add_(1, idx({{3, 3}, {0, 1}, {2, 2}}), x[1]))},
      {"index_add", IN(U(r, {3, 4}), U(r, {5, 4})),
       FN(x[0].index_add(0, tg::tensor({int64_t{2}, 0, 2, 1, 2}), x[1]))},
      {"index_add_alpha_noncontig", IN(T(r, {3, 4}), T(r, {3, 2})),
       FN(tg::index_add(x[0], 1, tg::tensor({int64_t{3}, 3}), x[1], 0.5))},
      {"index_add_inplace", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN((x[0] * 1).index_add_(0, tg::tensor({int64_t{1}, 1}), x[1], -1.0))},
      {"masked_select_bcast", IN(U(r, {3})), FN(tg::masked_select(x[0], mask23()))},
  };
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

class ShapeOpsGradcheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(ShapeOpsGradcheck, FirstAndSecondOrder) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradcheck(c.fn, in));
  if (c.gradgrad) {
    EXPECT_TRUE(tgtest::gradgradcheck(c.fn, in));
  }
}

INSTANTIATE_TEST_SUITE_P(ShapeOps, ShapeOpsGradcheck, ::testing::ValuesIn(cases()), case_name);

// ---------------------------------------------------------------------------- names, dtypes

TEST(ShapeOps, NodeNames) {
  Tensor x = tg::rand({3, 4}, tg::requires_grad());
  EXPECT_EQ(x.cumsum(0).grad_fn()->name(), "CumsumBackward0");
  EXPECT_EQ(x.cumprod(1).grad_fn()->name(), "CumprodBackward0");
  EXPECT_EQ(x.logsumexp({1}).grad_fn()->name(), "LogsumexpBackward0");
  EXPECT_EQ(x.flip({0}).grad_fn()->name(), "FlipBackward0");
  EXPECT_EQ(x.roll({1}, {0}).grad_fn()->name(), "RollBackward0");
  EXPECT_EQ(x.tril().grad_fn()->name(), "TrilBackward0");
  EXPECT_EQ(x.triu().grad_fn()->name(), "TriuBackward0");
  EXPECT_EQ(x[0].outer(x[1]).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(x.diag().grad_fn()->name(), "DiagBackward0");
  EXPECT_EQ(x.unbind(1)[3].grad_fn()->name(), "UnbindBackward0");
  EXPECT_EQ(x.repeat({2, 1}).grad_fn()->name(), "RepeatBackward0");
  EXPECT_EQ(x.tile({2}).grad_fn()->name(), "RepeatBackward0");
  EXPECT_EQ(x.repeat_interleave(2).grad_fn()->name(), "IndexSelectBackward0");
  Tensor m = x > 0.5;
  EXPECT_EQ(x.masked_fill(m, 0).grad_fn()->name(), "MaskedFillBackward0");
  EXPECT_EQ(x.masked_fill(m, tg::tensor(1.0)).grad_fn()->name(), "MaskedFillBackward1");
  EXPECT_EQ(x.masked_select(m).grad_fn()->name(), "MaskedSelectBackward0");
  Tensor y = x * 1;
  y.masked_fill_(m, 0);
  EXPECT_EQ(y.grad_fn()->name(), "MaskedFillBackward0");
  Tensor i = tg::tensor({int64_t{0}, 2, 1, 0}).reshape({1, 4});
  EXPECT_EQ(x.gather(0, i).grad_fn()->name(), "GatherBackward0");
  EXPECT_EQ(x.scatter(0, i, x).grad_fn()->name(), "ScatterBackward0");
  EXPECT_EQ(x.scatter(0, i, 1.0).grad_fn()->name(), "ScatterBackward1");
  EXPECT_EQ(x.scatter_add(0, i, x).grad_fn()->name(), "ScatterAddBackward0");
  EXPECT_EQ(x.index_add(0, i[0].slice(0, 0, 2), x.slice(0, 0, 2)).grad_fn()->name(),
            "IndexAddBackward0");
  Tensor z = x * 1;
  z.scatter_add_(0, i, x);
  EXPECT_EQ(z.grad_fn()->name(), "ScatterAddBackward0");
}

TEST(ShapeOps, ResultsOwnTheirStorage) {
  // An op that moves nothing still returns a new tensor, as PyTorch's do.
  Tensor x = tg::arange(6, tg::kFloat64).reshape({2, 3});
  Tensor a = x.flip({});
  Tensor b = x.roll({3}, {1});
  Tensor c = x.roll({0});
  a.add_(1);
  b.add_(1);
  c.add_(1);
  EXPECT_EQ(tgtest::values(x), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(tgtest::values(b), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(ShapeOps, ScanDtypes) {
  Tensor b = tg::tensor({true, false, true});
  EXPECT_EQ(b.cumsum(0).scalar_type(), tg::kInt64);
  EXPECT_EQ(tgtest::values(b.cumsum(0)), (std::vector<double>{1, 1, 2}));
  Tensor f = tg::tensor({1.5, 2.0, 4.0}, tg::kFloat32);
  EXPECT_EQ(f.cumprod(0, tg::kFloat64).scalar_type(), tg::kFloat64);
  EXPECT_EQ(tgtest::values(f.cumprod(0, tg::kFloat64)), (std::vector<double>{1.5, 3, 12}));
  // Integer products wrap around as two's complement, as PyTorch's do.
  Tensor big = tg::full({3}, int64_t{1} << 62, tg::kInt64);
  EXPECT_EQ(big.cumprod(0)[2].item<int64_t>(), 0);
  EXPECT_EQ(tg::logsumexp(tg::tensor({int64_t{1}, int64_t{2}}), {0}).scalar_type(), tg::kFloat32);
}

TEST(ShapeOps, InPlaceScans) {
  Tensor x = tg::tensor({int64_t{1}, 2, 3, 4}).reshape({2, 2});
  Tensor t = x.t();  // written through a non-contiguous view
  t.cumsum_(1);
  EXPECT_EQ(tgtest::values(x), (std::vector<double>{1, 2, 4, 6}));
  x.cumprod_(0);
  EXPECT_EQ(tgtest::values(x), (std::vector<double>{1, 2, 4, 12}));
  Tensor y = (tg::rand({3}, tg::requires_grad()) * 1);
  y.cumprod_(0);
  EXPECT_EQ(y.grad_fn()->name(), "CumprodBackward0");
  Tensor leaf = tg::rand({3}, tg::requires_grad());
  try {
    leaf.cumsum_(0);
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("a leaf Variable that requires grad"));
  }
  Tensor i = tg::tensor({int64_t{1}, 2});
  try {
    i.cumsum_(0, tg::kFloat);
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("result type Float can't be cast"));
  }
}

TEST(ShapeOps, LogsumexpOfInfinities) {
  Tensor x = tg::tensor({-INFINITY, -INFINITY, 1.0, INFINITY}, tg::kFloat64).reshape({2, 2});
  std::vector<double> v = tgtest::values(x.logsumexp({1}));
  EXPECT_EQ(v[0], -INFINITY);
  EXPECT_EQ(v[1], INFINITY);
}

// ---------------------------------------------------------------------------- errors

void expect_error(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no tg::Error was thrown; expected " << part;
  } catch (const tg::Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(part));
  }
}

TEST(ShapeOps, Errors) {
  Tensor x = tg::zeros({3, 4});
  expect_error([&] { x.cumsum(2); }, "expected to be in range of [-2, 1], but got 2");
  expect_error([&] { x.cumprod(-3); }, "expected to be in range of [-2, 1], but got -3");
  expect_error([&] { x.logsumexp({3}); }, "expected to be in range of [-2, 1], but got 3");
  expect_error([&] { x.logsumexp({0, 0}); }, "dim 0 appears multiple times in the list of dims");
  expect_error([&] { x.flip({0, -2}); }, "dim 0 appears multiple times in the list of dims");
  expect_error([&] { x.flip({2}); }, "expected to be in range of [-2, 1], but got 2");
  expect_error([&] { x.roll({1, 2}, {0}); }, "shifts and dimensions must align. shifts: 2, dims:1");
  expect_error([&] { x.roll({1, 2}); }, "shifts and dimensions must align. shifts: 2, dims:0");
  expect_error([&] { x.roll({}); }, "`shifts` required");
  expect_error([&] { x.roll({1}, {2}); }, "expected to be in range of [-2, 1], but got 2");
  expect_error([&] { tg::zeros({3}).tril(); },
               "tril: input tensor must have at least 2 dimensions");
  expect_error([&] { tg::zeros({3}).triu(); },
               "triu: input tensor must have at least 2 dimensions");
  expect_error([&] { tg::outer(x, tg::zeros({3})); },
               "outer: Expected 1-D argument self, but got 2-D");
  expect_error([&] { tg::outer(tg::zeros({3}), x); },
               "outer: Expected 1-D argument vec2, but got 2-D");
  expect_error([&] { tg::zeros({2, 2, 2}).diag(); }, "matrix or a vector expected");
  expect_error([&] { x.repeat({2}); },
               "Number of dimensions of repeat dims can not be smaller than number of dimensions "
               "of tensor");
  expect_error(
      [&] {
        x.repeat({-1, 2});
      },
      "Trying to create tensor with negative dimension -3: [-3, 8]");
  expect_error([&] { x.repeat_interleave(-1); }, "repeats can not be negative");
  expect_error([&] { x.repeat_interleave(2, 2); }, "expected to be in range of [-2, 1], but got 2");
  expect_error([&] { x.unbind(2); }, "expected to be in range of [-2, 1], but got 2");
  expect_error([&] { tg::zeros({}).unbind(0); },
               "Dimension specified as 0 but tensor has no dimensions");
  Tensor m = tg::tensor({true, false, true, false});
  expect_error([&] { x.masked_fill(m.to(tg::kFloat), 1.0); },
               "masked_fill_ only supports boolean masks");
  expect_error([&] { x.masked_fill(m, tg::zeros({2})); },
               "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
               "dimension(s).");
  expect_error([&] { x.masked_fill(tg::ones({5}, tg::kBool), 1.0); }, "must match the size");
  expect_error([&] { x.masked_select(m.to(tg::kLong)); },
               "masked_select: expected BoolTensor or ByteTensor for mask");
  Tensor i = tg::tensor({int64_t{0}, 1, 2, 0}).reshape({2, 2});
  expect_error([&] { x.gather(0, i.to(tg::kFloat)); }, "gather(): Expected dtype int64 for index");
  expect_error([&] { x.gather(0, i[0]); },
               "Index tensor must have the same number of dimensions as input tensor");
  expect_error(
      [&] {
        x.gather(1, tg::zeros({4, 2}, tg::kLong));
      },
      "Size does not match at dimension 0 expected index [4, 2] to be smaller than self "
      "[3, 4] apart from dimension 1");
  expect_error([&] { x.gather(0, i + 5); }, "index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.gather(0, i - 3); },
               "index -3 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.gather(2, i); }, "expected to be in range of [-2, 1], but got 2");
  expect_error(
      [&] {
        x.scatter(0, i, tg::zeros({1, 1}));
      },
      "Expected index [2, 2] to be smaller than self [3, 4] apart from dimension 0 and to "
      "be smaller size than src [1, 1]");
  expect_error([&] { x.scatter(0, i + 5, 1.0); },
               "index 5 is out of bounds for dimension 0 with size 3");
  expect_error(
      [&] {
        x.scatter_add(0, i, tg::zeros({2, 2}, tg::kDouble));
      },
      "scatter(): Expected self.dtype to be equal to src.dtype");
  expect_error(
      [&] {
        x.index_add(0, tg::tensor({int64_t{0}, 5}), tg::zeros({2, 4}));
      },
      "index out of range in self");
  expect_error(
      [&] {
        x.index_add(0, tg::tensor({int64_t{0}}), tg::zeros({2, 4}));
      },
      "index_add_(): Number of indices (1) should be equal to source.size(dim): (2), for "
      "dim: 0");
  expect_error(
      [&] {
        x.index_add(0, tg::tensor({int64_t{0}, 1}), tg::zeros({2, 3}));
      },
      "source tensor shape must match self tensor shape, excluding the specified dimension");
  expect_error(
      [&] {
        x.index_add(0, tg::zeros({1, 1}, tg::kLong), tg::zeros({1, 4}));
      },
      "index_add_(): Index is supposed to be a vector, but got dim: 2");
  expect_error(
      [&] {
        x.index_add(0, tg::zeros({1}), tg::zeros({1, 4}));
      },
      "index_add_(): Expected dtype int64 for index");
  // A failed in-place scatter leaves its tensor as it was.
  Tensor w = tg::ones({3, 4});
  expect_error(
      [&] {
        w.scatter_(0, tg::tensor({int64_t{1}, 7}).reshape({1, 2}), 0.0);
      },
      "index 7 is out of bounds for dimension 0 with size 3");
  EXPECT_EQ(w.sum().item<float>(), 12.0f);
  Tensor y = tg::zeros({3, 4});
  expect_error(
      [&] {
        y.masked_fill_(tg::ones({2, 3, 4}, tg::kBool), 1.0);
      },
      "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]");
}

}  // namespace
