// Compiled with -mavx512f -mfma; only called after has_avx512() said yes.
#include "kernels/tanh_vec.h"
#include "kernels/vec_math.h"

namespace tg::kernels {

void vec_tanh_f32_avx512(float* out, const float* in, int64_t n) { tanh_array<16>(out, in, n); }

int64_t vec_tanh_backward_f32_avx512(float* out, const float* g, const float* y, int64_t n) {
  return tanh_backward_array<16>(out, g, y, n);
}

}  // namespace tg::kernels
