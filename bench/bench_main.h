// The main() every benchmark program shares: sets the thread count of the library under test,
// records which library and how many threads in the benchmark context, and runs Google Benchmark.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "backend.h"

// Threads come from BENCH_THREADS (default 1) so that one binary serves the one- and two-thread
// runs; run.sh also sets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the same number.
inline int bench_threads() {
  const char* env = std::getenv("BENCH_THREADS");
  const int n = env ? std::atoi(env) : 1;
  return n > 0 ? n : 1;
}

inline int bench_main(int argc, char** argv) {
  const int threads = bench_threads();
  bk::set_num_threads(threads);
  // BENCH_SHOW_CONFIG=1: the library's own account of its CPU kernels and threads first.
  if (std::getenv("BENCH_SHOW_CONFIG")) std::fputs(TG_BENCH_SHOW_CONFIG().c_str(), stderr);
  benchmark::AddCustomContext("backend", TG_BENCH_BACKEND);
  benchmark::AddCustomContext("threads", std::to_string(threads));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
