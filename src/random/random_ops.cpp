// The random tensor ops (uniform_, normal_, rand, randn, randint, randperm, rand_like,
// randn_like) and linspace, producing PyTorch 1.13's values (x86-64, AVX2 kernels) for the same
// seed, bit for bit. The transforms are in rng_kernels.cpp; this file picks PyTorch's path for a
// tensor (dtype, size, contiguity), its argument checks, and the order in which the elements of a
// non-contiguous tensor receive the draws.
//
// Element order: PyTorch fills through a TensorIterator, which visits the elements of a
// non-contiguous tensor in memory order (dims sorted by stride), not in logical order. Those
// tensors are filled here through a contiguous temporary laid out in that order, then copied in.
// For the same reason rand_like/randn_like of a non-contiguous tensor follow the layout PyTorch's
// empty_like gives the result (the input's stride order); the result here is contiguous but holds
// the same values as PyTorch's at every index.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "autograd/function.h"
#include "core/tensor_impl.h"
#include "kernels/copy.h"
#include "random/guard.h"
#include "random/rng_kernels.h"
#include "tensorgrad/random.h"
#include "tensorgrad/tensor.h"

namespace tg {

namespace {

bool is_float_type(ScalarType t) { return t == kFloat || t == kDouble; }

void check_floating(ScalarType t, IntArrayRef sizes, const char* op) {
  TG_CHECK(is_float_type(t), op,
           ": expected a floating-point dtype (torch.float32 or torch.float64), got ",
           dtype_name(t), " for a tensor of shape ", sizes);
}

// A view of t whose row-major order is the order given by perm (fastest dim first, as
// rng::iteration_order returns it).
Tensor ordered_view(const Tensor& t, const std::vector<int64_t>& perm) {
  auto* impl = impl_of(t);
  DimVector sizes, strides;
  for (auto it = perm.rbegin(); it != perm.rend(); ++it) {
    sizes.push_back(impl->sizes[*it]);
    strides.push_back(impl->strides[*it]);
  }
  return make_view(t, sizes, strides, impl->offset);
}

std::vector<int64_t> order_of(const Tensor& t) {
  auto* impl = impl_of(t);
  return rng::iteration_order(impl->sizes.data(), impl->strides.data(),
                              static_cast<int64_t>(impl->sizes.size()));
}

bool pytorch_contiguous(const Tensor& t) {
  auto* impl = impl_of(t);
  return rng::is_row_major(impl->sizes.data(), impl->strides.data(),
                           static_cast<int64_t>(impl->sizes.size()));
}

// Calls fill(T* buffer, n) so that the k-th value it writes lands on the k-th element of `t` in
// the order perm gives: straight into t's memory when `direct` (t contiguous and perm its
// row-major order), otherwise into a temporary that is then copied in.
template <typename T, typename F>
void fill_in_order(const Tensor& t, const std::vector<int64_t>& perm, bool direct, F&& fill) {
  auto* impl = impl_of(t);
  if (impl->numel == 0) return;
  if (direct) {
    fill(impl->data_as<T>(), impl->numel);
    return;
  }
  Tensor view = ordered_view(t, perm);
  Tensor tmp = make_empty(view.sizes(), impl->dtype);
  fill(impl_of(tmp)->data_as<T>(), impl->numel);
  kernels::copy(view, tmp);
}

// Element writes overlapping each other (an expanded tensor) are refused, as in PyTorch.
void check_no_internal_overlap(const Tensor& t, const char* op) {
  auto* impl = impl_of(t);
  for (size_t d = 0; d < impl->sizes.size(); ++d)
    TG_CHECK(!(impl->sizes[d] > 1 && impl->strides[d] == 0), op,
             ": unsupported operation: more than one element of the written-to tensor (shape ",
             impl->sizes.ref(), ") refers to a single memory location; clone() it first");
}

// ---- uniform

void uniform_fill(const Tensor& t, double from, double to, Generator& gen,
                  const std::vector<int64_t>& perm, bool direct) {
  if (t.scalar_type() == kFloat) {
    const auto f = static_cast<float>(from), g = static_cast<float>(to);
    fill_in_order<float>(t, perm, direct,
                         [&](float* p, int64_t n) { rng::fill_uniform(p, n, f, g, gen); });
  } else {
    fill_in_order<double>(t, perm, direct,
                          [&](double* p, int64_t n) { rng::fill_uniform(p, n, from, to, gen); });
  }
}

// uniform_impl_'s checks: bounds of the dtype, from <= to, and a range that fits the dtype.
void check_uniform_args(const Tensor& t, double from, double to, const char* op) {
  const ScalarType dt = t.scalar_type();
  check_floating(dt, t.sizes(), op);
  const double lo = dt == kFloat ? static_cast<double>(std::numeric_limits<float>::lowest())
                                 : std::numeric_limits<double>::lowest();
  const double hi = dt == kFloat ? static_cast<double>(std::numeric_limits<float>::max())
                                 : std::numeric_limits<double>::max();
  TG_CHECK(from >= lo && from <= hi, op, ": from=", from, " is out of bounds for ", dtype_name(dt),
           " (tensor of shape ", t.sizes(), ")");
  TG_CHECK(to >= lo && to <= hi, op, ": to=", to, " is out of bounds for ", dtype_name(dt),
           " (tensor of shape ", t.sizes(), ")");
  TG_CHECK(from <= to, op, ": expects to return a [from, to) range, but found from=", from,
           " > to=", to, " (tensor of shape ", t.sizes(), ")");
  TG_CHECK(to - from <= hi, op, ": expects to - from <= the largest ", dtype_name(dt),
           ", but found to=", to, " and from=", from, " (tensor of shape ", t.sizes(), ")");
}

// ---- normal

// normal_kernel: the vectorised path for a contiguous tensor of at least 16 elements, else the
// scalar Box-Muller (with the generator's cache) in TensorIterator order.
void normal_fill(const Tensor& t, double mean, double std, Generator& gen,
                 const std::vector<int64_t>& perm, bool contiguous) {
  const int64_t n = t.numel();
  if (contiguous && n >= 16) {
    if (t.scalar_type() == kFloat) {
      rng::normal_fill_vectorized(impl_of(t)->data_as<float>(), n, static_cast<float>(mean),
                                  static_cast<float>(std), gen);
    } else {
      rng::normal_fill_vectorized(impl_of(t)->data_as<double>(), n, mean, std, gen);
    }
    return;
  }
  if (t.scalar_type() == kFloat) {
    fill_in_order<float>(t, perm, contiguous, [&](float* p, int64_t m) {
      for (int64_t i = 0; i < m; ++i) p[i] = static_cast<float>(rng::normal_scalar(gen, mean, std));
    });
  } else {
    fill_in_order<double>(t, perm, contiguous, [&](double* p, int64_t m) {
      for (int64_t i = 0; i < m; ++i) p[i] = rng::normal_scalar(gen, mean, std);
    });
  }
}

void check_normal_args(const Tensor& t, double std, const char* op) {
  TG_CHECK(std >= 0.0, op, ": normal expects std >= 0.0, but found std ", std, " (tensor of shape ",
           t.sizes(), ")");
  check_floating(t.scalar_type(), t.sizes(), op);
}

// uniform_ and normal_ are differentiable in PyTorch with a zero gradient
// (derivatives.yaml: "self: zeros_like(grad)"), like fill_.
void record_inplace(Tensor& self, const char* name) {
  if (impl_of(self)->requires_grad() && autograd::GradMode::is_enabled()) {
    autograd::record(name, {&self}, {&self}, {},
                     [](const autograd::tensor_list& g, const autograd::tensor_list&) {
                       return autograd::tensor_list{zeros_like(g[0])};
                     });
  }
}

Tensor finish(Tensor t, const TensorOptions& options) {
  detail::check_cpu(options.device(), "tensor factory");
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

// The layout PyTorch's empty_like(t) gives its result (preserve_format): t's stride order with
// dense strides. Returns that order and whether it is row-major.
std::pair<std::vector<int64_t>, bool> like_layout(const Tensor& t) {
  auto* impl = impl_of(t);
  const auto ndim = static_cast<int64_t>(impl->sizes.size());
  std::vector<int64_t> perm = order_of(t);
  std::vector<int64_t> strides(static_cast<size_t>(ndim));
  int64_t stride = 1;
  for (int64_t i = 0; i < ndim; ++i) {
    strides[perm[i]] = stride;
    if (impl->sizes[perm[i]] > 1) stride *= impl->sizes[perm[i]];
  }
  return {perm, rng::is_row_major(impl->sizes.data(), strides.data(), ndim)};
}

ScalarType like_dtype(const Tensor& t, const TensorOptions& options) {
  return options.has_dtype() ? options.dtype() : t.scalar_type();
}

// The row-major order of a contiguous tensor, as a dim permutation (fastest first).
std::vector<int64_t> row_major_order(int64_t ndim) {
  std::vector<int64_t> perm(static_cast<size_t>(ndim));
  for (int64_t i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
  return perm;
}

}  // namespace

// ---- in-place fills

Tensor& Tensor::uniform_(double from, double to, Generator* gen) {
  TG_CHECK(defined(), "uniform_: called on an undefined tensor");
  autograd::check_inplace(*this, {}, "uniform_");
  check_uniform_args(*this, from, to, "uniform_");
  check_no_internal_overlap(*this, "uniform_");
  if (numel() > 0) {
    const bool contiguous = pytorch_contiguous(*this);
    rng::GeneratorGuard guard(gen);
    uniform_fill(*this, from, to, guard.get(), order_of(*this), contiguous);
  }
  impl_of(*this)->bump_version();
  record_inplace(*this, "UniformBackward0");
  return *this;
}

Tensor& Tensor::normal_(double mean, double std, Generator* gen) {
  TG_CHECK(defined(), "normal_: called on an undefined tensor");
  autograd::check_inplace(*this, {}, "normal_");
  check_normal_args(*this, std, "normal_");
  check_no_internal_overlap(*this, "normal_");
  if (numel() > 0) {
    const bool contiguous = pytorch_contiguous(*this);
    rng::GeneratorGuard guard(gen);
    normal_fill(*this, mean, std, guard.get(), order_of(*this), contiguous);
  }
  impl_of(*this)->bump_version();
  record_inplace(*this, "NormalBackward0");
  return *this;
}

// ---- factories

Tensor rand(IntArrayRef sizes, const TensorOptions& options) {
  return rand(sizes, nullptr, options);
}

Tensor rand(IntArrayRef sizes, Generator* gen, const TensorOptions& options) {
  check_floating(options.dtype(), sizes, "rand");
  Tensor t = make_empty(sizes, options.dtype());
  rng::GeneratorGuard guard(gen);
  uniform_fill(t, 0.0, 1.0, guard.get(), row_major_order(t.dim()), true);
  return finish(t, options);
}

Tensor randn(IntArrayRef sizes, const TensorOptions& options) {
  return randn(sizes, nullptr, options);
}

Tensor randn(IntArrayRef sizes, Generator* gen, const TensorOptions& options) {
  check_floating(options.dtype(), sizes, "randn");
  Tensor t = make_empty(sizes, options.dtype());
  rng::GeneratorGuard guard(gen);
  normal_fill(t, 0.0, 1.0, guard.get(), row_major_order(t.dim()), true);
  return finish(t, options);
}

Tensor rand_like(const Tensor& t, const TensorOptions& options) {
  TG_CHECK(t.defined(), "rand_like: called on an undefined tensor");
  const ScalarType dt = like_dtype(t, options);
  check_floating(dt, t.sizes(), "rand_like");
  Tensor out = make_empty(t.sizes(), dt);
  auto [perm, row_major] = like_layout(t);
  rng::GeneratorGuard guard(nullptr);
  uniform_fill(out, 0.0, 1.0, guard.get(), perm, row_major);
  return finish(out, options);
}

Tensor randn_like(const Tensor& t, const TensorOptions& options) {
  TG_CHECK(t.defined(), "randn_like: called on an undefined tensor");
  const ScalarType dt = like_dtype(t, options);
  check_floating(dt, t.sizes(), "randn_like");
  Tensor out = make_empty(t.sizes(), dt);
  auto [perm, row_major] = like_layout(t);
  // PyTorch's result is contiguous exactly when row_major; otherwise normal_ takes the scalar
  // path over the result's memory order.
  rng::GeneratorGuard guard(nullptr);
  normal_fill(out, 0.0, 1.0, guard.get(), perm, row_major);
  return finish(out, options);
}

namespace {

// update_from / update_to (native/DistributionTemplates.h): for a floating result, moves a bound
// that does not survive the round trip through the dtype to the nearest one that does.
template <typename T>
int64_t update_from(int64_t from) {
  const auto from_plus_1 = static_cast<int64_t>(static_cast<T>(from + 1));
  if (from_plus_1 < from) {
    int64_t v = std::abs(from + 1);
    int n = 0;
    while (v >>= 1) ++n;
    from = from_plus_1 + (int64_t{1} << (n - std::numeric_limits<T>::digits + 1));
  }
  return from;
}

template <typename T>
int64_t update_to(int64_t to) {
  const auto to_minus_1 = static_cast<int64_t>(static_cast<T>(to - 1));
  if (to_minus_1 >= to) {
    int64_t v = std::abs(to - 1);
    int n = 0;
    while (v >>= 1) ++n;
    to = to_minus_1 - (int64_t{1} << (n - std::numeric_limits<T>::digits + 1));
  }
  return to;
}

}  // namespace

Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& options) {
  const ScalarType dt = options.has_dtype() ? options.dtype() : kLong;
  TG_CHECK(low < high, "randint: expects 'low' to be less than 'high', but got low=", low,
           " >= high=", high, " (shape ", sizes, ")");
  if (dt == kFloat) {
    low = update_from<float>(low);
    high = update_to<float>(high);
  } else if (dt == kDouble) {
    low = update_from<double>(low);
    high = update_to<double>(high);
  }
  TG_CHECK(low < high, "randint: expects 'low' cast to ", dtype_name(dt),
           " to be less than 'high' cast to it, but got low=", low, " >= high=", high);
  if (dt == kBool)
    TG_CHECK(low >= 0 && high - 1 <= 1, "randint: [", low, ", ", high,
             ") is out of bounds for torch.bool");
  Tensor t = make_empty(sizes, dt);
  rng::GeneratorGuard guard(nullptr);
  Generator& gen = guard.get();
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  // uniform_int_from_to_distribution: 64-bit draws for ranges of 2^32 or more (not for bool).
  const bool wide = dt != kBool && range >= (uint64_t{1} << 32);
  const int64_t n = t.numel();
  auto* impl = impl_of(t);
  switch (dt) {
    case kLong: {
      auto* p = impl->data_as<int64_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = rng::random_from_to(gen, range, low, wide);
      break;
    }
    case kFloat: {
      auto* p = impl->data_as<float>();
      for (int64_t i = 0; i < n; ++i)
        p[i] = static_cast<float>(rng::random_from_to(gen, range, low, wide));
      break;
    }
    case kDouble: {
      auto* p = impl->data_as<double>();
      for (int64_t i = 0; i < n; ++i)
        p[i] = static_cast<double>(rng::random_from_to(gen, range, low, wide));
      break;
    }
    case kBool: {
      auto* p = impl->data_as<bool>();
      for (int64_t i = 0; i < n; ++i) p[i] = rng::random_from_to(gen, range, low, wide) != 0;
      break;
    }
  }
  return finish(t, options);
}

Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& options) {
  return randint(0, high, sizes, options);
}

Tensor randperm(int64_t n, const TensorOptions& options) { return randperm(n, nullptr, options); }

Tensor randperm(int64_t n, Generator* gen, const TensorOptions& options) {
  const ScalarType dt = options.has_dtype() ? options.dtype() : kLong;
  TG_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  TG_CHECK(dt != kBool, "randperm: not implemented for torch.bool");
  TG_CHECK(dt != kFloat || n <= (int64_t{1} << 24) + 1,
           "randperm: n cannot be greater than 2^24+1 for torch.float32, got ", n);
  TG_CHECK(dt != kDouble || n <= (int64_t{1} << 53) + 1,
           "randperm: n cannot be greater than 2^53+1 for torch.float64, got ", n);
  Tensor t = make_empty({n}, dt);
  rng::GeneratorGuard guard(gen);
  Generator& g = guard.get();
  auto* impl = impl_of(t);
  if (dt == kLong) {
    rng::randperm_fill(impl->data_as<int64_t>(), n, g);
  } else {
    std::vector<int64_t> perm(static_cast<size_t>(n));
    rng::randperm_fill(perm.data(), n, g);
    for (int64_t i = 0; i < n; ++i) {
      if (dt == kFloat)
        impl->data_as<float>()[i] = static_cast<float>(perm[i]);
      else
        impl->data_as<double>()[i] = static_cast<double>(perm[i]);
    }
  }
  return finish(t, options);
}

// ---- linspace (native/RangeFactories.cpp + cpu/RangeFactoriesKernel.cpp of 1.13)

namespace {

// Scalar::to<T>() as PyTorch converts: integers directly, floating values by a cast, checked for
// int64 (Scalar::toLong refuses NaN, infinities and values outside int64's range).
template <typename T>
T scalar_to(const Scalar& s) {
  if constexpr (std::is_same_v<T, int64_t>)
    return s.toLong();
  else if (s.isFloatingPoint())
    return static_cast<T>(s.toDouble());
  else
    return static_cast<T>(s.toLong());
}

template <typename T>
void linspace_typed(const Tensor& t, const Scalar& start, const Scalar& end, int64_t steps) {
  T* out = impl_of(t)->data_as<T>();
  const T a = scalar_to<T>(start);
  if (steps == 1) {
    out[0] = a;  // fill_(start)
    return;
  }
  const T b = scalar_to<T>(end);
  rng::linspace_fill(out, steps, a, b, get_num_threads());
}

}  // namespace

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps,
                const TensorOptions& options) {
  TG_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  const ScalarType dt = options.dtype();  // the default dtype, float32, when none is given
  TG_CHECK(dt != kBool, "linspace: not implemented for torch.bool");
  Tensor t = make_empty({steps}, dt);
  if (steps > 0) {
    switch (dt) {
      case kFloat:
        linspace_typed<float>(t, start, end, steps);
        break;
      case kDouble:
        linspace_typed<double>(t, start, end, steps);
        break;
      case kLong:
        linspace_typed<int64_t>(t, start, end, steps);
        break;
      case kBool:
        break;
    }
  }
  return finish(t, options);
}

}  // namespace tg
