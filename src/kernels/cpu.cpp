// CPUID and XGETBV read directly (not __builtin_cpu_supports): the BLAS choice needs the vendor,
// family and flags such as AVX-512-BF16 and AMX that not every compiler's builtin knows. Compiled
// for the baseline x86-64 like the rest of the library: this runs before any check, so it must
// not contain AVX code itself.
#include "kernels/cpu.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace tg::kernels {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// The register state the OS saves on a context switch (XCR0); an instruction set whose registers
// it does not save cannot be used even if CPUID lists it.
uint64_t xcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  const unsigned max_leaf = a;
  char vendor[13];
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  vendor[12] = '\0';
  f.vendor = vendor;

  __cpuid(1, a, b, c, d);
  const int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  f.family = base_family == 0xf ? base_family + static_cast<int>((a >> 20) & 0xff) : base_family;
  f.model = base_family == 0x6 || base_family == 0xf
                ? base_model + static_cast<int>(((a >> 16) & 0xf) << 4)
                : base_model;
  f.sse3 = c & (1u << 0);
  const bool osxsave = c & (1u << 27);
  const uint64_t xcr = osxsave ? xcr0() : 0;
  const bool os_avx = (xcr & 0x6) == 0x6;                 // XMM and YMM state
  const bool os_avx512 = os_avx && (xcr & 0xe0) == 0xe0;  // opmask, ZMM0-15 upper, ZMM16-31
  const bool os_amx = (xcr & 0x60000) == 0x60000;         // XTILECFG and XTILEDATA
  f.avx = os_avx && (c & (1u << 28));
  f.fma = f.avx && (c & (1u << 12));

  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned max_sub = a;
    f.avx2 = f.avx && (b & (1u << 5));
    f.avx512f = os_avx512 && (b & (1u << 16));
    f.avx512dq = f.avx512f && (b & (1u << 17));
    f.avx512bw = f.avx512f && (b & (1u << 30));
    f.avx512vl = f.avx512f && (b & (1u << 31));
    f.amx_bf16 = os_amx && (d & (1u << 22));
    f.amx_tile = os_amx && (d & (1u << 24));
    if (max_sub >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      f.avx512_bf16 = f.avx512f && (a & (1u << 5));
    }
  }
  return f;
}
#else
CpuFeatures detect() { return {}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

namespace {
// TG_CPU_CAPABILITY=default|avx2|avx512 caps the vector code tensorgrad uses, as
// ATEN_CPU_CAPABILITY does for PyTorch: to compare code paths on one machine, or to find out
// whether a slowdown comes from the wide vectors. It never enables what the CPU lacks, and it does
// not change the BLAS's kernels.
int capability_cap() {
  const char* env = std::getenv("TG_CPU_CAPABILITY");
  if (!env) return 2;
  if (std::strcmp(env, "default") == 0) return 0;
  if (std::strcmp(env, "avx2") == 0) return 1;
  return 2;
}
}  // namespace

bool has_avx2() {
  static const bool yes = cpu_features().avx2 && cpu_features().fma && capability_cap() >= 1;
  return yes;
}

bool has_avx512() {
  static const bool yes = cpu_features().avx512f && cpu_features().fma && capability_cap() >= 2;
  return yes;
}

std::string cpu_feature_list() {
  const CpuFeatures& f = cpu_features();
  const std::pair<bool, const char*> flags[] = {
      {f.sse3, "sse3"},         {f.avx, "avx"},           {f.fma, "fma"},
      {f.avx2, "avx2"},         {f.avx512f, "avx512f"},   {f.avx512bw, "avx512bw"},
      {f.avx512dq, "avx512dq"}, {f.avx512vl, "avx512vl"}, {f.avx512_bf16, "avx512_bf16"},
      {f.amx_tile, "amx_tile"}, {f.amx_bf16, "amx_bf16"}};
  std::string out;
  for (const auto& [on, name] : flags) {
    if (!on) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

}  // namespace tg::kernels
