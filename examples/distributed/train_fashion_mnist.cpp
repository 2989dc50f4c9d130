// Data-parallel training of a convnet on Fashion-MNIST: every rank trains a replica on its own
// share of each epoch (DistributedRandomSampler), and DistributedDataParallel averages the
// gradients during backward, so the replicas stay identical. Each rank prints its throughput;
// rank 0 prints the loss averaged over all ranks and the test accuracy (each rank tests a share).
//
//   make distributed        # 2 ranks on this machine, over Debian's Fashion-MNIST
//   mpirun -np N build/examples/distributed_fashion_mnist ROOT [EPOCHS] [GLOBAL_BATCH] [MAX_STEPS]
//
// GLOBAL_BATCH (default 64) is split between the ranks, so the training does the same work for
// any number of ranks; MAX_STEPS (default: all) cuts each epoch short.
#include <tensorgrad/distributed/distributed_data_parallel.h>
#include <tensorgrad/distributed/process_group.h>
#include <tensorgrad/tensorgrad.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "convnet.h"

namespace {

using namespace tg;
using distributed::DistributedDataParallel;
using distributed::ProcessGroupMPI;
using distributed::ReduceOp;

double all_average(ProcessGroupMPI& pg, double v) {
  Tensor t = tg::full({1}, v, tg::dtype(kDouble));
  std::vector<Tensor> tv{t};
  pg.allreduce(tv, {ReduceOp::AVG})->wait();
  return t.item<double>();
}

int64_t all_sum(ProcessGroupMPI& pg, int64_t v) {
  Tensor t = tg::full({1}, v, tg::dtype(kLong));
  std::vector<Tensor> tv{t};
  pg.allreduce(tv)->wait();
  return t.item<int64_t>();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: mpirun -np N %s FASHION_MNIST_ROOT [EPOCHS] [GLOBAL_BATCH] [MAX_STEPS]\n",
                 argv[0]);
    return 2;
  }
  try {
    auto pg = ProcessGroupMPI::createProcessGroupMPI();
    const auto world = static_cast<size_t>(pg->getSize());
    const auto rank = static_cast<size_t>(pg->getRank());
    const std::string root = argv[1];
    const int epochs = argc > 2 ? std::stoi(argv[2]) : 1;
    const size_t global_batch = argc > 3 ? std::stoul(argv[3]) : 64;
    const size_t max_steps = argc > 4 ? std::stoul(argv[4]) : SIZE_MAX;
    TG_CHECK(global_batch % world == 0, "the global batch (", global_batch,
             ") must be a multiple of the number of ranks (", world, ")");
    const size_t batch = global_batch / world;
    // The ranks on one machine share its cores: split them (OpenMPI says how many ranks are local).
    if (const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) {
      set_num_threads(std::max(1, get_num_threads() / std::max(1, std::atoi(local))));
    }

    using data::datasets::MNIST;
    auto prepare = [](MNIST d) {
      return std::move(d)
          .map(data::transforms::Normalize<>(0.2860, 0.3530))
          .map(data::transforms::Stack<>());
    };
    MNIST train(root, MNIST::Mode::kTrain);
    MNIST test(root, MNIST::Mode::kTest);
    const size_t train_size = *train.size();

    // Different initialisations on purpose: DistributedDataParallel starts every rank from rank
    // 0's.
    manual_seed(rank);
    auto net = std::make_shared<ConvNet>();
    DistributedDataParallel<ConvNet> model(net, pg);
    optim::SGD sgd(net->parameters(), optim::SGDOptions(0.05).momentum(0.9));

    for (int epoch = 1; epoch <= epochs; ++epoch) {
      data::samplers::DistributedRandomSampler sampler(train_size, world, rank, false);
      sampler.set_epoch(static_cast<size_t>(epoch));
      auto loader = data::make_data_loader(prepare(train), std::move(sampler),
                                           data::DataLoaderOptions(batch).workers(1));
      const auto start = std::chrono::steady_clock::now();
      double loss_sum = 0;
      size_t steps = 0, images = 0;
      for (auto& b : *loader) {
        if (steps == max_steps) break;
        sgd.zero_grad();
        Tensor loss = nn::functional::cross_entropy(model(b.data), b.target);
        loss.backward();
        sgd.step();
        loss_sum += loss.item<double>();
        images += static_cast<size_t>(b.data.size(0));
        ++steps;
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("rank %zu: epoch %d: %zu images in %.2f s, %.0f images/s\n", rank, epoch, images,
                  seconds, static_cast<double>(images) / seconds);
      std::fflush(stdout);
      const double mean_loss = all_average(*pg, loss_sum / static_cast<double>(steps));

      // Each rank tests its share of the test split; the counts are summed.
      NoGradGuard no_grad;
      net->eval();
      data::samplers::DistributedSequentialSampler test_sampler(*test.size(), world, rank, false);
      auto test_loader = data::make_data_loader(prepare(test), std::move(test_sampler),
                                                data::DataLoaderOptions(1000));
      int64_t correct = 0, seen = 0;
      for (auto& b : *test_loader) {
        correct += net->forward(b.data).argmax(1).eq(b.target).sum().item<int64_t>();
        seen += b.data.size(0);
      }
      net->train();
      correct = all_sum(*pg, correct);
      seen = all_sum(*pg, seen);
      pg->barrier()->wait();
      if (rank == 0) {
        std::printf(
            "epoch %d: %zu ranks, loss averaged over ranks %.4f, test accuracy %.4f (%lld "
            "images)\n",
            epoch, world, mean_loss, static_cast<double>(correct) / static_cast<double>(seen),
            static_cast<long long>(seen));
        std::fflush(stdout);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
