// The one place the library asks the processor what it can do. Every vector path (the *_avx2.cpp
// and *_avx512.cpp files, the random module's AVX2 normals) and the choice of the BLAS kernels
// (blas.cpp) go by these answers, so that they can never disagree.
#pragma once

#include <string>

namespace tg::kernels {

struct CpuFeatures {
  std::string vendor;  // "GenuineIntel", "AuthenticAMD", ... (empty off x86)
  int family = 0;      // display family and model, as /proc/cpuinfo shows them
  int model = 0;
  // Each flag means the instructions can run: the CPU has them and the OS saves their registers.
  bool sse3 = false, avx = false, fma = false, avx2 = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512_bf16 = false, amx_tile = false, amx_bf16 = false;
};

const CpuFeatures& cpu_features();
// The feature sets the library's vector code is written for (each includes FMA), capped by
// TG_CPU_CAPABILITY (cpu.cpp).
bool has_avx2();
bool has_avx512();
// Flags of cpu_features() that are set, space-separated ("avx avx2 fma ...").
std::string cpu_feature_list();

}  // namespace tg::kernels
