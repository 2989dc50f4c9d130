// The float32 Box-Muller block of PyTorch's normal_fill_16_AVX2 with AVX2/FMA intrinsics: the
// Cephes log and sincos of avx_mathfun.h, with an explicit _mm256_fmadd_ps wherever PyTorch's
// binary fuses a multiply-add. Compiled with -mavx2 -mfma (file name *_avx2.cpp); called only after
// kernels::has_avx2() said yes. Gives the same bits as normal_block16_portable in rng_kernels.cpp.
//
// The only mul/add pairs left unfused here are z * 0.5 and e * q2, both exact products, so the
// compiler's own contraction cannot change a result.
#include <immintrin.h>

#include "random/rng_kernels.h"

namespace tg::rng {

namespace {

inline __m256 splat(float v) { return _mm256_set1_ps(v); }
inline __m256 splat_bits(int32_t v) { return _mm256_castsi256_ps(_mm256_set1_epi32(v)); }

__m256 log_ps(__m256 x) {
  const __m256 one = splat(1.0f);
  const __m256 invalid = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OS);
  x = _mm256_max_ps(x, splat_bits(0x00800000));
  __m256i imm0 = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
  x = _mm256_and_ps(x, splat_bits(~0x7f800000));
  x = _mm256_or_ps(x, splat(0.5f));
  imm0 = _mm256_sub_epi32(imm0, _mm256_set1_epi32(0x7f));
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(imm0), one);
  const __m256 mask = _mm256_cmp_ps(x, splat(0.707106781186547524f), _CMP_LT_OS);
  const __m256 tmp = _mm256_and_ps(x, mask);
  x = _mm256_sub_ps(x, one);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, mask));
  x = _mm256_add_ps(x, tmp);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = splat(7.0376836292E-2f);
  y = _mm256_fmadd_ps(y, x, splat(-1.1514610310E-1f));
  y = _mm256_fmadd_ps(y, x, splat(1.1676998740E-1f));
  y = _mm256_fmadd_ps(y, x, splat(-1.2420140846E-1f));
  y = _mm256_fmadd_ps(y, x, splat(1.4249322787E-1f));
  y = _mm256_fmadd_ps(y, x, splat(-1.6668057665E-1f));
  y = _mm256_fmadd_ps(y, x, splat(2.0000714765E-1f));
  y = _mm256_fmadd_ps(y, x, splat(-2.4999993993E-1f));
  y = _mm256_fmadd_ps(y, x, splat(3.3333331174E-1f));
  y = _mm256_mul_ps(y, x);
  y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, splat(-2.12194440e-4f)));
  y = _mm256_sub_ps(y, _mm256_mul_ps(z, splat(0.5f)));
  x = _mm256_add_ps(x, y);
  x = _mm256_add_ps(x, _mm256_mul_ps(e, splat(0.693359375f)));
  return _mm256_or_ps(x, invalid);
}

void sincos_ps(__m256 x, __m256* s, __m256* c) {
  const __m256i one_i = _mm256_set1_epi32(1);
  const __m256i two_i = _mm256_set1_epi32(2);
  const __m256i four_i = _mm256_set1_epi32(4);
  __m256 sign_bit_sin = _mm256_and_ps(x, splat_bits(static_cast<int32_t>(0x80000000u)));
  x = _mm256_and_ps(x, splat_bits(0x7fffffff));
  __m256 y = _mm256_mul_ps(x, splat(1.27323954473516f));
  __m256i imm2 = _mm256_cvttps_epi32(y);
  imm2 = _mm256_add_epi32(imm2, one_i);
  imm2 = _mm256_and_si256(imm2, _mm256_set1_epi32(~1));
  y = _mm256_cvtepi32_ps(imm2);
  __m256i imm4 = imm2;
  const __m256i imm0 = _mm256_slli_epi32(_mm256_and_si256(imm2, four_i), 29);
  imm2 = _mm256_cmpeq_epi32(_mm256_and_si256(imm2, two_i), _mm256_setzero_si256());
  const __m256 swap_sign_bit_sin = _mm256_castsi256_ps(imm0);
  const __m256 poly_mask = _mm256_castsi256_ps(imm2);
  x = _mm256_fmadd_ps(y, splat(-0.78515625f), x);
  x = _mm256_fmadd_ps(y, splat(-2.4187564849853515625e-4f), x);
  x = _mm256_fmadd_ps(y, splat(-3.77489497744594108e-8f), x);
  imm4 = _mm256_sub_epi32(imm4, two_i);
  imm4 = _mm256_andnot_si256(imm4, four_i);
  imm4 = _mm256_slli_epi32(imm4, 29);
  const __m256 sign_bit_cos = _mm256_castsi256_ps(imm4);
  sign_bit_sin = _mm256_xor_ps(sign_bit_sin, swap_sign_bit_sin);

  const __m256 z = _mm256_mul_ps(x, x);
  __m256 yc = _mm256_fmadd_ps(splat(2.443315711809948E-005f), z, splat(-1.388731625493765E-003f));
  yc = _mm256_fmadd_ps(yc, z, splat(4.166664568298827E-002f));
  yc = _mm256_mul_ps(yc, z);
  yc = _mm256_fmsub_ps(yc, z, _mm256_mul_ps(z, splat(0.5f)));
  yc = _mm256_add_ps(yc, splat(1.0f));

  __m256 ys = _mm256_fmadd_ps(splat(-1.9515295891E-4f), z, splat(8.3321608736E-3f));
  ys = _mm256_fmadd_ps(ys, z, splat(-1.6666654611E-1f));
  ys = _mm256_mul_ps(ys, z);
  ys = _mm256_fmadd_ps(ys, x, x);

  const __m256 ysin2 = _mm256_and_ps(poly_mask, ys);
  const __m256 ysin1 = _mm256_andnot_ps(poly_mask, yc);
  ys = _mm256_sub_ps(ys, ysin2);
  yc = _mm256_sub_ps(yc, ysin1);
  *s = _mm256_xor_ps(_mm256_add_ps(ysin1, ysin2), sign_bit_sin);
  *c = _mm256_xor_ps(_mm256_add_ps(yc, ys), sign_bit_cos);
}

}  // namespace

void normal_block16_avx2(float* data, float mean, float std) {
  const __m256 u1 = _mm256_sub_ps(splat(1.0f), _mm256_loadu_ps(data));
  const __m256 u2 = _mm256_loadu_ps(data + 8);
  const __m256 radius = _mm256_sqrt_ps(_mm256_mul_ps(splat(-2.0f), log_ps(u1)));
  const __m256 theta = _mm256_mul_ps(splat(6.2831855f), u2);
  __m256 sin_t, cos_t;
  sincos_ps(theta, &sin_t, &cos_t);
  const __m256 n1 = _mm256_mul_ps(radius, cos_t);
  const __m256 n2 = _mm256_mul_ps(radius, sin_t);
  _mm256_storeu_ps(data, _mm256_fmadd_ps(n1, splat(std), splat(mean)));
  _mm256_storeu_ps(data + 8, _mm256_fmadd_ps(n2, splat(std), splat(mean)));
}

}  // namespace tg::rng
