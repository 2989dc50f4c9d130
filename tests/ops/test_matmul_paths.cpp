// mm and addmm take different kernels by shape (AVX2 register-blocked loops for thin products,
// OpenBLAS for the rest) and by dtype; every path must agree with a plain double-precision
// product, for every way addmm's input can broadcast and for transposed operands.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <vector>

namespace {

using tg::Tensor;

// beta * self + alpha * a @ b, computed naively in double.
Tensor reference(const Tensor& self, const Tensor& a, const Tensor& b, double beta, double alpha) {
  Tensor A = a.to(tg::kDouble).contiguous(), B = b.to(tg::kDouble).contiguous();
  const int64_t m = A.size(0), k = A.size(1), n = B.size(1);
  Tensor out = tg::zeros({m, n}, tg::kDouble);
  const double* pa = A.data_ptr<double>();
  const double* pb = B.data_ptr<double>();
  double* po = out.data_ptr<double>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += pa[i * k + p] * pb[p * n + j];
      po[i * n + j] = alpha * s;
    }
  if (self.defined() && beta != 0) out = out + beta * self.to(tg::kDouble);
  return out;
}

struct Shape {
  int64_t m, k, n;
};

TEST(MatmulPaths, EveryKernelAgreesWithThePlainProduct) {
  tg::manual_seed(3);
  const std::vector<Shape> shapes = {{32, 1, 512}, {32, 512, 1}, {1, 32, 512}, {512, 32, 1}, {7, 3, 37},
                                     {5, 13, 1},   {1, 1, 1},    {3, 0, 4},    {33, 9, 70},  {64, 64, 64},
                                     {37, 100, 41}};
  for (auto dtype : {tg::kFloat, tg::kDouble}) {
    const double tol = dtype == tg::kFloat ? 2e-5 : 1e-12;
    for (const Shape& s : shapes) {
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          Tensor a = ta ? tg::randn({s.k, s.m}, dtype).t() : tg::randn({s.m, s.k}, dtype);
          Tensor b = tb ? tg::randn({s.n, s.k}, dtype).t() : tg::randn({s.k, s.n}, dtype);
          const std::string where = "m=" + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                                    " n=" + std::to_string(s.n) + " ta=" + std::to_string(ta) +
                                    " tb=" + std::to_string(tb);
          EXPECT_TRUE(a.mm(b).to(tg::kDouble).allclose(reference(Tensor(), a, b, 0, 1), tol, tol)) << where;
          const std::vector<Tensor> inputs = {tg::randn({s.n}, dtype),       tg::randn({1, s.n}, dtype),
                                              tg::randn({s.m, 1}, dtype),    tg::randn({s.m, s.n}, dtype),
                                              tg::randn({1}, dtype),         tg::randn({}, dtype),
                                              tg::randn({s.n, s.m}, dtype).t()};
          for (const Tensor& self : inputs)
            for (auto [beta, alpha] : {std::pair{1.0, 1.0}, {0.5, -2.0}, {0.0, 1.0}}) {
              Tensor got = tg::addmm(self, a, b, beta, alpha).to(tg::kDouble);
              EXPECT_TRUE(got.allclose(reference(self, a, b, beta, alpha), tol, tol))
                  << where << " self " << self.sizes() << " beta " << beta << " alpha " << alpha;
            }
        }
    }
  }
}

TEST(MatmulPaths, AddmmLeavesItsInputAlone) {
  Tensor bias = tg::arange(4, tg::kFloat);
  Tensor before = bias.clone();
  tg::addmm(bias, tg::ones({3, 2}), tg::ones({2, 4}));
  EXPECT_TRUE(bias.equal(before));
}

}  // namespace

namespace {

// Linear with one input feature: addmm's backward computes the bias and weight gradients in one
// pass over the output gradient. They must have the bits of the separate column sum and product
// (what the same layer gives when only the weight wants a gradient), in float (vector paths) and
// double (portable loop), for bias shapes [n] and [1, n], the weight as W.t() or as a [1, n] row,
// strided inputs, vector tails, and any thread count.
struct LinearGrads {
  Tensor weight, bias;
};

// w is [n, 1] and enters as w.t(), Linear's way, or is a [1, n] row that enters as it is.
LinearGrads one_input_linear_grads(const Tensor& x, const Tensor& w, const Tensor& b,
                                   const Tensor& r, bool bias_grad) {
  Tensor wl = w.detach().requires_grad_(true);
  Tensor bl = b.detach().requires_grad_(bias_grad);
  (tg::addmm(bl, x, w.size(1) == 1 ? wl.t() : wl) * r).sum().backward();
  return {wl.grad(), bias_grad ? bl.grad() : Tensor()};
}

TEST(MatmulPaths, OneInputLinearBackwardInOnePassKeepsTheBits) {
  tg::manual_seed(11);
  for (auto dtype : {tg::kFloat, tg::kDouble}) {
    const double tol = dtype == tg::kFloat ? 1e-5 : 1e-12;
    for (int64_t m : {1, 3, 32}) {
      for (int64_t n : {2, 7, 16, 17, 64, 65, 100, 515}) {
        for (bool row_bias : {false, true}) {
          for (bool strided_x : {false, true}) {
            for (bool row_weight : {false, true}) {
              Tensor x =
                  strided_x ? tg::randn({m, 3}, dtype).narrow(1, 1, 1) : tg::randn({m, 1}, dtype);
              Tensor w = row_weight ? tg::randn({1, n}, dtype) : tg::randn({n, 1}, dtype);
              Tensor b = row_bias ? tg::randn({1, n}, dtype) : tg::randn({n}, dtype);
              Tensor r = tg::randn({m, n}, dtype);
              const std::string where = std::string(tg::dtype_name(dtype)) +
                                        " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                        " row_bias=" + std::to_string(row_bias) +
                                        " strided_x=" + std::to_string(strided_x) +
                                        " row_weight=" + std::to_string(row_weight);
              LinearGrads both = one_input_linear_grads(x, w, b, r, true);
              LinearGrads weight_only = one_input_linear_grads(x, w, b, r, false);
              ASSERT_TRUE(both.weight.defined() && both.bias.defined()) << where;
              EXPECT_EQ(both.weight.sizes(), w.sizes()) << where;
              EXPECT_EQ(both.bias.sizes(), b.sizes()) << where;
              EXPECT_TRUE(both.weight.equal(weight_only.weight)) << where;
              EXPECT_TRUE(both.bias.equal(r.sum(0).reshape(b.sizes()))) << where;
              // And against double precision.
              Tensor xd = x.to(tg::kDouble), rd = r.to(tg::kDouble);
              Tensor expected = rd.t().mm(xd).reshape(w.sizes());
              EXPECT_TRUE(both.weight.to(tg::kDouble).allclose(expected, tol, tol)) << where;
            }
          }
        }
      }
    }
  }
}

TEST(MatmulPaths, OneInputLinearBackwardSameBitsOnAnyThreadCount) {
  tg::manual_seed(12);
  Tensor x = tg::randn({64, 1}), w = tg::randn({40000, 1}), b = tg::randn({40000});
  Tensor r = tg::randn({64, 40000});
  const int threads = tg::get_num_threads();
  tg::set_num_threads(1);
  LinearGrads one = one_input_linear_grads(x, w, b, r, true);
  tg::set_num_threads(3);
  LinearGrads three = one_input_linear_grads(x, w, b, r, true);
  tg::set_num_threads(threads);
  EXPECT_TRUE(one.weight.equal(three.weight));
  EXPECT_TRUE(one.bias.equal(three.bias));
}

}  // namespace
