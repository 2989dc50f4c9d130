// The BLAS behind the matrix products. tensorgrad does not link OpenBLAS: it loads it at start-up
// with its CPU kernels chosen from tensorgrad's own feature detection (kernels/cpu.h), because
// OpenBLAS picks its kernels by model number and falls back to SSE3 ("Prescott") on processors
// newer than itself. docs/performance.md says why this way and not another.
#pragma once

#include <string>

namespace tg::kernels::blas {

// CBLAS's values for the arguments below (cblas.h's CBLAS_ORDER / CBLAS_TRANSPOSE).
enum Order { kRowMajor = 101 };
enum Transpose { kNoTrans = 111, kTrans = 112 };

// False when no OpenBLAS could be loaded; gemm then uses its own loops for every size.
bool available();
void sgemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc);
void dgemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha, const double* a, int lda,
           const double* b, int ldb, double beta, double* c, int ldc);

// The number of threads the BLAS may use (set_num_threads calls this with the pool's count).
void set_num_threads(int n);
int num_threads();

// While one lives (on any thread), each BLAS call runs on its caller's thread alone. For products
// issued from the pool's threads at once (a convolution split over its images): OpenBLAS's own
// workers would only add a second set of threads on the same cores, and concurrent threaded calls
// queue for its one set of workers.
class SingleThreaded {
 public:
  SingleThreaded();
  ~SingleThreaded();
  SingleThreaded(const SingleThreaded&) = delete;
  SingleThreaded& operator=(const SingleThreaded&) = delete;
};

// What was chosen and why, for show_config() and the tests.
struct Info {
  std::string library;  // the file loaded (dladdr's path), empty if none
  std::string config;   // openblas_get_config()
  std::string core;     // openblas_get_corename(): the kernels in use
  std::string
      requested;  // the core type tensorgrad asked for, empty if it left the choice to OpenBLAS
  std::string reason;  // where `requested` came from
  // OPENBLAS_THREAD_TIMEOUT during the load: OpenBLAS's workers poll 2^value TSC cycles for the
  // next call before they sleep.
  std::string thread_timeout;
};
const Info& info();
// The OpenBLAS core type whose kernels suit the CPU's features, or "" where OpenBLAS's own
// detection should stand (no AVX2).
std::string core_for_features();

}  // namespace tg::kernels::blas
