// Matrix products go to OpenBLAS, except tiny ones, where the cost of a BLAS call (argument
// checks, thread dispatch) exceeds the arithmetic; those use a plain register-friendly loop.
#include <cblas.h>

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

template <typename T>
void small_gemm(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t n, int64_t k, T alpha,
                T beta) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const T* A = ai->data_as<T>();
  const T* B = bi->data_as<T>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1];
  const int64_t bs0 = bi->strides[0], bs1 = bi->strides[1];
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * n;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) crow[j] = 0;
    } else if (beta != T(1)) {
      for (int64_t j = 0; j < n; ++j) crow[j] *= beta;
    }
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
void small_gemv(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t k, T alpha, T beta) {
  auto* ai = impl_of(a);
  auto* bi = impl_of(b);
  const T* A = ai->data_as<T>();
  const T* B = bi->data_as<T>();
  const int64_t as0 = ai->strides[0], as1 = ai->strides[1], bs0 = bi->strides[0];
  if (as0 == 1 && m > 1) {
    // Columns of A are contiguous: accumulate column by column (an axpy per column).
    for (int64_t i = 0; i < m; ++i) c[i] = beta == T(0) ? T(0) : beta * c[i];
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
    c[i] = alpha * sum + (beta == T(0) ? T(0) : beta * c[i]);
  }
}

// The same loops compiled for AVX2 + FMA (flatten inlines the templates above into these bodies,
// so the compiler vectorises them 8 floats wide); entered only after a CPU check.
__attribute__((target("avx2,fma"), flatten)) void small_gemm_avx2(float* c, const Tensor& a, const Tensor& b,
                                                                  int64_t m, int64_t n, int64_t k, float alpha,
                                                                  float beta) {
  small_gemm<float>(c, a, b, m, n, k, alpha, beta);
}
__attribute__((target("avx2,fma"), flatten)) void small_gemv_avx2(float* c, const Tensor& a, const Tensor& b,
                                                                  int64_t m, int64_t k, float alpha, float beta) {
  small_gemv<float>(c, a, b, m, k, alpha, beta);
}

template <typename T>
void run_small_gemm(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t n, int64_t k, T alpha, T beta) {
  if constexpr (std::is_same_v<T, float>) {
    if (has_avx2()) return small_gemm_avx2(c, a, b, m, n, k, alpha, beta);
  }
  small_gemm<T>(c, a, b, m, n, k, alpha, beta);
}
template <typename T>
void run_small_gemv(T* c, const Tensor& a, const Tensor& b, int64_t m, int64_t k, T alpha, T beta) {
  if constexpr (std::is_same_v<T, float>) {
    if (has_avx2()) return small_gemv_avx2(c, a, b, m, k, alpha, beta);
  }
  small_gemv<T>(c, a, b, m, k, alpha, beta);
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, double alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, double beta, float* c) {
  cblas_sgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), float(alpha), a, int(lda), b, int(ldb),
              float(beta), c, int(n));
}
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, double alpha,
               const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c) {
  cblas_dgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c,
              int(n));
}

// Integers never reach BLAS (see gemm); this overload only lets the dispatch compile.
void blas_gemm(CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int64_t, int64_t, int64_t, double, const int64_t*, int64_t,
               const int64_t*, int64_t, double, int64_t*) {
  TG_ERROR("mm: no BLAS path for int64");
}

}  // namespace

void gemm(const Tensor& c, const Tensor& a_in, const Tensor& b_in, double alpha, double beta) {
  const int64_t m = a_in.size(0), k = a_in.size(1), n = b_in.size(1);
  auto* ci = impl_of(c);
  if (m == 0 || n == 0) return;
  TG_DISPATCH_NUMERIC(ci->dtype, "mm", [&] {
    scalar_t* C = ci->data_as<scalar_t>();
    if (k == 0) {
      for (int64_t i = 0; i < m * n; ++i) C[i] = beta == 0 ? scalar_t(0) : scalar_t(beta) * C[i];
      return;
    }
    // Below about 16^3 multiply-adds a BLAS call costs more than the work. Integers (int64, as
    // PyTorch allows on CPU) have no BLAS and always take the loop.
    // Thin products (one row, one column or an outer product) are memory-bound loops that BLAS
    // only slows down with packing.
    if (n == 1 && !std::is_integral_v<scalar_t>) {
      run_small_gemv<scalar_t>(C, a_in, b_in, m, k, scalar_t(alpha), scalar_t(beta));
      return;
    }
    if (std::is_integral_v<scalar_t> || m * n * k <= 4096 || k == 1 || m == 1) {
      run_small_gemm<scalar_t>(C, a_in, b_in, m, n, k, scalar_t(alpha), scalar_t(beta));
      return;
    }
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
