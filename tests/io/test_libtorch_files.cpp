// Checkpoints written by libtorch 1.13's own torch::save (scripts/make_libtorch_checkpoints.sh
// runs scripts/libtorch_reference/checkpoints.cpp): a module, its SGD and Adam optimizers, a
// tensor and a list of tensors. They load into the same model here and predict what libtorch
// predicted; the optimizers continue libtorch's training.
#include <gtest/gtest.h>

#include <string>

#include "io/io_test_util.h"
#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/modules.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/serialize.h"

namespace {

using namespace tg_io_test;
using tg::Tensor;

struct MLPImpl : tg::nn::Module {
  MLPImpl() {
    layers = register_module(
        "layers", tg::nn::Sequential{tg::nn::Linear(4, 8), tg::nn::Tanh(), tg::nn::Linear(8, 3)});
    scale = register_buffer("scale", tg::zeros({3}, tg::TensorOptions().dtype(tg::kDouble)));
    count = register_buffer("count", tg::tensor(int64_t{0}));
  }
  Tensor forward(const Tensor& x) { return layers->forward(x) * scale.to(tg::kFloat); }
  tg::nn::Sequential layers{nullptr};
  Tensor scale, count;
};
TG_MODULE(MLP);

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return (a.to(tg::kDouble) - b.to(tg::kDouble)).abs().max().item<double>();
}

Tensor predict(MLP& net, const Tensor& x) {
  tg::NoGradGuard no_grad;
  return net->forward(x);
}

void step(MLP& net, tg::optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
  opt.zero_grad();
  tg::nn::functional::mse_loss(net->forward(x), y).backward();
  opt.step();
}

// inputs, targets, predictions, predictions after one more SGD step, after one more Adam step.
std::vector<Tensor> io() {
  std::vector<Tensor> v;
  tg::load(v, fixture("libtorch_io.pt"));
  return v;
}

TEST(LibtorchFiles, ModuleLoadsAndPredictsAsLibtorch) {
  const auto state = tg::load_state_dict(fixture("libtorch_mlp.pt"));
  EXPECT_EQ(state.keys(),
            (std::vector<std::string>{"scale", "count", "layers.0.weight", "layers.0.bias",
                                      "layers.2.weight", "layers.2.bias"}));
  MLP net;
  tg::load(net, fixture("libtorch_mlp.pt"));
  EXPECT_EQ(net->count.item<int64_t>(), 7);
  EXPECT_EQ(net->scale[0].item<double>(), 0.5);
  const auto v = io();
  ASSERT_EQ(v.size(), 5u);
  EXPECT_LE(max_abs_diff(predict(net, v[0]), v[2]), 1e-6);
}

TEST(LibtorchFiles, SGDStateContinuesLibtorchsTraining) {
  MLP net;
  tg::load(net, fixture("libtorch_mlp.pt"));
  tg::optim::SGD sgd(net->parameters(), tg::optim::SGDOptions(0.5));
  tg::load(sgd, fixture("libtorch_sgd.pt"));
  const auto& opts = static_cast<const tg::optim::SGDOptions&>(sgd.param_groups()[0].options());
  EXPECT_EQ(opts.lr(), 0.1);
  EXPECT_EQ(opts.momentum(), 0.9);
  EXPECT_EQ(sgd.state().size(), 4u);
  const auto v = io();
  step(net, sgd, v[0], v[1]);
  EXPECT_LE(max_abs_diff(predict(net, v[0]), v[3]), 1e-6);
}

TEST(LibtorchFiles, AdamStateContinuesLibtorchsTraining) {
  MLP net;
  tg::load(net, fixture("libtorch_adam_mlp.pt"));
  tg::optim::Adam adam(net->parameters(), tg::optim::AdamOptions(0.5));
  tg::load(adam, fixture("libtorch_adam.pt"));
  const auto& opts = static_cast<const tg::optim::AdamOptions&>(adam.param_groups()[0].options());
  EXPECT_EQ(opts.lr(), 0.01);
  for (const auto& p : net->parameters())
    EXPECT_EQ(static_cast<const tg::optim::AdamParamState&>(
                  *adam.state().at(tg::optim::param_state_key(p)))
                  .step(),
              2);
  const auto v = io();
  step(net, adam, v[0], v[1]);
  EXPECT_LE(max_abs_diff(predict(net, v[0]), v[4]), 1e-6);
}

TEST(LibtorchFiles, TensorAndArchive) {
  Tensor t;
  tg::load(t, fixture("libtorch_tensor.pt"));
  EXPECT_EQ(t.scalar_type(), tg::kDouble);
  EXPECT_TRUE(t.equal(tg::arange(6, tg::TensorOptions().dtype(tg::kDouble)).reshape({2, 3}))) << t;
  tg::serialize::InputArchive archive;
  archive.load_from(fixture("libtorch_mlp.pt").string());
  tg::serialize::InputArchive layers, first;
  archive.read("layers", layers);
  layers.read("0", first);
  Tensor weight;
  first.read("weight", weight);
  EXPECT_EQ(weight.sizes().vec(), (std::vector<int64_t>{8, 4}));
}

}  // namespace
