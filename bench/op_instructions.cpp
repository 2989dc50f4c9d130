// Runs one small-op workload a given number of times, for bench/count_instructions.sh: callgrind
// counts the instructions of two runs of different lengths, and their difference divided by the
// difference in steps is the cost of one step, free of start-up and of the machine's load.
//
//   op_instructions WORKLOAD STEPS      (WORKLOAD: a name from SMALL_OPS in small_ops.h)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "small_ops.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s WORKLOAD STEPS\n", argv[0]);
    return 2;
  }
  const long steps = std::atol(argv[2]);
  std::function<void()> step;
#define SMALL_OPS_PICK(name) \
  if (std::strcmp(argv[1], #name) == 0) step = small_ops::make_##name();
  SMALL_OPS(SMALL_OPS_PICK)
#undef SMALL_OPS_PICK
  if (!step) {
    std::fprintf(stderr, "unknown workload %s\n", argv[1]);
    return 2;
  }
  for (long i = 0; i < steps; ++i) step();
  return 0;
}
