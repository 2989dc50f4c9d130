// Replays PyTorch 1.13's optimizer trajectories (tests/fixtures/optim/trajectories.json, made by
// scripts/make_optim_fixtures.py) and compares the float32 parameters after steps 1, 2, 10, 100
// and 300. On the "quad" problem the gradients are bit-identical to PyTorch's, so the trajectories
// must be too; on "mlp" (tanh, matmul) the gradients may differ in the last bit, so they are
// compared to a relative tolerance (widened where PyTorch's own trajectory is that sensitive).
// Each case prints its deviation from PyTorch ("[ deviation ] ...").
#include <gtest/gtest.h>
#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trajectory_fixture.h"

namespace {

using namespace tg_optim_test;

using nlohmann::json;

const json& fixture() {
  static const json j = load_fixture("trajectories.json");
  return j;
}

// Distance in units in the last place between two finite floats.
int64_t ulp_distance(float a, float b) {
  auto key = [](float x) {
    int32_t i;
    std::memcpy(&i, &x, sizeof i);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  return std::llabs(key(a) - key(b));
}

struct Deviation {
  size_t differing = 0;
  int64_t max_ulp = 0;
  double max_rel = 0;  // |x - ref| / max(|ref|, 1e-3)
  double max_abs = 0;
  void add(const std::vector<float>& got, const std::vector<float>& want) {
    EXPECT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
      if (got[i] != want[i]) ++differing;
      max_ulp = std::max(max_ulp, ulp_distance(got[i], want[i]));
      const double d = std::fabs(double(got[i]) - double(want[i]));
      max_abs = std::max(max_abs, d);
      max_rel = std::max(max_rel, d / std::max(std::fabs(double(want[i])), 1e-3));
    }
  }
};

tg::optim::SGDOptions sgd_options(const json& o) {
  tg::optim::SGDOptions opt(o.at("lr").get<double>());
  if (o.contains("momentum")) opt.momentum(o["momentum"].get<double>());
  if (o.contains("dampening")) opt.dampening(o["dampening"].get<double>());
  if (o.contains("weight_decay")) opt.weight_decay(o["weight_decay"].get<double>());
  if (o.contains("nesterov")) opt.nesterov(o["nesterov"].get<bool>());
  return opt;
}

template <typename Options>
Options adam_options(const json& o) {
  Options opt(o.at("lr").get<double>());
  if (o.contains("betas")) opt.betas({o["betas"][0].get<double>(), o["betas"][1].get<double>()});
  if (o.contains("eps")) opt.eps(o["eps"].get<double>());
  if (o.contains("weight_decay")) opt.weight_decay(o["weight_decay"].get<double>());
  if (o.contains("amsgrad")) opt.amsgrad(o["amsgrad"].get<bool>());
  return opt;
}

std::unique_ptr<tg::optim::OptimizerOptions> options_for(const std::string& kind, const json& o) {
  if (kind == "sgd") return std::make_unique<tg::optim::SGDOptions>(sgd_options(o));
  if (kind == "adam")
    return std::make_unique<tg::optim::AdamOptions>(adam_options<tg::optim::AdamOptions>(o));
  return std::make_unique<tg::optim::AdamWOptions>(adam_options<tg::optim::AdamWOptions>(o));
}

std::unique_ptr<tg::optim::Optimizer> make_optimizer(const json& c,
                                                     std::map<std::string, tg::Tensor>& params) {
  const std::string kind = c.at("optimizer");
  auto groups = param_groups(c, params, options_for);
  const json& o = c.at("options");
  if (kind == "sgd") return std::make_unique<tg::optim::SGD>(groups, sgd_options(o));
  if (kind == "adam")
    return std::make_unique<tg::optim::Adam>(groups, adam_options<tg::optim::AdamOptions>(o));
  return std::make_unique<tg::optim::AdamW>(groups, adam_options<tg::optim::AdamWOptions>(o));
}

std::vector<std::string> case_names() { return tg_optim_test::case_names(fixture()); }

class OptimTrajectory : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimTrajectory, MatchesPyTorch) {
  const json* found = find_case(fixture(), GetParam());
  ASSERT_NE(found, nullptr);
  const json& c = *found;
  const std::string problem = c.at("problem");
  Problem prob = load_problem(fixture(), problem);
  auto& data = prob.data;
  auto& params = prob.params;
  auto opt = make_optimizer(c, params);
  std::unique_ptr<tg::optim::StepLR> sched;
  if (c.contains("scheduler") && !c["scheduler"].is_null())
    sched = std::make_unique<tg::optim::StepLR>(*opt, c["scheduler"]["step_size"].get<unsigned>(),
                                                c["scheduler"]["gamma"].get<double>());

  Deviation dev;
  size_t next = 0;
  const auto& checkpoints = c.at("checkpoints");
  const int steps = fixture()["steps"];
  for (int step = 1; step <= steps; ++step) {
    opt->zero_grad();
    tg::Tensor loss = loss_fn(problem, data, params["W"], params["b"]);
    loss.backward();
    opt->step();
    if (sched) sched->step();
    if (next < checkpoints.size() && checkpoints[next]["step"].get<int>() == step) {
      const json& cp = checkpoints[next++];
      SCOPED_TRACE("step " + std::to_string(step));
      for (const char* name : {"W", "b"}) {
        const std::vector<float> got = to_vector(params[name]);
        const std::vector<float> want = cp[name].get<std::vector<float>>();
        dev.add(got, want);
        if (problem == "quad") {
          // Same gradients, same op sequence, same rounding: identical trajectories.
          EXPECT_EQ(got, want) << name;
        } else {
          // rel 1e-5 (abs 1e-6 near zero), or 10x what PyTorch's own trajectory moves by when its
          // gradients change in the last bit, where Adam amplifies that beyond 1e-5.
          const double sensitivity = cp["sensitivity"].get<double>();
          for (size_t i = 0; i < got.size(); ++i) {
            const double tol = std::max(1e-6 + 1e-5 * std::fabs(want[i]), 10 * sensitivity);
            EXPECT_LE(std::fabs(double(got[i]) - double(want[i])), tol)
                << name << "[" << i << "] = " << got[i] << ", PyTorch " << want[i];
          }
        }
      }
      // Learning rates are plain doubles on both sides: exact.
      std::vector<double> lrs;
      for (const auto& g : opt->param_groups()) lrs.push_back(g.options().get_lr());
      EXPECT_EQ(lrs, cp["lr"].get<std::vector<double>>());
      if (sched) {
        EXPECT_EQ(sched->get_last_lr(), cp["last_lr"].get<std::vector<double>>());
      }
    }
  }
  EXPECT_EQ(next, checkpoints.size());
  std::cout << "[ deviation ] " << GetParam() << ": " << dev.differing << " values differ, max "
            << dev.max_ulp << " ulp, max rel " << dev.max_rel << ", max abs " << dev.max_abs
            << "\n";
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimTrajectory, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OptimTrajectory);

TEST(OptimFixtures, Present) {
  ASSERT_FALSE(fixture().is_null()) << "missing " TG_FIXTURE_DIR "/optim/trajectories.json";
  EXPECT_EQ(fixture()["cases"].size(), 30u);
}

// The in-place ops the update rules are built from round exactly as PyTorch's AVX2 kernels do.
TEST(OptimFixtures, PointwiseOpsMatchPyTorchBitForBit) {
  ASSERT_FALSE(fixture().is_null());
  const json& pw = fixture()["pointwise"];
  const tg::Tensor a = from_json(pw["inputs"]["a"]), b = from_json(pw["inputs"]["b"]),
                   c = from_json(pw["inputs"]["c"]);
  const double v = pw["value"];
  std::map<std::string, tg::Tensor> got = {
      {"add_alpha", a.clone().add_(b, v)},       {"sub_alpha", a.clone().sub_(b, v)},
      {"add_out_alpha", a.add(b, -0.37)},        {"mul_scalar", a.clone().mul_(0.9)},
      {"div_scalar", a / 0.987654321},           {"addcmul", a.clone().addcmul_(b, c, v)},
      {"addcdiv", a.clone().addcdiv_(b, c, -v)},
  };
  for (const auto& [name, want] : pw["results"].items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(got.count(name));
    EXPECT_EQ(to_vector(got[name]), want["values"].get<std::vector<float>>());
  }
}

}  // namespace
