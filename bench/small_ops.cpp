// The small-op benchmarks as one executable; CMake builds this file once per backend. One thread
// (BENCH_THREADS is left unset): these tensors are far too small to split.
#include "small_ops.h"

#include "bench_main.h"

int main(int argc, char** argv) { return bench_main(argc, argv); }
