// Compiled with -mavx2 -mfma; only called after has_avx2() said yes.
#include <immintrin.h>
#include <sleef.h>

#include "kernels/tanh_vec.h"
#include "kernels/vec_math.h"

namespace tg::kernels {

namespace {

template <typename F>
int64_t blocks_f32(float* out, const float* in, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(in + i)));
    _mm256_storeu_ps(out + i + 8, f(_mm256_loadu_ps(in + i + 8)));
  }
  return i;
}

template <typename F>
int64_t blocks_f64(double* out, const double* in, int64_t n, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_pd(out + i, f(_mm256_loadu_pd(in + i)));
    _mm256_storeu_pd(out + i + 4, f(_mm256_loadu_pd(in + i + 4)));
  }
  return i;
}

}  // namespace

int64_t vec_unary_f32(UnaryOp op, float* out, const float* in, int64_t n) {
  switch (op) {
    case UnaryOp::exp:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_expf8_u10(x); });
    case UnaryOp::log:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_logf8_u10(x); });
    case UnaryOp::log1p:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_log1pf8_u10(x); });
    case UnaryOp::sin:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_sinf8_u10(x); });
    case UnaryOp::cos:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_cosf8_u10(x); });
    case UnaryOp::tan:
      return blocks_f32(out, in, n, [](__m256 x) { return Sleef_tanf8_u10(x); });
    case UnaryOp::tanh:
      if (has_avx512())
        vec_tanh_f32_avx512(out, in, n);
      else
        vec_tanh_f32_avx2(out, in, n);
      return n;
    case UnaryOp::sigmoid:
      return blocks_f32(out, in, n, [](__m256 x) {
        const __m256 one = _mm256_set1_ps(1.0f);
        __m256 e = Sleef_expf8_u10(_mm256_sub_ps(_mm256_setzero_ps(), x));
        return _mm256_div_ps(one, _mm256_add_ps(one, e));
      });
    default:
      return 0;
  }
}

void vec_tanh_f32_avx2(float* out, const float* in, int64_t n) { tanh_array<8>(out, in, n); }

int64_t vec_tanh_backward_f32(float* out, const float* g, const float* y, int64_t n) {
  return tanh_backward_array<8>(out, g, y, n);
}

int64_t vec_unary_f64(UnaryOp op, double* out, const double* in, int64_t n) {
  switch (op) {
    case UnaryOp::exp:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_expd4_u10(x); });
    case UnaryOp::log:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_logd4_u10(x); });
    case UnaryOp::log1p:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_log1pd4_u10(x); });
    case UnaryOp::sin:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_sind4_u10(x); });
    case UnaryOp::cos:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_cosd4_u10(x); });
    case UnaryOp::tan:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_tand4_u10(x); });
    case UnaryOp::tanh:
      return blocks_f64(out, in, n, [](__m256d x) { return Sleef_tanhd4_u10(x); });
    default:
      return 0;
  }
}

}  // namespace tg::kernels
