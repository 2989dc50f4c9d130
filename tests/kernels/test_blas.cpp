// The BLAS kernels follow the CPU's features, whatever OPENBLAS_CORETYPE says; the BLAS threads
// follow set_num_threads and the single-threaded scopes, and sleep soon after a product.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "kernels/blas.h"
#include "kernels/cpu.h"

namespace {

namespace blas = tg::kernels::blas;

bool has_avx512_gemm_subset(const tg::kernels::CpuFeatures& f) {
  return f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl;
}

TEST(BlasCore, FeatureMappingMatchesTheCpu) {
  const auto& f = tg::kernels::cpu_features();
  const std::string core = blas::core_for_features();
  if (has_avx512_gemm_subset(f) && f.fma) {
    EXPECT_TRUE(core == "SkylakeX" || core == "Cooperlake") << core;
    EXPECT_EQ(core == "Cooperlake", f.avx512_bf16);
  } else if (f.avx2 && f.fma) {
    EXPECT_TRUE(core == "Haswell" || core == "Zen") << core;
  } else {
    EXPECT_EQ(core, "");
  }
}

// The kernels OpenBLAS reports are of the class the features call for: AVX-512 ones on an
// AVX-512 CPU, AVX2 ones on an AVX2 CPU, never the SSE3 fallback.
void expect_core_for_this_cpu(const std::string& core) {
  const auto& f = tg::kernels::cpu_features();
  const std::set<std::string> avx512 = {"SkylakeX", "Cooperlake", "SapphireRapids"};
  const std::set<std::string> avx2 = {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"};
  if (has_avx512_gemm_subset(f) && f.fma) {
    EXPECT_TRUE(avx512.count(core)) << "AVX-512 CPU, OpenBLAS core " << core;
  } else if (f.avx2 && f.fma) {
    EXPECT_TRUE(avx2.count(core)) << "AVX2 CPU, OpenBLAS core " << core;
  }
}

TEST(BlasCore, LoadedKernelsMatchTheCpu) {
  ASSERT_TRUE(blas::available()) << blas::info().reason;
  const char* forced = std::getenv("TG_BLAS_CORETYPE");
  if (forced && *forced) GTEST_SKIP() << "TG_BLAS_CORETYPE is set";
  expect_core_for_this_cpu(blas::info().core);
  if (!blas::info().requested.empty()) {
    EXPECT_EQ(blas::info().core, blas::info().requested);
  }
}

// Run in a child process by the tests below (a fresh process, since OpenBLAS picks its kernels
// once, when it is loaded): prints what was loaded and what the environment says afterwards.
TEST(BlasCoreChild, Report) {
  if (!std::getenv("TG_TEST_BLAS_CHILD")) GTEST_SKIP() << "only run as a child";
  const char* env = std::getenv("OPENBLAS_CORETYPE");
  const char* timeout = std::getenv("OPENBLAS_THREAD_TIMEOUT");
  std::printf("core=%s\nenv=%s\ntimeout=%s\ntimeout_env=%s\n", blas::info().core.c_str(),
              env ? env : "(unset)", blas::info().thread_timeout.c_str(),
              timeout ? timeout : "(unset)");
}

// Runs this test program again with the variable `unset` removed from its environment and
// `set` ("NAME=VALUE") added, and returns the child's output.
std::string run_child(const std::string& unset, const std::string& set) {
  std::array<char, 4096> self{};
  const ssize_t len = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (len <= 0) return "";
  const std::string cmd = "env -u " + unset + " TG_TEST_BLAS_CHILD=1 " + set + " '" +
                          std::string(self.data()) + "' --gtest_filter=BlasCoreChild.Report 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf;
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
  }
  return out;
}

std::string field(const std::string& out, const std::string& name) {
  const auto at = out.find(name + "=");
  if (at == std::string::npos) return "";
  const auto begin = at + name.size() + 1;
  return out.substr(begin, out.find('\n', begin) - begin);
}

TEST(BlasCore, PrescottInTheEnvironmentDoesNotWin) {
  const auto& f = tg::kernels::cpu_features();
  if (!(f.avx2 && f.fma)) GTEST_SKIP() << "no AVX2: OpenBLAS's own choice stands";
  const std::string out = run_child("TG_BLAS_CORETYPE", "OPENBLAS_CORETYPE=Prescott");
  const std::string core = field(out, "core");
  ASSERT_FALSE(core.empty()) << out;
  EXPECT_NE(core, "Prescott");
  expect_core_for_this_cpu(core);
  EXPECT_EQ(core, blas::core_for_features());
  // The user's environment is as it was.
  EXPECT_EQ(field(out, "env"), "Prescott");
}

TEST(BlasCore, TensorgradOverrideIsObeyed) {
  const auto& f = tg::kernels::cpu_features();
  if (!(f.avx2 && f.fma)) GTEST_SKIP() << "no AVX2";
  const std::string out = run_child("OPENBLAS_CORETYPE", "TG_BLAS_CORETYPE=Haswell");
  EXPECT_EQ(field(out, "core"), "Haswell") << out;
  EXPECT_EQ(field(out, "env"), "(unset)") << out;
}

// OpenBLAS's workers get a short spin unless the user chose one; either way the environment the
// program sees afterwards is the one it had.
TEST(BlasThreads, WorkerSpinIsShortUnlessTheUserChoseOne) {
  ASSERT_TRUE(blas::available()) << blas::info().reason;
  std::string out = run_child("OPENBLAS_THREAD_TIMEOUT", "");
  EXPECT_EQ(field(out, "timeout"), "18") << out;
  EXPECT_EQ(field(out, "timeout_env"), "(unset)") << out;
  out = run_child("OPENBLAS_THREAD_TIMEOUT", "OPENBLAS_THREAD_TIMEOUT=20");
  EXPECT_EQ(field(out, "timeout"), "20") << out;
  EXPECT_EQ(field(out, "timeout_env"), "20") << out;
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// After a threaded product the process goes quiet: neither OpenBLAS's workers nor the pool's keep
// polling. With OpenBLAS's default spin, 200 ms of idling after one 512^3 product at 2 threads
// used about 100 ms of CPU.
TEST(BlasThreads, IdleWorkersSleep) {
  ASSERT_TRUE(blas::available()) << blas::info().reason;
  if (blas::info().thread_timeout != "18") GTEST_SKIP() << "OPENBLAS_THREAD_TIMEOUT is set";
  const int saved = tg::get_num_threads();
  tg::set_num_threads(2);
  tg::manual_seed(0);
  const tg::Tensor a = tg::randn({512, 512}), b = tg::randn({512, 512});
  const tg::Tensor c = tg::mm(a, b) + 1;  // a product, then the pool
  const double before = process_cpu_seconds();
  usleep(200000);
  const double used = process_cpu_seconds() - before;
  tg::set_num_threads(saved);
  EXPECT_LT(used, 0.02) << "CPU seconds used while idle";
  EXPECT_EQ(c.size(0), 512);
}

// Inside a SingleThreaded scope (nested or not, and whatever set_num_threads asks meanwhile) the
// BLAS runs on one thread; the last scope to close restores the pool's count.
TEST(BlasThreads, SingleThreadedScopesNestAndRestore) {
  const int saved = tg::get_num_threads();
  tg::set_num_threads(3);
  {
    blas::SingleThreaded outer;
    EXPECT_EQ(blas::num_threads(), 1);
    {
      blas::SingleThreaded inner;
      EXPECT_EQ(blas::num_threads(), 1);
    }
    EXPECT_EQ(blas::num_threads(), 1);
    tg::set_num_threads(2);
    EXPECT_EQ(blas::num_threads(), 1);
  }
  EXPECT_EQ(blas::num_threads(), 2);
  tg::set_num_threads(saved);
  EXPECT_EQ(blas::num_threads(), saved);
}

TEST(BlasThreads, FollowSetNumThreads) {
  const int saved = tg::get_num_threads();
  for (int n : {1, 3, 2}) {
    tg::set_num_threads(n);
    EXPECT_EQ(blas::num_threads(), n);
  }
  tg::set_num_threads(saved);
  EXPECT_EQ(blas::num_threads(), saved);
}

TEST(ShowConfig, NamesFeaturesKernelsAndThreads) {
  const std::string s = tg::show_config();
  EXPECT_NE(s.find("CPU features:"), std::string::npos) << s;
  EXPECT_NE(s.find(blas::info().core), std::string::npos) << s;
  EXPECT_NE(s.find("threads: " + std::to_string(tg::get_num_threads())), std::string::npos) << s;
  if (tg::kernels::has_avx2()) {
    EXPECT_NE(s.find("avx2"), std::string::npos) << s;
  }
}

// Products large enough to go to the BLAS give the same values as a plain loop.
TEST(BlasGemm, MatchesAPlainLoop) {
  tg::manual_seed(0);
  for (auto dtype : {tg::kFloat, tg::kDouble}) {
    const tg::Tensor a = tg::randn({67, 45}, tg::TensorOptions().dtype(dtype));
    const tg::Tensor b = tg::randn({45, 71}, tg::TensorOptions().dtype(dtype));
    const tg::Tensor c = tg::mm(a, b).to(tg::kDouble);
    const tg::Tensor a64 = a.to(tg::kDouble), b64 = b.to(tg::kDouble);
    const double* A = a64.data_ptr<double>();
    const double* B = b64.data_ptr<double>();
    const double* C = c.data_ptr<double>();
    for (int i = 0; i < 67; ++i)
      for (int j = 0; j < 71; ++j) {
        double ref = 0;
        for (int p = 0; p < 45; ++p) ref += A[i * 45 + p] * B[p * 71 + j];
        ASSERT_NEAR(C[i * 71 + j], ref, 1e-4) << i << ", " << j;
      }
  }
}

}  // namespace
