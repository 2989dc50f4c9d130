// A libtorch program in the style of libtorch's distributed MNIST example: a process group from
// c10d::ProcessGroupMPI::createProcessGroupMPI(), a DistributedRandomSampler shard per rank, and
// the gradients averaged with one allreduce per parameter after backward. Run under mpirun; the
// first argument is an MNIST-format directory. It checks that the ranks end with the same
// parameters and prints OK.
#include <torch/torch.h>

#include <c10d/ProcessGroupMPI.hpp>
#include <iostream>
#include <memory>
#include <vector>

struct Classifier : torch::nn::Module {
  Classifier()
      : conv1(torch::nn::Conv2dOptions(1, 8, 5)),
        conv2(torch::nn::Conv2dOptions(8, 16, 5)),
        fc1(256, 32),
        fc2(32, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2->forward(x), 2));
    x = torch::relu(fc1->forward(x.view({-1, 256})));
    return torch::log_softmax(fc2->forward(x), 1);
  }
  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::cerr << "usage: dist_mnist MNIST_DIR\n";
    return 2;
  }
  auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI();
  const auto world = pg->getSize();
  const auto rank = pg->getRank();
  torch::set_num_threads(1);

  auto train = torch::data::datasets::MNIST(argv[1])
                   .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                   .map(torch::data::transforms::Stack<>());
  const auto size = train.size().value();
  auto sampler = torch::data::samplers::DistributedRandomSampler(size, world, rank, false);
  auto loader = torch::data::make_data_loader(std::move(train), sampler, 64 / world);

  torch::manual_seed(0);
  auto model = std::make_shared<Classifier>();
  torch::optim::SGD optimizer(model->parameters(), 0.05);

  for (size_t epoch = 1; epoch <= 2; ++epoch) {
    double loss_sum = 0;
    int64_t batches = 0;
    for (auto& batch : *loader) {
      model->zero_grad();
      auto loss = torch::nn::functional::nll_loss(model->forward(batch.data), batch.target);
      loss.backward();
      std::vector<std::shared_ptr<c10d::ProcessGroup::Work>> works;
      for (auto& p : model->parameters()) {
        std::vector<torch::Tensor> grads = {p.grad()};
        works.push_back(pg->allreduce(grads));
      }
      for (auto& w : works) {
        try {
          w->wait();
        } catch (const std::exception& e) {
          std::cerr << "allreduce failed: " << e.what() << std::endl;
          pg->abort();
          return 1;
        }
      }
      for (auto& p : model->parameters()) p.mutable_grad().div_(world);
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    torch::Tensor mean = torch::full({1}, loss_sum / static_cast<double>(batches), torch::kDouble);
    std::vector<torch::Tensor> v = {mean};
    c10d::AllreduceOptions avg;
    avg.reduceOp = c10d::ReduceOp::AVG;
    pg->allreduce(v, avg)->wait();
    if (rank == 0) std::cout << "epoch " << epoch << " mean loss " << mean.item<double>() << "\n";
  }

  // Every rank must hold the same parameters: their maximum and minimum over ranks agree.
  std::vector<torch::Tensor> flat;
  for (auto& p : model->parameters()) flat.push_back(p.detach().reshape({-1}));
  auto hi = torch::cat(flat);
  auto lo = hi.clone();
  std::vector<torch::Tensor> vh = {hi}, vl = {lo};
  c10d::AllreduceOptions max_op, min_op;
  max_op.reduceOp = c10d::ReduceOp::MAX;
  min_op.reduceOp = c10d::ReduceOp::MIN;
  pg->allreduce(vh, max_op)->wait();
  pg->allreduce(vl, min_op)->wait();
  const bool same = torch::equal(hi, lo);
  if (rank == 0) std::cout << (same ? "OK: the ranks agree" : "FAIL: the ranks disagree") << "\n";
  return same ? 0 : 1;
}
