// PyTorch 1.13's CPU random transforms on raw buffers. The rules, and how each was checked against
// the installed torch, are in docs and in /work/shared/pytorch-rng.md; the comments here say where
// each one comes from in PyTorch's sources.
//
// Floating-point contraction: PyTorch's AVX2 kernels are compiled with -mfma and GCC's default
// -ffp-contract=fast, so some multiply-adds are fused in its binary and some are not. Here every
// fused one is an explicit std::fma, and the one product that must be rounded on its own before an
// add (linspace's lanes) goes through rounded(), so the results do not depend on how this file is
// compiled.
#include "random/rng_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "kernels/cpu.h"

namespace tg::rng {

namespace {

constexpr double kTwoPi = 2.0 * 3.14159265358979323846;  // c10::pi<double> doubled, exactly

// Returns v unchanged, but hides from the compiler that it is a product, so that it cannot be
// fused into a following add.
template <typename T>
inline T rounded(T v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __asm__("" : "+x"(v));
#else
  volatile T keep = v;
  v = keep;
#endif
  return v;
}

inline uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// x86's cvttsd2si: truncation toward zero, and INT64_MIN for NaN and values out of range (the
// conversion PyTorch's binary performs; a plain cast would be undefined behaviour there).
inline int64_t truncate_to_int64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

bool& force_portable_flag() {
  static bool force = false;
  return force;
}

}  // namespace

// ---- uniform (TransformationHelper.h uniform_real: (val & MASK) * DIVISOR; float keeps 24 bits
// of random(), double 53 bits of random64())

float uniform_float(Generator& gen) {
  return static_cast<float>(gen.random() & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
}

double uniform_double(Generator& gen) {
  return static_cast<double>(gen.random64() & ((uint64_t{1} << 53) - 1)) *
         (1.0 / 9007199254740992.0);
}

// uniform_real_distribution: x * (to - from) + from, contracted to one fma in PyTorch's binary.
void fill_uniform(float* data, int64_t n, float from, float to, Generator& gen) {
  const float range = to - from;
  for (int64_t i = 0; i < n; ++i) data[i] = std::fma(uniform_float(gen), range, from);
}

void fill_uniform(double* data, int64_t n, double from, double to, Generator& gen) {
  const double range = to - from;
  for (int64_t i = 0; i < n; ++i) data[i] = std::fma(uniform_double(gen), range, from);
}

// ---- normal

// normal_distribution<double> (DistributionsHelper.h): u1, u2 from random64(); the sine half is
// cached in the generator; transformation::normal is val * std + mean, fused.
double normal_scalar(Generator& gen, double mean, double std) {
  if (gen.next_double_normal_sample) {
    const double cached = *gen.next_double_normal_sample;
    gen.next_double_normal_sample.reset();
    return std::fma(cached, std, mean);
  }
  const double u1 = uniform_double(gen);
  const double u2 = uniform_double(gen);
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = kTwoPi * u1;
  gen.next_double_normal_sample = r * std::sin(theta);
  const double c = r * std::cos(theta);
  return std::fma(c, std, mean);
}

namespace {

// normal_fill_16<double> (cpu/DistributionTemplates.h) with glibc's log, sin and cos.
void normal_block16_double(double* data, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - data[j];
    const double u2 = data[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = kTwoPi * u2;
    const double c = radius * std::cos(theta);
    const double s = radius * std::sin(theta);
    data[j] = std::fma(c, std, mean);
    data[j + 8] = std::fma(s, std, mean);
  }
}

void normal_block16_float(float* data, float mean, float std) {
  if (!force_portable_flag() && kernels::has_avx2())
    normal_block16_avx2(data, mean, std);
  else
    normal_block16_portable(data, mean, std);
}

}  // namespace

bool set_force_portable(bool force) { return std::exchange(force_portable_flag(), force); }

// normal_fill_AVX2 / normal_fill: all n uniforms first, then the blocks; a ragged end redraws
// the last 16 slots (overwriting normals already there) and transforms them again.
void normal_fill_vectorized(float* data, int64_t n, float mean, float std, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) data[i] = uniform_float(gen);
  for (int64_t i = 0; i + 16 <= n; i += 16) normal_block16_float(data + i, mean, std);
  if (n % 16 != 0) {
    float* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = uniform_float(gen);
    normal_block16_float(tail, mean, std);
  }
}

void normal_fill_vectorized(double* data, int64_t n, double mean, double std, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) data[i] = uniform_double(gen);
  for (int64_t i = 0; i + 16 <= n; i += 16) normal_block16_double(data + i, mean, std);
  if (n % 16 != 0) {
    double* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = uniform_double(gen);
    normal_block16_double(tail, mean, std);
  }
}

// ---- the Cephes polynomials of avx_mathfun.h, one lane at a time

namespace cephes {
constexpr float kSqrtHalf = 0.707106781186547524f;
constexpr float kLogP[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                            2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
constexpr float kLogQ1 = -2.12194440e-4f;
constexpr float kLogQ2 = 0.693359375f;
constexpr float kMinusDP1 = -0.78515625f;
constexpr float kMinusDP2 = -2.4187564849853515625e-4f;
constexpr float kMinusDP3 = -3.77489497744594108e-8f;
constexpr float kSinP0 = -1.9515295891E-4f;
constexpr float kSinP1 = 8.3321608736E-3f;
constexpr float kSinP2 = -1.6666654611E-1f;
constexpr float kCosP0 = 2.443315711809948E-005f;
constexpr float kCosP1 = -1.388731625493765E-003f;
constexpr float kCosP2 = 4.166664568298827E-002f;
constexpr float kFourOverPi = 1.27323954473516f;
}  // namespace cephes

float cephes_logf(float x) {
  using namespace cephes;
  const bool invalid = x <= 0.0f;
  x = std::max(x, float_of(0x00800000u));  // cut off denormals
  const int32_t exponent = static_cast<int32_t>(bits_of(x) >> 23);
  // Keep the mantissa, with the exponent of 0.5: x in [0.5, 1).
  x = float_of((bits_of(x) & ~0x7f800000u) | bits_of(0.5f));
  float e = static_cast<float>(exponent - 0x7f) + 1.0f;
  // if (x < sqrt(1/2)) { e -= 1; x = x + x - 1 } else { x = x - 1 }
  const bool below = x < kSqrtHalf;
  const float tmp = below ? x : 0.0f;
  x = x - 1.0f;
  e = e - (below ? 1.0f : 0.0f);
  x = x + tmp;
  const float z = x * x;
  float y = kLogP[0];
  for (int k = 1; k <= 8; ++k) y = std::fma(y, x, kLogP[k]);
  y = y * x;
  y = std::fma(y, z, e * kLogQ1);
  y = y - z * 0.5f;  // z * 0.5 is exact: fused or not, the same value
  x = x + y;
  x = x + e * kLogQ2;  // e * q2 is exact (e is a small integer, q2 = 355/512)
  return invalid ? float_of(bits_of(x) | 0xffffffffu) : x;
}

void cephes_sincosf(float x, float* s, float* c) {
  using namespace cephes;
  uint32_t sign_sin = bits_of(x) & 0x80000000u;
  x = std::fabs(x);
  // j = (int(x * 4/pi) + 1) & ~1, the octant rounded to even; y = float(j)
  int32_t j = static_cast<int32_t>(x * kFourOverPi);
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  const uint32_t swap_sign_sin = static_cast<uint32_t>(j & 4) << 29;
  const bool use_sin_poly = (j & 2) == 0;  // poly_mask: the sine polynomial gives sin
  // Extended precision modular arithmetic: x = ((x - y * DP1) - y * DP2) - y * DP3
  x = std::fma(y, kMinusDP1, x);
  x = std::fma(y, kMinusDP2, x);
  x = std::fma(y, kMinusDP3, x);
  const uint32_t sign_cos = static_cast<uint32_t>(~(j - 2) & 4) << 29;
  sign_sin ^= swap_sign_sin;

  const float z = x * x;
  // cos polynomial, 0 <= x <= pi/4
  float yc = std::fma(std::fma(kCosP0, z, kCosP1), z, kCosP2);
  yc = yc * z;
  yc = std::fma(yc, z, -(z * 0.5f));
  yc = yc + 1.0f;
  // sin polynomial
  float ys = std::fma(std::fma(kSinP0, z, kSinP1), z, kSinP2);
  ys = ys * z;
  ys = std::fma(ys, x, x);
  // Select as the vector code does (masks, then subtract and add zeros), signs and all.
  const float ysin2 = use_sin_poly ? ys : 0.0f;
  const float ysin1 = use_sin_poly ? 0.0f : yc;
  ys = ys - ysin2;
  yc = yc - ysin1;
  const float sin_v = ysin1 + ysin2;
  const float cos_v = yc + ys;
  *s = float_of(bits_of(sin_v) ^ sign_sin);
  *c = float_of(bits_of(cos_v) ^ sign_cos);
}

// normal_fill_16_AVX2, one lane at a time: radius * cos(theta) is rounded, then fused with std
// and mean (_mm256_fmadd_ps).
void normal_block16_portable(float* data, float mean, float std) {
  constexpr float kTwoPiF = static_cast<float>(kTwoPi);  // 6.2831855f
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2.0f * cephes_logf(u1));
    const float theta = kTwoPiF * u2;
    float s, c;
    cephes_sincosf(theta, &s, &c);
    const float n1 = radius * c;
    const float n2 = radius * s;
    data[j] = std::fma(n1, std, mean);
    data[j + 8] = std::fma(n2, std, mean);
  }
}

// ---- linspace (cpu/RangeFactoriesKernel.cpp in 1.13, vectorised with cpu_serial_kernel_vec)

namespace {

constexpr int64_t kGrainSize = 32768;  // at::internal::GRAIN_SIZE

// T: the output type; S: the step type (double for integers); L: Vectorized<T>::size() on AVX2.
template <typename T, typename S, int L>
void linspace_impl(T* out, int64_t steps, T start, T end, int num_threads) {
  const S step = (static_cast<S>(end) - static_cast<S>(start)) / static_cast<S>(steps - 1);
  const int64_t halfway = steps / 2;
  // The scalar lambda: start + step * idx before halfway, end - step * (steps - idx - 1) after,
  // each one fused multiply-add.
  auto scalar_at = [&](int64_t idx) -> S {
    if (idx < halfway) return std::fma(step, static_cast<S>(idx), static_cast<S>(start));
    return std::fma(-step, static_cast<S>(steps - idx - 1), static_cast<S>(end));
  };
  auto convert = [](S v) -> T {
    if constexpr (std::is_same_v<T, int64_t>)
      return truncate_to_int64(v);
    else
      return static_cast<T>(v);
  };
  // One piece [begin, end) of at::parallel_for: vectorized_loop does two vectors of L lanes while
  // 2L elements remain, then the scalar lambda. A vector's base is the scalar formula at its first
  // index (the half chosen by that index alone); Vectorized::arange gives lane k = base + k*step,
  // the product rounded before the add.
  auto piece = [&](int64_t begin, int64_t finish) {
    const int64_t n = finish - begin;
    int64_t i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      for (int half = 0; half < 2; ++half) {
        const int64_t idx = begin + i + half * L;
        const T base = convert(scalar_at(idx));
        out[idx] = base;
        for (int k = 1; k < L; ++k)
          out[idx + k] = convert(static_cast<S>(base) + rounded(static_cast<S>(k) * step));
      }
    }
    for (; i < n; ++i) out[begin + i] = convert(scalar_at(begin + i));
  };
  // at::parallel_for (OpenMP): with more than one thread and more than GRAIN_SIZE elements,
  // min(threads, ceil(steps / grain)) pieces of ceil(steps / pieces) elements each.
  if (steps <= kGrainSize || num_threads <= 1) {
    piece(0, steps);
    return;
  }
  const int64_t tasks = std::min<int64_t>(num_threads, (steps + kGrainSize - 1) / kGrainSize);
  const int64_t chunk = (steps + tasks - 1) / tasks;
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t begin = t * chunk;
    if (begin < steps) piece(begin, std::min(steps, begin + chunk));
  }
}

}  // namespace

void linspace_fill(float* out, int64_t steps, float start, float end, int num_threads) {
  linspace_impl<float, float, 8>(out, steps, start, end, num_threads);
}
void linspace_fill(double* out, int64_t steps, double start, double end, int num_threads) {
  linspace_impl<double, double, 4>(out, steps, start, end, num_threads);
}
void linspace_fill(int64_t* out, int64_t steps, int64_t start, int64_t end, int num_threads) {
  linspace_impl<int64_t, double, 4>(out, steps, start, end, num_threads);
}

// ---- integers

// uniform_int_from_to_distribution + transformation::uniform_int_from_to.
int64_t random_from_to(Generator& gen, uint64_t range, int64_t base, bool wide) {
  const uint64_t v = wide ? gen.random64() : static_cast<uint64_t>(gen.random());
  return static_cast<int64_t>(v % range + static_cast<uint64_t>(base));
}

// randperm_cpu in 1.13's TensorFactories.cpp (no random64 variant for large n in this version:
// checked against torch for n = 2^32 / 20 + 5).
void randperm_fill(int64_t* out, int64_t n, Generator& gen) {
  for (int64_t i = 0; i < n; ++i) out[i] = i;
  for (int64_t i = 0; i < n - 1; ++i) {
    const int64_t z = static_cast<int64_t>(gen.random() % static_cast<uint64_t>(n - i));
    std::swap(out[i], out[z + i]);
  }
}

// ---- element order (TensorIteratorBase::reorder_dimensions, at::infer_dense_strides)

std::vector<int64_t> iteration_order(const int64_t* sizes, const int64_t* strides, int64_t ndim) {
  std::vector<int64_t> perm(static_cast<size_t>(ndim));
  for (int64_t i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
  // 1: dim0 goes after dim1; -1: before; 0: ambiguous (a stride of 0, or a tie that sizes do
  // not break).
  auto should_swap = [&](int64_t d0, int64_t d1) {
    const int64_t s0 = strides[d0], s1 = strides[d1];
    if (s0 == 0 || s1 == 0) return 0;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    return sizes[d0] > sizes[d1] ? 1 : 0;
  };
  for (int64_t i = 1; i < ndim; ++i) {
    int64_t dim1 = i;
    for (int64_t dim0 = i - 1; dim0 >= 0; --dim0) {
      const int cmp = should_swap(perm[dim0], perm[dim1]);
      if (cmp > 0) {
        std::swap(perm[dim0], perm[dim1]);
        dim1 = dim0;
      } else if (cmp < 0) {
        break;
      }
    }
  }
  return perm;
}

bool is_row_major(const int64_t* sizes, const int64_t* strides, int64_t ndim) {
  for (int64_t d = 0; d < ndim; ++d)
    if (sizes[d] == 0) return true;
  int64_t expected = 1;
  for (int64_t d = ndim - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    if (strides[d] != expected) return false;
    expected *= sizes[d];
  }
  return true;
}

}  // namespace tg::rng
