// Sorting and selection (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, the
// unique family): values, positions and gradients against PyTorch 1.13
// (tests/fixtures/ops/sorting.json, written by scripts/make_sorting_fixtures.py), finite-difference
// gradchecks of first and second order, node names, stability, and argument errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "error_of.h"
#include "ops/fixture_json.h"
#include "ops/gradcheck.h"

namespace {

using json = nlohmann::json;
using tg::Tensor;
using tg_test::error_of;
using tgtest::Rng;
using Inputs = std::vector<Tensor>;

// ---------------------------------------------------------------------------- fixtures

int64_t arg(const json& a, const char* name, int64_t def) {
  return a.contains(name) ? a[name].get<int64_t>() : def;
}
bool flag(const json& a, const char* name, bool def) {
  return a.contains(name) ? a[name].get<bool>() : def;
}

// The op's outputs in the fixture's order: values, then positions (or inverse and counts).
std::vector<Tensor> apply(const std::string& op, const Tensor& x, const json& a) {
  auto two = [](std::tuple<Tensor, Tensor> t) {
    return std::vector<Tensor>{std::get<0>(t), std::get<1>(t)};
  };
  auto three = [](std::tuple<Tensor, Tensor, Tensor> t) {
    return std::vector<Tensor>{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
  };
  const int64_t dim = arg(a, "dim", -1);
  if (op == "sort") {
    if (a.contains("stable"))
      return two(x.sort(flag(a, "stable", false), dim, flag(a, "descending", false)));
    return two(tg::sort(x, dim, flag(a, "descending", false)));
  }
  if (op == "argsort") {
    if (a.contains("stable"))
      return {tg::argsort(x, flag(a, "stable", false), dim, flag(a, "descending", false))};
    return {x.argsort(dim, flag(a, "descending", false))};
  }
  if (op == "msort") return {tg::msort(x)};
  if (op == "topk")
    return two(x.topk(a["k"], dim, flag(a, "largest", true), flag(a, "sorted", true)));
  if (op == "kthvalue") return two(tg::kthvalue(x, a["k"], dim, flag(a, "keepdim", false)));
  if (op == "median") return {x.median()};
  if (op == "nanmedian") return {tg::nanmedian(x)};
  if (op == "median_dim") return two(tg::median(x, dim, flag(a, "keepdim", false)));
  if (op == "nanmedian_dim") return two(x.nanmedian(dim, flag(a, "keepdim", false)));
  if (op == "mode") return two(x.mode(dim, flag(a, "keepdim", false)));
  if (op == "unique2") return three(tg::_unique2(x, true, true, true));
  if (op == "unique_consecutive") {
    if (a.contains("dim") && !a["dim"].is_null())
      return three(x.unique_consecutive(true, true, a["dim"].get<int64_t>()));
    return three(tg::unique_consecutive(x, true, true));
  }
  if (op == "unique_dim") return three(tg::unique_dim(x, dim, true, true, true));
  throw std::runtime_error("unknown op " + op);
}

TEST(SortingFixtures, MatchPyTorch) {
  const json cases = tgtest::fixture_cases("ops/sorting.json");
  ASSERT_GE(cases.size(), 200u);
  int grads = 0;
  for (const auto& c : cases) {
    const std::string op = c["op"];
    const bool t = c["t"].get<bool>();
    const std::string what = op + " " + c["args"].dump() + " on " +
                             c["x"]["dtype"].get<std::string>() + " " + c["x"]["shape"].dump() +
                             (t ? " (transposed)" : "");
    SCOPED_TRACE(what);
    Tensor base = tgtest::tensor_from(c["x"]);
    const bool floating = base.is_floating_point();
    if (floating) base.requires_grad_(true);
    Tensor x = t ? base.transpose(-1, -2) : base;
    std::vector<Tensor> out = apply(op, x, c["args"]);
    tgtest::expect_matches(out[0], tgtest::tensor_from(c["out"]), what);
    const char* extra[] = {"idx", "inverse", "counts"};
    size_t k = 1;
    for (const char* name : extra) {
      if (!c.contains(name)) continue;
      ASSERT_LT(k, out.size());
      if (c["check_idx"].get<bool>() || std::string(name) != "idx")
        tgtest::expect_matches(out[k], tgtest::tensor_from(c[name]), what + " " + name);
      ++k;
    }
    if (c.contains("grad")) {
      ++grads;
      Tensor gx = tg::autograd::grad({out[0]}, {base}, {tgtest::tensor_from(c["g"])})[0];
      // The gradient of the buffer (the leaf), transposed or not.
      tgtest::expect_matches(gx, tgtest::tensor_from(c["grad"]), what + " grad");
    }
  }
  EXPECT_GE(grads, 100);
}

// ---------------------------------------------------------------------------- gradcheck

struct GradCase {
  std::string name;
  std::function<Inputs(Rng&)> inputs;
  tgtest::TensorFn fn;
};

Tensor U(Rng& r, tg::IntArrayRef s) {
  Tensor t = tgtest::uniform(s, -2.0, 2.0, r);
  t.requires_grad_(true);
  return t;
}
// The transpose of a [.., n, m] buffer, seen as [.., m, n]: a non-contiguous leaf.
Tensor T(Rng& r, tg::IntArrayRef s) {
  std::vector<int64_t> sw(s.begin(), s.end());
  std::swap(sw[sw.size() - 1], sw[sw.size() - 2]);
  Tensor t = tgtest::uniform(sw, -2.0, 2.0, r).transpose(-1, -2).detach();
  t.requires_grad_(true);
  return t;
}

#define IN(...) [](Rng& r) { return Inputs{__VA_ARGS__}; }
#define FN(...) [](const Inputs& x) -> Tensor { return __VA_ARGS__; }

std::vector<GradCase> cases() {
  return {
      {"sort_last", IN(U(r, {3, 5})), FN(std::get<0>(tg::sort(x[0])))},
      {"sort_dim0_desc_noncontig", IN(T(r, {4, 3})), FN(std::get<0>(x[0].sort(0, true)))},
      {"sort_stable_3d", IN(U(r, {2, 3, 4})),
       FN(std::get<0>(x[0].sort(std::optional<bool>(true), 1)))},
      {"sort_zero_dim", IN(U(r, {})), FN(std::get<0>(x[0].sort()))},
      {"msort", IN(T(r, {4, 3})), FN(x[0].msort())},
      {"topk", IN(U(r, {3, 6})), FN(std::get<0>(x[0].topk(2)))},
      {"topk_smallest_dim0_noncontig", IN(T(r, {5, 3})),
       FN(std::get<0>(tg::topk(x[0], 3, 0, false)))},
      {"topk_unsorted", IN(U(r, {2, 7})), FN(std::get<0>(x[0].topk(4, 1, true, false)))},
      {"topk_long_row", IN(U(r, {130})), FN(std::get<0>(x[0].topk(2)))},
      {"kthvalue", IN(U(r, {3, 5})), FN(std::get<0>(x[0].kthvalue(2)))},
      {"kthvalue_keepdim_noncontig", IN(T(r, {4, 3})),
       FN(std::get<0>(tg::kthvalue(x[0], 3, 0, true)))},
      {"median_all", IN(U(r, {3, 4})), FN(x[0].median())},
      {"median_dim", IN(U(r, {4, 5})), FN(std::get<0>(x[0].median(1)))},
      {"median_dim_keepdim_noncontig", IN(T(r, {4, 3})),
       FN(std::get<0>(tg::median(x[0], 0, true)))},
      {"nanmedian_all", IN(T(r, {3, 4})), FN(tg::nanmedian(x[0]))},
      {"nanmedian_dim", IN(U(r, {3, 4})), FN(std::get<0>(x[0].nanmedian(-1)))},
      // With distinct values (the only inputs near which mode is differentiable) the mode is
      // the smallest value.
      {"mode", IN(U(r, {3, 5})), FN(std::get<0>(x[0].mode()))},
      {"mode_dim0_noncontig", IN(T(r, {5, 2})), FN(std::get<0>(tg::mode(x[0], 0, true)))},
      {"sort_then_product", IN(U(r, {2, 4})), FN(std::get<0>(x[0].sort(1)) * x[0])},
  };
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

class SortingGradcheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(SortingGradcheck, FirstAndSecondOrder) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradcheck(c.fn, in));
  EXPECT_TRUE(tgtest::gradgradcheck(c.fn, in));
}

INSTANTIATE_TEST_SUITE_P(Sorting, SortingGradcheck, ::testing::ValuesIn(cases()), case_name);

// ---------------------------------------------------------------------------- behaviour

TEST(Sorting, NodeNames) {
  Tensor x = tg::rand({3, 4}, tg::requires_grad());
  EXPECT_EQ(std::get<0>(x.sort()).grad_fn()->name(), "SortBackward0");
  // As in libtorch, sort(false, 0) would be sort(dim = 0, descending = false).
  EXPECT_EQ(std::get<0>(x.sort(std::optional<bool>(false), 0)).grad_fn()->name(), "SortBackward1");
  EXPECT_EQ(x.msort().grad_fn()->name(), "SortBackward0");
  EXPECT_EQ(std::get<0>(x.topk(2)).grad_fn()->name(), "TopkBackward0");
  EXPECT_EQ(std::get<0>(x.kthvalue(2)).grad_fn()->name(), "KthvalueBackward0");
  EXPECT_EQ(x.median().grad_fn()->name(), "MedianBackward0");
  EXPECT_EQ(std::get<0>(x.median(0)).grad_fn()->name(), "MedianBackward1");
  EXPECT_EQ(x.nanmedian().grad_fn()->name(), "NanmedianBackward0");
  EXPECT_EQ(std::get<0>(x.nanmedian(1)).grad_fn()->name(), "NanmedianBackward1");
  EXPECT_EQ(std::get<0>(x.mode()).grad_fn()->name(), "ModeBackward0");
  EXPECT_FALSE(x.argsort().requires_grad());
  EXPECT_FALSE(std::get<1>(x.sort()).requires_grad());
  EXPECT_EQ(std::get<1>(x.topk(1)).scalar_type(), tg::kLong);
}

TEST(Sorting, StableOnLongRowsWithTies) {
  // Long rows take the parallel path; equal values keep their order in both directions.
  tg::set_num_threads(2);
  Tensor x = tg::remainder(tg::arange(20000, tg::kLong) * 7919, 13).reshape({2, 10000});
  for (bool desc : {false, true}) {
    auto [v, i] = x.sort(true, 1, desc);
    std::vector<double> vv = tgtest::values(v), iv = tgtest::values(i), xv = tgtest::values(x);
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t k = 1; k < 10000; ++k) {
        const size_t a = r * 10000 + k - 1, b = a + 1;
        ASSERT_TRUE(desc ? vv[a] >= vv[b] : vv[a] <= vv[b]);
        if (vv[a] == vv[b]) {
          ASSERT_LT(iv[a], iv[b]);
        }
        ASSERT_EQ(xv[r * 10000 + static_cast<size_t>(iv[b])], vv[b]);
      }
  }
}

TEST(Sorting, NanOrdersLast) {
  Tensor x = tg::tensor({1.0, NAN, -INFINITY, 0.0, NAN});
  EXPECT_EQ(tgtest::values(x.argsort()), (std::vector<double>{2, 3, 0, 1, 4}));
  EXPECT_EQ(tgtest::values(x.argsort(true, 0, true)), (std::vector<double>{1, 4, 0, 3, 2}));
  EXPECT_EQ(tgtest::values(std::get<1>(x.topk(2))), (std::vector<double>{1, 4}));
  EXPECT_TRUE(std::isnan(x.median().item<double>()));
  EXPECT_EQ(std::get<1>(x.median(0)).item<int64_t>(), 1);
  EXPECT_EQ(x.nanmedian().item<double>(), 0.0);
  Tensor all_nan = tg::full({3}, NAN);
  EXPECT_EQ(std::get<1>(all_nan.nanmedian(0)).item<int64_t>(), 0);
}

TEST(Sorting, MedianSharesGradientAmongTies) {
  Tensor x = tg::tensor({3.0, 1.0, 2.0, 1.0, 2.0}, tg::kFloat64).requires_grad_(true);
  x.median().backward();
  EXPECT_EQ(tgtest::values(x.grad()), (std::vector<double>{0, 0, 0.5, 0, 0.5}));
}

TEST(Sorting, UniqueFamily) {
  Tensor x = tg::tensor({int64_t{3}, 1, 3, 2, 1, 1}).reshape({2, 3});
  auto [v, inv, cnt] = tg::_unique2(x, true, true, true);
  EXPECT_EQ(tgtest::values(v), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(tgtest::values(inv), (std::vector<double>{2, 0, 2, 1, 0, 0}));
  EXPECT_TRUE(inv.sizes().equals({2, 3}));
  EXPECT_EQ(tgtest::values(cnt), (std::vector<double>{3, 1, 2}));
  // Outputs not asked for are empty, as in libtorch.
  auto [v2, inv2, cnt2] = tg::_unique2(x);
  EXPECT_EQ(inv2.numel(), 0);
  EXPECT_EQ(cnt2.numel(), 0);
  auto [u, ui] = tg::_unique(x, false, true);
  EXPECT_EQ(tgtest::values(u), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(tgtest::values(ui), (std::vector<double>{2, 0, 2, 1, 0, 0}));
  auto [c, ci, cc] = tg::unique_consecutive(tg::tensor({1.0, 1.0, 2.0, 2.0, 1.0}), true, true);
  EXPECT_EQ(tgtest::values(c), (std::vector<double>{1, 2, 1}));
  EXPECT_EQ(tgtest::values(ci), (std::vector<double>{0, 0, 1, 1, 2}));
  EXPECT_EQ(tgtest::values(cc), (std::vector<double>{2, 2, 1}));
  Tensor rows = tg::tensor({int64_t{1}, 3, 0, 2, 1, 3}).reshape({3, 2});
  auto [d, di, dc] = tg::unique_dim(rows, 0, true, true, true);
  EXPECT_EQ(tgtest::values(d), (std::vector<double>{0, 2, 1, 3}));
  EXPECT_EQ(tgtest::values(di), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(tgtest::values(dc), (std::vector<double>{1, 2}));
  Tensor f = tg::rand({4}, tg::requires_grad());
  EXPECT_FALSE(std::get<0>(tg::_unique2(f)).requires_grad());
}

TEST(Sorting, EmptyAndZeroDim) {
  Tensor e = tg::zeros({0, 3});
  EXPECT_TRUE(std::get<0>(e.sort(0)).sizes().equals({0, 3}));
  EXPECT_TRUE(std::get<0>(e.topk(2)).sizes().equals({0, 2}));
  EXPECT_TRUE(std::get<0>(e.mode(1)).sizes().equals({0}));
  EXPECT_TRUE(std::isnan(tg::zeros({0}).median().item<double>()));
  Tensor s = tg::tensor(2.5);
  EXPECT_EQ(std::get<0>(s.kthvalue(1)).item<double>(), 2.5);
  EXPECT_EQ(std::get<1>(s.sort()).item<int64_t>(), 0);
  EXPECT_EQ(std::get<1>(s.mode()).item<int64_t>(), 0);
}

// ---------------------------------------------------------------------------- errors

TEST(Sorting, Errors) {
  Tensor x = tg::zeros({2, 3});
  EXPECT_THAT(error_of([&] { x.topk(4); }), ::testing::HasSubstr("selected index k out of range"));
  EXPECT_THAT(error_of([&] { x.topk(-1); }), ::testing::HasSubstr("selected index k out of range"));
  EXPECT_THAT(error_of([&] { x.kthvalue(4, 1); }),
              ::testing::HasSubstr("kthvalue(): selected number k out of range for dimension 1"));
  EXPECT_THAT(error_of([&] { x.kthvalue(0); }),
              ::testing::HasSubstr("selected number k out of range"));
  EXPECT_THAT(error_of([&] { x.sort(2); }),
              ::testing::HasSubstr(
                  "Dimension out of range (expected to be in range of [-2, 1], but got 2)"));
  EXPECT_THAT(error_of([&] {
                tg::zeros({0, 3}).median(0);
              }),
              ::testing::HasSubstr("median(): Expected reduction dim 0 to have non-zero size"));
  EXPECT_THAT(error_of([&] {
                tg::zeros({2, 0}).kthvalue(1, 1);
              }),
              ::testing::HasSubstr("kthvalue(): Expected reduction dim 1 to have non-zero size"));
  EXPECT_THAT(error_of([&] {
                tg::zeros({2, 0}).mode();
              }),
              ::testing::HasSubstr("mode(): Expected reduction dim 1 to have non-zero size"));
  Tensor b = tg::ones({3}, tg::kBool);
  EXPECT_THAT(error_of([&] { b.topk(1); }),
              ::testing::HasSubstr("\"topk_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(error_of([&] { b.kthvalue(1); }),
              ::testing::HasSubstr("\"kthvalue_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(error_of([&] { b.median(); }),
              ::testing::HasSubstr("\"median_cpu\" not implemented for 'Bool'"));
  EXPECT_THAT(error_of([&] { b.median(0); }),
              ::testing::HasSubstr("\"median_out\" not implemented for 'Bool'"));
  EXPECT_EQ(std::get<0>(b.mode()).item<bool>(), true);
  EXPECT_THAT(error_of([&] { tg::unique_dim(tg::tensor(1.0), 0); }),
              ::testing::HasSubstr("unique_dim"));
}

}  // namespace
