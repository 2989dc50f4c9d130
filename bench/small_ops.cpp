// The small-op benchmarks as one executable; CMake builds this file once per backend.
#include "small_ops.h"

int main(int argc, char** argv) {
  // One thread: these tensors are far too small to split, and the two libraries should be
  // compared doing the same work on one core.
  bk::set_num_threads(1);
  benchmark::AddCustomContext("backend", TG_BENCH_BACKEND);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
