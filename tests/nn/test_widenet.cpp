// The tutorial's section 3 end to end against PyTorch (tests/fixtures/nn/widenet.json): the
// dataset and the initial weights bit for bit, the printed model, and the loss of every one of the
// 1847 epochs of SGD with momentum.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

namespace nn = tg::nn;
using json = nlohmann::json;

namespace {

struct WideNetImpl : nn::Module {
  WideNetImpl() {
    const int64_t n_cells = 512;
    layers = register_module("layers", nn::Sequential{nn::Linear(1, n_cells), nn::Tanh(), nn::Linear(n_cells, 1)});
  }
  tg::Tensor forward(const tg::Tensor& x) { return layers->forward(x); }
  nn::Sequential layers{nullptr};
};
TG_MODULE(WideNet);

json fixture() {
  std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/widenet.json");
  EXPECT_TRUE(f.good());
  return json::parse(f);
}

std::vector<uint32_t> bits(const tg::Tensor& t) {
  tg::Tensor c = t.contiguous();
  std::vector<uint32_t> out(static_cast<size_t>(c.numel()));
  std::memcpy(out.data(), c.data_ptr<float>(), out.size() * 4);
  return out;
}

struct Data {
  tg::Tensor inputs, targets;
};

Data make_data() {
  tg::manual_seed(2021);
  const int64_t n_samples = 32;
  tg::Tensor inputs = tg::linspace(-1.0, 1.0, n_samples).reshape({n_samples, 1});
  tg::Tensor noise = tg::randn({n_samples, 1}) / 4;
  tg::Tensor targets = tg::sin(M_PI * inputs) + noise;
  return {inputs, targets};
}

}  // namespace

TEST(WideNet, DatasetAndInitialWeightsBitExact) {
  json fx = fixture();
  Data d = make_data();
  EXPECT_EQ(bits(d.inputs), fx["inputs_bits"].get<std::vector<uint32_t>>());
  EXPECT_EQ(bits(d.targets), fx["targets_bits"].get<std::vector<uint32_t>>());
  tg::manual_seed(2021);
  WideNet net;
  for (const auto& p : net->named_parameters())
    EXPECT_EQ(bits(p.value()), fx["initial_parameters_bits"][p.key()].get<std::vector<uint32_t>>()) << p.key();
  std::ostringstream ss;
  ss << *net;
  EXPECT_EQ(ss.str(), fx["repr"].get<std::string>());
}

TEST(WideNet, TrainingMatchesPyTorchEveryEpoch) {
  json fx = fixture();
  std::vector<double> want = fx["losses"];
  Data d = make_data();
  tg::manual_seed(2021);
  WideNet net;
  nn::MSELoss loss_function;
  tg::optim::SGD sgd(net->parameters(), tg::optim::SGDOptions(0.003).momentum(0.9));
  double worst = 0;
  for (size_t epoch = 0; epoch < want.size(); ++epoch) {
    sgd.zero_grad();
    tg::Tensor prediction = net->forward(d.inputs);
    tg::Tensor loss = loss_function(prediction, d.targets);
    loss.backward();
    sgd.step();
    const double got = loss.item<double>();
    worst = std::max(worst, std::abs(got - want[epoch]) / std::abs(want[epoch]));
    ASSERT_NEAR(got, want[epoch], 1e-4 * std::abs(want[epoch])) << "epoch " << epoch;
    if (epoch == 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6f", got);
      EXPECT_STREQ(buf, "0.888942");
    }
  }
  RecordProperty("max_relative_loss_deviation", std::to_string(worst));
  std::vector<double> final_want = fx["final_predictions"];
  tg::Tensor final_pred = net->forward(d.inputs).detach().to(tg::kFloat64).reshape({-1});
  for (size_t i = 0; i < final_want.size(); ++i)
    EXPECT_NEAR(final_pred.data_ptr<double>()[i], final_want[i], 1e-3) << i;
}
