// Finite-difference checks of autograd: gradcheck compares the gradient that backward computes for
// a function of float64 tensors with central differences, element by element; gradgradcheck does
// the same for the gradient of the gradient (create_graph=true). Both return an AssertionResult
// that lists the worst mismatches, so a failing table row says which input and element is wrong.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace tgtest {

using TensorFn = std::function<tg::Tensor(const std::vector<tg::Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-4;
  // Also run Tensor::backward and check that the leaves' .grad() match autograd::grad.
  bool check_backward = true;
  // Seed of the random upstream gradients.
  uint64_t seed = 0x5eed;
};

// Small deterministic generator (splitmix64), independent of tg's own random numbers so that the
// tests do not depend on them.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);

 private:
  uint64_t state_;
};

// A new contiguous float64 tensor (requires_grad off) with uniform values in [lo, hi).
tg::Tensor uniform(tg::IntArrayRef sizes, double lo, double hi, Rng& rng);
// Like uniform, but values closer than `margin` to any of `avoid` are redrawn: inputs of
// functions with kinks (abs, relu, clamp) stay away from the points where they are not
// differentiable.
tg::Tensor uniform_avoiding(tg::IntArrayRef sizes, double lo, double hi,
                            const std::vector<double>& avoid, double margin, Rng& rng);

// Element offsets (in elements, from data_ptr()) of t in row-major index order; works for any
// strides.
std::vector<int64_t> element_offsets(const tg::Tensor& t);
// t's values in row-major order, as doubles.
std::vector<double> values(const tg::Tensor& t);

::testing::AssertionResult gradcheck(const TensorFn& fn, const std::vector<tg::Tensor>& inputs,
                                     const GradcheckOptions& options = {});
::testing::AssertionResult gradgradcheck(const TensorFn& fn, const std::vector<tg::Tensor>& inputs,
                                         const GradcheckOptions& options = {});

}  // namespace tgtest
