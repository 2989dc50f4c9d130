// The tutorial's WideNet: 1 -> 512 tanh -> 1 learns y = sin(pi x) from 32 noisy samples with
// MSELoss and SGD (lr 0.003, momentum 0.9). Shared by the per-epoch benchmark (widenet.cpp) and
// the peak-memory program (footprint.cpp). Written once against the alias `bk` from backend.h.
#pragma once

#include <cstdint>
#include <numbers>

#include "backend.h"

namespace widenet {

constexpr int64_t kSamples = 32;
constexpr int64_t kCells = 512;

// One network, its data and its optimizer, built in the tutorial's order: seed, dataset, seed,
// network. The Sequential is built with braces so that its arguments are evaluated left to right
// and the first Linear draws its initial weights first, as in PyTorch.
class Trainer {
 public:
  explicit Trainer(uint64_t seed = 2021)
      : inputs_(make_inputs(seed)),
        targets_(make_targets(inputs_)),
        net_(make_net(seed)),
        optimizer_(net_->parameters(), bk::optim::SGDOptions(0.003).momentum(0.9)) {}

  // One epoch of the tutorial's train(): zero_grad, forward, loss, backward, step. Returns the
  // loss (computed before the step).
  bk::Tensor epoch() {
    optimizer_.zero_grad();
    const bk::Tensor loss = loss_fn_(net_->forward(inputs_), targets_);
    loss.backward();
    optimizer_.step();
    return loss;
  }

 private:
  static bk::Tensor make_inputs(uint64_t seed) {
    bk::manual_seed(seed);
    return bk::linspace(-1.0, 1.0, kSamples).reshape({kSamples, 1});
  }
  // Drawn right after the inputs, before the network is seeded again.
  static bk::Tensor make_targets(const bk::Tensor& inputs) {
    const bk::Tensor noise = bk::randn({kSamples, 1}) / 4;
    return bk::sin(std::numbers::pi * inputs) + noise;
  }
  static bk::nn::Sequential make_net(uint64_t seed) {
    bk::manual_seed(seed);
    return bk::nn::Sequential{bk::nn::Linear(1, kCells), bk::nn::Tanh(), bk::nn::Linear(kCells, 1)};
  }

  bk::Tensor inputs_, targets_;
  bk::nn::Sequential net_;
  bk::nn::MSELoss loss_fn_;
  bk::optim::SGD optimizer_;
};

}  // namespace widenet
