// Tensors without autograd: factories, dtype promotion, views sharing storage, strides and
// contiguity, cat/stack/chunk/split, from_blob, and printing exactly like Python PyTorch 1.13
// (every expected string below is repr() of the same tensor in PyTorch).
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

using tg::Tensor;

std::string str(const Tensor& t) {
  std::ostringstream ss;
  ss << t;
  return ss.str();
}

std::vector<double> vals(const Tensor& t) {
  Tensor c = t.to(tg::kFloat64).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

using V = std::vector<double>;
using S = std::vector<int64_t>;

// ---- factories

TEST(Factories, ZerosOnesFull) {
  Tensor z = tg::zeros({2, 3});
  EXPECT_EQ(z.scalar_type(), tg::kFloat32);
  EXPECT_EQ(z.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(z.strides().vec(), (S{3, 1}));
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dim(), 2);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(vals(z), V(6, 0.0));
  EXPECT_FALSE(z.requires_grad());

  Tensor o = tg::ones({3}, tg::kFloat64);
  EXPECT_EQ(o.scalar_type(), tg::kFloat64);
  EXPECT_EQ(vals(o), V(3, 1.0));
  EXPECT_EQ(tg::ones({2}, tg::kLong).scalar_type(), tg::kInt64);
  EXPECT_EQ(tg::zeros({2}, tg::kBool).scalar_type(), tg::kBool);

  // full takes the fill value's type unless a dtype is given, as in PyTorch.
  EXPECT_EQ(tg::full({2}, 7).scalar_type(), tg::kInt64);
  EXPECT_EQ(tg::full({2}, 1.5).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::full({2}, true).scalar_type(), tg::kBool);
  Tensor f = tg::full({2, 2}, 2.5, tg::kFloat64);
  EXPECT_EQ(f.scalar_type(), tg::kFloat64);
  EXPECT_EQ(vals(f), V(4, 2.5));

  Tensor s = tg::zeros({});
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  Tensor e = tg::empty({0, 3});
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.sizes().vec(), (S{0, 3}));
  EXPECT_EQ(tg::scalar_tensor(3.5).item<double>(), 3.5);
  EXPECT_EQ(tg::scalar_tensor(3.5).dim(), 0);
}

TEST(Factories, EyeAndArange) {
  EXPECT_EQ(vals(tg::eye(3)), (V{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  Tensor r = tg::eye(2, 3, tg::kLong);
  EXPECT_EQ(r.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(r.scalar_type(), tg::kInt64);
  EXPECT_EQ(vals(r), (V{1, 0, 0, 0, 1, 0}));

  Tensor a = tg::arange(5);
  EXPECT_EQ(a.scalar_type(), tg::kInt64);
  EXPECT_EQ(vals(a), (V{0, 1, 2, 3, 4}));
  Tensor b = tg::arange(0., 1., 0.25);
  EXPECT_EQ(b.scalar_type(), tg::kFloat32);
  EXPECT_EQ(vals(b), (V{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(vals(tg::arange(5, 0, -2)), (V{5, 3, 1}));
  EXPECT_EQ(vals(tg::arange(1, 2.5, 0.5)), (V{1, 1.5, 2}));
  EXPECT_EQ(tg::arange(1, 2.5, 0.5).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::arange(3, tg::kFloat64).scalar_type(), tg::kFloat64);
  EXPECT_EQ(tg::arange(-2.5, 2.6, 0.5).numel(), 11);
  EXPECT_EQ(tg::arange(0).numel(), 0);
}

TEST(Factories, LikeFactories) {
  Tensor x = tg::ones({2, 3}, tg::kFloat64);
  Tensor z = tg::zeros_like(x);
  EXPECT_EQ(z.scalar_type(), tg::kFloat64);
  EXPECT_EQ(z.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(vals(z), V(6, 0.0));
  EXPECT_EQ(vals(tg::ones_like(x)), V(6, 1.0));
  EXPECT_EQ(vals(tg::full_like(x, 4)), V(6, 4.0));
  EXPECT_EQ(tg::full_like(x, 4).scalar_type(), tg::kFloat64);
  EXPECT_EQ(tg::zeros_like(x, tg::kLong).scalar_type(), tg::kInt64);
  EXPECT_EQ(tg::empty_like(x).sizes().vec(), (S{2, 3}));
  // The *_like of a transposed tensor has the transposed shape.
  EXPECT_EQ(tg::zeros_like(x.t()).sizes().vec(), (S{3, 2}));
}

TEST(Factories, TensorFromLists) {
  Tensor i = tg::tensor({1, 2, 3});
  EXPECT_EQ(i.scalar_type(), tg::kInt64);
  EXPECT_EQ(vals(i), (V{1, 2, 3}));
  Tensor f = tg::tensor({1.0, 2.5});
  EXPECT_EQ(f.scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor({1.0, 2}).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor({1, 2.0}).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor({true, false}).scalar_type(), tg::kBool);
  Tensor m = tg::tensor({{1., 2.}, {3., 4.}, {5., 6.}});
  EXPECT_EQ(m.sizes().vec(), (S{3, 2}));
  EXPECT_EQ(vals(m), (V{1, 2, 3, 4, 5, 6}));
  Tensor s = tg::tensor(3.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor(7).scalar_type(), tg::kInt64);
  EXPECT_EQ(tg::tensor({1.0}, tg::kFloat64).scalar_type(), tg::kFloat64);
  EXPECT_EQ(tg::tensor({1, 2}, tg::kFloat32).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor(std::vector<int64_t>{4, 5}).scalar_type(), tg::kInt64);
  // As in libtorch, a std::vector<double> gives the default dtype.
  EXPECT_EQ(tg::tensor(std::vector<double>{4, 5}).scalar_type(), tg::kFloat32);
  EXPECT_EQ(tg::tensor(std::vector<float>{4, 5}).scalar_type(), tg::kFloat32);
  Tensor r = tg::tensor({1.5}, tg::requires_grad());
  EXPECT_TRUE(r.requires_grad());
  EXPECT_TRUE(r.is_leaf());
}

TEST(Factories, ItemAndIndexing) {
  Tensor m = tg::tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(m[1][2].item<int64_t>(), 6);
  EXPECT_EQ(m[-1][0].item<int64_t>(), 4);
  EXPECT_EQ(m[0].sizes().vec(), (S{3}));
  EXPECT_EQ(tg::tensor({2.5}).item<float>(), 2.5f);
  EXPECT_EQ(tg::tensor({2.5}).item<int64_t>(), 2);
  EXPECT_TRUE(tg::tensor({true}).item<bool>());
  EXPECT_EQ(tg::tensor(7).item().to<double>(), 7.0);
}

// ---- dtype promotion

struct PromoCase {
  const char* what;
  Tensor result;
  tg::ScalarType expected;
};

TEST(Promotion, Table) {
  Tensor i64 = tg::tensor({1, 2});
  Tensor f32 = tg::tensor({1.5f, 2.5f});
  Tensor f64 = tg::tensor({1.5, 2.5}, tg::kFloat64);
  Tensor b = tg::tensor({true, false});
  Tensor z_f64 = tg::tensor(2.0, tg::kFloat64);
  Tensor z_f32 = tg::tensor(2.5f);
  Tensor z_i64 = tg::tensor(2);
  Tensor z_b = tg::tensor(true);
  const std::vector<PromoCase> cases = {
      {"int64 + float32", i64 + f32, tg::kFloat32},
      {"float32 * double scalar", f32 * 2.5, tg::kFloat32},
      {"double scalar * float32", 2.5 * f32, tg::kFloat32},
      {"bool + int64", b + i64, tg::kInt64},
      {"int64 / int64", i64 / i64, tg::kFloat32},
      {"int64 / int scalar", i64 / 2, tg::kFloat32},
      {"0-dim float64 + float32", z_f64 + f32, tg::kFloat32},
      {"int64 + 0-dim float64", i64 + z_f64, tg::kFloat64},
      {"int64 * 0-dim float32", i64 * z_f32, tg::kFloat32},
      {"bool + 0-dim int64", b + z_i64, tg::kInt64},
      {"int64 * 0-dim bool", i64 * z_b, tg::kInt64},
      {"int64 * double scalar", i64 * 2.5, tg::kFloat32},
      {"int64 + int scalar", i64 + 2, tg::kInt64},
      {"bool + bool scalar", b + true, tg::kBool},
      {"int64 + bool scalar", i64 + true, tg::kInt64},
      {"bool * int scalar", b * 3, tg::kInt64},
      {"float32 + float64", f32 + f64, tg::kFloat64},
      {"float32 + int scalar", f32 + 2, tg::kFloat32},
      {"float64 * 0-dim float32", f64 * z_f32, tg::kFloat64},
      {"0-dim float64 + 0-dim float32", z_f64 + z_f32, tg::kFloat64},
      {"int64 comparison", i64 < 1.5, tg::kBool},
      {"float32 == float64", f32 == f64, tg::kBool},
      {"sum of int64", i64.sum(), tg::kInt64},
      {"sum of bool", b.sum(), tg::kInt64},
      {"sum of float32", f32.sum(), tg::kFloat32},
      {"mean of float64", f64.mean(), tg::kFloat64},
      {"int64 pow int", i64.pow(2), tg::kInt64},
      {"int64 pow double", i64.pow(0.5), tg::kFloat32},
      {"sqrt of int64", i64.sqrt(), tg::kFloat32},
      {"exp of bool", b.exp(), tg::kFloat32},
      {"abs of int64", i64.abs(), tg::kInt64},
      {"neg of int64", -i64, tg::kInt64},
      {"where int64/float32", tg::where(b, i64, f32), tg::kFloat32},
      {"maximum int64/float64", tg::maximum(i64, f64), tg::kFloat64},
      {"cat int64, float32", tg::cat({i64, f32}), tg::kFloat32},
      {"clamp int64 by double", i64.clamp(0.5), tg::kFloat32},
      {"clamp int64 by int", i64.clamp(1), tg::kInt64},
      {"argmax", f32.argmax(), tg::kInt64},
  };
  for (const auto& c : cases) EXPECT_EQ(c.result.scalar_type(), c.expected) << c.what;
}

TEST(Promotion, Values) {
  Tensor i = tg::tensor({1, 2, 3});
  EXPECT_EQ(vals(i / 2), (V{0.5, 1.0, 1.5}));
  EXPECT_EQ(vals(i * 2.5), (V{2.5, 5.0, 7.5}));
  EXPECT_EQ(vals(i - 1), (V{0, 1, 2}));
  EXPECT_EQ(vals(10 - i), (V{9, 8, 7}));
  EXPECT_EQ(vals(tg::tensor({true, false}) + tg::tensor({3, 4})), (V{4, 4}));
  // A double scalar rounds to float32 when the tensor is float32.
  Tensor f = tg::tensor({1.0f}) * 0.1;
  EXPECT_EQ(f.item<float>(), 0.1f);
  // In-place ops keep self's dtype.
  Tensor g = tg::tensor({1.0f, 2.0f});
  g += tg::tensor({0.5, 0.25}, tg::kFloat64);
  EXPECT_EQ(g.scalar_type(), tg::kFloat32);
  EXPECT_EQ(vals(g), (V{1.5, 2.25}));
  Tensor k = tg::tensor({1, 2});
  k *= 3;
  EXPECT_EQ(k.scalar_type(), tg::kInt64);
  EXPECT_EQ(vals(k), (V{3, 6}));
  EXPECT_EQ(vals(tg::tensor({7, -7}) / tg::tensor({2, 2})), (V{3.5, -3.5}));
  EXPECT_EQ(vals(i.to(tg::kFloat64)), (V{1, 2, 3}));
  EXPECT_EQ(vals(tg::tensor({1.7, -1.7}).to(tg::kLong)), (V{1, -1}));
  EXPECT_EQ(vals(tg::tensor({0.0, 2.0}).to(tg::kBool)), (V{0, 1}));
}

// ---- views share storage

TEST(Views, ShareStorageWithTheBase) {
  Tensor x = tg::arange(6, tg::kFloat).reshape({2, 3});
  Tensor base = x;
  auto check_write = [&](Tensor view, const char* what, int64_t base_flat) {
    view.fill_(100 + base_flat);
    EXPECT_EQ(vals(base)[base_flat], 100 + base_flat) << what;
  };
  check_write(x.view({6}).narrow(0, 4, 1), "view", 4);
  check_write(x.reshape({3, 2})[0][1], "reshape", 1);
  check_write(x.t()[2][0], "t", 2);
  check_write(x.transpose(0, 1)[1][1], "transpose", 4);
  check_write(x.permute({1, 0})[0][1], "permute", 3);
  check_write(x.select(1, 2)[1], "select", 5);
  check_write(x.slice(1, 0, 3, 2).select(1, 1)[0], "slice step", 2);
  check_write(x.narrow(0, 1, 1)[0][0], "narrow", 3);
  check_write(x.unsqueeze(0).squeeze(0)[0][0], "squeeze/unsqueeze", 0);
  check_write(x.flatten()[5], "flatten", 5);
  check_write(x.detach()[0][1], "detach", 1);
  check_write(x.chunk(3, 1)[1][1][0], "chunk", 4);
  check_write(x.split(1, 0)[1][0][2], "split", 5);
  check_write(x.contiguous()[1][2], "contiguous of contiguous", 5);
  check_write(x[1], "operator[]", 3);
  EXPECT_EQ(x.view({6}).data_ptr(), x.data_ptr());
  EXPECT_EQ(x[1].storage_offset(), 3);

  // Copies do not share.
  Tensor c = x.clone();
  c.fill_(-1);
  EXPECT_NE(vals(x)[0], -1);
  Tensor tc = x.t().contiguous();
  EXPECT_NE(tc.data_ptr(), x.data_ptr());
  Tensor tr = x.t().reshape({6});  // not viewable: a copy
  tr.fill_(-1);
  EXPECT_NE(vals(x)[0], -1);
}

TEST(Views, AssignThroughATemporary) {
  Tensor x = tg::zeros({2, 3});
  x[1] = tg::tensor({1.0f, 2.0f, 3.0f});
  x[0][0] = 9;
  EXPECT_EQ(vals(x), (V{9, 0, 0, 1, 2, 3}));
  x.select(1, 1) = 5;
  EXPECT_EQ(vals(x), (V{9, 5, 0, 1, 5, 3}));
  // Broadcasting copy into a view.
  x.slice(1, 1, 3) = tg::tensor({7.0f, 8.0f});
  EXPECT_EQ(vals(x), (V{9, 7, 8, 1, 7, 8}));
}

TEST(Views, ExpandSharesAndReadsBroadcast) {
  Tensor v = tg::tensor({1.0f, 2.0f, 3.0f});
  Tensor e = v.expand({2, 3});
  EXPECT_EQ(e.strides().vec(), (S{0, 1}));
  EXPECT_EQ(vals(e), (V{1, 2, 3, 1, 2, 3}));
  v[1] = 20;
  EXPECT_EQ(vals(e), (V{1, 20, 3, 1, 20, 3}));
  EXPECT_EQ(vals(e.contiguous()), (V{1, 20, 3, 1, 20, 3}));
  EXPECT_EQ(vals(e.sum({0})), (V{2, 40, 6}));
}

// ---- strides and contiguity

TEST(Strides, ViewGeometry) {
  Tensor x = tg::zeros({2, 3, 4});
  EXPECT_EQ(x.strides().vec(), (S{12, 4, 1}));
  EXPECT_TRUE(x.is_contiguous());

  Tensor t = x.transpose(0, 2);
  EXPECT_EQ(t.sizes().vec(), (S{4, 3, 2}));
  EXPECT_EQ(t.strides().vec(), (S{1, 4, 12}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_TRUE(t.transpose(0, 2).is_contiguous());

  Tensor p = x.permute({1, 2, 0});
  EXPECT_EQ(p.sizes().vec(), (S{3, 4, 2}));
  EXPECT_EQ(p.strides().vec(), (S{4, 1, 12}));
  EXPECT_FALSE(p.is_contiguous());

  Tensor e = tg::zeros({3, 1}).expand({2, 3, 4});
  EXPECT_EQ(e.sizes().vec(), (S{2, 3, 4}));
  EXPECT_EQ(e.strides().vec(), (S{0, 1, 0}));
  EXPECT_FALSE(e.is_contiguous());

  Tensor s = x.slice(2, 1, 4, 2);
  EXPECT_EQ(s.sizes().vec(), (S{2, 3, 2}));
  EXPECT_EQ(s.strides().vec(), (S{12, 4, 2}));
  EXPECT_EQ(s.storage_offset(), 1);
  EXPECT_FALSE(s.is_contiguous());

  Tensor sel = x.select(1, 1);
  EXPECT_EQ(sel.sizes().vec(), (S{2, 4}));
  EXPECT_EQ(sel.strides().vec(), (S{12, 1}));
  EXPECT_EQ(sel.storage_offset(), 4);
  EXPECT_FALSE(sel.is_contiguous());

  Tensor n = x.narrow(0, 1, 1);
  EXPECT_EQ(n.storage_offset(), 12);
  EXPECT_TRUE(n.is_contiguous());
  Tensor rows = x.narrow(1, 1, 2);
  EXPECT_FALSE(rows.is_contiguous());

  Tensor m = tg::zeros({2, 3});
  EXPECT_EQ(m.t().strides().vec(), (S{1, 3}));
  EXPECT_EQ(m.unsqueeze(1).strides().vec(), (S{3, 3, 1}));
  EXPECT_EQ(m.unsqueeze(2).strides().vec(), (S{3, 1, 1}));
  EXPECT_TRUE(m.unsqueeze(0).is_contiguous());
  // Size-1 dims do not matter for contiguity.
  EXPECT_TRUE(tg::zeros({3, 1}).t().is_contiguous());

  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.strides().vec(), (S{6, 2, 1}));
  // A view of a non-contiguous tensor where possible, a copy otherwise.
  Tensor xt = tg::arange(24, tg::kFloat).reshape({2, 3, 4}).transpose(1, 2);  // [2, 4, 3]
  EXPECT_THROW(xt.view({2, 12}), tg::Error);
  Tensor xs = tg::arange(24, tg::kFloat).reshape({4, 6}).slice(1, 0, 3);  // [4, 3], strides 6, 1
  Tensor xv = xs.view({2, 2, 3});
  EXPECT_EQ(xv.strides().vec(), (S{12, 6, 1}));
  EXPECT_EQ(xv.data_ptr(), xs.data_ptr());
}

TEST(Strides, ContiguousCopiesValuesInLogicalOrder) {
  Tensor x = tg::arange(6, tg::kFloat).reshape({2, 3});
  EXPECT_EQ(vals(x.t()), (V{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(vals(x.t().contiguous()), (V{0, 3, 1, 4, 2, 5}));
  const float* p = x.t().contiguous().data_ptr<float>();
  EXPECT_EQ(p[1], 3.0f);
  EXPECT_EQ(vals(x.slice(1, 0, 3, 2)), (V{0, 2, 3, 5}));
  EXPECT_EQ(vals(x.permute({1, 0}).reshape({6})), (V{0, 3, 1, 4, 2, 5}));
  // Ops on non-contiguous inputs give the same values as on contiguous copies.
  Tensor y = x.t();
  EXPECT_TRUE((y * 2 + y.exp()).allclose(y.contiguous() * 2 + y.contiguous().exp()));
  EXPECT_TRUE(y.sum({0}).equal(y.contiguous().sum({0})));
  EXPECT_TRUE(tg::matmul(y, x).equal(tg::matmul(y.contiguous(), x)));
}

// ---- cat, stack, chunk, split

TEST(Joining, CatAndStack) {
  Tensor a = tg::tensor({{1, 2}, {3, 4}});
  Tensor b = tg::tensor({{5, 6}});
  Tensor c0 = tg::cat({a, b});
  EXPECT_EQ(c0.sizes().vec(), (S{3, 2}));
  EXPECT_EQ(vals(c0), (V{1, 2, 3, 4, 5, 6}));
  Tensor c1 = tg::cat({a, a.t()}, 1);
  EXPECT_EQ(c1.sizes().vec(), (S{2, 4}));
  EXPECT_EQ(vals(c1), (V{1, 2, 1, 3, 3, 4, 2, 4}));
  EXPECT_EQ(vals(tg::cat({a, b}, -2)), vals(c0));
  // Empty 1-d tensors are skipped, as in PyTorch.
  EXPECT_EQ(tg::cat({tg::empty({0}, tg::kLong), b}).sizes().vec(), (S{1, 2}));
  EXPECT_EQ(vals(tg::cat({tg::tensor({1.5f}), tg::tensor({2})})), (V{1.5, 2}));

  Tensor s0 = tg::stack({a, a * 10});
  EXPECT_EQ(s0.sizes().vec(), (S{2, 2, 2}));
  EXPECT_EQ(vals(s0), (V{1, 2, 3, 4, 10, 20, 30, 40}));
  Tensor s2 = tg::stack({a, a * 10}, 2);
  EXPECT_EQ(s2.sizes().vec(), (S{2, 2, 2}));
  EXPECT_EQ(vals(s2), (V{1, 10, 2, 20, 3, 30, 4, 40}));
  Tensor s1 = tg::stack({tg::tensor({1, 2}), tg::tensor({3, 4}), tg::tensor({5, 6})}, -1);
  EXPECT_EQ(s1.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(vals(s1), (V{1, 3, 5, 2, 4, 6}));
}

TEST(Joining, ChunkAndSplit) {
  Tensor x = tg::arange(7);
  auto ch = x.chunk(3);
  ASSERT_EQ(ch.size(), 3u);
  EXPECT_EQ(vals(ch[0]), (V{0, 1, 2}));
  EXPECT_EQ(vals(ch[1]), (V{3, 4, 5}));
  EXPECT_EQ(vals(ch[2]), (V{6}));
  EXPECT_EQ(tg::arange(6).chunk(4).size(), 3u);  // chunks of ceil(6 / 4) = 2
  auto sp = tg::split(x, 3);
  ASSERT_EQ(sp.size(), 3u);
  EXPECT_EQ(sp[2].sizes().vec(), (S{1}));
  Tensor m = tg::arange(12).reshape({3, 4});
  auto cols = m.split(3, 1);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].sizes().vec(), (S{3, 3}));
  EXPECT_EQ(vals(cols[1]), (V{3, 7, 11}));
  auto rows = tg::chunk(m, 3, 0);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(vals(rows[1]), (V{4, 5, 6, 7}));
  // The pieces put back together give the original.
  EXPECT_TRUE(tg::cat(m.split(3, 1), 1).equal(m));
  EXPECT_TRUE(tg::cat(x.chunk(3)).equal(x));
}

TEST(Joining, IndexSelect) {
  Tensor m = tg::arange(12).reshape({3, 4});
  Tensor r = m.index_select(0, tg::tensor({2, 0, 2}));
  EXPECT_EQ(r.sizes().vec(), (S{3, 4}));
  EXPECT_EQ(vals(r), (V{8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}));
  Tensor c = m.index_select(1, tg::tensor({3, 1}));
  EXPECT_EQ(vals(c), (V{3, 1, 7, 5, 11, 9}));
  // Negative indices are refused, as in PyTorch; operator[] (advanced indexing) wraps them.
  EXPECT_THROW(m.index_select(1, tg::tensor({-1, 1})), tg::Error);
  EXPECT_EQ(vals(m[tg::tensor({-1})]), (V{8, 9, 10, 11}));
  // index_select copies.
  r.fill_(0);
  EXPECT_EQ(m[2][0].item<int64_t>(), 8);
}

// ---- from_blob

TEST(FromBlob, WrapsWithoutCopying) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = tg::from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr<float>(), data);
  EXPECT_EQ(t.scalar_type(), tg::kFloat32);
  EXPECT_EQ(vals(t), (V{1, 2, 3, 4, 5, 6}));
  data[4] = 50;
  EXPECT_EQ(t[1][1].item<float>(), 50.0f);
  t[0][0] = -1;
  EXPECT_EQ(data[0], -1.0f);
  t.mul_(2);
  EXPECT_EQ(data[5], 12.0f);
  // Results of ops are new memory.
  Tensor u = t + 1;
  EXPECT_NE(u.data_ptr<float>(), data);

  double dd[4] = {1, 2, 3, 4};
  Tensor d = tg::from_blob(dd, {2, 2}, tg::kFloat64);
  EXPECT_EQ(d.scalar_type(), tg::kFloat64);
  EXPECT_EQ(d.data_ptr<double>(), dd);
  Tensor dt = tg::from_blob(dd, {2, 2}, {1, 2}, tg::kFloat64);  // column-major view
  EXPECT_FALSE(dt.is_contiguous());
  EXPECT_EQ(vals(dt), (V{1, 3, 2, 4}));
  Tensor g = tg::from_blob(dd, {2}, tg::dtype(tg::kFloat64).requires_grad(true));
  EXPECT_TRUE(g.requires_grad());
  (g * g).sum().backward();
  EXPECT_EQ(vals(g.grad()), (V{2, 4}));
}

// ---- printing: every expected string is Python PyTorch 1.13's repr()

TEST(Printing, FloatVectorsAndMatrices) {
  EXPECT_EQ(str(tg::tensor({1.5, 2.25, -3.125})), "tensor([ 1.5000,  2.2500, -3.1250])");
  EXPECT_EQ(str(tg::tensor({1., 2., 3.})), "tensor([1., 2., 3.])");
  EXPECT_EQ(str(tg::tensor({-1.0, -2.5})), "tensor([-1.0000, -2.5000])");
  EXPECT_EQ(str(tg::tensor({100.5, 2.25})), "tensor([100.5000,   2.2500])");
  EXPECT_EQ(str(tg::tensor({0., 0.})), "tensor([0., 0.])");
  EXPECT_EQ(str(tg::tensor({{1.5, -2.0}, {3.25, 4.0}})),
            "tensor([[ 1.5000, -2.0000],\n        [ 3.2500,  4.0000]])");
  EXPECT_EQ(str(tg::tensor({{1.}, {2.}})), "tensor([[1.],\n        [2.]])");
  EXPECT_EQ(str(tg::eye(3)),
            "tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])");
  EXPECT_EQ(str(tg::arange(8.0).reshape({2, 2, 2}) / 3),
            "tensor([[[0.0000, 0.3333],\n         [0.6667, 1.0000]],\n\n"
            "        [[1.3333, 1.6667],\n         [2.0000, 2.3333]]])");
  EXPECT_EQ(str(tg::arange(30.0) / 3),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
            "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
            "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
            "        9.0000, 9.3333, 9.6667])");
}

TEST(Printing, IntegersAndBools) {
  EXPECT_EQ(str(tg::tensor({1, -20, 300})), "tensor([  1, -20, 300])");
  EXPECT_EQ(str(tg::tensor({{1, 2}, {30, -4}})), "tensor([[ 1,  2],\n        [30, -4]])");
  EXPECT_EQ(str(tg::tensor({true, false, true})), "tensor([ True, False,  True])");
  EXPECT_EQ(str(tg::arange(12).reshape({2, 2, 3})),
            "tensor([[[ 0,  1,  2],\n         [ 3,  4,  5]],\n\n"
            "        [[ 6,  7,  8],\n         [ 9, 10, 11]]])");
  EXPECT_EQ(str(tg::tensor({true})), "tensor([True])");
}

TEST(Printing, DtypeAndAutogradSuffixes) {
  EXPECT_EQ(str(tg::tensor({1.5, 2.0}, tg::kFloat64)),
            "tensor([1.5000, 2.0000], dtype=torch.float64)");
  EXPECT_EQ(str(tg::tensor({1., 2.}, tg::kFloat64)), "tensor([1., 2.], dtype=torch.float64)");
  EXPECT_EQ(str(tg::tensor({1., 2.}, tg::requires_grad())), "tensor([1., 2.], requires_grad=True)");
  EXPECT_EQ(str(tg::tensor({0.5}, tg::dtype(tg::kFloat64).requires_grad(true))),
            "tensor([0.5000], dtype=torch.float64, requires_grad=True)");
  Tensor x = tg::tensor({1., 2.}, tg::requires_grad());
  EXPECT_EQ(str(x * 2), "tensor([2., 4.], grad_fn=<MulBackward0>)");
  EXPECT_EQ(str(tg::tensor({0.5}, tg::requires_grad()).tanh()),
            "tensor([0.4621], grad_fn=<TanhBackward0>)");
  EXPECT_EQ(str(tg::tensor({0.5}, tg::dtype(tg::kFloat64).requires_grad(true)) + 1),
            "tensor([1.5000], dtype=torch.float64, grad_fn=<AddBackward0>)");
  EXPECT_EQ(str(tg::arange(20.0).reshape({4, 5}).requires_grad_() * 1.5),
            "tensor([[ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000],\n"
            "        [ 7.5000,  9.0000, 10.5000, 12.0000, 13.5000],\n"
            "        [15.0000, 16.5000, 18.0000, 19.5000, 21.0000],\n"
            "        [22.5000, 24.0000, 25.5000, 27.0000, 28.5000]], grad_fn=<MulBackward0>)");
  // detach() drops the suffix.
  EXPECT_EQ(str((x * 2).detach()), "tensor([2., 4.])");
}

TEST(Printing, ScientificNotation) {
  EXPECT_EQ(str(tg::tensor({1e-5, 1.0, 123456.0})), "tensor([1.0000e-05, 1.0000e+00, 1.2346e+05])");
  EXPECT_EQ(str(tg::tensor({1e10, 1.0})), "tensor([1.0000e+10, 1.0000e+00])");
  EXPECT_EQ(str(tg::tensor({0.00001234})), "tensor([1.2340e-05])");
  EXPECT_EQ(str(tg::tensor({1e9, 2.0})), "tensor([1.0000e+09, 2.0000e+00])");
  EXPECT_EQ(str(tg::tensor({-1e-5, 1e5})), "tensor([-1.0000e-05,  1.0000e+05])");
  EXPECT_EQ(str(tg::tensor({1e8, 1.})), "tensor([1.0000e+08, 1.0000e+00])");
  EXPECT_EQ(str(tg::tensor({123456789.})), "tensor([1.2346e+08])");
  EXPECT_EQ(str(tg::tensor({0.0001, 1.})), "tensor([1.0000e-04, 1.0000e+00])");
  EXPECT_EQ(str(tg::tensor({1e-5, 1.}, tg::kFloat64)),
            "tensor([1.0000e-05, 1.0000e+00], dtype=torch.float64)");
}

TEST(Printing, EmptyAndZeroDim) {
  EXPECT_EQ(str(tg::empty({0})), "tensor([])");
  EXPECT_EQ(str(tg::zeros({0, 3})), "tensor([], size=(0, 3))");
  EXPECT_EQ(str(tg::zeros({0}, tg::kLong)), "tensor([], dtype=torch.int64)");
  EXPECT_EQ(str(tg::zeros({0}, tg::kBool)), "tensor([], dtype=torch.bool)");
  EXPECT_EQ(str(tg::zeros({2, 0}, tg::kLong)), "tensor([], size=(2, 0), dtype=torch.int64)");
  EXPECT_EQ(str(tg::zeros({0, 2}, tg::kFloat64)), "tensor([], size=(0, 2), dtype=torch.float64)");
  EXPECT_EQ(str(tg::tensor(3.5)), "tensor(3.5000)");
  EXPECT_EQ(str(tg::tensor(7)), "tensor(7)");
  EXPECT_EQ(str(tg::tensor(2.0, tg::kFloat64)), "tensor(2., dtype=torch.float64)");
  EXPECT_EQ(str(tg::tensor(-0.0)), "tensor(-0.)");
}

TEST(Printing, NegativeZeroNanInf) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(str(tg::tensor({-0.0, 1.0})), "tensor([-0., 1.])");
  EXPECT_EQ(str(tg::tensor({-0.0, 1.5})), "tensor([-0.0000, 1.5000])");
  EXPECT_EQ(str(tg::tensor({nan, inf, -inf, 1.5})), "tensor([   nan,    inf,   -inf, 1.5000])");
  EXPECT_EQ(str(tg::tensor({nan, 1.0, 2.0})), "tensor([nan, 1., 2.])");
  EXPECT_EQ(str(tg::tensor({nan})), "tensor([nan])");
}

TEST(Printing, NanAndNegativeZeroThroughOps) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // relu keeps nan and -0. (it is x < 0 ? 0 : x), as PyTorch's clamp_min(0) does.
  EXPECT_EQ(str(tg::tensor({1.0, nan, -2.0}).relu()), "tensor([1., nan, 0.])");
  EXPECT_EQ(str(tg::tensor({0.0, -0.0}).relu()), "tensor([0., -0.])");
  EXPECT_EQ(str(tg::maximum(tg::tensor({1.0, nan}), tg::tensor({2.0, 0.0}))), "tensor([2., nan])");
  EXPECT_EQ(str(tg::tensor({1.0, nan}).max()), "tensor(nan)");
  EXPECT_EQ(str(tg::tensor({1.0, nan, 3.0}).argmax()), "tensor(1)");
  EXPECT_EQ(str(tg::tensor({1.0, nan}).clamp(0, 0.5)), "tensor([0.5000,    nan])");
  EXPECT_EQ(str(tg::tensor({1.0, -1.0, 0.0}) / 0), "tensor([inf, -inf, nan])");
  EXPECT_EQ(str(tg::tensor({1.5}).var()), "tensor(nan)");
}

TEST(Printing, SummarizedLargeTensors) {
  EXPECT_EQ(str(tg::arange(1200.0)),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.1970e+03, 1.1980e+03,\n"
            "        1.1990e+03])");
  EXPECT_EQ(str(tg::arange(2000).reshape({40, 50})),
            "tensor([[   0,    1,    2,  ...,   47,   48,   49],\n"
            "        [  50,   51,   52,  ...,   97,   98,   99],\n"
            "        [ 100,  101,  102,  ...,  147,  148,  149],\n"
            "        ...,\n"
            "        [1850, 1851, 1852,  ..., 1897, 1898, 1899],\n"
            "        [1900, 1901, 1902,  ..., 1947, 1948, 1949],\n"
            "        [1950, 1951, 1952,  ..., 1997, 1998, 1999]])");
  EXPECT_EQ(str(tg::arange(2000.0).reshape({40, 50}) / 7),
            "tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 6.7143e+00, 6.8571e+00,\n"
            "         7.0000e+00],\n"
            "        [7.1429e+00, 7.2857e+00, 7.4286e+00,  ..., 1.3857e+01, 1.4000e+01,\n"
            "         1.4143e+01],\n"
            "        [1.4286e+01, 1.4429e+01, 1.4571e+01,  ..., 2.1000e+01, 2.1143e+01,\n"
            "         2.1286e+01],\n"
            "        ...,\n"
            "        [2.6429e+02, 2.6443e+02, 2.6457e+02,  ..., 2.7100e+02, 2.7114e+02,\n"
            "         2.7129e+02],\n"
            "        [2.7143e+02, 2.7157e+02, 2.7171e+02,  ..., 2.7814e+02, 2.7829e+02,\n"
            "         2.7843e+02],\n"
            "        [2.7857e+02, 2.7871e+02, 2.7886e+02,  ..., 2.8529e+02, 2.8543e+02,\n"
            "         2.8557e+02]])");
  // 1000 elements is not summarised (the threshold is exclusive).
  EXPECT_EQ(str(tg::arange(1000)).find("..."), std::string::npos);
}

TEST(Printing, PrintOptions) {
  tg::PrintOptions saved = tg::get_printoptions();
  tg::PrintOptions o = saved;
  o.precision = 2;
  tg::set_printoptions(o);
  EXPECT_EQ(str(tg::tensor({1.2345, 2.})), "tensor([1.23, 2.00])");
  tg::set_printoptions(saved);
  EXPECT_EQ(str(tg::tensor({1.2345, 2.})), "tensor([1.2345, 2.0000])");
}

TEST(Printing, NonContiguousTensorsPrintTheirLogicalValues) {
  Tensor x = tg::arange(6).reshape({2, 3});
  EXPECT_EQ(str(x.t()), "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
  EXPECT_EQ(str(x.select(1, 1)), "tensor([1, 4])");
  EXPECT_EQ(str(tg::tensor({1, 2}).expand({2, 2})), "tensor([[1, 2],\n        [1, 2]])");
}

}  // namespace
