// WideNet training, one benchmark iteration per epoch (zero_grad, forward, loss, backward, step).
// Every op here works on at most 32 x 512 values, so the time is mostly per-op overhead: the
// dispatch, allocation and graph bookkeeping that the small-op benchmarks isolate.
#include "widenet.h"

#include "bench_main.h"

namespace {

void widenet_epoch(benchmark::State& state) {
  widenet::Trainer trainer;
  for (auto _ : state) benchmark::DoNotOptimize(trainer.epoch());
}
BENCHMARK(widenet_epoch)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
