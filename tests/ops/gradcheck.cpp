#include "ops/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace tgtest {

using tg::Tensor;

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::uniform(double lo, double hi) {
  const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
  return lo + (hi - lo) * u;
}

Tensor uniform(tg::IntArrayRef sizes, double lo, double hi, Rng& rng) {
  return uniform_avoiding(sizes, lo, hi, {}, 0.0, rng);
}

Tensor uniform_avoiding(tg::IntArrayRef sizes, double lo, double hi,
                        const std::vector<double>& avoid, double margin, Rng& rng) {
  Tensor t = tg::empty(sizes, tg::kFloat64);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v;
    bool near;
    do {
      v = rng.uniform(lo, hi);
      near = std::any_of(avoid.begin(), avoid.end(),
                         [&](double k) { return std::fabs(v - k) < margin; });
    } while (near);
    p[i] = v;
  }
  return t;
}

std::vector<int64_t> element_offsets(const Tensor& t) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(t.numel()));
  if (t.numel() == 0) return out;
  const int64_t nd = t.dim();
  std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t off = 0;
    for (int64_t d = 0; d < nd; ++d) off += idx[d] * t.stride(d);
    out.push_back(off);
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++idx[d] < t.size(d)) break;
      idx[d] = 0;
    }
  }
  return out;
}

std::vector<double> values(const Tensor& t) {
  tg::NoGradGuard guard;
  Tensor c = t.to(tg::kFloat64).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

namespace {

std::string index_str(const Tensor& t, int64_t k) {
  std::vector<int64_t> idx(static_cast<size_t>(t.dim()));
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    idx[d] = k % t.size(d);
    k /= t.size(d);
  }
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < idx.size(); ++i) ss << (i ? ", " : "") << idx[i];
  ss << "]";
  return ss.str();
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

::testing::AssertionResult check_inputs(const std::vector<Tensor>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t.defined() || t.scalar_type() != tg::kFloat64 || !t.requires_grad())
      return ::testing::AssertionFailure()
             << "input " << i << " must be a defined float64 tensor that requires grad";
  }
  return ::testing::AssertionSuccess();
}

// Gradients of sum(fn(inputs) * v) w.r.t. inputs, as autograd computes them (zeros where no
// gradient flows).
std::vector<Tensor> analytic_grads(const TensorFn& fn, const std::vector<Tensor>& inputs,
                                   const Tensor& v, bool create_graph) {
  Tensor out = fn(inputs);
  auto gs = tg::autograd::grad({out}, inputs, {v}, std::nullopt, create_graph,
                               /*allow_unused=*/true);
  for (size_t i = 0; i < gs.size(); ++i)
    if (!gs[i].defined()) gs[i] = tg::zeros(inputs[i].sizes(), tg::kFloat64);
  return gs;
}

// Central differences of the scalar function `scalar_of` w.r.t. every element of every input,
// compared with `analytic`.
template <typename ScalarOf>
::testing::AssertionResult compare_numerical(const std::vector<Tensor>& inputs,
                                             const std::vector<Tensor>& analytic,
                                             const GradcheckOptions& o, ScalarOf&& scalar_of,
                                             const char* what) {
  std::ostringstream failures;
  int n_fail = 0;
  double worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!analytic[i].sizes().equals(x.sizes()))
      return ::testing::AssertionFailure() << what << " of input " << i << " has shape "
                                           << analytic[i].sizes() << ", expected " << x.sizes();
    if (analytic[i].scalar_type() != tg::kFloat64)
      return ::testing::AssertionFailure()
             << what << " of input " << i << " has dtype " << analytic[i].scalar_type();
    const std::vector<double> a = values(analytic[i]);
    const std::vector<int64_t> offs = element_offsets(x);
    double* p = x.data_ptr<double>();
    for (size_t k = 0; k < offs.size(); ++k) {
      double& e = p[offs[k]];
      const double orig = e;
      e = orig + o.eps;
      const double fp = scalar_of();
      e = orig - o.eps;
      const double fm = scalar_of();
      e = orig;
      const double num = (fp - fm) / (2 * o.eps);
      const double err = std::fabs(a[k] - num);
      const bool ok = err <= o.atol + o.rtol * std::fabs(num);
      if (!ok) {
        worst = std::max(worst, err);
        if (n_fail++ < 8)
          failures << "\n  input " << i << " element " << index_str(x, static_cast<int64_t>(k))
                   << ": analytical " << a[k] << " vs numerical " << num;
      }
    }
  }
  if (n_fail == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_fail << " " << what << " element(s) differ from finite "
         << "differences (worst abs error " << worst << "):" << failures.str();
}

}  // namespace

::testing::AssertionResult gradcheck(const TensorFn& fn, const std::vector<Tensor>& inputs,
                                     const GradcheckOptions& o) {
  if (auto r = check_inputs(inputs); !r) return r;
  try {
    Rng rng(o.seed);
    Tensor probe = fn(inputs);
    if (!probe.requires_grad())
      return ::testing::AssertionFailure() << "the output does not require grad";
    if (probe.scalar_type() != tg::kFloat64)
      return ::testing::AssertionFailure()
             << "the output is " << probe.scalar_type() << ", expected float64";
    const Tensor v = uniform(probe.sizes(), -1.0, 1.0, rng);
    const std::vector<double> vv = values(v);
    probe = Tensor();

    std::vector<Tensor> analytic = analytic_grads(fn, inputs, v, false);

    if (o.check_backward) {
      // The same gradients through Tensor::backward, accumulated into the leaves.
      for (const Tensor& x : inputs)
        if (x.is_leaf()) x.mutable_grad() = Tensor();
      fn(inputs).backward(v);
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].is_leaf()) continue;
        const Tensor& g = inputs[i].grad();
        const Tensor expected = analytic[i];
        const bool ok =
            g.defined()
                ? g.sizes().equals(expected.sizes()) && tg::allclose(g, expected, 1e-12, 1e-12)
                : values(expected) == std::vector<double>(expected.numel(), 0.0);
        if (!ok)
          return ::testing::AssertionFailure()
                 << "backward() accumulated a different gradient into input " << i << " than "
                 << "autograd::grad computed:\n"
                 << (g.defined() ? g.toString() : "undefined") << "\nvs\n"
                 << expected;
        inputs[i].mutable_grad() = Tensor();
      }
    }

    tg::NoGradGuard guard;
    return compare_numerical(
        inputs, analytic, o, [&] { return dot(values(fn(inputs)), vv); }, "gradient");
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw: " << e.what();
  }
}

::testing::AssertionResult gradgradcheck(const TensorFn& fn, const std::vector<Tensor>& inputs,
                                         const GradcheckOptions& o) {
  if (auto r = check_inputs(inputs); !r) return r;
  try {
    Rng rng(o.seed ^ 0xabcdef);
    Tensor probe = fn(inputs);
    const Tensor v = uniform(probe.sizes(), -1.0, 1.0, rng);
    probe = Tensor();
    std::vector<Tensor> u;
    std::vector<std::vector<double>> uv;
    for (const Tensor& x : inputs) {
      u.push_back(uniform(x.sizes(), -1.0, 1.0, rng));
      uv.push_back(values(u.back()));
    }

    // G(inputs) = sum_i <d sum(fn * v) / d input_i, u_i>; its gradient is a vector-Hessian product.
    std::vector<Tensor> gs = analytic_grads(fn, inputs, v, /*create_graph=*/true);
    Tensor G;
    for (size_t i = 0; i < gs.size(); ++i) {
      Tensor term = (gs[i] * u[i]).sum();
      G = G.defined() ? G + term : term;
    }
    std::vector<Tensor> analytic;
    if (G.requires_grad()) {
      analytic = tg::autograd::grad({G}, inputs, {}, std::nullopt, false, /*allow_unused=*/true);
    } else {
      analytic.resize(inputs.size());  // the gradient does not depend on the inputs at all
    }
    for (size_t i = 0; i < analytic.size(); ++i)
      if (!analytic[i].defined()) analytic[i] = tg::zeros(inputs[i].sizes(), tg::kFloat64);

    auto G_of = [&] {
      std::vector<Tensor> g1 = analytic_grads(fn, inputs, v, false);
      double s = 0;
      for (size_t i = 0; i < g1.size(); ++i) s += dot(values(g1[i]), uv[i]);
      return s;
    };
    return compare_numerical(inputs, analytic, o, G_of, "second-order gradient");
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw: " << e.what();
  }
}

}  // namespace tgtest
