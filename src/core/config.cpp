// tg::show_config(): what a bug report about speed needs to say (torch::show_config()'s role).
#include <sstream>

#include "kernels/blas.h"
#include "kernels/cpu.h"
#include "tensorgrad/tensor.h"

namespace tg {

std::string show_config() {
  const kernels::CpuFeatures& cpu = kernels::cpu_features();
  const kernels::blas::Info& blas = kernels::blas::info();
  std::ostringstream out;
  out << "tensorgrad:\n";
  out << "  - CPU: " << (cpu.vendor.empty() ? "unknown" : cpu.vendor) << ", family " << cpu.family
      << ", model " << cpu.model << "\n";
  out << "  - CPU features: " << kernels::cpu_feature_list() << "\n";
  out << "  - vector kernels: "
      << (kernels::has_avx512() ? "AVX-512"
          : kernels::has_avx2() ? "AVX2"
                                : "baseline x86-64")
      << "\n";
  if (kernels::blas::available()) {
    out << "  - GEMM: " << blas.config << "\n";
    out << "  - GEMM kernels: " << blas.core << " (";
    if (blas.requested.empty())
      out << blas.reason;
    else
      out << "asked for " << blas.requested << ", from " << blas.reason;
    out << ")\n";
    out << "  - BLAS library: " << blas.library << "\n";
  } else {
    out << "  - GEMM: " << blas.reason << "\n";
  }
  out << "  - threads: " << get_num_threads() << " (BLAS: " << kernels::blas::num_threads();
  if (kernels::blas::available())
    out << ", idle BLAS workers sleep after 2^" << blas.thread_timeout << " cycles";
  out << ")\n";
  return out.str();
}

}  // namespace tg
