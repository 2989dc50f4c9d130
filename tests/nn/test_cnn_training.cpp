// Convolutional networks trained end to end against PyTorch (tests/fixtures/nn/cnn_training.json,
// from scripts/make_cnn_fixtures.py): a seeded LeNet (on the 128 real digits of
// tests/fixtures/data/mnist/digits) and a DCGAN generator/discriminator pair start from PyTorch's
// initial weights (every parameter's sum and first values) and their first 20 training losses,
// with SGD and with Adam, equal PyTorch's within 1e-4 relative.
#include <gtest/gtest.h>
#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace nn = tg::nn;
using json = nlohmann::json;

namespace {

// The run of the fixture file for a network and an optimizer (a copy: the file is read per test).
json run_of(const std::string& network, const std::string& optimizer) {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/cnn_training.json");
  EXPECT_TRUE(f.good());
  const json file = json::parse(f);
  for (const json& r : file["runs"]) {
    if (r["network"] == network && r["optimizer"] == optimizer) return r;
  }
  throw std::runtime_error("no fixture run " + network + "/" + optimizer);
}

// Layers are appended one by one: the arguments of one constructor call would be evaluated in an
// unspecified order, and each layer's initialisation draws from the generator when it is built.
nn::Sequential lenet() {
  nn::Sequential net;
  net->push_back(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)));
  net->push_back(nn::ReLU());
  net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  net->push_back(nn::Conv2d(nn::Conv2dOptions(6, 16, 5)));
  net->push_back(nn::ReLU());
  net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(400, 120));
  net->push_back(nn::ReLU());
  net->push_back(nn::Linear(120, 84));
  net->push_back(nn::ReLU());
  net->push_back(nn::Linear(84, 10));
  return net;
}

constexpr int64_t kNoise = 32, kWidth = 16;

nn::Sequential generator() {
  using O = nn::ConvTranspose2dOptions;
  nn::Sequential g;
  g->push_back(nn::ConvTranspose2d(O(kNoise, 4 * kWidth, 4).bias(false)));
  g->push_back(nn::BatchNorm2d(4 * kWidth));
  g->push_back(nn::ReLU());
  g->push_back(nn::ConvTranspose2d(O(4 * kWidth, 2 * kWidth, 3).stride(2).padding(1).bias(false)));
  g->push_back(nn::BatchNorm2d(2 * kWidth));
  g->push_back(nn::ReLU());
  g->push_back(nn::ConvTranspose2d(O(2 * kWidth, kWidth, 4).stride(2).padding(1).bias(false)));
  g->push_back(nn::BatchNorm2d(kWidth));
  g->push_back(nn::ReLU());
  g->push_back(nn::ConvTranspose2d(O(kWidth, 1, 4).stride(2).padding(1).bias(false)));
  g->push_back(nn::Tanh());
  return g;
}

nn::Sequential discriminator() {
  using O = nn::Conv2dOptions;
  const auto leaky = [] { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); };
  nn::Sequential d;
  d->push_back(nn::Conv2d(O(1, kWidth, 4).stride(2).padding(1).bias(false)));
  d->push_back(leaky());
  d->push_back(nn::Conv2d(O(kWidth, 2 * kWidth, 4).stride(2).padding(1).bias(false)));
  d->push_back(nn::BatchNorm2d(2 * kWidth));
  d->push_back(leaky());
  d->push_back(nn::Conv2d(O(2 * kWidth, 4 * kWidth, 4).stride(2).padding(1).bias(false)));
  d->push_back(nn::BatchNorm2d(4 * kWidth));
  d->push_back(leaky());
  d->push_back(nn::Conv2d(O(4 * kWidth, 1, 3).stride(1).padding(0).bias(false)));
  d->push_back(nn::Sigmoid());
  return d;
}

// The initial weights: each parameter's name, shape, sum (in float64) and first values.
void expect_parameters(const nn::Sequential& net, const json& expected) {
  const auto params = net->named_parameters();
  ASSERT_EQ(params.size(), expected.size());
  size_t i = 0;
  for (const auto& item : params) {
    const json& e = expected[i++];
    SCOPED_TRACE(item.key());
    EXPECT_EQ(item.key(), e["name"].get<std::string>());
    EXPECT_EQ(item.value().sizes().vec(), e["shape"].get<std::vector<int64_t>>());
    const double sum = item.value().to(tg::kDouble).sum().item<double>();
    EXPECT_NEAR(sum, e["sum"].get<double>(), 1e-9 * (1 + std::abs(e["sum"].get<double>())));
    const tg::Tensor flat = item.value().detach().flatten();
    const auto first = e["first"].get<std::vector<double>>();
    for (size_t k = 0; k < first.size(); ++k)
      EXPECT_EQ(flat[k].item<float>(), static_cast<float>(first[k]));
  }
}

void expect_losses(const std::vector<double>& got, const json& expected) {
  const auto want = expected.get<std::vector<double>>();
  ASSERT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t s = 0; s < got.size(); ++s) {
    EXPECT_NEAR(got[s], want[s], 1e-4 * std::abs(want[s])) << "step " << s;
    worst = std::max(worst, std::abs(got[s] - want[s]) / std::abs(want[s]));
  }
  ::testing::Test::RecordProperty("max_relative_difference", std::to_string(worst));
  std::printf("largest relative difference from PyTorch over %zu steps: %.2e\n", got.size(), worst);
}

void train_lenet(const std::string& optimizer_name) {
  const json run = run_of("lenet", optimizer_name);
  tg::manual_seed(7);
  nn::Sequential net = lenet();
  expect_parameters(net, run["parameters"]);
  std::unique_ptr<tg::optim::Optimizer> opt;
  if (optimizer_name == "sgd") {
    opt = std::make_unique<tg::optim::SGD>(net->parameters(),
                                           tg::optim::SGDOptions(0.01).momentum(0.9));
  } else {
    opt = std::make_unique<tg::optim::Adam>(net->parameters(), tg::optim::AdamOptions(1e-3));
  }
  const tg::data::datasets::MNIST digits(std::string(TG_FIXTURE_DIR) + "/data/mnist/digits",
                                         tg::data::datasets::MNIST::Mode::kTest);
  const tg::Tensor images = (digits.images() - 0.1307) / 0.3081;
  const int64_t batches = images.size(0) / 16;
  ASSERT_EQ(batches, 8);
  std::vector<double> losses;
  for (size_t step = 0; step < run["losses"].size(); ++step) {
    const int64_t k = static_cast<int64_t>(step) % batches;
    const tg::Tensor x = images.slice(0, 16 * k, 16 * (k + 1));
    const tg::Tensor y = digits.targets().slice(0, 16 * k, 16 * (k + 1));
    opt->zero_grad();
    const tg::Tensor loss = tg::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt->step();
    losses.push_back(loss.item<double>());
  }
  expect_losses(losses, run["losses"]);
}

void train_dcgan(const std::string& optimizer_name) {
  const json run = run_of("dcgan", optimizer_name);
  tg::manual_seed(7);
  nn::Sequential g = generator();
  nn::Sequential d = discriminator();
  expect_parameters(g, run["parameters"]["generator"]);
  expect_parameters(d, run["parameters"]["discriminator"]);
  std::unique_ptr<tg::optim::Optimizer> g_opt, d_opt;
  if (optimizer_name == "adam") {
    const auto options = tg::optim::AdamOptions(2e-4).betas({0.5, 0.999});
    g_opt = std::make_unique<tg::optim::Adam>(g->parameters(), options);
    d_opt = std::make_unique<tg::optim::Adam>(d->parameters(), options);
  } else {
    g_opt = std::make_unique<tg::optim::SGD>(g->parameters(), tg::optim::SGDOptions(0.002));
    d_opt = std::make_unique<tg::optim::SGD>(d->parameters(), tg::optim::SGDOptions(0.002));
  }
  nn::BCELoss bce;
  std::vector<double> d_losses, g_losses;
  for (size_t step = 0; step < run["d_losses"].size(); ++step) {
    const tg::Tensor real = tg::rand({8, 1, 28, 28}) * 2 - 1;
    const tg::Tensor noise = tg::randn({8, kNoise, 1, 1});
    d_opt->zero_grad();
    const tg::Tensor d_real = bce(d->forward(real).reshape({-1}), tg::ones({8}));
    const tg::Tensor fake = g->forward(noise);
    const tg::Tensor d_fake = bce(d->forward(fake.detach()).reshape({-1}), tg::zeros({8}));
    const tg::Tensor d_loss = d_real + d_fake;
    d_loss.backward();
    d_opt->step();
    g_opt->zero_grad();
    const tg::Tensor g_loss = bce(d->forward(fake).reshape({-1}), tg::ones({8}));
    g_loss.backward();
    g_opt->step();
    d_losses.push_back(d_loss.item<double>());
    g_losses.push_back(g_loss.item<double>());
  }
  expect_losses(d_losses, run["d_losses"]);
  expect_losses(g_losses, run["g_losses"]);
}

}  // namespace

TEST(CnnTraining, LeNetWithSgdMatchesPyTorch) { train_lenet("sgd"); }
TEST(CnnTraining, LeNetWithAdamMatchesPyTorch) { train_lenet("adam"); }
TEST(CnnTraining, DcganWithAdamMatchesPyTorch) { train_dcgan("adam"); }
TEST(CnnTraining, DcganWithSgdMatchesPyTorch) { train_dcgan("sgd"); }
