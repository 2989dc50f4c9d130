// Replays PyTorch 1.13's trajectories for RMSprop, Adagrad, LBFGS and the schedulers beyond
// StepLR (tests/fixtures/optim/trajectories_more.json, made by scripts/make_optim_fixtures.py).
// As in test_optimizers.cpp: on "quad" the gradients are PyTorch's bit for bit, so the
// element-wise optimizers must match exactly; on "mlp" (and for LBFGS, whose dot products may sum
// in another order than PyTorch's BLAS) they agree to a tolerance. Learning rates (and OneCycle's
// momentum) are doubles on both sides and must be equal.
#include <gtest/gtest.h>
#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "error_of.h"
#include "trajectory_fixture.h"

namespace {

using namespace tg_optim_test;

using nlohmann::json;
namespace optim = tg::optim;

const json& fixture() {
  static const json j = load_fixture("trajectories_more.json");
  return j;
}

std::unique_ptr<optim::OptimizerOptions> options_for(const std::string& kind, const json& o) {
  const double lr = o.at("lr");
  if (kind == "sgd")
    return std::make_unique<optim::SGDOptions>(
        optim::SGDOptions(lr).momentum(o.value("momentum", 0.0)));
  if (kind == "adam") return std::make_unique<optim::AdamOptions>(lr);
  if (kind == "rmsprop")
    return std::make_unique<optim::RMSpropOptions>(optim::RMSpropOptions(lr)
                                                       .alpha(o.value("alpha", 0.99))
                                                       .eps(o.value("eps", 1e-8))
                                                       .weight_decay(o.value("weight_decay", 0.0))
                                                       .momentum(o.value("momentum", 0.0))
                                                       .centered(o.value("centered", false)));
  if (kind == "adagrad")
    return std::make_unique<optim::AdagradOptions>(
        optim::AdagradOptions(lr)
            .lr_decay(o.value("lr_decay", 0.0))
            .weight_decay(o.value("weight_decay", 0.0))
            .initial_accumulator_value(o.value("initial_accumulator_value", 0.0))
            .eps(o.value("eps", 1e-10)));
  optim::LBFGSOptions l(lr);
  l.max_iter(o.value("max_iter", 20)).history_size(o.value("history_size", 100));
  if (o.contains("line_search_fn")) l.line_search_fn(o["line_search_fn"].get<std::string>());
  return std::make_unique<optim::LBFGSOptions>(l);
}

std::unique_ptr<optim::Optimizer> make_optimizer(const json& c,
                                                 std::map<std::string, tg::Tensor>& params) {
  const std::string kind = c.at("optimizer");
  auto groups = param_groups(c, params, options_for);
  auto defaults = options_for(kind, c.at("options"));
  if (kind == "sgd")
    return std::make_unique<optim::SGD>(groups, static_cast<optim::SGDOptions&>(*defaults));
  if (kind == "adam")
    return std::make_unique<optim::Adam>(groups, static_cast<optim::AdamOptions&>(*defaults));
  if (kind == "rmsprop")
    return std::make_unique<optim::RMSprop>(groups, static_cast<optim::RMSpropOptions&>(*defaults));
  if (kind == "adagrad")
    return std::make_unique<optim::Adagrad>(groups, static_cast<optim::AdagradOptions&>(*defaults));
  return std::make_unique<optim::LBFGS>(groups, static_cast<optim::LBFGSOptions&>(*defaults));
}

// The scheduler a case names: an LRScheduler, or ReduceLROnPlateau (stepped with the loss).
struct Schedulers {
  std::unique_ptr<optim::LRScheduler> lr;
  std::unique_ptr<optim::ReduceLROnPlateauScheduler> plateau;
};

Schedulers make_scheduler(const json& s, optim::Optimizer& opt) {
  Schedulers out;
  const std::string type = s.at("type");
  if (type == "exponential") {
    out.lr = std::make_unique<optim::ExponentialLR>(opt, s["gamma"].get<double>());
  } else if (type == "multistep") {
    out.lr = std::make_unique<optim::MultiStepLR>(opt, s["milestones"].get<std::vector<int64_t>>(),
                                                  s["gamma"].get<double>());
  } else if (type == "cosine") {
    out.lr = std::make_unique<optim::CosineAnnealingLR>(opt, s["T_max"].get<int64_t>(),
                                                        s["eta_min"].get<double>());
  } else if (type == "onecycle") {
    out.lr = std::make_unique<optim::OneCycleLR>(
        opt, s["max_lr"].get<double>(), s["total_steps"].get<int64_t>(),
        optim::OneCycleLROptions()
            .pct_start(s["pct_start"])
            .anneal_strategy(s["anneal_strategy"] == "cos" ? optim::OneCycleLROptions::cos
                                                           : optim::OneCycleLROptions::linear)
            .three_phase(s["three_phase"]));
  } else {
    using P = optim::ReduceLROnPlateauScheduler;
    out.plateau = std::make_unique<P>(
        opt, s["mode"] == "min" ? P::min : P::max, s["factor"].get<double>(),
        s["patience"].get<int>(), s["threshold"].get<double>(),
        s["threshold_mode"] == "rel" ? P::rel : P::abs, s["cooldown"].get<int>(),
        std::vector<double>{s["min_lr"].get<double>()});
  }
  return out;
}

double momentum_of(const optim::OptimizerOptions& o) {
  if (auto* s = dynamic_cast<const optim::SGDOptions*>(&o)) return s->momentum();
  return std::get<0>(dynamic_cast<const optim::AdamOptions&>(o).betas());
}

std::vector<std::string> case_names() { return tg_optim_test::case_names(fixture()); }

class OptimTrajectoryMore : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimTrajectoryMore, MatchesPyTorch) {
  const json* found = find_case(fixture(), GetParam());
  ASSERT_NE(found, nullptr);
  const json& c = *found;
  const std::string problem = c.at("problem");
  const bool lbfgs = c["optimizer"] == "lbfgs";
  Problem prob = load_problem(fixture(), problem);
  auto& data = prob.data;
  auto& params = prob.params;
  auto opt = make_optimizer(c, params);
  Schedulers sched;
  if (c.contains("scheduler")) sched = make_scheduler(c["scheduler"], *opt);

  size_t next = 0;
  const auto& checkpoints = c.at("checkpoints");
  const int steps = c.at("steps");
  for (int step = 1; step <= steps; ++step) {
    tg::Tensor loss;
    if (lbfgs) {
      loss = opt->step([&] {
        opt->zero_grad();
        tg::Tensor l = loss_fn(problem, data, params["W"], params["b"]);
        l.backward();
        return l;
      });
    } else {
      opt->zero_grad();
      loss = loss_fn(problem, data, params["W"], params["b"]);
      loss.backward();
      opt->step();
    }
    if (sched.lr) sched.lr->step();
    if (sched.plateau) sched.plateau->step(loss.item<double>());
    if (next < checkpoints.size() && checkpoints[next]["step"].get<int>() == step) {
      const json& cp = checkpoints[next++];
      SCOPED_TRACE("step " + std::to_string(step));
      for (const char* name : {"W", "b"}) {
        const std::vector<float> got = to_vector(params[name]);
        const std::vector<float> want = cp[name].get<std::vector<float>>();
        ASSERT_EQ(got.size(), want.size());
        if (problem == "quad" && !lbfgs) {
          EXPECT_EQ(got, want) << name;
        } else {
          const double sensitivity = cp["sensitivity"].get<double>();
          for (size_t i = 0; i < got.size(); ++i) {
            const double tol = std::max(1e-6 + 1e-5 * std::fabs(want[i]), 10 * sensitivity);
            EXPECT_LE(std::fabs(double(got[i]) - double(want[i])), tol)
                << name << "[" << i << "] = " << got[i] << ", PyTorch " << want[i];
          }
        }
      }
      std::vector<double> lrs;
      for (const auto& g : opt->param_groups()) lrs.push_back(g.options().get_lr());
      EXPECT_EQ(lrs, cp["lr"].get<std::vector<double>>());
      if (sched.lr) {
        EXPECT_EQ(sched.lr->get_last_lr(), cp["last_lr"].get<std::vector<double>>());
      }
      if (cp.contains("momentum")) {
        EXPECT_EQ(momentum_of(opt->param_groups()[0].options()), cp["momentum"].get<double>());
      }
    }
  }
  EXPECT_EQ(next, checkpoints.size());
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimTrajectoryMore, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OptimTrajectoryMore);

TEST(OptimFixturesMore, Present) {
  ASSERT_FALSE(fixture().is_null()) << "missing " TG_FIXTURE_DIR "/optim/trajectories_more.json";
  EXPECT_EQ(fixture()["cases"].size(), 34u);
}

using tg_test::error_of;

TEST(OptimMore, OptionErrors) {
  auto w = tg::zeros({2}, tg::requires_grad());
  EXPECT_EQ(error_of([&] { optim::RMSprop({w}, optim::RMSpropOptions(-1)); }),
            "RMSprop: Invalid learning rate: -1.0");
  EXPECT_EQ(error_of([&] { optim::RMSprop({w}, optim::RMSpropOptions().alpha(-0.5)); }),
            "RMSprop: Invalid alpha value: -0.5");
  EXPECT_EQ(error_of([&] { optim::Adagrad({w}, optim::AdagradOptions().lr_decay(-1)); }),
            "Adagrad: Invalid lr_decay value: -1.0");
  EXPECT_EQ(
      error_of([&] { optim::Adagrad({w}, optim::AdagradOptions().initial_accumulator_value(-1)); }),
      "Adagrad: Invalid initial_accumulator_value value: -1.0");
  EXPECT_EQ(
      error_of([&] { optim::LBFGS({w}, optim::LBFGSOptions().line_search_fn("backtracking")); }),
      "LBFGS: only 'strong_wolfe' is supported");
  optim::LBFGS lbfgs({w});
  EXPECT_NE(error_of([&] { lbfgs.step(nullptr); }).find("requires a closure"), std::string::npos);
  optim::SGD sgd({w}, 0.1);
  EXPECT_NE(error_of([&] {
              optim::OneCycleLR(sgd, 0.1, 0);
            }).find("Expected positive integer total_steps"),
            std::string::npos);
  optim::OneCycleLR one(sgd, 0.1, 2);
  one.step();
  one.step();
  EXPECT_EQ(error_of([&] { one.step(); }),
            "OneCycleLR: Tried to step 3 times. The specified number of total steps is 2");
  optim::Adagrad adagrad({w});
  EXPECT_NE(error_of([&] { optim::OneCycleLR(adagrad, 0.1, 10); }).find("must support momentum"),
            std::string::npos);
  EXPECT_EQ(error_of([&] {
              optim::ReduceLROnPlateauScheduler(sgd, optim::ReduceLROnPlateauScheduler::min, 1.5);
            }),
            "ReduceLROnPlateau: Factor should be < 1.0.");
}

TEST(OptimMore, AdagradStateExistsBeforeTheFirstStep) {
  auto w = tg::zeros({3}, tg::requires_grad());
  optim::Adagrad opt({w}, optim::AdagradOptions().initial_accumulator_value(0.25));
  ASSERT_EQ(opt.state().size(), 1u);
  auto& st = static_cast<optim::AdagradParamState&>(*opt.state().begin()->second);
  EXPECT_EQ(st.step(), 0);
  EXPECT_TRUE(st.sum().equal(tg::full({3}, 0.25)));
}

// A strong-Wolfe LBFGS minimises the Rosenbrock function in a few steps (this start needs the
// line search's interpolation and zoom; PyTorch ends at 1 - 2.0e-6, 1 - 2.7e-6).
TEST(OptimMore, LbfgsMinimisesRosenbrock) {
  auto x = tg::tensor({-1.5, 2.0}, tg::kFloat64).requires_grad_();
  optim::LBFGS opt({x}, optim::LBFGSOptions(1).line_search_fn("strong_wolfe").max_iter(100));
  auto closure = [&] {
    opt.zero_grad();
    auto a = x[0], b = x[1];
    auto l = (1 - a).pow(2) + 100 * (b - a * a).pow(2);
    l.backward();
    return l;
  };
  for (int i = 0; i < 5; ++i) opt.step(closure);
  EXPECT_NEAR(x[0].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(x[1].item<double>(), 1.0, 1e-5);
}

}  // namespace
