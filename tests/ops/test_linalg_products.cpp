// Diagonals and products (einsum, tensordot, kron, diagonal, diag_embed, trace, addmv, addr,
// baddbmm, addbmm, dist, cdist, cross): values and gradients against PyTorch 1.13
// (tests/fixtures/ops/linalg_products.json, written by scripts/make_sorting_fixtures.py),
// finite-difference gradchecks of first and second order, node names and argument errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
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
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------- fixtures

std::vector<int64_t> ints(const json& j) { return j.get<std::vector<int64_t>>(); }

Tensor apply(const std::string& op, const Inputs& x, const json& a) {
  if (op == "einsum") return tg::einsum(a["eq"].get<std::string>(), x);
  if (op == "tensordot") return tg::tensordot(x[0], x[1], ints(a["da"]), ints(a["db"]));
  if (op == "kron") return x[0].kron(x[1]);
  if (op == "diagonal") return tg::diagonal(x[0], a["offset"], a["d1"], a["d2"]);
  if (op == "diag_embed") return x[0].diag_embed(a["offset"], a["d1"], a["d2"]);
  if (op == "trace") return x[0].trace();
  auto scalar = [](const json& v) {
    return v.is_number_integer() ? tg::Scalar(v.get<int64_t>()) : tg::Scalar(v.get<double>());
  };
  if (op == "addmv") return tg::addmv(x[0], x[1], x[2], scalar(a["beta"]), scalar(a["alpha"]));
  if (op == "addr") return x[0].addr(x[1], x[2], scalar(a["beta"]), scalar(a["alpha"]));
  if (op == "baddbmm") return tg::baddbmm(x[0], x[1], x[2], scalar(a["beta"]), scalar(a["alpha"]));
  if (op == "addbmm") return x[0].addbmm(x[1], x[2], scalar(a["beta"]), scalar(a["alpha"]));
  if (op == "dist") return tg::dist(x[0], x[1], tgtest::json_number(a["p"]));
  if (op == "cdist") return tg::cdist(x[0], x[1], tgtest::json_number(a["p"]));
  if (op == "cross") return tg::cross(x[0], x[1]);
  if (op == "linalg_cross") return tg::linalg_cross(x[0], x[1], a["dim"]);
  throw std::runtime_error("unknown op " + op);
}

TEST(LinalgProductsFixtures, MatchPyTorch) {
  const json cases = tgtest::fixture_cases("ops/linalg_products.json");
  ASSERT_GE(cases.size(), 100u);
  int grads = 0;
  for (const auto& c : cases) {
    const std::string op = c["op"];
    std::string what = op + " " + c["args"].dump() + " on";
    for (const auto& in : c["inputs"]) what += " " + in["shape"].dump();
    what += " " + c["inputs"][0]["dtype"].get<std::string>();
    SCOPED_TRACE(what);
    Inputs bases, xs;
    for (size_t i = 0; i < c["inputs"].size(); ++i) {
      Tensor b = tgtest::tensor_from(c["inputs"][i]);
      if (b.is_floating_point()) b.requires_grad_(true);
      bases.push_back(b);
      xs.push_back(c["t"][i].get<bool>() ? b.transpose(-1, -2) : b);
    }
    Tensor y = apply(op, xs, c["args"]);
    // The matrix-product form of cdist and the sums of products round differently in float32.
    tgtest::expect_matches(y, tgtest::tensor_from(c["out"]), what, 2e-5);
    if (!c.contains("grads")) continue;
    ++grads;
    std::vector<Tensor> g =
        tg::autograd::grad({y}, bases, {tgtest::tensor_from(c["g"])}, std::nullopt, false, true);
    for (size_t i = 0; i < bases.size(); ++i) {
      Tensor want = tgtest::tensor_from(c["grads"][i]);
      Tensor got = g[i].defined() ? g[i] : tg::zeros_like(bases[i]);
      tgtest::expect_matches(got, want, what + " grad " + std::to_string(i), 2e-5);
    }
  }
  EXPECT_GE(grads, 90);
}

// ---------------------------------------------------------------------------- gradcheck

struct GradCase {
  std::string name;
  std::function<Inputs(Rng&)> inputs;
  tgtest::TensorFn fn;
  bool gradgrad = true;
};

Tensor U(Rng& r, tg::IntArrayRef s, double lo = -2.0, double hi = 2.0) {
  Tensor t = tgtest::uniform(s, lo, hi, r);
  t.requires_grad_(true);
  return t;
}
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
      {"einsum_mm", IN(U(r, {3, 4}), T(r, {4, 2})), FN(tg::einsum("ij,jk->ik", x))},
      {"einsum_batched", IN(U(r, {2, 3, 4}), U(r, {2, 4, 2})), FN(tg::einsum("bij,bjk", x))},
      {"einsum_diagonal", IN(U(r, {3, 3})), FN(tg::einsum("ii->i", x))},
      {"einsum_trace_noncontig", IN(T(r, {3, 3})), FN(tg::einsum("ii", x))},
      {"einsum_ellipsis_bcast", IN(U(r, {2, 3, 4}), U(r, {4, 2})),
       FN(tg::einsum("...ij,...jk->...ik", x))},
      {"einsum_three", IN(U(r, {2, 3}), U(r, {4, 3, 2}), U(r, {2, 2})),
       FN(tg::einsum("bn,anm,bm->ba", x))},
      {"einsum_outer_sum", IN(U(r, {3}), U(r, {2})), FN(tg::einsum("i,j->", x))},
      {"einsum_repeat_in_pair", IN(U(r, {3, 3, 2}), U(r, {2, 2})), FN(tg::einsum("iij,jk->ik", x))},
      {"einsum_size1_bcast", IN(U(r, {4}), U(r, {1})), FN(tg::einsum("i,i->i", x))},
      {"tensordot", IN(U(r, {3, 4, 2}), U(r, {4, 3, 2})),
       FN(tg::tensordot(x[0], x[1], {0, 1}, {1, 0}))},
      {"tensordot_noncontig", IN(T(r, {3, 4}), U(r, {4, 2})),
       FN(tg::tensordot(x[0], x[1], {1}, {0}))},
      {"kron", IN(U(r, {2, 3}), U(r, {3, 2})), FN(tg::kron(x[0], x[1]))},
      {"kron_ranks", IN(U(r, {2}), U(r, {2, 3})), FN(x[0].kron(x[1]))},
      {"diagonal", IN(U(r, {3, 4})), FN(x[0].diagonal(1))},
      {"diagonal_3d_noncontig", IN(T(r, {2, 3, 4})), FN(tg::diagonal(x[0], -1, 2, 0))},
      {"diag_embed", IN(U(r, {2, 3})), FN(x[0].diag_embed(1))},
      {"diag_embed_dims", IN(U(r, {2, 3})), FN(tg::diag_embed(x[0], -1, 0, 2))},
      {"trace", IN(T(r, {3, 4})), FN(x[0].trace())},
      {"addmv", IN(U(r, {3}), U(r, {3, 4}), U(r, {4})), FN(tg::addmv(x[0], x[1], x[2]))},
      {"addmv_beta_alpha_bcast", IN(U(r, {1}), T(r, {3, 4}), U(r, {4})),
       FN(x[0].addmv(x[1], x[2], 0.5, -2))},
      {"addr", IN(U(r, {3, 4}), U(r, {3}), U(r, {4})), FN(tg::addr(x[0], x[1], x[2], 2, 0.5))},
      {"addr_bcast", IN(U(r, {4}), U(r, {3}), U(r, {4})), FN(x[0].addr(x[1], x[2]))},
      {"baddbmm", IN(U(r, {2, 3, 2}), U(r, {2, 3, 4}), T(r, {2, 4, 2})),
       FN(tg::baddbmm(x[0], x[1], x[2], -1, 0.25))},
      {"baddbmm_bcast", IN(U(r, {3, 1}), U(r, {2, 3, 4}), U(r, {2, 4, 2})),
       FN(x[0].baddbmm(x[1], x[2]))},
      {"addbmm", IN(U(r, {3, 2}), U(r, {2, 3, 4}), U(r, {2, 4, 2})),
       FN(tg::addbmm(x[0], x[1], x[2], 0.5, 2))},
      {"addbmm_bcast", IN(U(r, {2}), T(r, {2, 3, 4}), U(r, {2, 4, 2})),
       FN(x[0].addbmm(x[1], x[2]))},
      {"dist_2", IN(U(r, {3, 4}), U(r, {4})), FN(tg::dist(x[0], x[1]))},
      {"dist_1", IN(U(r, {3, 4}), U(r, {3, 4})), FN(x[0].dist(x[1], 1))},
      {"dist_3", IN(T(r, {3, 4}), U(r, {3, 4})), FN(tg::dist(x[0], x[1], 3))},
      {"dist_1_5", IN(U(r, {5}), U(r, {5})), FN(tg::dist(x[0], x[1], 1.5))},
      {"dist_inf", IN(U(r, {5}), U(r, {5})), FN(tg::dist(x[0], x[1], INFINITY))},
      {"dist_0", IN(U(r, {5}), U(r, {5})), FN(tg::dist(x[0], x[1], 0))},
      {"cdist_2", IN(U(r, {4, 3}), U(r, {5, 3})), FN(tg::cdist(x[0], x[1]))},
      {"cdist_1", IN(U(r, {4, 3}), U(r, {5, 3})), FN(tg::cdist(x[0], x[1], 1))},
      {"cdist_3_batched", IN(U(r, {2, 3, 2}), U(r, {1, 4, 2})), FN(tg::cdist(x[0], x[1], 3))},
      {"cdist_1_5_noncontig", IN(T(r, {4, 3}), U(r, {2, 3})), FN(tg::cdist(x[0], x[1], 1.5))},
      {"cdist_inf", IN(U(r, {3, 4}), U(r, {2, 4})), FN(tg::cdist(x[0], x[1], INFINITY))},
      {"cdist_mm_path", IN(U(r, {27, 2}), U(r, {3, 2})), FN(tg::cdist(x[0], x[1]))},
      {"cdist_forced_mm", IN(U(r, {3, 2}), U(r, {4, 2})), FN(tg::cdist(x[0], x[1], 2, 1))},
      {"cross", IN(U(r, {4, 3}), U(r, {4, 3})), FN(tg::cross(x[0], x[1]))},
      {"cross_dim0_noncontig", IN(T(r, {3, 2}), U(r, {3, 2})), FN(x[0].cross(x[1], 0))},
      {"linalg_cross_bcast", IN(U(r, {2, 3}), U(r, {1, 3})), FN(tg::linalg_cross(x[0], x[1]))},
  };
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& info) { return info.param.name; }

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

class LinalgProductsGradcheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(LinalgProductsGradcheck, FirstAndSecondOrder) {
  const GradCase& c = GetParam();
  Rng rng(name_seed(c.name));
  Inputs in = c.inputs(rng);
  EXPECT_TRUE(tgtest::gradcheck(c.fn, in));
  if (c.gradgrad) {
    EXPECT_TRUE(tgtest::gradgradcheck(c.fn, in));
  }
}

INSTANTIATE_TEST_SUITE_P(LinalgProducts, LinalgProductsGradcheck, ::testing::ValuesIn(cases()),
                         case_name);

// ---------------------------------------------------------------------------- behaviour

TEST(LinalgProducts, NodeNames) {
  Tensor x = tg::rand({3, 3}, tg::requires_grad());
  Tensor v = tg::rand({3}, tg::requires_grad());
  Tensor b = tg::rand({2, 3, 3}, tg::requires_grad());
  EXPECT_EQ(x.diagonal().grad_fn()->name(), "DiagonalBackward0");
  EXPECT_EQ(v.diag_embed().grad_fn()->name(), "DiagEmbedBackward0");
  EXPECT_EQ(x.trace().grad_fn()->name(), "TraceBackward0");
  EXPECT_EQ(v.addmv(x, v).grad_fn()->name(), "AddmvBackward0");
  EXPECT_EQ(x.addr(v, v).grad_fn()->name(), "AddrBackward0");
  EXPECT_EQ(b.baddbmm(b, b).grad_fn()->name(), "BaddbmmBackward0");
  EXPECT_EQ(x.addbmm(b, b).grad_fn()->name(), "AddbmmBackward0");
  EXPECT_EQ(x.dist(v).grad_fn()->name(), "DistBackward0");
  EXPECT_EQ(tg::cdist(x, x).grad_fn()->name(), "CdistBackward0");
  EXPECT_EQ(tg::cdist(tg::rand({30, 3}, tg::requires_grad()), x).grad_fn()->name(),
            "ViewBackward0");
  EXPECT_EQ(x.cross(x).grad_fn()->name(), "LinalgCrossBackward0");
  Tensor d = x.diagonal();
  EXPECT_EQ(d.data_ptr<float>(), x.data_ptr<float>());  // a view
}

TEST(LinalgProducts, EinsumShapesAndDtypes) {
  Tensor a = tg::ones({2, 3}), b = tg::ones({3, 2});
  EXPECT_TRUE(tg::einsum("bA,aB", {a, b}).sizes().equals({3, 2, 3, 2}));
  EXPECT_EQ(tg::einsum("Ba,aB", {a, b}).item<float>(), 6.0f);
  EXPECT_TRUE(tg::einsum("...->...", {a}).sizes().equals({2, 3}));
  EXPECT_TRUE(tg::einsum("i j , j k -> i k", {a, b}).sizes().equals({2, 2}));
  Tensor l = tg::einsum("i,j->", {tg::ones({2}, tg::kLong), tg::ones({3}, tg::kLong)});
  EXPECT_EQ(l.scalar_type(), tg::kLong);
  EXPECT_EQ(l.item<int64_t>(), 6);
  // Contracted dims of size 0 give zeros.
  Tensor z = tg::einsum("ij,jk->ik", {tg::ones({2, 0}), tg::ones({0, 4})});
  EXPECT_TRUE(z.sizes().equals({2, 4}));
  EXPECT_EQ(z.abs().sum().item<float>(), 0.0f);
}

TEST(LinalgProducts, BetaZeroIgnoresNan) {
  Tensor self = tg::full({2}, NAN);
  Tensor r = tg::addmv(self, tg::ones({2, 3}), tg::ones({3}), 0, 1);
  EXPECT_EQ(tgtest::values(r), (std::vector<double>{3, 3}));
}

// ---------------------------------------------------------------------------- errors

TEST(LinalgProducts, EinsumErrors) {
  Tensor m = tg::ones({2, 3});
  auto err = [](const std::string& eq, std::vector<Tensor> ops) {
    return error_of([&] { tg::einsum(eq, ops); });
  };
  EXPECT_THAT(err("ij,jk", {m}),
              HasSubstr("einsum(): fewer operands were provided than specified in the equation"));
  EXPECT_THAT(err("ij", {m, m}),
              HasSubstr("einsum(): more operands were provided than specified in the equation"));
  EXPECT_THAT(err("i1", {m}), HasSubstr("einsum(): invalid subscript given at index 1 in the "
                                        "equation string, subscripts must be in [a-zA-Z]"));
  EXPECT_THAT(err("ijk", {m}),
              HasSubstr("einsum(): the number of subscripts in the equation (3) does not match "
                        "the number of dimensions (2) for operand 0 and no ellipsis was given"));
  EXPECT_THAT(err("...ijk", {m}),
              HasSubstr("einsum(): the number of subscripts in the equation (3) is more than the "
                        "number of dimensions (2) for operand 0"));
  EXPECT_THAT(err("ij,jk", {m, tg::ones({4, 2})}),
              HasSubstr("einsum(): subscript j has size 4 for operand 1 which does not broadcast "
                        "with previously seen size 3"));
  EXPECT_THAT(err("ij->ii", {m}), HasSubstr("einsum(): output subscript i appears more than once "
                                            "in the output"));
  EXPECT_THAT(err("ij->k", {m}), HasSubstr("einsum(): output subscript k does not appear in the "
                                           "equation for any input operand"));
  EXPECT_THAT(err("i..j.", {m}),
              HasSubstr("einsum(): found '.' for operand 0 that is not part of any ellipsis"));
  EXPECT_THAT(err("ii", {m}), HasSubstr("einsum(): subscript i is repeated for operand 0 but the "
                                        "sizes don't match, 3 != 2"));
  EXPECT_THAT(err("...i,...i", {m, tg::ones({4, 3})}),
              HasSubstr("which does not broadcast with previously seen ellipsis with size 2"));
  EXPECT_THAT(err("ij", {}), HasSubstr("einsum(): must provide at least one operand"));
  EXPECT_THAT(err("i,i", {tg::ones({2}), tg::ones({2}, tg::kDouble)}),
              HasSubstr("expected scalar type Float but found Double"));
  EXPECT_THAT(err("ij-ji", {m}), HasSubstr("invalid subscript given at index 2"));
}

TEST(LinalgProducts, Errors) {
  Tensor m = tg::ones({2, 3});
  EXPECT_THAT(error_of([&] {
                tg::tensordot(m, tg::ones({4, 3}), {1}, {0});
              }),
              HasSubstr("contracted dimensions need to match, but first has size 3 in dim 1 and "
                        "second has size 4 in dim 0"));
  EXPECT_THAT(error_of([&] {
                tg::tensordot(m, tg::ones({4, 3}), {1, 0}, {0});
              }),
              HasSubstr("both dimension lists should have same length"));
  EXPECT_THAT(error_of([&] {
                tg::linalg_cross(tg::ones({2, 4}), tg::ones({2, 4}));
              }),
              HasSubstr("linalg.cross: inputs dimension -1 must have length 3. Got 4 and 4"));
  EXPECT_THAT(error_of([&] {
                tg::cross(tg::ones({2, 4}), tg::ones({2, 4}));
              }),
              HasSubstr("no dimension of size 3 in input"));
  EXPECT_THAT(error_of([&] {
                tg::linalg_cross(m, tg::ones({4, 1, 3}));
              }),
              HasSubstr("linalg.cross: inputs must have the same number of dimensions."));
  EXPECT_THAT(error_of([&] {
                tg::cdist(m, tg::ones({4, 2}));
              }),
              HasSubstr("X1 and X2 must have the same number of columns. X1: 3 X2: 2"));
  EXPECT_THAT(error_of([&] { tg::cdist(m, m, -1); }),
              HasSubstr("cdist only supports non-negative p values"));
  EXPECT_THAT(error_of([&] { tg::cdist(tg::ones({3}), m); }),
              HasSubstr("cdist only supports at least 2D tensors, X1 got: 1D"));
  EXPECT_THAT(error_of([&] {
                tg::cdist(tg::ones({2, 3}, tg::kLong), tg::ones({2, 3}, tg::kLong));
              }),
              HasSubstr("cdist only supports floating-point dtypes, X1 got: Long"));
  EXPECT_THAT(error_of([&] {
                tg::trace(tg::ones({2, 3, 4}));
              }),
              HasSubstr("trace: expected a matrix, but got tensor with dim 3"));
  EXPECT_THAT(error_of([&] { m.diagonal(0, 1, 1); }),
              HasSubstr("diagonal dimensions cannot be identical 1, 1"));
  EXPECT_THAT(error_of([&] { tg::addmv(tg::ones({2}), m, tg::ones({4})); }),
              HasSubstr("size mismatch, got 2, 2x3,4"));
  EXPECT_THAT(error_of([&] { tg::addmv(tg::ones({3}), m, tg::ones({3})); }),
              HasSubstr("size mismatch, got 3, 2x3,3"));
  EXPECT_THAT(error_of([&] {
                tg::addr(m, tg::ones({2, 2}), tg::ones({3}));
              }),
              HasSubstr("addr: Expected 1-D argument vec1, but got 2-D"));
  EXPECT_THAT(error_of([&] {
                tg::addr(tg::ones({3, 3}), tg::ones({2}), tg::ones({3}));
              }),
              HasSubstr("cannot be broadcast to the product's shape [2, 3]"));
  EXPECT_THAT(error_of([&] {
                tg::baddbmm(m, tg::ones({4, 2, 5}), tg::ones({3, 5, 3}));
              }),
              HasSubstr("Expected size for first two dimensions of batch2 tensor to be: [4, 5] "
                        "but got: [3, 5]."));
  EXPECT_THAT(error_of([&] {
                tg::addbmm(m, tg::ones({4, 2, 5}), tg::ones({4, 5, 2}));
              }),
              HasSubstr("cannot be broadcast to the product's shape [2, 2]"));
  EXPECT_THAT(error_of([&] {
                tg::baddbmm(m, tg::ones({2, 5}), tg::ones({4, 5, 3}));
              }),
              HasSubstr("batch1 must be a 3D tensor"));
}

}  // namespace
