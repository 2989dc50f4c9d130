// Loads OpenBLAS with dlopen after setting OPENBLAS_CORETYPE from the CPU's features, so that its
// DYNAMIC_ARCH build (Debian's) runs the AVX2 or AVX-512 kernels on processors it does not know by
// model number; OpenBLAS reads the variable once, in its constructor, during dlopen. The caller's
// environment is restored afterwards.
//
// The load happens while libtensorgrad itself is being loaded (a static initializer below), before
// main() has started any threads: setenv is not safe while another thread may call getenv.
#include "kernels/blas.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <optional>

#include "kernels/cpu.h"
#include "tensorgrad/tensor.h"

#ifndef TG_OPENBLAS_PATH
#define TG_OPENBLAS_PATH ""
#endif

namespace tg::kernels::blas {
namespace {

using sgemm_fn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                          float, float*, int);
using dgemm_fn = void (*)(int, int, int, int, int, int, double, const double*, int, const double*,
                          int, double, double*, int);
using set_threads_fn = void (*)(int);
using get_int_fn = int (*)();
using get_str_fn = char* (*)();

// OpenBLAS's worker spin before sleeping, as a power of two of TSC cycles (see load()).
constexpr const char* kThreadTimeout = "18";

struct Library {
  sgemm_fn sgemm = nullptr;
  dgemm_fn dgemm = nullptr;
  set_threads_fn set_threads = nullptr;
  get_int_fn get_threads = nullptr;
  Info info;
};

// Sets a variable for the duration of the load and puts the old value back after (or unsets it).
// An empty value leaves the variable as it is.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (!value.empty()) setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

void* open_openblas(bool& was_loaded) {
  // Debian's runtime package ships only the versioned name; other systems may have only the
  // unversioned one; the path found at configure time is the last resort.
  const char* names[] = {"libopenblas.so.0", "libopenblas.so", TG_OPENBLAS_PATH};
  for (const char* name : names) {
    if (!*name) continue;
    if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) {
      was_loaded = true;
      return h;
    }
  }
  for (const char* name : names)
    if (*name)
      if (void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return h;
  return nullptr;
}

Library load() {
  Library lib;
  // An expert's override (a core type OpenBLAS knows, e.g. "Haswell" to compare kernels); without
  // it tensorgrad's choice wins over a stray OPENBLAS_CORETYPE, which would otherwise be able to
  // put a server back on the SSE3 kernels.
  const char* forced = std::getenv("TG_BLAS_CORETYPE");
  std::string core;
  if (forced && *forced) {
    core = forced;
    lib.info.reason = "TG_BLAS_CORETYPE";
  } else {
    core = core_for_features();
    lib.info.reason = core.empty() ? "no AVX2: OpenBLAS's own detection" : "CPU features";
  }
  lib.info.requested = core;

  // After a threaded call, OpenBLAS's workers poll for the next one (with sched_yield) for
  // 2^28 TSC cycles, about 0.1 s, before they sleep: a training loop's BLAS workers then never
  // sleep, and take the cores from tensorgrad's pool and from other processes between products
  // (measured: a process idle for 200 ms after one 512^3 product at 2 threads used 98 ms of CPU).
  // 2^18 cycles (about 0.1 ms, near GNU OpenMP's default spin) still bridges the elementwise ops
  // between the products of one training step, so that a step at 16 threads does not pay for
  // waking 15 sleeping workers before each product, and lets them sleep as soon as the process
  // does anything else. A value the user set is kept: it is OpenBLAS's documented knob for
  // exactly this trade.
  const char* timeout = std::getenv("OPENBLAS_THREAD_TIMEOUT");
  lib.info.thread_timeout = timeout && *timeout ? timeout : kThreadTimeout;
  bool was_loaded = false;
  void* h;
  {
    ScopedEnv core_env("OPENBLAS_CORETYPE", core);
    ScopedEnv timeout_env("OPENBLAS_THREAD_TIMEOUT", lib.info.thread_timeout);
    h = open_openblas(was_loaded);
  }
  if (!h) {
    lib.info.reason = "no OpenBLAS could be loaded (libopenblas.so.0): tensorgrad's own loops";
    return lib;
  }
  // Already in the process (linked by the program, or preloaded): its kernels were chosen when it
  // was initialised, which may have been before this load or during it.
  if (was_loaded)
    lib.info.reason += "; OpenBLAS was already loaded, its kernels may be its own choice";
  lib.sgemm = reinterpret_cast<sgemm_fn>(dlsym(h, "cblas_sgemm"));
  lib.dgemm = reinterpret_cast<dgemm_fn>(dlsym(h, "cblas_dgemm"));
  lib.set_threads = reinterpret_cast<set_threads_fn>(dlsym(h, "openblas_set_num_threads"));
  lib.get_threads = reinterpret_cast<get_int_fn>(dlsym(h, "openblas_get_num_threads"));
  auto text = [h](const char* symbol) {
    auto fn = reinterpret_cast<get_str_fn>(dlsym(h, symbol));
    const char* s = fn ? fn() : nullptr;
    return std::string(s ? s : "");
  };
  lib.info.core = text("openblas_get_corename");
  lib.info.config = text("openblas_get_config");
  if (lib.sgemm) {
    Dl_info where;
    if (dladdr(reinterpret_cast<void*>(lib.sgemm), &where) && where.dli_fname) {
      // The file behind the links (Debian's alternatives choose between OpenBLAS builds).
      char* real = realpath(where.dli_fname, nullptr);
      lib.info.library = real ? real : where.dli_fname;
      std::free(real);
    }
  }
  if (!lib.sgemm || !lib.dgemm) {
    lib.sgemm = nullptr;
    lib.dgemm = nullptr;
    lib.info.reason = "the library loaded has no cblas_sgemm/cblas_dgemm: tensorgrad's own loops";
    return lib;
  }
  // One thread count for our pool and the BLAS's (OpenBLAS would otherwise start one thread per
  // logical CPU, or OPENBLAS_NUM_THREADS, and oversubscribe the cores next to our pool).
  if (lib.set_threads) lib.set_threads(get_num_threads());
  return lib;
}

const Library& library() {
  static const Library lib = load();
  return lib;
}

// Loads the BLAS while the library is being loaded (see the comment at the top).
[[maybe_unused]] const bool g_loaded_at_startup = (library(), true);

}  // namespace

std::string core_for_features() {
  const CpuFeatures& f = cpu_features();
  if (!(f.avx2 && f.fma)) return "";
  // SkylakeX's single and double GEMM kernels need F, BW, DQ and VL; Cooperlake is the same
  // kernels plus the BF16 ones, and is what OpenBLAS itself picks on the AVX-512-BF16 CPUs it
  // knows (Zen 4 and later, Cooper Lake). Sapphire Rapids class chips (AMX) have BF16 too.
  if (f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl)
    return f.avx512_bf16 ? "Cooperlake" : "SkylakeX";
  // AMD's own AVX2 kernels, tuned for its caches; Haswell's for every other AVX2 + FMA CPU.
  if (f.vendor == "AuthenticAMD" || f.vendor == "HygonGenuine") return "Zen";
  return "Haswell";
}

bool available() { return library().sgemm != nullptr; }

void sgemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc) {
  library().sgemm(kRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void dgemm(Transpose ta, Transpose tb, int m, int n, int k, double alpha, const double* a, int lda,
           const double* b, int ldb, double beta, double* c, int ldc) {
  library().dgemm(kRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace {
// The BLAS's thread count is one global of OpenBLAS's: set_num_threads and the single-threaded
// scopes agree on it under one lock. `serial_depth` is how many scopes are open (on any thread);
// when the last closes, the BLAS gets the pool's count back.
struct ThreadState {
  std::mutex mutex;
  int serial_depth = 0;
};
ThreadState& thread_state() {
  static ThreadState s;
  return s;
}
}  // namespace

void set_num_threads(int n) {
  ThreadState& s = thread_state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.serial_depth == 0 && library().set_threads) library().set_threads(n);
}

SingleThreaded::SingleThreaded() {
  ThreadState& s = thread_state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.serial_depth++ == 0 && library().set_threads) library().set_threads(1);
}

SingleThreaded::~SingleThreaded() {
  ThreadState& s = thread_state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (--s.serial_depth == 0 && library().set_threads) library().set_threads(get_num_threads());
}

int num_threads() { return library().get_threads ? library().get_threads() : 0; }

const Info& info() { return library().info; }

}  // namespace tg::kernels::blas
