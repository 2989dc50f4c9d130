// Bad inputs: every one throws tg::Error (never aborts), the message names the op and the shapes
// (or dims, dtypes) involved, and the inputs are left exactly as they were.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <functional>
#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;
using tg::Tensor;

// Everything observable about a tensor, to check that a failed op did not touch it.
struct Snapshot {
  explicit Snapshot(const Tensor& t)
      : t(t),
        sizes(t.sizes().vec()),
        strides(t.strides().vec()),
        dtype(t.scalar_type()),
        requires_grad(t.requires_grad()),
        is_leaf(t.is_leaf()),
        version(t._version()),
        values(t.detach().clone()),
        grad(t.grad().defined() ? t.grad().detach().clone() : Tensor()) {}

  void expect_unchanged() const {
    EXPECT_EQ(t.sizes().vec(), sizes);
    EXPECT_EQ(t.strides().vec(), strides);
    EXPECT_EQ(t.scalar_type(), dtype);
    EXPECT_EQ(t.requires_grad(), requires_grad);
    EXPECT_EQ(t.is_leaf(), is_leaf);
    EXPECT_EQ(t._version(), version);
    EXPECT_TRUE(t.detach().equal(values)) << t << " vs " << values;
    EXPECT_EQ(t.grad().defined(), grad.defined());
    if (grad.defined() && t.grad().defined()) {
      EXPECT_TRUE(t.grad().equal(grad));
    }
  }

  Tensor t;
  std::vector<int64_t> sizes, strides;
  tg::ScalarType dtype;
  bool requires_grad, is_leaf;
  int64_t version;
  Tensor values, grad;
};

// Runs f, which must throw a tg::Error whose message contains every one of `parts`, and checks
// that the tensors are unchanged.
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts,
                  const std::vector<Tensor>& inputs = {}) {
  std::vector<Snapshot> snaps;
  for (const Tensor& t : inputs) snaps.emplace_back(t);
  try {
    f();
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than tg::Error: " << e.what();
  }
  for (const auto& s : snaps) s.expect_unchanged();
}

#define EXPECT_TG_ERROR(stmt, parts, ...)                      \
  do {                                                         \
    SCOPED_TRACE(#stmt);                                       \
    expect_error([&] { (void)(stmt); }, parts, {__VA_ARGS__}); \
  } while (0)

using Parts = std::vector<std::string>;

// A float tensor with a gradient already accumulated, so that "unchanged" covers .grad() too.
Tensor with_grad(tg::IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  Tensor t = ((tg::arange(n, tg::kFloat) + 1) / 4).reshape(sizes);
  t.requires_grad_();
  (t * t).sum().backward();
  return t;
}

TEST(Errors, BroadcastShapeMismatch) {
  Tensor a = with_grad({2, 3});
  Tensor b = with_grad({4});
  EXPECT_TG_ERROR(a + b, (Parts{"add", "[2, 3]", "[4]", "must match"}), a, b);
  EXPECT_TG_ERROR(tg::add(a, b, 2), (Parts{"add", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a - b, (Parts{"sub", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a * b, (Parts{"mul", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a.mul(b), (Parts{"mul", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a / b, (Parts{"div", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a.pow(b), (Parts{"pow", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(tg::maximum(a, b), (Parts{"maximum", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(tg::minimum(a, b), (Parts{"minimum", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a == b, (Parts{"eq", "[2, 3]", "[4]"}), a, b);
  EXPECT_TG_ERROR(a < b, (Parts{"lt", "[2, 3]", "[4]"}), a, b);
  Tensor cond = tg::ones({2, 3}, tg::kBool);
  EXPECT_TG_ERROR(tg::where(cond, a, b), (Parts{"where", "[2, 3]", "[4]"}), a, b);
  Tensor c = with_grad({3, 1});
  Tensor d = with_grad({2, 1, 4});
  EXPECT_TG_ERROR(c * d + a, (Parts{"add", "[2, 3, 4]", "[2, 3]"}), a, c, d);
}

// Reductions mark their dims in a 64-bit mask, PyTorch's bound: 64 dims work (every bit, the
// highest included), 65 are refused by name.
TEST(Errors, ReductionsOverMoreThan64Dims) {
  tg::DimVector shape64(62, 1);
  shape64.push_back(2);
  shape64.push_back(3);
  Tensor x = tg::arange(6, tg::kDouble).reshape(shape64);
  EXPECT_EQ(x.sum().item<double>(), 15.0);
  EXPECT_EQ(x.sum({63}).reshape({-1}).sum().item<double>(), 15.0);
  EXPECT_EQ(x.sum({63}).dim(), 63);
  EXPECT_EQ(x.amax({62, 63}, true).item<double>(), 5.0);
  EXPECT_EQ(x.prod().item<double>(), 0.0);
  EXPECT_EQ(x.argmax(63).reshape({-1})[1].item<int64_t>(), 2);
  tg::DimVector shape65(65, 1);
  Tensor y = tg::ones(shape65, tg::kDouble).requires_grad_(true);
  const char* msg = "only tensors with up to 64 dims are supported";
  EXPECT_TG_ERROR(y.sum(), (Parts{"sum", msg}), y);
  EXPECT_TG_ERROR(y.mean({0}), (Parts{"mean", msg}), y);
  EXPECT_TG_ERROR(y.amax({1}), (Parts{"amax", msg}), y);
  EXPECT_TG_ERROR(y.max(0), (Parts{"max", msg}), y);
  EXPECT_TG_ERROR(y.argmin(2), (Parts{"argmin", msg}), y);
  EXPECT_TG_ERROR(y.prod(), (Parts{"prod", msg}), y);
}

TEST(Errors, InPlaceBroadcastMismatch) {
  Tensor y = tg::zeros({2, 3});
  Tensor z = tg::ones({4});
  EXPECT_TG_ERROR(y += z, (Parts{"add_", "[2, 3]", "[4]"}), y, z);
  EXPECT_TG_ERROR(y.mul_(z), (Parts{"mul_", "[2, 3]", "[4]"}), y, z);
  // The result would have to grow: [3] += [2, 3].
  Tensor v = tg::zeros({3});
  EXPECT_TG_ERROR(v.add_(y), (Parts{"add_", "[3]", "[2, 3]"}), v, y);
  EXPECT_TG_ERROR(y.copy_(z), (Parts{"copy_", "[4]", "[2, 3]"}), y, z);
}

TEST(Errors, DimOutOfRange) {
  Tensor x = with_grad({2, 3});
  EXPECT_TG_ERROR(x.sum({5}), (Parts{"sum", "Dimension out of range", "[-2, 1]", "5"}), x);
  EXPECT_TG_ERROR(x.mean({-3}), (Parts{"mean", "Dimension out of range", "-3"}), x);
  EXPECT_TG_ERROR(x.sum({0, 0}), (Parts{"sum", "dim 0 appears multiple times"}), x);
  EXPECT_TG_ERROR(x.transpose(0, 7), (Parts{"transpose", "Dimension out of range", "7"}), x);
  EXPECT_TG_ERROR(x.select(2, 0), (Parts{"select", "Dimension out of range", "2"}), x);
  EXPECT_TG_ERROR(x.select(0, 5), (Parts{"select", "index 5", "[2, 3]", "dimension 0"}), x);
  EXPECT_TG_ERROR(x.select(1, -4), (Parts{"select", "index -4", "[2, 3]", "dimension 1"}), x);
  EXPECT_TG_ERROR(x[2], (Parts{"select", "index 2", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.squeeze(3), (Parts{"squeeze", "Dimension out of range", "3"}), x);
  EXPECT_TG_ERROR(x.unsqueeze(3), (Parts{"unsqueeze", "Dimension out of range", "[-3, 2]"}), x);
  EXPECT_TG_ERROR(x.unsqueeze(-4), (Parts{"unsqueeze", "-4"}), x);
  EXPECT_TG_ERROR(x.softmax(2), (Parts{"softmax", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.log_softmax(-3), (Parts{"log_softmax", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.max(2), (Parts{"max", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.prod(2), (Parts{"prod", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.var(tg::IntArrayRef{4}), (Parts{"var", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.norm(2, {2}), (Parts{"norm", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.slice(2, 0, 1), (Parts{"slice", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.narrow(1, 2, 2), (Parts{"narrow", "exceeds dimension size (3)", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.flatten(2), (Parts{"flatten", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(x.permute({0}), (Parts{"permute", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.permute({0, 0}), (Parts{"permute", "repeated dim"}), x);
  EXPECT_TG_ERROR(tg::cat({x, x}, 2), (Parts{"cat", "Dimension out of range"}), x);
  EXPECT_TG_ERROR(tg::stack({x, x}, 3), (Parts{"stack", "Dimension out of range"}), x);
  Tensor b = with_grad({2, 3, 4});
  EXPECT_TG_ERROR(b.t(), (Parts{"t()", "3D", "[2, 3, 4]"}), b);
}

TEST(Errors, ViewAndReshape) {
  Tensor x = with_grad({2, 3});
  EXPECT_TG_ERROR(x.view({4}), (Parts{"view", "shape '[4]' is invalid for input of size 6"}), x);
  EXPECT_TG_ERROR(x.reshape({4, 2}),
                  (Parts{"reshape", "shape '[4, 2]' is invalid for input of size 6", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.reshape({-1, 4}), (Parts{"reshape", "[-1, 4]", "6"}), x);
  EXPECT_TG_ERROR(x.view({-1, -1}), (Parts{"view", "only one dimension can be inferred"}), x);
  // A transposed tensor cannot be viewed as flat: its elements are not in one contiguous run.
  Tensor xt = x.t();
  EXPECT_TG_ERROR(xt.view({6}), (Parts{"view", "[6]", "[3, 2]", "stride", "reshape"}), x, xt);
  EXPECT_TG_ERROR(x.expand({4, 3}), (Parts{"expand", "[4, 3]", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.expand({3}), (Parts{"expand", "[2, 3]"}), x);
}

TEST(Errors, AutogradMisuse) {
  Tensor i = tg::tensor({1, 2, 3});
  EXPECT_TG_ERROR(i.requires_grad_(), (Parts{"requires_grad_", "floating point", "torch.int64"}),
                  i);
  EXPECT_TG_ERROR(tg::ones({2}, tg::dtype(tg::kLong).requires_grad(true)),
                  (Parts{"floating point", "torch.int64"}));
  Tensor bo = tg::ones({2}, tg::kBool);
  EXPECT_TG_ERROR(bo.requires_grad_(), (Parts{"requires_grad_", "torch.bool"}), bo);

  Tensor x = with_grad({2, 3});
  EXPECT_TG_ERROR(x.item(), (Parts{"item", "6 elements", "[2, 3]"}), x);
  EXPECT_TG_ERROR(x.item<float>(), (Parts{"item", "[2, 3]"}), x);

  // backward on a non-scalar without a gradient
  Tensor y = x * 2;
  EXPECT_TG_ERROR(y.backward(), (Parts{"implicitly created only for scalar outputs", "[2, 3]"}), x);
  // a gradient of the wrong shape
  EXPECT_TG_ERROR(y.backward(tg::ones({3})), (Parts{"Mismatch in shape", "[3]", "[2, 3]"}), x);
  // backward twice through a freed graph
  Tensor s = (x.exp() * x).sum();
  s.backward();
  Tensor g_after_first = x.grad().clone();
  EXPECT_TG_ERROR(s.backward(), (Parts{"second time", "retain_graph"}), x);
  EXPECT_TRUE(x.grad().equal(g_after_first));
  // backward on a tensor that takes no part in autograd
  Tensor c = tg::ones({1});
  EXPECT_TG_ERROR(c.backward(), (Parts{"does not require grad"}), c);
  // requires_grad_(false) on a non-leaf
  EXPECT_TG_ERROR(y.requires_grad_(false), (Parts{"requires_grad", "leaf"}), x, y);
  // retain_grad on a tensor that does not require grad
  EXPECT_TG_ERROR(c.retain_grad(), (Parts{"retain_grad"}), c);
}

TEST(Errors, InPlaceOnLeafRequiringGrad) {
  Tensor x = with_grad({2, 3});
  EXPECT_TG_ERROR(x.add_(1), (Parts{"add_", "leaf Variable that requires grad"}), x);
  EXPECT_TG_ERROR(x.mul_(x), (Parts{"mul_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x.div_(2), (Parts{"div_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x -= 1, (Parts{"sub_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x.sqrt_(), (Parts{"sqrt_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x.fill_(0), (Parts{"fill_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x.copy_(tg::zeros({2, 3})), (Parts{"copy_", "leaf Variable"}), x);
  EXPECT_TG_ERROR(x.clamp_(0.1), (Parts{"clamp_", "leaf Variable"}), x);
}

TEST(Errors, InPlaceResultTypeCannotBeCast) {
  Tensor i = tg::tensor({1, 2, 3});
  EXPECT_TG_ERROR(i += 1.5, (Parts{"add_", "Float", "can't be cast", "Long"}), i);
  EXPECT_TG_ERROR(i.mul_(tg::ones({3})), (Parts{"mul_", "can't be cast", "Long"}), i);
  EXPECT_TG_ERROR(i /= 2, (Parts{"div_", "can't be cast", "Long"}), i);
  EXPECT_TG_ERROR(i.sqrt_(), (Parts{"sqrt_", "can't be cast", "Long"}), i);
  Tensor b = tg::ones({3}, tg::kBool);
  EXPECT_TG_ERROR(b += 1, (Parts{"add_", "Long", "can't be cast", "Bool"}), b);
  // Same category is fine: a float32 tensor += float64 stays float32.
  Tensor f = tg::ones({3});
  EXPECT_NO_THROW(f += tg::ones({3}, tg::kFloat64));
  EXPECT_EQ(f.scalar_type(), tg::kFloat32);
}

TEST(Errors, LinearAlgebraShapes) {
  Tensor a = with_grad({2, 3});
  Tensor b = with_grad({4, 5});
  EXPECT_TG_ERROR(tg::matmul(a, b), (Parts{"matmul", "[2, 3]", "[4, 5]"}), a, b);
  EXPECT_TG_ERROR(tg::mm(a, b), (Parts{"mm", "2x3", "4x5"}), a, b);
  Tensor v = with_grad({4});
  EXPECT_TG_ERROR(tg::matmul(a, v), (Parts{"matmul", "[2, 3]", "[4]"}), a, v);
  EXPECT_TG_ERROR(tg::mm(v, b), (Parts{"mm", "2-D", "[4]", "[4, 5]"}), v, b);
  Tensor s = tg::ones({}, tg::kFloat);
  EXPECT_TG_ERROR(tg::matmul(s, a), (Parts{"matmul", "at least 1D", "[]", "[2, 3]"}), a);
  Tensor b3 = with_grad({2, 3, 4});
  Tensor c3 = with_grad({3, 4, 5});
  EXPECT_TG_ERROR(tg::bmm(b3, c3), (Parts{"bmm", "[2, 3, 4]", "[3, 4, 5]"}), b3, c3);
  EXPECT_TG_ERROR(tg::bmm(b3, a), (Parts{"bmm", "3-D", "[2, 3, 4]", "[2, 3]"}), b3, a);
  EXPECT_TG_ERROR(tg::matmul(b3, c3), (Parts{"matmul", "[2, 3, 4]", "[3, 4, 5]"}), b3, c3);
  Tensor d3 = with_grad({3});
  EXPECT_TG_ERROR(tg::dot(d3, v), (Parts{"dot", "[3]", "[4]"}), d3, v);
  EXPECT_TG_ERROR(tg::dot(a, a), (Parts{"dot", "1D", "[2, 3]"}), a);
  Tensor bias = with_grad({3});
  Tensor m = with_grad({3, 4});
  EXPECT_TG_ERROR(tg::addmm(bias, a, m), (Parts{"addmm", "[3]", "[2, 4]"}), bias, a, m);
  EXPECT_TG_ERROR(tg::addmm(bias, a, b), (Parts{"addmm", "2x3", "4x5"}), bias, a, b);
  Tensor a64 = tg::ones({3, 2}, tg::kFloat64);
  EXPECT_TG_ERROR(tg::mm(a, a64), (Parts{"mm", "torch.float32", "torch.float64"}), a, a64);
}

TEST(Errors, CatStackIndexSelect) {
  Tensor a = with_grad({2, 3});
  Tensor b = with_grad({2, 4});
  EXPECT_TG_ERROR(tg::cat({a, b}, 0),
                  (Parts{"cat", "Sizes of tensors must match except in dimension 0", "[2, 3]",
                         "[2, 4]", "tensor number 1"}),
                  a, b);
  Tensor c = with_grad({3});
  EXPECT_TG_ERROR(tg::cat({a, c}, 0), (Parts{"cat", "same number of dimensions", "[2, 3]", "[3]"}),
                  a, c);
  EXPECT_TG_ERROR(tg::cat(std::vector<Tensor>{}, 0), (Parts{"cat", "non-empty"}));
  EXPECT_TG_ERROR(tg::stack({a, b}), (Parts{"stack", "[2, 3]", "[2, 4]"}), a, b);
  Tensor idx = tg::tensor({0, 3});
  Tensor x = with_grad({3, 2});
  EXPECT_TG_ERROR(x.index_select(0, idx),
                  (Parts{"index_select", "index 3", "out of bounds", "dimension 0", "size 3"}), x,
                  idx);
  EXPECT_TG_ERROR(x.index_select(1, tg::tensor({-3})), (Parts{"index_select", "-3"}), x);
  EXPECT_TG_ERROR(x.index_select(0, tg::tensor({0.0f})), (Parts{"index_select", "torch.float32"}),
                  x);
  EXPECT_TG_ERROR(x.chunk(0), (Parts{"chunk", "0"}), x);
  EXPECT_TG_ERROR(x.split(-1), (Parts{"split", "-1"}), x);
}

TEST(Errors, DtypeMisuse) {
  Tensor f = tg::ones({2, 3});
  EXPECT_TG_ERROR(f.data_ptr<double>(), (Parts{"data_ptr", "Double", "Float"}), f);
  EXPECT_TG_ERROR(f.data_ptr<int64_t>(), (Parts{"data_ptr", "Long", "Float"}), f);
  Tensor i = tg::tensor({1, 2});
  EXPECT_TG_ERROR(i.mean(), (Parts{"mean", "Long"}), i);
  EXPECT_TG_ERROR(i.var(), (Parts{"var", "torch.int64"}), i);
  EXPECT_TG_ERROR(i.norm(), (Parts{"norm", "torch.int64"}), i);
  EXPECT_TG_ERROR(i.softmax(0), (Parts{"softmax", "torch.int64"}), i);
  EXPECT_TG_ERROR(tg::where(i, f, f), (Parts{"where", "torch.int64"}), i, f);
  Tensor b = tg::ones({2}, tg::kBool);
  EXPECT_TG_ERROR(b - b, (Parts{"sub", "bool"}), b);
  EXPECT_TG_ERROR(-b, (Parts{"neg", "bool"}), b);
  EXPECT_TG_ERROR(tg::clamp(f, std::nullopt, std::nullopt), (Parts{"clamp", "min", "max"}), f);
  EXPECT_TG_ERROR(tg::arange(0, 5, 0), (Parts{"arange", "step"}));
  EXPECT_TG_ERROR(tg::tensor({{1, 2}, {3}}), (Parts{"tensor", "ragged"}));
  Tensor e = tg::empty({0});
  EXPECT_TG_ERROR(e.max(), (Parts{"max", "numel() == 0"}), e);
  EXPECT_TG_ERROR(tg::zeros({2, -1}), (Parts{"-1", "[2, -1]"}));
}

TEST(Errors, UndefinedTensors) {
  Tensor u;
  Tensor x = tg::ones({2});
  EXPECT_TG_ERROR(u.dim(), (Parts{"dim", "undefined"}));
  EXPECT_TG_ERROR(u.sizes(), (Parts{"sizes", "undefined"}));
  // Every inline accessor checks, none dereferences a null implementation.
  EXPECT_TG_ERROR(u.strides(), (Parts{"strides", "undefined"}));
  EXPECT_TG_ERROR(u.numel(), (Parts{"numel", "undefined"}));
  EXPECT_TG_ERROR(u.storage_offset(), (Parts{"storage_offset", "undefined"}));
  EXPECT_TG_ERROR(u.scalar_type(), (Parts{"scalar_type", "undefined"}));
  EXPECT_TG_ERROR(u.is_contiguous(), (Parts{"is_contiguous", "undefined"}));
  EXPECT_TG_ERROR(u.is_floating_point(), (Parts{"undefined"}));
  EXPECT_TG_ERROR(u.element_size(), (Parts{"undefined"}));
  EXPECT_TG_ERROR(u.size(0), (Parts{"size", "undefined"}));
  // size(d) and stride(d) check d; a 0-dim tensor has no dim 0 (nor -1), as in PyTorch.
  Tensor s = tg::scalar_tensor(1.0);
  EXPECT_TG_ERROR(s.size(0), (Parts{"size", "no dimensions"}));
  EXPECT_TG_ERROR(s.stride(-1), (Parts{"stride", "no dimensions"}));
  EXPECT_TG_ERROR(x.size(1), (Parts{"size", "[-1, 0]", "got 1"}));
  EXPECT_TG_ERROR(x.stride(-2), (Parts{"stride", "[-1, 0]", "got -2"}));
  EXPECT_EQ(x.size(-1), 2);
  EXPECT_TG_ERROR(x + u, (Parts{"add", "undefined"}), x);
  EXPECT_TG_ERROR(u.sum(), (Parts{"sum", "undefined"}));
  EXPECT_TG_ERROR(u.backward(), (Parts{"backward", "undefined"}));
  EXPECT_EQ(u.toString(), "[ Tensor (undefined) ]");
}

}  // namespace
