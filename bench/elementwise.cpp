// A memory-bound elementwise chain on 4M float32 values (16 MB per tensor, more than the caches
// hold): y = ((x * 1.5 + 0.5).tanh() * x).sum(), forward only and forward plus backward. Four
// elementwise ops and a reduction forward, their gradients backward; the time is dominated by
// streaming whole tensors through memory and by how many temporaries each library allocates.
#include "bench_main.h"

namespace {

constexpr int64_t kSize = int64_t{4} << 20;

bk::Tensor chain(const bk::Tensor& x) { return ((x * 1.5 + 0.5).tanh() * x).sum(); }

void elementwise_fwd(benchmark::State& state) {
  bk::manual_seed(0);
  const bk::Tensor x = bk::randn({kSize});
  for (auto _ : state) benchmark::DoNotOptimize(chain(x));
}
BENCHMARK(elementwise_fwd)->Unit(benchmark::kMillisecond);

// The gradient accumulates into x.grad() across iterations, as in a loop without zero_grad; both
// libraries pay the same in-place add for it.
void elementwise_fwdbwd(benchmark::State& state) {
  bk::manual_seed(0);
  const bk::Tensor x = bk::randn({kSize}).requires_grad_(true);
  for (auto _ : state) chain(x).backward();
  benchmark::DoNotOptimize(x.grad());
}
BENCHMARK(elementwise_fwdbwd)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return bench_main(argc, argv); }
