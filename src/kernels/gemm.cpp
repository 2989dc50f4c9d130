// Matrix products go to OpenBLAS, except small and thin ones (one row, one column, k = 1, or
// below about 16^3 multiply-adds), where packing and the BLAS call cost more than the arithmetic;
// those run in our own loops, vectorised for AVX2 and AVX-512 where the CPU has them.
#include <cblas.h>
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/vec_math.h"

extern "C" void openblas_set_num_threads(int);

namespace tg::kernels {
namespace {

// A 2-d operand as BLAS sees it: row-major with leading dim ld, possibly transposed.
struct BlasView {
  const void* data;
  int64_t ld;
  bool trans;
};

bool as_blas(const Tensor& t, BlasView& v) {
  auto* i = impl_of(t);
  const int64_t r = i->sizes[0], c = i->sizes[1];
  const int64_t s0 = i->strides[0], s1 = i->strides[1];
  if ((s1 == 1 || c == 1) && s0 >= std::max<int64_t>(1, c)) {
    v = {i->data(), s0, false};
    return true;
  }
  if ((s0 == 1 || r == 1) && s1 >= std::max<int64_t>(1, r)) {
    v = {i->data(), s1, true};
    return true;
  }
  return false;
}

// The addend of addmm as the small loops read it: element (i, j) of C starts as
// beta * s[i * s0 + j * s1] (strides 0 where self broadcasts), so no broadcast copy is made first.
template <typename T>
struct Addend {
  const T* s = nullptr;
  int64_t s0 = 0, s1 = 0;
};

// Starts row i of C (n values) as beta * addend, or scales what C holds by beta.
template <typename T>
inline void init_row(T* crow, int64_t i, int64_t n, T beta, const Addend<T>& add) {
  if (add.s) {
    const T* srow = add.s + i * add.s0;
    if (add.s1 == 1) {
      for (int64_t j = 0; j < n; ++j) crow[j] = beta == T(1) ? srow[j] : beta * srow[j];
    } else {
      for (int64_t j = 0; j < n; ++j) crow[j] = beta * srow[j * add.s1];
    }
  } else if (beta == T(0)) {
    for (int64_t j = 0; j < n; ++j) crow[j] = 0;
  } else if (beta != T(1)) {
    for (int64_t j = 0; j < n; ++j) crow[j] *= beta;
  }
}

// What element i of a gemv's result starts from: beta * addend, or beta * C.
template <typename T>
inline T gemv_start(const T* c, int64_t i, T beta, const Addend<T>& add) {
  return add.s ? beta * add.s[i * add.s0] : (beta == T(0) ? T(0) : beta * c[i]);
}

template <typename T>
void small_gemm(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t n, int64_t k, T alpha,
                T beta, const Addend<T>& add) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const T* A = ai->data_as<T>();
  const T* B = bi->data_as<T>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1];
  const int64_t bs0 = bi->strides[0], bs1 = bi->strides[1];
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * n;
    init_row(crow, i, n, beta, add);
    for (int64_t p = 0; p < k; ++p) {
      const T av = alpha * A[i * as0 + p * as1];
      const T* brow = B + p * bs0;
      if (bs1 == 1) {
        for (int64_t j = 0; j < n; ++j) crow[j] += av * brow[j];
      } else {
        for (int64_t j = 0; j < n; ++j) crow[j] += av * brow[j * bs1];
      }
    }
  }
}

// Matrix-vector product (n == 1), the shape of a layer with one output and of a weight gradient
// with one input; BLAS would spend more time packing the operands than multiplying them.
template <typename T>
void small_gemv(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t k, T alpha, T beta,
                const Addend<T>& add) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const T* A = ai->data_as<T>();
  const T* B = bi->data_as<T>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1], bs0 = bi->strides[0];
  if (as0 == 1 && m > 1) {
    // Columns of A are contiguous: accumulate column by column (an axpy per column).
    for (int64_t i = 0; i < m; ++i) c[i] = gemv_start(c, i, beta, add);
    for (int64_t p = 0; p < k; ++p) {
      const T bp = alpha * B[p * bs0];
      const T* col = A + p * as1;
      for (int64_t i = 0; i < m; ++i) c[i] += col[i] * bp;
    }
    return;
  }
  for (int64_t i = 0; i < m; ++i) {
    const T* row = A + i * as0;
    // Eight partial sums let the compiler keep a vector of them instead of one serial chain.
    T acc[8] = {};
    int64_t p = 0;
    if (as1 == 1 && bs0 == 1) {
      for (; p + 8 <= k; p += 8)
        for (int q = 0; q < 8; ++q) acc[q] += row[p + q] * B[p + q];
    }
    T sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; p < k; ++p) sum += row[p * as1] * B[p * bs0];
    c[i] = alpha * sum + gemv_start(c, i, beta, add);
  }
}

// The float path of small_gemm with explicit vector registers, so that a block of C stays in
// registers for the whole of k: thin products (k of 1 to a few dozen) are otherwise bound by
// loading and storing C once per step of k. Written once over GCC vector types of W floats and
// compiled for AVX2 (W = 8) and AVX-512 (W = 16) by the flatten wrappers below. Each element is
// accumulated in the same order as in small_gemm, one fused multiply-add per step of k, so every
// path gives the same bits.
//
// NB registers of W columns of one row of C: sums start from `start` (or zero), take all of k
// and are stored once. Eight registers keep eight independent chains of multiply-adds going.
template <int W, int NB>
inline void gemm_block(float* crow, const float* start, bool from_zero, const float* arow,
                       int64_t as1, const float* B, int64_t bs0, int64_t k, float alpha) {
  // Unaligned, aliasing float memory: plain vector loads and stores (vmovups), no copies
  // through the stack.
  typedef float V __attribute__((vector_size(W * 4), aligned(4), may_alias));
  V c[NB];
  for (int q = 0; q < NB; ++q) c[q] = from_zero ? V{} : *reinterpret_cast<const V*>(start + W * q);
  for (int64_t p = 0; p < k; ++p) {
    const float av = alpha * arow[p * as1];
    const V* brow = reinterpret_cast<const V*>(B + p * bs0);
    // Contracted to one fused multiply-add per element (the wrappers enable FMA).
    for (int q = 0; q < NB; ++q) c[q] += av * brow[q];
  }
  for (int q = 0; q < NB; ++q) *reinterpret_cast<V*>(crow + W * q) = c[q];
}

template <int W>
void small_gemm_vec(float* c, const Tensor& a, const Tensor& b, int64_t m, int64_t n, int64_t k,
                    float alpha, float beta, const Addend<float>& add) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const float* A = ai->data_as<float>();
  const float* B = bi->data_as<float>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1];
  const int64_t bs0 = bi->strides[0], bs1 = bi->strides[1];
  if (bs1 != 1) return small_gemm<float>(c, a, b, m, n, k, alpha, beta, add);
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    // A plain product (beta 0, no addend) starts its sums from zero registers, not from a
    // zero-filled C.
    const bool from_zero = !add.s && beta == 0.0f;
    // Likewise a contiguous addend row with beta 1 (Linear's bias) is read straight into them.
    const float* start = add.s && add.s1 == 1 && beta == 1.0f ? add.s + i * add.s0 : crow;
    if (!from_zero && start == crow) init_row(crow, i, n, beta, add);
    const float* arow = A + i * as0;
    int64_t j = 0;
    for (; j + 8 * W <= n; j += 8 * W)
      gemm_block<W, 8>(crow + j, start + j, from_zero, arow, as1, B + j, bs0, k, alpha);
    for (; j + W <= n; j += W)
      gemm_block<W, 1>(crow + j, start + j, from_zero, arow, as1, B + j, bs0, k, alpha);
    for (; j < n; ++j) {
      float acc = from_zero ? 0.0f : start[j];
      for (int64_t p = 0; p < k; ++p) acc = std::fma(alpha * arow[p * as1], B[p * bs0 + j], acc);
      crow[j] = acc;
    }
  }
}

__attribute__((target("avx2,fma"), flatten)) void small_gemm_avx2(float* c, const Tensor& a,
                                                                  const Tensor& b, int64_t m,
                                                                  int64_t n, int64_t k, float alpha,
                                                                  float beta,
                                                                  const Addend<float>& add) {
  small_gemm_vec<8>(c, a, b, m, n, k, alpha, beta, add);
}
__attribute__((target("avx512f,fma"), flatten)) void small_gemm_avx512(float* c, const Tensor& a,
                                                                       const Tensor& b, int64_t m,
                                                                       int64_t n, int64_t k,
                                                                       float alpha, float beta,
                                                                       const Addend<float>& add) {
  small_gemm_vec<16>(c, a, b, m, n, k, alpha, beta, add);
}

// The portable loop compiled for AVX2 and for AVX-512 (flatten inlines the template, which then
// vectorises). Only for loops whose elements do not depend on the vector width.
__attribute__((target("avx2,fma"), flatten)) void small_gemv_flat_avx2(float* c, const Tensor& a,
                                                                       const Tensor& b, int64_t m,
                                                                       int64_t k, float alpha,
                                                                       float beta,
                                                                       const Addend<float>& add) {
  small_gemv<float>(c, a, b, m, k, alpha, beta, add);
}

__attribute__((target("avx512f,fma"), flatten)) void small_gemv_flat_avx512(
    float* c, const Tensor& a, const Tensor& b, int64_t m, int64_t k, float alpha, float beta,
    const Addend<float>& add) {
  small_gemv<float>(c, a, b, m, k, alpha, beta, add);
}

// Dot products of R contiguous rows with b over [0, kv): R independent chains of multiply-adds
// (one row's chain alone waits on the latency of each add).
template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void dot_rows(__m256* sums,
                                                                        const float* a, int64_t as0,
                                                                        const float* b,
                                                                        int64_t kv) {
  for (int r = 0; r < R; ++r) sums[r] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kv; p += 8) {
    const __m256 bv = _mm256_loadu_ps(b + p);
    for (int r = 0; r < R; ++r)
      sums[r] = _mm256_fmadd_ps(_mm256_loadu_ps(a + r * as0 + p), bv, sums[r]);
  }
}

// The eight partial sums of a dot product added as the portable loop adds them, then the tail.
__attribute__((target("avx2,fma"))) inline float reduce_dot(__m256 v, const float* row,
                                                            const float* b, int64_t p0, int64_t k) {
  alignas(32) float acc[8];
  _mm256_store_ps(acc, v);
  float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (int64_t p = p0; p < k; ++p) sum = std::fma(row[p], b[p], sum);
  return sum;
}

__attribute__((target("avx2,fma"))) void small_gemv_avx2(float* c, const Tensor& a, const Tensor& b,
                                                         int64_t m, int64_t k, float alpha,
                                                         float beta, const Addend<float>& add) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const float* A = ai->data_as<float>();
  const float* B = bi->data_as<float>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1], bs0 = bi->strides[0];
  // Contiguous columns (the axpy loop) stream best as the portable loop has them.
  if (as0 == 1 && m > 1) {
    if (has_avx512()) return small_gemv_flat_avx512(c, a, b, m, k, alpha, beta, add);
    return small_gemv_flat_avx2(c, a, b, m, k, alpha, beta, add);
  }
  if (as1 != 1 || bs0 != 1 || k < 8) return small_gemv_flat_avx2(c, a, b, m, k, alpha, beta, add);
  // Dot products of contiguous rows with b, eight rows at a time. (No lambda for the finishing
  // step: a lambda does not inherit the target attribute, and clang refuses an __m256 argument
  // in a function compiled without AVX.)
  const int64_t kv = k / 8 * 8;
  int64_t i = 0;
  for (; i + 8 <= m; i += 8) {
    __m256 sums[8];
    dot_rows<8>(sums, A + i * as0, as0, B, kv);
    for (int r = 0; r < 8; ++r) {
      const float sum = reduce_dot(sums[r], A + (i + r) * as0, B, kv, k);
      c[i + r] = alpha * sum + gemv_start(c, i + r, beta, add);
    }
  }
  for (; i < m; ++i) {
    __m256 sum;
    dot_rows<1>(&sum, A + i * as0, as0, B, kv);
    c[i] = alpha * reduce_dot(sum, A + i * as0, B, kv, k) + gemv_start(c, i, beta, add);
  }
}

template <typename T>
void run_small_gemm(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t n, int64_t k,
                    T alpha, T beta, const Addend<T>& add) {
  if constexpr (std::is_same_v<T, float>) {
    if (has_avx512()) return small_gemm_avx512(c, a, b, m, n, k, alpha, beta, add);
    if (has_avx2()) return small_gemm_avx2(c, a, b, m, n, k, alpha, beta, add);
  }
  small_gemm<T>(c, a, b, m, n, k, alpha, beta, add);
}
template <typename T>
void run_small_gemv(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t k, T alpha, T beta,
                    const Addend<T>& add) {
  if constexpr (std::is_same_v<T, float>) {
    if (has_avx2()) return small_gemv_avx2(c, a, b, m, k, alpha, beta, add);
  }
  small_gemv<T>(c, a, b, m, k, alpha, beta, add);
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
               double alpha, const float* a, int64_t lda, const float* b, int64_t ldb, double beta,
               float* c) {
  cblas_sgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), float(alpha), a, int(lda), b, int(ldb),
              float(beta), c, int(n));
}
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
               double alpha, const double* a, int64_t lda, const double* b, int64_t ldb,
               double beta, double* c) {
  cblas_dgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta,
              c, int(n));
}

// Integers never reach BLAS (see gemm); this overload only lets the dispatch compile.
void blas_gemm(CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int64_t, int64_t, int64_t, double, const int64_t*,
               int64_t, const int64_t*, int64_t, double, int64_t*) {
  TG_ERROR("mm: no BLAS path for int64");
}

}  // namespace

void gemm(const Tensor& c, const Tensor& a_in, const Tensor& b_in, double alpha, double beta,
          const Tensor& self) {
  const int64_t m = a_in.size(0), k = a_in.size(1), n = b_in.size(1);
  auto* ci = impl_of(c);
  if (m == 0 || n == 0) return;
  TG_DISPATCH_NUMERIC(ci->dtype, "mm", [&] {
    scalar_t* C = ci->data_as<scalar_t>();
    Addend<scalar_t> add;
    if (self.defined() && beta != 0) {
      // self's strides as seen from C's [m, n] (0 along broadcast dims).
      auto* si = impl_of(self);
      const int64_t sd = static_cast<int64_t>(si->sizes.size());
      add.s = si->data_as<scalar_t>();
      if (sd >= 1 && si->sizes[sd - 1] != 1) add.s1 = si->strides[sd - 1];
      if (sd == 2 && si->sizes[0] != 1) add.s0 = si->strides[0];
    }
    // Integers (int64, as PyTorch allows on CPU) have no BLAS and always take the loops. So do
    // products below about 16^3 multiply-adds, where a BLAS call costs more than the work, and
    // thin ones (one row, one column or an outer product): memory-bound loops that BLAS only
    // slows down with packing.
    const bool small =
        std::is_integral_v<scalar_t> || m * n * k <= 4096 || k <= 1 || m == 1 || n == 1;
    if (k == 0) {
      for (int64_t i = 0; i < m; ++i) init_row<scalar_t>(C + i * n, i, n, scalar_t(beta), add);
      return;
    }
    if (small) {
      if (n == 1 && !std::is_integral_v<scalar_t>)
        run_small_gemv<scalar_t>(C, a_in, b_in, m, k, scalar_t(alpha), scalar_t(beta), add);
      else
        run_small_gemm<scalar_t>(C, a_in, b_in, m, n, k, scalar_t(alpha), scalar_t(beta), add);
      return;
    }
    if (add.s) copy(c, self);
    Tensor a = a_in, b = b_in;
    BlasView av, bv;
    if (!as_blas(a, av)) {
      a = a_in.contiguous();
      as_blas(a, av);
    }
    if (!as_blas(b, bv)) {
      b = b_in.contiguous();
      as_blas(b, bv);
    }
    const auto ta = av.trans ? CblasTrans : CblasNoTrans;
    const auto tb = bv.trans ? CblasTrans : CblasNoTrans;
    if constexpr (!std::is_integral_v<scalar_t>)
      blas_gemm(ta, tb, m, n, k, alpha, static_cast<const scalar_t*>(av.data), av.ld,
                static_cast<const scalar_t*>(bv.data), bv.ld, beta, C);
  });
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }

}  // namespace tg::kernels
