// Compiled with -mavx512f -mfma; only called after has_avx512() said yes.
#include "kernels/tanh_vec.h"
#include "kernels/vec_math.h"

namespace tg::kernels {

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  return yes;
}

void vec_tanh_f32_avx512(float* out, const float* in, int64_t n) { tanh_array<16>(out, in, n); }

}  // namespace tg::kernels
