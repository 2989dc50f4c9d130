// The libtorch-shaped optimizer API: options with chained setters, param groups, state, zero_grad,
// closures, error messages and StepLR's schedule.
#include <gtest/gtest.h>
#include <tensorgrad/optim.h>
#include <tensorgrad/tensorgrad.h>

#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "error_of.h"
#include "optim/common.h"

namespace optim = tg::optim;

namespace {

// loss = sum((w - 1)^2): grad = 2 (w - 1).
tg::Tensor quad_loss(const tg::Tensor& w) { return (w - 1.0).pow(2).sum(); }

using tg_test::error_of;

struct TwoParamsImpl : tg::nn::Module {
  TwoParamsImpl() {
    w = register_parameter("w", tg::tensor({0.5f, -1.5f}));
    b = register_parameter("b", tg::tensor({2.0f}));
  }
  tg::Tensor w, b;
};

}  // namespace

TEST(OptimOptions, ChainedSettersAndGetters) {
  auto sgd = optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(1e-4).nesterov(false);
  EXPECT_EQ(sgd.lr(), 0.1);
  EXPECT_EQ(sgd.momentum(), 0.9);
  EXPECT_EQ(sgd.dampening(), 0.1);
  EXPECT_EQ(sgd.weight_decay(), 1e-4);
  EXPECT_FALSE(sgd.nesterov());
  sgd.lr(0.01);
  EXPECT_EQ(sgd.lr(), 0.01);
  EXPECT_EQ(sgd.get_lr(), 0.01);
  sgd.set_lr(0.5);
  EXPECT_EQ(sgd.lr(), 0.5);

  optim::AdamOptions adam;  // libtorch's defaults
  EXPECT_EQ(adam.lr(), 1e-3);
  EXPECT_EQ(adam.betas(), std::make_tuple(0.9, 0.999));
  EXPECT_EQ(adam.eps(), 1e-8);
  EXPECT_EQ(adam.weight_decay(), 0.0);
  EXPECT_FALSE(adam.amsgrad());
  auto adam2 =
      optim::AdamOptions(0.01).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.1).amsgrad(true);
  EXPECT_EQ(std::get<0>(adam2.betas()), 0.8);
  EXPECT_EQ(std::get<1>(adam2.betas()), 0.99);
  adam2.betas(std::make_tuple(0.5, 0.6));
  EXPECT_EQ(adam2.betas(), std::make_tuple(0.5, 0.6));
  EXPECT_TRUE(adam2.amsgrad());

  optim::AdamWOptions adamw;
  EXPECT_EQ(adamw.lr(), 1e-3);
  EXPECT_EQ(adamw.weight_decay(), 1e-2);  // AdamW's own default
  EXPECT_EQ(adamw.betas(), std::make_tuple(0.9, 0.999));

  EXPECT_TRUE(optim::SGDOptions(0.1).momentum(0.9) == optim::SGDOptions(0.1).momentum(0.9));
  EXPECT_FALSE(optim::SGDOptions(0.1) == optim::SGDOptions(0.2));
  EXPECT_TRUE(optim::AdamOptions(0.1) == optim::AdamOptions(0.1));
}

TEST(OptimParamGroups, DefaultsAndGroupOptions) {
  auto w = tg::zeros({2}, tg::requires_grad());
  auto b = tg::zeros({1}, tg::requires_grad());
  auto c = tg::zeros({3}, tg::requires_grad());
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<tg::Tensor>{w});
  groups.emplace_back(std::vector<tg::Tensor>{b}, std::make_unique<optim::SGDOptions>(0.5));
  optim::SGD opt(groups, optim::SGDOptions(0.1).momentum(0.9));
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.size(), 2u);
  // A group without options gets a copy of the defaults; one with options keeps its own.
  auto& g0 = static_cast<optim::SGDOptions&>(opt.param_groups()[0].options());
  auto& g1 = static_cast<optim::SGDOptions&>(opt.param_groups()[1].options());
  EXPECT_EQ(g0.lr(), 0.1);
  EXPECT_EQ(g0.momentum(), 0.9);
  EXPECT_EQ(g1.lr(), 0.5);
  EXPECT_EQ(g1.momentum(), 0.0);
  g0.lr(0.2);  // a copy: the defaults stay
  EXPECT_EQ(static_cast<optim::SGDOptions&>(opt.defaults()).lr(), 0.1);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.2);

  opt.add_param_group(optim::OptimizerParamGroup({c}));
  ASSERT_EQ(opt.param_groups().size(), 3u);
  EXPECT_EQ(opt.param_groups()[2].options().get_lr(), 0.1);
  EXPECT_TRUE(opt.param_groups()[2].params()[0].is_same(c));
  EXPECT_EQ(opt.parameters().size(), 1u);
  EXPECT_TRUE(opt.parameters()[0].is_same(w));
  EXPECT_EQ(opt.size(), 3u);

  EXPECT_NE(error_of([&] {
              opt.add_param_group(optim::OptimizerParamGroup({w}));
            }).find("some parameters appear in more than one parameter group"),
            std::string::npos);
  auto nonleaf = w * 2;
  EXPECT_NE(error_of([&] {
              opt.add_param_group(optim::OptimizerParamGroup({nonleaf}));
            }).find("can't optimize a non-leaf Tensor"),
            std::string::npos);
  // Options of another optimizer are reported, not misread.
  std::vector<optim::OptimizerParamGroup> bad;
  bad.emplace_back(std::vector<tg::Tensor>{w}, std::make_unique<optim::SGDOptions>(0.1));
  EXPECT_NE(error_of([&] { optim::Adam(bad, optim::AdamOptions(0.1)); }).find("Adam"),
            std::string::npos);
}

TEST(OptimParamGroups, GroupsUseTheirOwnLearningRate) {
  auto w = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  auto b = tg::tensor({3.0f}, tg::requires_grad());
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<tg::Tensor>{w}, std::make_unique<optim::SGDOptions>(0.1));
  groups.emplace_back(std::vector<tg::Tensor>{b}, std::make_unique<optim::SGDOptions>(0.01));
  optim::SGD opt(groups, optim::SGDOptions(1.0));
  (w.sum() + b.sum()).backward();
  opt.step();
  EXPECT_FLOAT_EQ(w[0].item<float>(), 0.9f);
  EXPECT_FLOAT_EQ(w[1].item<float>(), 1.9f);
  EXPECT_FLOAT_EQ(b[0].item<float>(), 2.99f);
}

TEST(OptimZeroGrad, ZerosInPlaceOrSetsToNone) {
  auto w = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  optim::SGD opt({w}, 0.1);
  EXPECT_NO_THROW(opt.zero_grad());  // no gradient yet
  quad_loss(w).backward();
  ASSERT_TRUE(w.grad().defined());
  const void* storage = w.grad().data_ptr();
  opt.zero_grad();
  ASSERT_TRUE(w.grad().defined());
  EXPECT_EQ(w.grad().data_ptr(), storage);  // the same tensor, cleared in place
  EXPECT_EQ(w.grad().abs().sum().item<float>(), 0.0f);
  quad_loss(w).backward();
  EXPECT_FLOAT_EQ(w.grad()[1].item<float>(), 2.0f);  // accumulates from zero
  opt.zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(w.grad().defined());
}

TEST(OptimZeroGrad, DetachesGradientsWithHistory) {
  auto w = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  optim::SGD opt({w}, 0.1);
  w.pow(3).sum().backward({}, std::nullopt, /*create_graph=*/true);
  ASSERT_TRUE(w.grad().requires_grad());
  opt.zero_grad();
  EXPECT_FALSE(w.grad().requires_grad());
  EXPECT_EQ(w.grad().grad_fn(), nullptr);
  EXPECT_EQ(w.grad().abs().sum().item<float>(), 0.0f);
}

TEST(OptimStep, SkipsParametersWithoutGradient) {
  auto w = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  auto unused = tg::tensor({5.0f}, tg::requires_grad());
  for (int kind = 0; kind < 3; ++kind) {
    std::unique_ptr<optim::Optimizer> opt;
    if (kind == 0)
      opt = std::make_unique<optim::SGD>(std::vector<tg::Tensor>{w, unused},
                                         optim::SGDOptions(0.1).momentum(0.9));
    if (kind == 1) opt = std::make_unique<optim::Adam>(std::vector<tg::Tensor>{w, unused});
    if (kind == 2) opt = std::make_unique<optim::AdamW>(std::vector<tg::Tensor>{w, unused});
    opt->zero_grad();
    quad_loss(w).backward();
    opt->step();
    EXPECT_EQ(unused.item<float>(), 5.0f);
    EXPECT_EQ(opt->state().count(optim::param_state_key(unused)), 0u);
    EXPECT_EQ(opt->state().count(optim::param_state_key(w)), 1u);
  }
}

TEST(OptimStep, RunsWithoutRecordingAndKeepsLeaves) {
  auto w = tg::tensor({1.0f, 2.0f}, tg::requires_grad());
  optim::Adam opt({w}, optim::AdamOptions(0.1));
  quad_loss(w).backward();
  opt.step();
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.grad_fn(), nullptr);
  EXPECT_TRUE(tg::is_grad_enabled());  // restored after the step
}

TEST(OptimStep, ClosureRunsWithGradientsAndItsLossIsReturned) {
  auto w = tg::tensor({3.0f}, tg::requires_grad());
  optim::SGD opt({w}, 0.25);
  EXPECT_FALSE(opt.step().defined());  // no closure, no gradient: nothing happens
  EXPECT_EQ(w.item<float>(), 3.0f);
  int calls = 0;
  tg::Tensor loss = opt.step([&] {
    ++calls;
    EXPECT_TRUE(tg::is_grad_enabled());
    opt.zero_grad();
    auto l = quad_loss(w);
    l.backward();
    return l;
  });
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(loss.defined());
  EXPECT_FLOAT_EQ(loss.item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(w.item<float>(), 2.0f);  // 3 - 0.25 * 2 * (3 - 1)
  tg::NoGradGuard no_grad;  // a closure still gets gradients under an outer NoGradGuard
  opt.step([&] {
    EXPECT_TRUE(tg::is_grad_enabled());
    opt.zero_grad();
    auto l = quad_loss(w);
    l.backward();
    return l;
  });
  EXPECT_FALSE(tg::is_grad_enabled());
  EXPECT_FLOAT_EQ(w.item<float>(), 1.5f);
}

TEST(OptimState, SgdMomentumBufferAndAdamMoments) {
  auto w = tg::tensor({1.0f, 3.0f}, tg::requires_grad());
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9));
  quad_loss(w).backward();
  sgd.step();
  ASSERT_EQ(sgd.state().size(), 1u);
  auto& st = static_cast<optim::SGDParamState&>(*sgd.state().at(optim::param_state_key(w)));
  // The first buffer is a copy of the gradient, not the gradient itself.
  EXPECT_TRUE(tg::equal(st.momentum_buffer(), w.grad()));
  EXPECT_NE(st.momentum_buffer().data_ptr(), w.grad().data_ptr());

  auto v = tg::tensor({1.0f, 3.0f}, tg::requires_grad());
  optim::Adam adam({v}, optim::AdamOptions(0.1).amsgrad(true));
  for (int i = 0; i < 3; ++i) {
    adam.zero_grad();
    quad_loss(v).backward();
    adam.step();
  }
  auto& ast = static_cast<optim::AdamParamState&>(*adam.state().at(optim::param_state_key(v)));
  EXPECT_EQ(ast.step(), 3);
  EXPECT_TRUE(ast.exp_avg().defined());
  EXPECT_TRUE(ast.exp_avg_sq().defined());
  ASSERT_TRUE(ast.max_exp_avg_sq().defined());
  EXPECT_TRUE((ast.max_exp_avg_sq() >= ast.exp_avg_sq()).all().item<bool>());
  auto copy = ast.clone();
  EXPECT_TRUE(static_cast<optim::AdamParamState&>(*copy) == ast);
}

TEST(OptimState, KeyIsTheTensorImplAddressAsLibtorchWritesIt) {
  auto w = tg::zeros({1});
  std::ostringstream ss;
  ss << static_cast<const void*>(w.unsafeGetTensorImpl());
  EXPECT_EQ(optim::param_state_key(w), ss.str());
}

TEST(OptimErrors, BadOptionsNameTheOptimizerAndTheValue) {
  auto w = tg::zeros({1}, tg::requires_grad());
  std::vector<tg::Tensor> ps{w};
  EXPECT_EQ(error_of([&] { optim::SGD(ps, -0.1); }), "SGD: Invalid learning rate: -0.1");
  EXPECT_EQ(error_of([&] { optim::SGD(ps, optim::SGDOptions(0.1).momentum(-0.5)); }),
            "SGD: Invalid momentum value: -0.5");
  EXPECT_EQ(error_of([&] { optim::SGD(ps, optim::SGDOptions(0.1).weight_decay(-1)); }),
            "SGD: Invalid weight_decay value: -1.0");
  EXPECT_NE(error_of([&] {
              optim::SGD(ps, optim::SGDOptions(0.1).nesterov(true));
            }).find("SGD: Nesterov momentum requires a momentum and zero dampening"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              optim::SGD(ps, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true));
            }).find("Nesterov momentum requires a momentum and zero dampening"),
            std::string::npos);
  EXPECT_NO_THROW(optim::SGD(ps, optim::SGDOptions(0.1).momentum(0.9).nesterov(true)));
  EXPECT_EQ(error_of([&] { optim::Adam(ps, optim::AdamOptions(-1e-5)); }),
            "Adam: Invalid learning rate: -1e-05");
  EXPECT_EQ(error_of([&] {
              optim::Adam(ps, optim::AdamOptions(0.1).betas({1.0, 0.999}));
            }),
            "Adam: Invalid beta parameter at index 0: 1.0");
  EXPECT_EQ(error_of([&] {
              optim::Adam(ps, optim::AdamOptions(0.1).betas({0.9, -0.0001}));
            }),
            "Adam: Invalid beta parameter at index 1: -0.0001");
  EXPECT_EQ(error_of([&] { optim::Adam(ps, optim::AdamOptions(0.1).eps(-1e-8)); }),
            "Adam: Invalid epsilon value: -1e-08");
  EXPECT_EQ(error_of([&] { optim::Adam(ps, optim::AdamOptions(0.1).weight_decay(-0.25)); }),
            "Adam: Invalid weight_decay value: -0.25");
  EXPECT_EQ(error_of([&] {
              optim::AdamW(ps, optim::AdamWOptions(0.1).betas({0.9, 1.5}));
            }),
            "AdamW: Invalid beta parameter at index 1: 1.5");
  EXPECT_EQ(error_of([&] { optim::AdamW(ps, optim::AdamWOptions(-2)); }),
            "AdamW: Invalid learning rate: -2.0");
  // Group options are checked too.
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(ps, std::make_unique<optim::SGDOptions>(-3.0));
  EXPECT_EQ(error_of([&] { optim::SGD(groups, 0.1); }), "SGD: Invalid learning rate: -3.0");
}

TEST(OptimModule, OptimizesAModulesParameters) {
  auto net = std::make_shared<TwoParamsImpl>();
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1).momentum(0.5));
  ASSERT_EQ(opt.parameters().size(), 2u);
  EXPECT_TRUE(opt.parameters()[0].is_same(net->w));
  float first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    opt.zero_grad();
    auto loss = quad_loss(net->w) + quad_loss(net->b);
    loss.backward();
    opt.step();
    (i == 0 ? first : last) = loss.item<float>();
  }
  EXPECT_LT(last, first * 1e-3f);
  EXPECT_NEAR(net->w[1].item<float>(), 1.0f, 1e-2f);
  EXPECT_NEAR(net->b[0].item<float>(), 1.0f, 1e-2f);
}

TEST(OptimStepLR, DecaysLikePython) {
  auto w = tg::zeros({1}, tg::requires_grad());
  optim::SGD opt({w}, 1.0);
  optim::StepLR sched(opt, 3, 0.5);
  EXPECT_EQ(sched.get_last_lr(), std::vector<double>{1.0});
  // Python: lr after each scheduler.step() for step_size=3, gamma=0.5.
  const std::vector<double> expected{1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125};
  for (double want : expected) {
    opt.step();
    sched.step();
    EXPECT_EQ(opt.param_groups()[0].options().get_lr(), want);
    EXPECT_EQ(sched.get_last_lr(), std::vector<double>{want});
  }
}

TEST(OptimStepLR, ScalesEveryGroupAndKeepsManualChanges) {
  auto w = tg::zeros({1}, tg::requires_grad());
  auto b = tg::zeros({1}, tg::requires_grad());
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<tg::Tensor>{w}, std::make_unique<optim::AdamOptions>(0.1));
  groups.emplace_back(std::vector<tg::Tensor>{b}, std::make_unique<optim::AdamOptions>(0.01));
  optim::Adam opt(groups);
  optim::StepLR sched(opt, 2);  // gamma defaults to 0.1
  sched.step();
  sched.step();
  EXPECT_EQ(sched.get_last_lr(), (std::vector<double>{0.1 * 0.1, 0.01 * 0.1}));
  opt.param_groups()[0].options().set_lr(1.0);  // chainable: a manual change carries over
  sched.step();
  sched.step();
  EXPECT_EQ(sched.get_last_lr(), (std::vector<double>{1.0 * 0.1, 0.01 * 0.1 * 0.1}));
}

// Numbers in the error messages are written as Python's repr(float) writes them.
TEST(OptimErrors, NumbersAreWrittenAsPythonWritesThem) {
  using tg::optim::detail::format_number;
  const std::vector<std::pair<double, std::string>> cases = {{0.1, "0.1"},
                                                             {-1.0, "-1.0"},
                                                             {1e-5, "1e-05"},
                                                             {0.0001, "0.0001"},
                                                             {1e16, "1e+16"},
                                                             {1e15, "1000000000000000.0"},
                                                             {123.456, "123.456"},
                                                             {-2.5e-7, "-2.5e-07"},
                                                             {1.5e300, "1.5e+300"},
                                                             {0.0, "0.0"},
                                                             {-0.0, "-0.0"},
                                                             {0.999, "0.999"},
                                                             {2.0 / 3, "0.6666666666666666"}};
  for (const auto& [v, want] : cases) EXPECT_EQ(format_number(v), want) << v;
}
