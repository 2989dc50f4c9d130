// Compiled with -mavx512f -mfma; only called after has_avx512() said yes.
#include "kernels/tanh_vec.h"
#include "kernels/vec_math.h"

namespace tg::kernels {

void vec_tanh_f32_avx512(float* out, const float* in, int64_t n) { tanh_array<16>(out, in, n); }

int64_t vec_tanh_backward_f32_avx512(float* out, const float* g, const float* y, int64_t n) {
  typedef float V __attribute__((vector_size(64), aligned(4), may_alias));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const V yv = *reinterpret_cast<const V*>(y + i);
    // 1 - y*y with one rounding (fnmadd), then times g: as the AVX2 kernel.
    const V d = 1.0f - yv * yv;
    *reinterpret_cast<V*>(out + i) = *reinterpret_cast<const V*>(g + i) * d;
  }
  return i;
}

}  // namespace tg::kernels
