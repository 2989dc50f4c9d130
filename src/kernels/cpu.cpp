// Which vector instruction sets this CPU has. Compiled for the baseline x86-64 like the rest of
// the library: these run before any check, so they must not contain AVX code themselves (the
// *_avx2.cpp / *_avx512.cpp files may use it anywhere).
#include "kernels/vec_math.h"

namespace tg::kernels {

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  return yes;
}

}  // namespace tg::kernels
