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
#include "kernels/sampling.h"
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
  autograd::record_overwrite(*this, "UniformBackward0");
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
  autograd::record_overwrite(*this, "NormalBackward0");
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

// ---- bernoulli_, exponential_, random_, multinomial
// PyTorch 1.13's serial CPU kernels (no MKL in Debian's build): one draw per element, in the
// tensor's memory order, each element's value a function of its draw alone.

namespace {

// Writes value_of(k) (converted to t's dtype) into the k-th element of t in the order perm gives
// (directly when `direct`, see fill_in_order); by default t's memory order.
template <typename F>
void fill_each(const Tensor& t, const std::vector<int64_t>& perm, bool direct, F&& value_of) {
  auto each = [&](auto* p, int64_t n) {
    using T = std::remove_pointer_t<decltype(p)>;
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(value_of(i));
  };
  switch (t.scalar_type()) {
    case kFloat:
      fill_in_order<float>(t, perm, direct, each);
      break;
    case kDouble:
      fill_in_order<double>(t, perm, direct, each);
      break;
    case kLong:
      fill_in_order<int64_t>(t, perm, direct, each);
      break;
    case kBool:
      fill_in_order<bool>(t, perm, direct, each);
      break;
  }
}
template <typename F>
void fill_each(const Tensor& t, F&& value_of) {
  fill_each(t, order_of(t), pytorch_contiguous(t), std::forward<F>(value_of));
}

// The first checks of every in-place random fill.
void check_random_fill(Tensor& t, const char* op) {
  TG_CHECK(t.defined(), op, ": called on an undefined tensor");
  autograd::check_inplace(t, {}, op);
  check_no_internal_overlap(t, op);
}

void finish_fill(Tensor& t, const char* node) {
  impl_of(t)->bump_version();
  autograd::record_overwrite(t, node);
}

// One bernoulli draw per element of `out`, in the order perm gives, against the probabilities p
// (already of out's shape). A double p draws 53 bits per element and compares in double; any
// other dtype draws 24 bits and compares in float (bernoulli_distribution<float>).
void bernoulli_fill(const Tensor& out, const Tensor& p, const std::vector<int64_t>& perm,
                    bool direct, Generator* gen, const char* op) {
  TG_CHECK(p.is_floating_point(), op, ": expected a floating-point probability tensor, got ",
           dtype_name(p.scalar_type()));
  const bool wide = p.scalar_type() == kDouble;
  Tensor ordered = ordered_view(p, perm).to(wide ? kDouble : kFloat).contiguous();
  TG_CHECK(ordered.min().item<double>() >= 0 && ordered.max().item<double>() <= 1, op,
           ": expected every probability p_in to satisfy p_in >= 0 && p_in <= 1 (p of shape ",
           p.sizes(), ")");
  rng::GeneratorGuard guard(gen);
  Generator& g = guard.get();
  if (wide) {
    const double* pp = impl_of(ordered)->data_as<double>();
    fill_each(out, perm, direct, [&](int64_t i) { return rng::uniform_double(g) < pp[i] ? 1 : 0; });
  } else {
    const float* pp = impl_of(ordered)->data_as<float>();
    fill_each(out, perm, direct, [&](int64_t i) { return rng::uniform_float(g) < pp[i] ? 1 : 0; });
  }
}

}  // namespace

Tensor& Tensor::bernoulli_(double p, Generator* gen) {
  check_random_fill(*this, "bernoulli_");
  TG_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  if (numel() > 0) {
    rng::GeneratorGuard guard(gen);
    Generator& g = guard.get();
    fill_each(*this, [&](int64_t) { return rng::uniform_double(g) < p ? 1 : 0; });
  }
  finish_fill(*this, "BernoulliBackward2");
  return *this;
}

Tensor& Tensor::bernoulli_(const Tensor& p, Generator* gen) {
  check_random_fill(*this, "bernoulli_");
  TG_CHECK(p.defined(), "bernoulli_: undefined probability tensor");
  if (numel() > 0)
    bernoulli_fill(*this, p.expand(sizes()), order_of(*this), pytorch_contiguous(*this), gen,
                   "bernoulli_");
  finish_fill(*this, "BernoulliBackward1");
  return *this;
}

// bernoulli(p) and bernoulli(self, p) draw into a contiguous result (PyTorch's empty_like with
// the legacy contiguous format), so in row-major order whatever p's layout.
Tensor bernoulli(const Tensor& p, Generator* gen) {
  TG_CHECK(p.defined(), "bernoulli: called on an undefined tensor");
  Tensor out = make_empty(p.sizes(), p.scalar_type());
  if (p.numel() > 0) bernoulli_fill(out, p, row_major_order(p.dim()), true, gen, "bernoulli");
  if (autograd::should_record({&p}))
    autograd::record("BernoulliBackward0", {&p}, {&out}, {},
                     [](const autograd::tensor_list& g, const autograd::tensor_list&) {
                       return autograd::tensor_list{zeros_like(g[0])};
                     });
  return out;
}

Tensor bernoulli(const Tensor& self, double p, Generator* gen) {
  TG_CHECK(self.defined(), "bernoulli: called on an undefined tensor");
  Tensor out = make_empty(self.sizes(), self.scalar_type());
  NoGradGuard no_grad;
  out.bernoulli_(p, gen);
  return out;
}

Tensor Tensor::bernoulli(Generator* gen) const { return tg::bernoulli(*this, gen); }
Tensor Tensor::bernoulli(double p, Generator* gen) const { return tg::bernoulli(*this, p, gen); }

Tensor& Tensor::exponential_(double lambd, Generator* gen) {
  check_random_fill(*this, "exponential_");
  TG_CHECK(is_floating_point(), "\"exponential_cpu\" not implemented for '",
           scalar_type() == kLong ? "Long" : "Bool", "'");
  TG_CHECK(lambd >= 0.0, "exponential_ expects lambda >= 0.0, but found lambda=", lambd);
  if (numel() > 0) {
    rng::GeneratorGuard guard(gen);
    Generator& g = guard.get();
    // In double whatever the dtype, then converted: -1/lambda * log(1 - u).
    fill_each(*this,
              [&](int64_t) { return -1.0 / lambd * std::log(1.0 - rng::uniform_double(g)); });
  }
  finish_fill(*this, "ExponentialBackward0");
  return *this;
}

Tensor& Tensor::random_(Generator* gen) {
  check_random_fill(*this, "random_");
  if (numel() > 0) {
    rng::GeneratorGuard guard(gen);
    Generator& g = guard.get();
    // Every integer the dtype holds exactly: [0, 2^24] for float, [0, 2^53] for double,
    // [0, 2^63 - 1] for int64, {0, 1} for bool.
    switch (scalar_type()) {
      case kFloat:
        fill_each(*this, [&](int64_t) { return g.random() % ((uint64_t{1} << 24) + 1); });
        break;
      case kDouble:
        fill_each(*this, [&](int64_t) { return g.random64() % ((uint64_t{1} << 53) + 1); });
        break;
      case kLong:
        fill_each(*this, [&](int64_t) {
          return static_cast<int64_t>(g.random64() % (uint64_t{1} << 63));
        });
        break;
      case kBool:
        fill_each(*this, [&](int64_t) { return (g.random() & 1) != 0; });
        break;
    }
  }
  finish_fill(*this, "RandomBackward2");
  return *this;
}

Tensor& Tensor::random_(int64_t from, std::optional<int64_t> to, Generator* gen) {
  check_random_fill(*this, "random_");
  const ScalarType dt = scalar_type();
  uint64_t range = 0;  // 0: all 2^64 values of an int64 (from = INT64_MIN, no upper bound)
  if (to) {
    TG_CHECK(from < *to, "random_ expects 'from' to be less than 'to', but got from=", from,
             " >= to=", *to);
    int64_t f = from, t = *to;
    if (dt == kFloat) {
      f = update_from<float>(f);
      t = update_to<float>(t);
    } else if (dt == kDouble) {
      f = update_from<double>(f);
      t = update_to<double>(t);
    }
    TG_CHECK(f < t,
             "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, "
             "but got from=",
             f, " >= to=", t);
    from = f;
    range = static_cast<uint64_t>(t) - static_cast<uint64_t>(f);
  } else {
    int64_t to_inc = std::numeric_limits<int64_t>::max();
    if (dt == kFloat) {
      to_inc = int64_t{1} << 24;
      from = update_from<float>(from);
    } else if (dt == kDouble) {
      to_inc = int64_t{1} << 53;
      from = update_from<double>(from);
    } else if (dt == kBool) {
      to_inc = 1;
    }
    TG_CHECK(from <= to_inc,
             "random_ expects 'from' casted to dtype to be less than or equal to "
             "'to_inc' casted to dtype, but got from=",
             from, " > to_inc=", to_inc);
    range = static_cast<uint64_t>(to_inc) - static_cast<uint64_t>(from) + 1;
  }
  if (dt == kBool)
    TG_CHECK(from >= 0 && static_cast<uint64_t>(from) + range - 1 <= 1, "random_: [", from, ", ",
             from + static_cast<int64_t>(range), ") is out of bounds for torch.bool");
  if (numel() > 0) {
    rng::GeneratorGuard guard(gen);
    Generator& g = guard.get();
    if (range == 0) {
      fill_each(*this, [&](int64_t) { return static_cast<int64_t>(g.random64()); });
    } else {
      const bool wide = dt != kBool && range >= (uint64_t{1} << 32);
      fill_each(*this, [&](int64_t) { return rng::random_from_to(g, range, from, wide); });
    }
  }
  finish_fill(*this, "RandomBackward0");
  return *this;
}

Tensor& Tensor::random_(int64_t to, Generator* gen) {
  check_random_fill(*this, "random_");
  TG_CHECK(0 < to, "random_ expects 'from' to be less than 'to', but got from=0 >= to=", to);
  {
    NoGradGuard no_grad;  // the node below is random_(to)'s own
    random_(0, to, gen);
  }
  autograd::record_overwrite(*this, "RandomBackward1");
  return *this;
}

Tensor multinomial(const Tensor& p, int64_t num_samples, bool replacement, Generator* gen) {
  TG_CHECK(p.defined(), "multinomial: called on an undefined tensor");
  TG_CHECK(p.dim() > 0 && p.dim() <= 2, "prob_dist must be 1 or 2 dim");
  TG_CHECK(p.is_floating_point(),
           "multinomial only supports floating-point dtypes for input, got: ",
           p.scalar_type() == kLong ? "Long" : "Bool");
  TG_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  const int64_t n_categories = p.size(-1);
  TG_CHECK(replacement || num_samples <= n_categories,
           "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  TG_CHECK(n_categories <= (int64_t{1} << 24), "number of categories cannot exceed 2^24");
  const int64_t n_dist = p.dim() == 1 ? 1 : p.size(0);
  DimVector out_shape = p.dim() == 1 ? DimVector{num_samples} : DimVector{n_dist, num_samples};
  if (n_dist == 0) return make_empty(out_shape, kLong);
  NoGradGuard no_grad;
  if (!replacement) {
    // The exponential trick (Gumbel-max): the top num_samples of p / q with q ~ Exp(1).
    TG_CHECK((p.max() < std::numeric_limits<double>::infinity()).item<bool>() &&
                 (p.min() >= 0).item<bool>(),
             "probability tensor contains either `inf`, `nan` or element < 0");
    Tensor sums = p.dim() == 1 ? p.sum().reshape({1}) : p.sum({1});
    TG_CHECK(!(sums == 0).any().item<bool>(),
             "invalid multinomial distribution (sum of probabilities <= 0)");
    Tensor q = empty_like(p).exponential_(1, gen);
    Tensor keys = (p / q).contiguous();
    Tensor out = make_empty(out_shape, kLong);
    kernels::top_indices(out, keys.reshape({n_dist, n_categories}), num_samples);
    return out;
  }
  Tensor probs = p.reshape({n_dist, n_categories}).contiguous();
  Tensor out = make_empty(out_shape, kLong);
  rng::GeneratorGuard guard(gen);
  Generator& g = guard.get();
  kernels::sample_categories(out, probs, num_samples, [&] { return rng::uniform_double(g); });
  return out;
}

Tensor Tensor::multinomial(int64_t num_samples, bool replacement, Generator* gen) const {
  return tg::multinomial(*this, num_samples, replacement, gen);
}

}  // namespace tg
