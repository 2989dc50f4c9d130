// Indexing: x.index({...}) and x.index_put_({...}, v) with every kind of index, index_put, and the
// ops that pick or place elements by position (nonzero, count_nonzero, repeat_interleave with
// tensor repeats, scatter's reductions, scatter_reduce, index_fill, index_copy, masked_scatter,
// take, put): values and gradients against PyTorch 1.13 (tests/fixtures/ops/indexing.json, written
// by scripts/make_indexing_fixtures.py), float64 gradchecks of first and second order, node names,
// views and copies, and errors in PyTorch's words with nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "error_of.h"
#include "ops/gradcheck.h"

namespace {

using json = nlohmann::json;
using tg::Tensor;
using tg::indexing::Ellipsis;
using tg::indexing::None;
using tg::indexing::Slice;
using tg::indexing::TensorIndex;
using tgtest::Rng;
using Inputs = std::vector<Tensor>;

// ---------------------------------------------------------------------------- fixtures

const json& fixture_cases() {
  static const json cases = [] {
    std::ifstream in(std::string(TG_FIXTURE_DIR) + "/ops/indexing.json");
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

Tensor tensor_from(const json& j) {
  std::vector<double> vals;
  for (const auto& v : j["values"])
    vals.push_back(v.is_boolean() ? v.get<bool>() : v.get<double>());
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  return tg::tensor(vals, tg::kFloat64).reshape(shape).to(dtype_from(j["dtype"]));
}

std::optional<int64_t> opt(const json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<int64_t>();
}

std::vector<TensorIndex> index_from(const json& j) {
  std::vector<TensorIndex> ix;
  for (const auto& e : j) {
    if (e.is_string()) {
      if (e.get<std::string>() == "None")
        ix.emplace_back(None);
      else
        ix.emplace_back(e.get<std::string>() == "..." ? TensorIndex("...") : TensorIndex(Ellipsis));
    } else if (e.contains("i")) {
      ix.emplace_back(e["i"].get<int64_t>());
    } else if (e.contains("b")) {
      ix.emplace_back(e["b"].get<bool>());
    } else if (e.contains("s")) {
      ix.emplace_back(Slice(opt(e["s"][0]), opt(e["s"][1]), opt(e["s"][2])));
    } else {
      ix.emplace_back(tensor_from(e["t"]));
    }
  }
  return ix;
}

// The tensor list form of an index list that holds only tensors.
std::vector<std::optional<Tensor>> tensors_from(const json& j) {
  std::vector<std::optional<Tensor>> ix;
  for (const auto& e : j) ix.emplace_back(tensor_from(e["t"]));
  return ix;
}

void expect_close(const Tensor& got, const json& want, const std::string& what) {
  Tensor w = tensor_from(want);
  ASSERT_EQ(got.scalar_type(), w.scalar_type()) << what;
  ASSERT_TRUE(got.sizes().equals(w.sizes())) << what << ": " << got.sizes() << " vs " << w.sizes();
  const double tol = got.scalar_type() == tg::kFloat32 ? 2e-6 : 1e-12;
  std::vector<double> g = tgtest::values(got), e = tgtest::values(w);
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], e[i], tol * (1 + std::abs(e[i]))) << what << " @" << i;
}

Tensor apply_op(const std::string& op, const Tensor& x, const Tensor& src, const json& a) {
  if (op == "nonzero") return x.nonzero();
  if (op == "count_nonzero")
    return a.contains("dim") ? tg::count_nonzero(x, a["dim"].get<std::vector<int64_t>>())
                             : x.count_nonzero();
  if (op == "repeat_interleave") {
    Tensor r = tensor_from(a["repeats"]);
    return a.contains("dim") ? x.repeat_interleave(r, a["dim"].get<int64_t>())
                             : tg::repeat_interleave(x, r);
  }
  const int64_t d = a.value("dim", int64_t{0});
  if (op == "scatter_reduce_arg")
    return tg::scatter(x, d, tensor_from(a["index"]), src, a["reduce"].get<std::string>());
  if (op == "scatter_value_reduce")
    return x.scatter(d, tensor_from(a["index"]), a["value"].get<double>(),
                     a["reduce"].get<std::string>());
  if (op == "scatter_reduce")
    return x.scatter_reduce(d, tensor_from(a["index"]), src, a["reduce"].get<std::string>(),
                            a["include_self"].get<bool>());
  if (op == "index_fill") {
    const json& v = a["value"];
    tg::Scalar value =
        v.is_number_integer() ? tg::Scalar(v.get<int64_t>()) : tg::Scalar(v.get<double>());
    return x.index_fill(d, tensor_from(a["index"]), value);
  }
  if (op == "index_copy") return tg::index_copy(x, d, tensor_from(a["index"]), src);
  if (op == "masked_scatter") return x.masked_scatter(tensor_from(a["mask"]), src);
  if (op == "take") return tg::take(x, tensor_from(a["index"]));
  if (op == "put") return x.put(tensor_from(a["index"]), src, a["accumulate"].get<bool>());
  throw std::runtime_error("unknown op " + op);
}

TEST(IndexingFixtures, MatchPyTorch) {
  const json& cases = fixture_cases();
  ASSERT_GE(cases.size(), 130u);
  for (const auto& c : cases) {
    const std::string kind = c["kind"];
    const bool t = c["t"].get<bool>();
    std::string what = kind + " " + (c.contains("index") ? c["index"].dump() : c["args"].dump()) +
                       " on " + c["x"]["dtype"].get<std::string>() + (t ? " (transposed)" : "");
    if (c.contains("op")) what = c["op"].get<std::string>() + " " + what;
    SCOPED_TRACE(what);
    Tensor base = tensor_from(c["x"]);
    const bool floating = base.is_floating_point();
    if (floating) base.requires_grad_(true);
    Tensor x = t ? base.transpose(-1, -2) : base;
    Tensor extra;  // the value put, or the op's src
    if (c.contains("v")) extra = tensor_from(c["v"]);
    if (c.contains("args") && c["args"].contains("src")) extra = tensor_from(c["args"]["src"]);
    if (extra.defined() && floating) extra.requires_grad_(true);
    Tensor y;
    if (kind == "get") {
      y = x.index(index_from(c["index"]));
    } else if (kind == "set") {
      // Writing through a view of a tensor in a graph is refused (tensorgrad has no CopySlices), so
      // an index with slices, integers or None is checked without a graph.
      bool only_tensors = true;
      for (const auto& e : c["index"])
        only_tensors = only_tensors && e.is_object() && e.contains("t");
      if (!only_tensors) {
        tg::NoGradGuard no_grad;
        y = x.clone();
        y.index_put_(index_from(c["index"]), extra);
        expect_close(y, c["out"], what);
        continue;
      }
      y = floating ? x * 1 : x.clone();
      y.index_put_(index_from(c["index"]), extra);
    } else if (kind == "index_put") {
      y = x.index_put(tensors_from(c["index"]), extra, c["accumulate"].get<bool>());
    } else {
      y = apply_op(c["op"], x, extra, c["args"]);
    }
    expect_close(y, c["out"], what);
    if (!c.contains("grad")) continue;
    std::vector<Tensor> wrt{base};
    if (c.contains("grad_v") || c.contains("grad_src")) wrt.push_back(extra);
    std::vector<Tensor> grads = tg::autograd::grad({y}, wrt, {tensor_from(c["g"])}, std::nullopt,
                                                   false, /*allow_unused=*/true);
    expect_close(grads[0], c["grad"], what + " grad");
    if (c.contains("grad_v")) expect_close(grads[1], c["grad_v"], what + " grad of the values");
    if (c.contains("grad_src")) expect_close(grads[1], c["grad_src"], what + " grad of src");
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
Tensor T(Rng& r, tg::IntArrayRef s) {
  std::vector<int64_t> sw(s.begin(), s.end());
  std::swap(sw[sw.size() - 1], sw[sw.size() - 2]);
  return leaf(tgtest::uniform(sw, -2.0, 2.0, r).transpose(-1, -2).detach());
}
// Distinct values (a permutation of 1..n scaled), so that amax/amin have no ties.
Tensor D(Rng& r, tg::IntArrayRef s) {
  int64_t n = 1;
  for (int64_t k : s) n *= k;
  Tensor p = tg::randperm(n).to(tg::kFloat64) * 0.25 + 0.5 + tgtest::uniform({n}, 0, 0.1, r);
  return leaf(p.reshape(s).detach());
}

Tensor L(std::initializer_list<int64_t> v) {
  return tg::tensor(std::vector<int64_t>(v), tg::kLong);
}
Tensor mask34() {
  return tg::tensor(
      {{true, false, true, false}, {false, false, true, true}, {true, true, false, false}});
}

#define IN(...) [](Rng& r) { return Inputs{__VA_ARGS__}; }
#define FN(...) [](const Inputs& x) -> Tensor { return __VA_ARGS__; }

std::vector<GradCase> cases() {
  return {
      {"index_int_slice", IN(U(r, {3, 4})), FN(x[0].index({1, Slice(None, None, 2)}))},
      {"index_tensor_repeated", IN(U(r, {3, 4})), FN(x[0].index({L({2, 0, 2, -1})}))},
      {"index_two_tensors_noncontig", IN(T(r, {3, 4})),
       FN(x[0].index({L({0, 2, 2}), L({3, -1, 0})}))},
      {"index_separated_moves_front", IN(U(r, {2, 3, 4})),
       FN(x[0].index({L({1, 0}), Slice(), L({3, 3})}))},
      {"index_broadcast", IN(U(r, {3, 4})),
       FN(x[0].index({L({0, 2}).reshape({2, 1}), L({1, 3, 3})}))},
      {"index_mask", IN(U(r, {3, 4})), FN(x[0].index({mask34()}))},
      {"index_mask_dim1_noncontig", IN(T(r, {4, 3})),
       FN(x[0].index({Slice(), tg::tensor({true, false, true})}))},
      {"index_none_ellipsis_bool", IN(U(r, {2, 3})),
       FN(x[0].index({None, "...", true, L({2, 1})}))},
      {"index_list_form", IN(U(r, {3, 4})), FN(tg::index(x[0], {std::nullopt, L({1, 1, 0})}))},
      {"index_put", IN(U(r, {3, 4}), U(r, {2, 4})), FN(x[0].index_put({L({2, 0})}, x[1]))},
      {"index_put_broadcast", IN(U(r, {3, 4}), U(r, {4})),
       FN(tg::index_put(x[0], {L({2, 0})}, x[1]))},
      {"index_put_accumulate", IN(U(r, {3, 4}), U(r, {3})),
       FN(x[0].index_put({L({1, 1, 0}), L({2, 2, 3})}, x[1], true))},
      {"index_put_inplace_noncontig", IN(T(r, {3, 4}), U(r, {})),
       FN((x[0] * 1).index_put_({mask34()}, x[1]))},
      {"setitem_tensor", IN(U(r, {3, 4}), U(r, {2, 4})), FN([&] {
         Tensor y = x[0] * 1;
         y.index_put_({L({0, 2})}, x[1]);
         return y;
       }())},
      {"take", IN(U(r, {3, 4})), FN(x[0].take(L({0, -1, 5, 5}).reshape({2, 2})))},
      {"take_noncontig", IN(T(r, {3, 4})), FN(tg::take(x[0], L({1, 6, -3})))},
      {"put", IN(U(r, {3, 4}), U(r, {3})), FN(x[0].put(L({1, -1, 5}), x[1]))},
      {"put_repeated_accumulate_noncontig", IN(T(r, {3, 4}), U(r, {2, 2})),
       FN(tg::put(x[0], L({0, 0, 7, 2}).reshape({2, 2}), x[1], true))},
      {"put_inplace", IN(U(r, {3, 4}), U(r, {2})), FN((x[0] * 1).put_(L({3, 4}), x[1]))},
      {"index_fill", IN(U(r, {3, 4})), FN(x[0].index_fill(1, L({3, -4}), 1.5))},
      {"index_fill_tensor_noncontig", IN(T(r, {3, 4}), U(r, {})),
       FN(tg::index_fill(x[0], 0, L({2}), x[1]))},
      {"index_fill_inplace", IN(U(r, {3, 4}), U(r, {})),
       FN((x[0] * 1).index_fill_(1, L({0, 0}), x[1]))},
      {"index_copy", IN(U(r, {3, 4}), U(r, {2, 4})), FN(x[0].index_copy(0, L({2, 0}), x[1]))},
      {"index_copy_noncontig", IN(T(r, {3, 4}), T(r, {3, 2})),
       FN(tg::index_copy(x[0], 1, L({3, 1}), x[1]))},
      {"index_copy_inplace", IN(U(r, {3, 4}), U(r, {3, 1})),
       FN((x[0] * 1).index_copy_(-1, L({1}), x[1]))},
      {"masked_scatter", IN(U(r, {3, 4}), U(r, {7})), FN(x[0].masked_scatter(mask34(), x[1]))},
      {"masked_scatter_bcast_noncontig", IN(U(r, {4}), T(r, {3, 5})),
       FN(tg::masked_scatter(x[0], mask34(), x[1]))},
      {"masked_scatter_inplace", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN((x[0] * 1).masked_scatter_(mask34(), x[1]))},
      {"scatter_reduce_sum", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "sum"))},
      {"scatter_reduce_sum_exclude", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "sum", false))},
      {"scatter_reduce_mean", IN(T(r, {3, 4}), U(r, {2, 4})),
       FN(tg::scatter_reduce(x[0], 0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "mean"))},
      {"scatter_reduce_mean_exclude", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "mean",
                              false))},
      {"scatter_reduce_prod", IN(U(r, {3, 4}, 0.5, 1.5), U(r, {2, 4}, 0.5, 1.5)),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "prod"))},
      {"scatter_reduce_prod_exclude", IN(U(r, {3, 4}, 0.5, 1.5), U(r, {2, 4}, 0.5, 1.5)),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "prod",
                              false))},
      {"scatter_reduce_amax", IN(D(r, {3, 4}), D(r, {2, 4})),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "amax")),
       false},
      {"scatter_reduce_amin_exclude", IN(D(r, {3, 4}), D(r, {2, 4})),
       FN(x[0].scatter_reduce(0, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "amin", false)),
       false},
      {"scatter_reduce_inplace", IN(U(r, {3, 4}), U(r, {2, 4})),
       FN((x[0] * 1).scatter_reduce_(1, L({0, 2, 0, 1, 2, 0, 0, 0}).reshape({2, 4}), x[1], "sum"))},
  };
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

class IndexingGradcheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(IndexingGradcheck, FirstAndSecondOrder) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradcheck(c.fn, in));
  if (c.gradgrad) {
    EXPECT_TRUE(tgtest::gradgradcheck(c.fn, in));
  }
}

INSTANTIATE_TEST_SUITE_P(Indexing, IndexingGradcheck, ::testing::ValuesIn(cases()), case_name);

// ---------------------------------------------------------------------------- names, views

TEST(Indexing, NodeNames) {
  Tensor x = tg::rand({3, 4}, tg::requires_grad());
  EXPECT_EQ(x.index({1}).grad_fn()->name(), "SelectBackward0");
  EXPECT_EQ(x.index({Slice()}).grad_fn()->name(), "SliceBackward0");
  EXPECT_EQ(x.index({"..."}).grad_fn()->name(), "AliasBackward0");
  // libtorch skips a slice only when its bounds are the dim's own (Slice() slices).
  EXPECT_EQ(x.index({Slice(0, 3), Slice(0, 4)}).grad_fn()->name(), "AliasBackward0");
  EXPECT_EQ(x.index({Slice(), Slice()}).grad_fn()->name(), "SliceBackward0");
  EXPECT_EQ(x.index({None}).grad_fn()->name(), "UnsqueezeBackward0");
  EXPECT_EQ(x.index({L({0})}).grad_fn()->name(), "IndexBackward0");
  EXPECT_EQ(x.index({tg::tensor(int64_t{2})}).grad_fn()->name(), "SelectBackward0");
  EXPECT_EQ(x[L({0, 1})].grad_fn()->name(), "IndexBackward0");
  EXPECT_EQ(x.index({true}).grad_fn()->name(), "IndexBackward0");
  EXPECT_EQ(x.index_put({L({0})}, tg::zeros({4})).grad_fn()->name(), "IndexPutBackward0");
  Tensor y = x * 1;
  y.index_put_({L({0})}, 2.0);
  EXPECT_EQ(y.grad_fn()->name(), "IndexPutBackward0");
  EXPECT_EQ(x.take(L({0})).grad_fn()->name(), "TakeBackward0");
  EXPECT_EQ(x.put(L({0}), x.take(L({1}))).grad_fn()->name(), "PutBackward0");
  EXPECT_EQ(x.index_fill(0, L({0}), 1).grad_fn()->name(), "IndexFillBackward0");
  EXPECT_EQ(x.index_fill(0, L({0}), tg::tensor(1.0f)).grad_fn()->name(), "IndexFillBackward1");
  EXPECT_EQ(x.index_copy(0, L({0}), x.index({Slice(0, 1)})).grad_fn()->name(),
            "IndexCopyBackward0");
  EXPECT_EQ(x.masked_scatter(x > 0.5, x).grad_fn()->name(), "MaskedScatterBackward0");
  EXPECT_EQ(x.scatter_reduce(0, L({0, 1, 2, 0}).reshape({1, 4}), x, "amax").grad_fn()->name(),
            "ScatterReduceBackward0");
  EXPECT_EQ(x.repeat_interleave(L({1, 0, 2}), 0).grad_fn()->name(), "IndexSelectBackward0");
  Tensor s = x.scatter(0, L({0, 1, 2, 0}).reshape({1, 4}), x, "add");
  EXPECT_EQ(s.grad_fn()->name(), "NotImplemented");
  EXPECT_THAT(tg_test::error_of([&] { s.sum().backward(); }),
              ::testing::HasSubstr("the derivative for 'scatter' is not implemented"));
}

TEST(Indexing, ViewsAndCopies) {
  Tensor x = tg::arange(12, tg::kFloat64).reshape({3, 4});
  Tensor v = x.index({Slice(1, None), Slice(None, None, 2)});
  v.fill_(-1);  // a view writes through
  EXPECT_EQ(tgtest::values(x.index({1})), (std::vector<double>{-1, 5, -1, 7}));
  Tensor c = x.index({L({0})});
  c.fill_(100);  // advanced indexing copies
  EXPECT_EQ(x.index({0, 0}).item<double>(), 0);
  // x.index_put_ through slices and tensors writes into x and bumps its version once per write.
  const int64_t before = x._version();
  x.index_put_({Slice(), L({0, 3})}, tg::tensor({7.0, 8.0}, tg::kFloat64));
  EXPECT_EQ(tgtest::values(x.index({2})), (std::vector<double>{7, 9, -1, 8}));
  x.index_put_({0}, 5);
  EXPECT_EQ(tgtest::values(x.index({0})), (std::vector<double>{5, 5, 5, 5}));
  EXPECT_GT(x._version(), before);
  // Empty results.
  EXPECT_EQ(x.index({L({})}).sizes().vec(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(x.index({x > 1000}).numel(), 0);
  EXPECT_EQ(x.index({Slice(3, None)}).sizes().vec(), (std::vector<int64_t>{0, 4}));
  // accumulate adds repeated positions up; without it one value lands.
  Tensor z = tg::zeros({3}, tg::kFloat64);
  z.index_put_({L({1, 1, 1})}, tg::ones({3}, tg::kFloat64), true);
  EXPECT_EQ(tgtest::values(z), (std::vector<double>{0, 3, 0}));
}

TEST(Indexing, NonzeroForms) {
  Tensor x = tg::tensor({{0.0, 1.5}, {2.0, 0.0}});
  EXPECT_EQ(tgtest::values(x.nonzero()), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(tg::argwhere(x).sizes().vec(), (std::vector<int64_t>{2, 2}));
  std::vector<Tensor> w = tg::where(x);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(tgtest::values(w[0]), (std::vector<double>{0, 1}));
  EXPECT_EQ(tgtest::values(w[1]), (std::vector<double>{1, 0}));
  EXPECT_EQ(tg::nonzero_numpy(tg::tensor(3.0)).size(), 1u);
  EXPECT_EQ(x.count_nonzero().item<int64_t>(), 2);
  EXPECT_EQ(x.count_nonzero().scalar_type(), tg::kLong);
  EXPECT_EQ(tgtest::values(tg::repeat_interleave(L({2, 0, 1}))), (std::vector<double>{0, 0, 2}));
}

TEST(Indexing, ScatterReduceNanAndIntegerMean) {
  Tensor x = tg::tensor({1.0, 2.0}, tg::kFloat64);
  Tensor src = tg::tensor({NAN, 5.0}, tg::kFloat64);
  std::vector<double> a = tgtest::values(x.scatter_reduce(0, L({0, 0}), src, "amax"));
  EXPECT_TRUE(std::isnan(a[0]));
  EXPECT_EQ(a[1], 2.0);
  std::vector<double> b = tgtest::values(x.scatter_reduce(0, L({1, 1}), src, "amin", false));
  EXPECT_EQ(b[0], 1.0);
  EXPECT_TRUE(std::isnan(b[1]));
  // int64 means round down, as PyTorch's floor division.
  Tensor i = tg::tensor({int64_t{7}, 2}).scatter_reduce(0, L({0, 0, 1}), L({-3, 2, 5}), "mean");
  EXPECT_EQ(tgtest::values(i), (std::vector<double>{2, 3}));
}

// ---------------------------------------------------------------------------- errors

void expect_error(const std::function<void()>& f, const std::string& part) {
  EXPECT_THAT(tg_test::error_of(f), ::testing::HasSubstr(part));
}

TEST(Indexing, ErrorsInPyTorchsWordsWithNothingWritten) {
  Tensor x = tg::arange(12, tg::kFloat32).reshape({3, 4});
  const std::vector<double> orig = tgtest::values(x);
  expect_error([&] { x.index({5}); }, "index 5 is out of bounds for dimension 0 with size 3");
  expect_error(
      [&] {
        x.index({Slice(), -5});
      },
      "index -5 is out of bounds for dimension 1 with size 4");
  expect_error(
      [&] {
        x.index({L({0, 5})});
      },
      "index 5 is out of bounds for dimension 0 with size 3");
  expect_error(
      [&] {
        x.index({Slice(), L({7})});
      },
      "index 7 is out of bounds for dimension 0 with size 4");
  expect_error([&] { x.index({0, 0, 0}); }, "too many indices for tensor of dimension 2");
  expect_error(
      [&] {
        x.index(std::vector<std::optional<Tensor>>{L({0}), L({0}), L({0})});
      },
      "too many indices for tensor of dimension 2 (got 3)");
  expect_error(
      [&] {
        x.index({tg::tensor({true, false})});
      },
      "The shape of the mask [2] at index 0 does not match the shape of the indexed "
      "tensor [3, 4] at index 0");
  expect_error(
      [&] {
        x.index({L({0, 1}), L({0, 1, 2})});
      },
      "shape mismatch: indexing tensors could not be broadcast together with shapes [2], "
      "[3]");
  expect_error([&] { x.index({tg::tensor({0.0f})}); },
               "tensors used as indices must be long, byte or bool tensors");
  expect_error([&] { Slice(0, 3, 0); }, "slice step cannot be zero");
  expect_error([&] { x.index({Slice(None, None, -1)}); }, "step must be greater than zero");
  expect_error(
      [&] {
        TensorIndex("...");
        TensorIndex("::");
      },
      "Expected \"...\" to represent an ellipsis index, but got \"::\"");
  expect_error([&] { tg::tensor(1.0).index({0}); }, "invalid index of a 0-dim tensor");
  // Writes: the checks come before anything is written.
  expect_error(
      [&] {
        x.index_put_({L({0, 7})}, 1.0);
      },
      "index 7 is out of bounds for dimension 0 with size 3");
  expect_error(
      [&] {
        x.index_put_({L({0, 1})}, tg::ones({3}));
      },
      "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result "
      "of shape [2, 4]");
  expect_error(
      [&] {
        x.index_put_({L({0, 1})}, tg::ones({4}, tg::kFloat64));
      },
      "Index put requires the source and destination dtypes match, got Float for the "
      "destination and Double for the source.");
  expect_error(
      [&] {
        x.index_put_({x > 1, 0}, 1.0);
      },
      "too many indices for tensor of dimension 2");
  expect_error([&] { x.take(L({12})); },
               "out of range: tried to access index 12 on a tensor of 12 elements.");
  expect_error([&] { x.put_(L({-13}), tg::ones({1})); },
               "out of range: tried to access index -13 on a tensor of 12 elements.");
  expect_error(
      [&] {
        x.put_(L({1, 2}), tg::ones({3}));
      },
      "put_(): Expected source and index to have the same number of elements, but got "
      "source.numel() = 3, index.numel() = 2");
  expect_error([&] { x.index_fill_(0, L({5}), 1.0); },
               "index 5 is out of bounds for dimension 0 with size 3");
  expect_error([&] { x.index_fill_(0, L({0}), tg::ones({1})); },
               "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
               "dimension(s).");
  expect_error(
      [&] {
        x.index_copy_(0, L({-1}), tg::ones({1, 4}));
      },
      "index_copy_(): index -1 is out of bounds for dimension 0 with size 3");
  expect_error(
      [&] {
        x.index_copy_(0, L({0, 1}), tg::ones({1, 4}));
      },
      "index_copy_(): Number of indices (2) should be equal to source.size(dim) (1)");
  expect_error([&] { x.masked_scatter_(x > 5, tg::ones({3})); },
               "Number of elements of source < number of ones in mask");
  expect_error(
      [&] {
        x.scatter_(0, L({0}).reshape({1, 1}), tg::ones({1, 1}), "max");
      },
      "reduce argument must be either add or multiply.");
  expect_error(
      [&] {
        x.scatter_reduce_(0, L({0}).reshape({1, 1}), tg::ones({1, 1}), "max");
      },
      "reduce argument must be either sum, prod, mean, amax or amin.");
  expect_error(
      [&] {
        x.scatter_reduce_(0, L({3}).reshape({1, 1}), tg::ones({1, 1}), "sum");
      },
      "index 3 is out of bounds for dimension 0 with size 3");
  expect_error([&] { tg::repeat_interleave(L({1, -1})); }, "repeats can not be negative");
  expect_error(
      [&] {
        x.repeat_interleave(L({1, 2}), 0);
      },
      "repeats must have the same size as input along dim");
  EXPECT_EQ(tgtest::values(x), orig);
  // A leaf that requires grad is not written in place.
  Tensor leaf = tg::rand({3}, tg::requires_grad());
  expect_error([&] { leaf.index_put_({L({0})}, 1.0); },
               "a leaf Variable that requires grad is being used in an in-place operation.");
}

}  // namespace
