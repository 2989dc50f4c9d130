// Data-parallel training throughput of the example's convnet (examples/distributed/convnet.h) on
// synthetic 1x28x28 batches, run under mpirun by bench/distributed.sh:
//
//   bench_distributed train [BATCH_PER_RANK] [STEPS] [THREADS] [BUCKET_MB]
//     per step: forward, backward with DistributedDataParallel, SGD step. Prints the median step
//     time, the throughput of all ranks together, and the overlap: the median backward time with
//     gradient averaging against the same backward under no_sync() (no communication), and the
//     time the end of backward waited for communication.
//   bench_distributed allreduce
//     the median time of one bucket allreduce (sum and divide, as DistributedDataParallel does)
//     for bucket sizes from 4 KiB to 25 MiB: the input of the scaling model in docs/distributed.md.
//
// Rank 0 prints one line per result, `key value` pairs, for the script to collect.
#include <tensorgrad/distributed/distributed_data_parallel.h>
#include <tensorgrad/distributed/process_group.h>
#include <tensorgrad/tensorgrad.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../examples/distributed/convnet.h"

namespace {

using namespace tg;
using distributed::DistributedDataParallel;
using distributed::ProcessGroupMPI;
using distributed::ReduceOp;
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// The largest value over ranks: a step is as slow as its slowest rank.
double max_over_ranks(ProcessGroupMPI& pg, double v) {
  Tensor t = tg::full({1}, v, tg::dtype(kDouble));
  std::vector<Tensor> tv{t};
  pg.allreduce(tv, {ReduceOp::MAX})->wait();
  return t.item<double>();
}

int train(const std::shared_ptr<ProcessGroupMPI>& group, int64_t batch, int steps, int threads,
          double bucket_mb) {
  ProcessGroupMPI& pg = *group;
  set_num_threads(threads);
  manual_seed(0);
  auto net = std::make_shared<ConvNet>();
  distributed::DistributedDataParallelOptions opts;
  opts.bucket_cap_mb = bucket_mb;
  DistributedDataParallel<ConvNet> model(net, group, opts);
  optim::SGD sgd(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  Tensor x = tg::randn({batch, 1, 28, 28});
  Tensor y = tg::randint(0, 10, {batch});

  // synced: averaging during backward; !synced: the same step under no_sync().
  auto run = [&](bool synced, std::vector<double>& step_s, std::vector<double>& backward_s,
                 std::vector<double>& wait_s) {
    const int warmup = 3;
    for (int s = 0; s < steps + warmup; ++s) {
      pg.barrier()->wait();
      auto t0 = Clock::now();
      sgd.zero_grad();
      Tensor loss;
      Clock::time_point t1;
      if (synced) {
        loss = nn::functional::cross_entropy(model(x), y);
        t1 = Clock::now();
        loss.backward();
      } else {
        auto guard = model.no_sync();
        loss = nn::functional::cross_entropy(model(x), y);
        t1 = Clock::now();
        loss.backward();
      }
      auto t2 = Clock::now();
      sgd.step();
      auto t3 = Clock::now();
      if (s >= warmup) {
        step_s.push_back(seconds(t0, t3));
        backward_s.push_back(seconds(t1, t2));
        wait_s.push_back(synced ? model.reducer().last_stats().wait_seconds : 0.0);
      }
    }
  };
  std::vector<double> step_sync, bw_sync, wait_sync, step_local, bw_local, wait_local;
  run(true, step_sync, bw_sync, wait_sync);
  run(false, step_local, bw_local, wait_local);
  const double step = max_over_ranks(pg, median(step_sync));
  const double backward = max_over_ranks(pg, median(bw_sync));
  const double backward_local = max_over_ranks(pg, median(bw_local));
  const double wait = max_over_ranks(pg, median(wait_sync));
  const double step_nosync = max_over_ranks(pg, median(step_local));
  size_t numel = 0;
  for (auto& p : net->parameters()) numel += static_cast<size_t>(p.numel());
  if (pg.getRank() == 0) {
    std::printf(
        "ranks %d threads %d batch_per_rank %lld buckets %zu grad_mb %.3f step_ms %.3f "
        "images_per_s %.1f backward_ms %.3f backward_nosync_ms %.3f wait_ms %.3f "
        "step_nosync_ms %.3f\n",
        pg.getSize(), threads, static_cast<long long>(batch), model.reducer().num_buckets(),
        static_cast<double>(numel) * 4 / (1024.0 * 1024.0), step * 1e3,
        static_cast<double>(batch) * pg.getSize() / step, backward * 1e3, backward_local * 1e3,
        wait * 1e3, step_nosync * 1e3);
  }
  return 0;
}

int allreduce_sweep(ProcessGroupMPI& pg) {
  set_num_threads(1);
  for (int64_t bytes : {int64_t{4} << 10, int64_t{64} << 10, int64_t{256} << 10, int64_t{1} << 20,
                        int64_t{4} << 20, int64_t{25} << 20}) {
    Tensor t = tg::ones({bytes / 4});
    const int reps = bytes >= (int64_t{4} << 20) ? 10 : 40;
    std::vector<double> times;
    for (int r = 0; r < reps + 3; ++r) {
      pg.barrier()->wait();
      auto t0 = Clock::now();
      pg.allreduce_unchecked(t, ReduceOp::AVG)->wait();
      if (r >= 3) times.push_back(seconds(t0, Clock::now()));
    }
    const double m = max_over_ranks(pg, median(times));
    if (pg.getRank() == 0) {
      std::printf("ranks %d allreduce_bytes %lld ms %.4f\n", pg.getSize(),
                  static_cast<long long>(bytes), m * 1e3);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto pg = ProcessGroupMPI::createProcessGroupMPI();
    const std::string mode = argc > 1 ? argv[1] : "train";
    if (mode == "allreduce") return allreduce_sweep(*pg);
    const int64_t batch = argc > 2 ? std::stoll(argv[2]) : 64;
    const int steps = argc > 3 ? std::stoi(argv[3]) : 20;
    const int threads = argc > 4 ? std::stoi(argv[4]) : 1;
    const double bucket_mb = argc > 5 ? std::stod(argv[5]) : 25.0;
    return train(pg, batch, steps, threads, bucket_mb);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
