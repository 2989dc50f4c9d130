// DistributedDataParallel against one process: every rank also trains a plain copy of the model on
// the whole batch (all ranks' shards), which is what data-parallel training must reproduce.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "mpi_env.h"
#include "tensorgrad/distributed/distributed_data_parallel.h"

namespace tg::distributed {
namespace {

using mpitest::group;

struct Net : nn::Module {
  explicit Net(bool with_spare = false) {
    fc1 = register_module("fc1", nn::Linear(6, 16));
    fc2 = register_module("fc2", nn::Linear(16, 8));
    fc3 = register_module("fc3", nn::Linear(8, 3));
    if (with_spare) spare = register_module("spare", nn::Linear(8, 3));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = tg::tanh(fc2->forward(tg::tanh(fc1->forward(x))));
    Tensor y = fc3->forward(h);
    if (spare && use_spare) y = y + spare->forward(h);
    return y;
  }
  std::shared_ptr<nn::LinearImpl> fc1, fc2, fc3, spare;
  bool use_spare = false;
};

// The whole batch of a step: rows [rank * per_rank, (rank + 1) * per_rank) are rank's shard.
struct Batch {
  Tensor x, y;
};
Batch whole_batch(int step, int64_t rows) {
  tg::manual_seed(1000 + step);
  return {tg::randn({rows, 6}), tg::randn({rows, 3})};
}
Batch shard(const Batch& b, int rank, int64_t per_rank) {
  return {b.x.narrow(0, rank * per_rank, per_rank), b.y.narrow(0, rank * per_rank, per_rank)};
}

std::shared_ptr<Net> make_net(uint64_t seed, bool with_spare = false) {
  tg::manual_seed(seed);
  return std::make_shared<Net>(with_spare);
}

// All parameters side by side.
Tensor flat_params(const std::vector<Tensor>& ps) {
  std::vector<Tensor> f;
  for (const auto& p : ps) f.push_back(p.detach().reshape({-1}));
  return tg::cat(f, 0);
}
Tensor flat_grads(const std::vector<Tensor>& ps) {
  std::vector<Tensor> f;
  for (const auto& p : ps) f.push_back(p.grad().reshape({-1}));
  return tg::cat(f, 0);
}

// Whether t holds the same bits on every rank.
bool same_on_every_rank(const Tensor& t) {
  auto& pg = group();
  const int n = pg->getSize();
  std::vector<Tensor> in{t.contiguous()};
  std::vector<std::vector<Tensor>> out(1);
  for (int r = 0; r < n; ++r) out[0].push_back(tg::empty_like(in[0]));
  pg->allgather(out, in)->wait();
  bool same = true;
  for (int r = 0; r < n; ++r) {
    same = same && std::memcmp(out[0][static_cast<size_t>(r)].data_ptr(), in[0].data_ptr(),
                               static_cast<size_t>(in[0].numel()) * in[0].element_size()) == 0;
  }
  return same;
}

double max_abs_diff(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item<double>(); }

void check_training_matches_one_process(double bucket_cap_mb, size_t expected_buckets) {
  auto& pg = group();
  const int n = pg->getSize();
  const int me = pg->getRank();
  const int64_t per_rank = 4;
  // Each rank starts from its own initialisation: DDP must replace it with rank 0's.
  auto net = make_net(static_cast<uint64_t>(7 + me));
  DistributedDataParallelOptions opts;
  opts.bucket_cap_mb = bucket_cap_mb;
  DistributedDataParallel<Net> ddp(net, pg, opts);
  EXPECT_EQ(ddp.reducer().num_buckets(), expected_buckets);
  auto reference = make_net(7);
  EXPECT_TRUE(tg::equal(flat_params(net->parameters()), flat_params(reference->parameters())));

  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::SGD ref_opt(reference->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 5; ++step) {
    Batch whole = whole_batch(step, per_rank * n);
    Batch mine = shard(whole, me, per_rank);
    opt.zero_grad();
    Tensor loss = nn::functional::mse_loss(ddp(mine.x), mine.y);
    loss.backward();
    // The averaged gradient is the whole batch's: compare before the step too.
    ref_opt.zero_grad();
    nn::functional::mse_loss(reference->forward(whole.x), whole.y).backward();
    EXPECT_LT(max_abs_diff(flat_grads(net->parameters()), flat_grads(reference->parameters())),
              1e-6)
        << "step " << step;
    opt.step();
    ref_opt.step();
  }
  Tensor got = flat_params(net->parameters());
  Tensor want = flat_params(reference->parameters());
  EXPECT_TRUE(tg::allclose(got, want, 1e-5, 1e-6)) << "max difference " << max_abs_diff(got, want);
  EXPECT_TRUE(same_on_every_rank(got));
}

TEST(DistributedDataParallel, TrainingOnShardsMatchesOneProcessOnTheWholeBatch) {
  check_training_matches_one_process(25.0, 1);
}

TEST(DistributedDataParallel, ManySmallBucketsGiveTheSameResult) {
  // A 128-byte cap: fc3's bias and weight share a bucket (12 + 96 bytes), and the larger
  // parameters have a bucket each: {fc3.bias, fc3.weight}, {fc2.bias}, {fc2.weight}, ...
  check_training_matches_one_process(128.0 / (1024 * 1024), 5);
}

TEST(DistributedDataParallel, BucketsFollowTheReverseParameterOrder) {
  auto net = make_net(1);
  DistributedDataParallelOptions opts;
  opts.bucket_cap_mb = 128.0 / (1024 * 1024);
  DistributedDataParallel<Net> ddp(net, group(), opts);
  auto idx = ddp.reducer().bucket_indices();
  ASSERT_EQ(idx.size(), 5u);
  // Parameters: fc1.weight 0, fc1.bias 1, fc2.weight 2, fc2.bias 3, fc3.weight 4, fc3.bias 5.
  EXPECT_EQ(idx[0], (std::vector<size_t>{5, 4}));
  EXPECT_EQ(idx[1], (std::vector<size_t>{3}));
}

TEST(DistributedDataParallel, NoSyncAccumulationEqualsOneSynchronisedStep) {
  auto& pg = group();
  const int n = pg->getSize();
  const int me = pg->getRank();
  const int64_t per_rank = 3;
  auto net = make_net(3);
  DistributedDataParallel<Net> ddp(net, pg);
  auto reference = make_net(3);
  Batch a = whole_batch(10, per_rank * n);
  Batch b = whole_batch(11, per_rank * n);
  {
    auto guard = ddp.no_sync();
    Batch mine = shard(a, me, per_rank);
    nn::functional::mse_loss(ddp(mine.x), mine.y).backward();
  }
  // Unsynchronised: each rank holds its own shard's gradient.
  Tensor local = flat_grads(net->parameters());
  if (n > 1) {
    EXPECT_FALSE(same_on_every_rank(local));
  }
  Batch mine = shard(b, me, per_rank);
  nn::functional::mse_loss(ddp(mine.x), mine.y).backward();
  // The serial equivalent: both whole batches' gradients, summed.
  nn::functional::mse_loss(reference->forward(a.x), a.y).backward();
  nn::functional::mse_loss(reference->forward(b.x), b.y).backward();
  Tensor got = flat_grads(net->parameters());
  EXPECT_LT(max_abs_diff(got, flat_grads(reference->parameters())), 1e-6);
  EXPECT_TRUE(same_on_every_rank(got));
}

TEST(DistributedDataParallel, UnusedParametersAreFoundAndAveraged) {
  auto& pg = group();
  const int n = pg->getSize();
  const int me = pg->getRank();
  auto net = make_net(5, /*with_spare=*/true);
  DistributedDataParallelOptions opts;
  opts.find_unused_parameters = true;
  DistributedDataParallel<Net> ddp(net, pg, opts);
  // Only rank 0 uses the spare layer: the others contribute zeros for it.
  net->use_spare = me == 0;
  Batch whole = whole_batch(20, 2 * n);
  Batch mine = shard(whole, me, 2);
  nn::functional::mse_loss(ddp(mine.x), mine.y).backward();
  Tensor spare_grad = net->spare->weight.grad();
  ASSERT_TRUE(spare_grad.defined());
  // Rank 0's gradient of the spare layer, divided by the group size.
  auto solo = make_net(5, true);
  solo->use_spare = true;
  Batch first = shard(whole, 0, 2);
  nn::functional::mse_loss(solo->forward(first.x), first.y).backward();
  Tensor expected = solo->spare->weight.grad() / static_cast<double>(n);
  EXPECT_LT(max_abs_diff(spare_grad, expected), 1e-7);
  EXPECT_TRUE(same_on_every_rank(flat_grads(net->parameters())));
  // A second iteration works too (the state was reset).
  net->zero_grad();
  nn::functional::mse_loss(ddp(mine.x), mine.y).backward();
  EXPECT_TRUE(same_on_every_rank(flat_grads(net->parameters())));
}

TEST(DistributedDataParallel, AParameterWithoutGradientIsReportedAtTheNextForward) {
  auto& pg = group();
  auto net = make_net(5, /*with_spare=*/true);  // the spare layer is never used
  DistributedDataParallel<Net> ddp(net, pg);
  Tensor x = tg::randn({2, 6});
  nn::functional::mse_loss(ddp(x), tg::zeros({2, 3})).backward();
  try {
    ddp(x);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("did not produce gradients for 2 parameter(s)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("find_unused_parameters"), std::string::npos) << msg;
  }
  // After the error the wrapper works again (with every parameter used).
  net->use_spare = true;
  nn::functional::mse_loss(ddp(x), tg::zeros({2, 3})).backward();
  EXPECT_TRUE(same_on_every_rank(flat_grads(net->parameters())));
}

TEST(DistributedDataParallel, ModulesThatDifferAcrossRanksAreRefused) {
  auto& pg = group();
  auto net = make_net(5, /*with_spare=*/pg->getRank() == pg->getSize() - 1);
  try {
    DistributedDataParallel<Net> ddp(net, pg);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the ranks' modules differ in their number of parameters"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(pg->is_broken());
}

TEST(DistributedDataParallel, BuffersComeFromRankZero) {
  auto& pg = group();
  struct WithBuffer : nn::Module {
    WithBuffer() {
      fc = register_module("fc", nn::Linear(2, 2));
      stat = register_buffer("stat", tg::zeros({3}));
    }
    Tensor forward(const Tensor& x) { return fc->forward(x); }
    std::shared_ptr<nn::LinearImpl> fc;
    Tensor stat;
  };
  auto m = std::make_shared<WithBuffer>();
  m->stat.fill_(static_cast<double>(pg->getRank() + 1));
  DistributedDataParallel<WithBuffer> ddp(m, pg);
  EXPECT_EQ(m->stat[2].item<float>(), 1.0f);
  // And again before each forward.
  m->stat.fill_(static_cast<double>(pg->getRank() + 5));
  ddp(tg::ones({1, 2}));
  EXPECT_EQ(m->stat[0].item<float>(), 5.0f);
}

}  // namespace
}  // namespace tg::distributed
