// Normalization against PyTorch (tests/fixtures/nn/normalization.json, made by
// scripts/make_pool_norm_fixtures.py): outputs, node names, the gradients of input, weight and
// bias, and running statistics (batch norm over several training steps with a momentum and with
// the cumulative average, then evaluation); float64 gradcheck and gradgradcheck; the modules'
// parameters, buffers and printing; the errors in PyTorch's words, with nothing updated.
#include <gtest/gtest.h>

#include <sstream>

#include "error_of.h"
#include "nn/pool_norm_fixtures.h"
#include "ops/gradcheck.h"

namespace F = tg::nn::functional;
using pool_norm::json;
using tg_test::error_of;

namespace {

tg::Tensor param(const json& c, const char* name, tg::ScalarType dt, bool grad) {
  if (!c.contains(name)) return {};
  std::vector<double> v = c[name].get<std::vector<double>>();
  tg::Tensor t = tg::tensor(v, tg::kFloat64).to(dt);
  return grad ? t.requires_grad_() : t;
}

}  // namespace

TEST(Normalization, MatchPyTorch) {
  json fx = pool_norm::load("normalization.json");
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    const std::string kind = c["kind"];
    const tg::ScalarType dt = pool_norm::dtype_of(c);
    const json& opt = c["options"];
    const std::string what = kind + " " + c["shape"].dump() + " " + opt.dump() + " " +
                             c["layout"].get<std::string>() + " " + c["dtype"].get<std::string>();
    tg::Tensor x = pool_norm::laid_out(pool_norm::from(c["input"], c["shape"], dt), c["layout"])
                       .requires_grad_();
    tg::Tensor w = param(c, "weight", dt, true), b = param(c, "bias", dt, true);
    tg::Tensor rm = param(c, "running_mean", dt, false), rv = param(c, "running_var", dt, false);
    const double eps = opt.value("eps", 1e-5);
    tg::Tensor out;
    if (kind == "batch_norm") {
      out = F::batch_norm(x, rm, rv,
                          F::BatchNormFuncOptions()
                              .weight(w)
                              .bias(b)
                              .training(opt.value("training", false))
                              .momentum(opt.value("momentum", 0.1))
                              .eps(eps));
    } else if (kind == "instance_norm") {
      out = F::instance_norm(x, F::InstanceNormFuncOptions()
                                    .running_mean(rm)
                                    .running_var(rv)
                                    .weight(w)
                                    .bias(b)
                                    .use_input_stats(opt.value("use_input_stats", true))
                                    .momentum(opt.value("momentum", 0.1))
                                    .eps(eps));
    } else if (kind == "layer_norm") {
      std::vector<int64_t> shape = {c["shape"].back().get<int64_t>()};
      if (!opt["normalized_shape"].is_null())
        shape = opt["normalized_shape"].get<std::vector<int64_t>>();
      if (w.defined()) {
        w = w.detach().reshape(shape).requires_grad_();
        b = b.detach().reshape(shape).requires_grad_();
      }
      out = F::layer_norm(x, F::LayerNormFuncOptions(shape).weight(w).bias(b).eps(eps));
    } else if (kind == "group_norm") {
      out = F::group_norm(
          x, F::GroupNormFuncOptions(opt["num_groups"].get<int64_t>()).weight(w).bias(b).eps(eps));
    } else if (kind == "local_response_norm") {
      out = F::local_response_norm(x, tg::nn::LocalResponseNormOptions(opt["size"].get<int64_t>())
                                          .alpha(opt.value("alpha", 1e-4))
                                          .beta(opt.value("beta", 0.75))
                                          .k(opt.value("k", 1.0)));
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
      continue;
    }
    pool_norm::expect_close(out, c["output"], dt, what + " output");
    EXPECT_EQ(out.sizes().vec(), c["shape"].get<std::vector<int64_t>>()) << what;
    ASSERT_NE(out.grad_fn(), nullptr) << what;
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>()) << what;
    if (rm.defined()) {
      pool_norm::expect_close(rm, c["running_mean_after"], dt, what + " running_mean");
      pool_norm::expect_close(rv, c["running_var_after"], dt, what + " running_var");
    }
    out.backward(pool_norm::from(c["upstream"], out.sizes().vec(), dt));
    pool_norm::expect_close(x.grad(), c["grad_input"], dt, what + " grad input");
    if (w.defined()) {
      pool_norm::expect_close(w.grad(), c["grad_weight"], dt, what + " grad weight");
      pool_norm::expect_close(b.grad(), c["grad_bias"], dt, what + " grad bias");
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(fx["cases"].size()));
  EXPECT_GE(checked, 20);
}

TEST(Normalization, BatchNormModuleRunningStats) {
  json fx = pool_norm::load("normalization.json");
  for (const auto& m : fx["modules"]) {
    const std::vector<int64_t> shape = m["shape"];
    const int64_t c = shape[1];
    auto o = tg::nn::BatchNormOptions(c);
    if (m["momentum"].is_null())
      o.momentum(std::nullopt);
    else
      o.momentum(m["momentum"].get<double>());
    std::shared_ptr<tg::nn::BatchNormImplBase> bn;
    if (shape.size() == 4)
      bn = tg::nn::BatchNorm2d(o).ptr();
    else
      bn = tg::nn::BatchNorm1d(o).ptr();
    {
      tg::NoGradGuard guard;
      bn->weight.copy_(tg::linspace(0.5, 1.5, c));
      bn->bias.copy_(tg::linspace(-0.2, 0.2, c));
    }
    const std::string what = "momentum " + m["momentum"].dump();
    tg::Tensor out;
    for (const auto& step : m["steps"]) out = bn->forward(pool_norm::from(step, shape, tg::kFloat));
    pool_norm::expect_close(out, m["last_train_output"], tg::kFloat, what + " train output");
    pool_norm::expect_close(bn->running_mean, m["running_mean"], tg::kFloat, what + " mean");
    pool_norm::expect_close(bn->running_var, m["running_var"], tg::kFloat, what + " var");
    EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), m["num_batches_tracked"].get<int64_t>());
    bn->eval();
    pool_norm::expect_close(bn->forward(pool_norm::from(m["eval_input"], shape, tg::kFloat)),
                            m["eval_output"], tg::kFloat, what + " eval output");
  }
}

TEST(Normalization, Gradcheck) {
  tgtest::Rng rng(99);
  auto u = [&](std::vector<int64_t> s, double lo = -2.0, double hi = 2.0) {
    return tgtest::uniform(s, lo, hi, rng).requires_grad_();
  };
  struct Row {
    std::string name;
    std::vector<tg::Tensor> inputs;
    tgtest::TensorFn fn;
  };
  tg::Tensor rm = tgtest::uniform({3}, -0.5, 0.5, rng), rv = tgtest::uniform({3}, 0.5, 1.5, rng);
  std::vector<Row> rows = {
      {"batch_norm train",
       {u({4, 3, 2, 3}), u({3}), u({3})},
       [](const std::vector<tg::Tensor>& v) {
         return tg::batch_norm(v[0], v[1], v[2], {}, {}, true, 0.1, 1e-5);
       }},
      {"batch_norm train no affine, transposed",
       {u({3, 5, 4})},
       [](const std::vector<tg::Tensor>& v) {
         return tg::batch_norm(v[0].transpose(0, 2), {}, {}, {}, {}, true, 0.1, 1e-5);
       }},
      {"batch_norm eval",
       {u({4, 3, 5}), u({3}), u({3})},
       [rm, rv](const std::vector<tg::Tensor>& v) {
         return tg::batch_norm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5);
       }},
      {"layer_norm",
       {u({3, 2, 4}), u({2, 4}), u({2, 4})},
       [](const std::vector<tg::Tensor>& v) {
         return tg::layer_norm(v[0], {2, 4}, v[1], v[2], 1e-5);
       }},
      {"layer_norm no affine",
       {u({4, 5})},
       [](const std::vector<tg::Tensor>& v) { return tg::layer_norm(v[0], {5}); }},
      {"group_norm",
       {u({2, 4, 3}), u({4}), u({4})},
       [](const std::vector<tg::Tensor>& v) { return tg::group_norm(v[0], 2, v[1], v[2]); }},
      {"instance_norm",
       {u({2, 3, 5}), u({3}), u({3})},
       [](const std::vector<tg::Tensor>& v) {
         return tg::instance_norm(v[0], v[1], v[2], {}, {}, true, 0.1, 1e-5);
       }},
      {"local_response_norm",
       {u({2, 4, 3, 2})},
       [](const std::vector<tg::Tensor>& v) {
         return F::local_response_norm(v[0], tg::nn::LocalResponseNormOptions(3).alpha(0.5));
       }},
  };
  tgtest::GradcheckOptions o;
  o.atol = 1e-5;
  o.rtol = 1e-3;
  for (const auto& row : rows) {
    EXPECT_TRUE(tgtest::gradcheck(row.fn, row.inputs, o)) << row.name;
    EXPECT_TRUE(tgtest::gradgradcheck(row.fn, row.inputs, o)) << row.name;
  }
  tg::Tensor x = u({3, 2, 2});
  tg::Tensor g = tg::autograd::grad(
      {tg::batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5).pow(2).sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(g.grad_fn()->name(), "NativeBatchNormBackwardBackward0");
}

TEST(Normalization, Modules) {
  tg::nn::BatchNorm2d bn(64);
  EXPECT_EQ(bn->named_parameters().size(), 2u);
  auto buffers = bn->named_buffers();
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_TRUE(buffers.contains("running_mean") && buffers.contains("running_var") &&
              buffers.contains("num_batches_tracked"));
  EXPECT_EQ(bn->num_batches_tracked.scalar_type(), tg::kLong);
  EXPECT_TRUE(tg::equal(bn->weight, tg::ones({64})));
  EXPECT_TRUE(tg::equal(bn->bias, tg::zeros({64})));
  std::ostringstream ss;
  ss << *bn;
  EXPECT_EQ(ss.str(),
            "BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  tg::Tensor x = tg::randn({2, 64, 3, 3}) * 3 + 1;
  bn->forward(x);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_GT(bn->running_mean.abs().sum().item<float>(), 0.0f);
  bn->reset_running_stats();
  EXPECT_TRUE(tg::equal(bn->running_mean, tg::zeros({64})));
  EXPECT_TRUE(tg::equal(bn->running_var, tg::ones({64})));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 0);

  // Without running statistics the batch's own are used in evaluation too.
  tg::nn::BatchNorm1d plain(tg::nn::BatchNormOptions(3).affine(false).track_running_stats(false));
  EXPECT_EQ(plain->parameters().size(), 0u);
  EXPECT_EQ(plain->buffers().size(), 0u);
  plain->eval();
  tg::Tensor y = plain->forward(tg::randn({8, 3}));
  EXPECT_NEAR(y.mean({0}).abs().max().item<float>(), 0.0f, 1e-5f);

  tg::nn::LayerNorm ln(tg::nn::LayerNormOptions({4, 5}));
  ss.str("");
  ss << *ln;
  EXPECT_EQ(ss.str(), "LayerNorm((4, 5), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(ln->weight.sizes().vec(), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(ln->forward(tg::randn({3, 4, 5})).grad_fn()->name(), "NativeLayerNormBackward0");
  tg::nn::LayerNorm ln1(std::vector<int64_t>{8});
  ss.str("");
  ss << *ln1;
  EXPECT_EQ(ss.str(), "LayerNorm((8,), eps=1e-05, elementwise_affine=True)");

  tg::nn::GroupNorm gn(2, 6);
  ss.str("");
  ss << *gn;
  EXPECT_EQ(ss.str(), "GroupNorm(2, 6, eps=1e-05, affine=True)");
  EXPECT_EQ(gn->forward(tg::randn({2, 6, 3})).grad_fn()->name(), "NativeGroupNormBackward0");

  tg::nn::InstanceNorm2d in(tg::nn::InstanceNormOptions(3).affine(true).track_running_stats(true));
  ss.str("");
  ss << *in;
  EXPECT_EQ(ss.str(),
            "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_EQ(in->forward(tg::randn({3, 4, 4})).sizes().vec(), (std::vector<int64_t>{3, 4, 4}));
  EXPECT_GT(in->running_mean.abs().sum().item<float>(), 0.0f);
  in->eval();
  EXPECT_EQ(in->forward(tg::randn({2, 3, 4, 4})).sizes().vec(), (std::vector<int64_t>{2, 3, 4, 4}));

  tg::nn::LocalResponseNorm lrn(2);
  ss.str("");
  ss << *lrn;
  EXPECT_EQ(ss.str(), "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
}

TEST(Normalization, ThreadCountDoesNotChangeResults) {
  tg::manual_seed(5);
  tg::Tensor x = tg::randn({8, 16, 30, 30}).requires_grad_();
  const int before = tg::get_num_threads();
  auto run = [&] {
    tg::Tensor y = tg::batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5);
    tg::Tensor g = tg::autograd::grad({y}, {x}, {tg::ones_like(y)})[0];
    return std::make_tuple(y, g, tg::layer_norm(x, {30, 30}), tg::group_norm(x, 4));
  };
  tg::set_num_threads(1);
  auto a = run();
  tg::set_num_threads(2);
  auto b = run();
  tg::set_num_threads(before);
  EXPECT_TRUE(tg::equal(std::get<0>(a), std::get<0>(b)));
  EXPECT_TRUE(tg::equal(std::get<1>(a), std::get<1>(b)));
  EXPECT_TRUE(tg::equal(std::get<2>(a), std::get<2>(b)));
  EXPECT_TRUE(tg::equal(std::get<3>(a), std::get<3>(b)));
}

TEST(Normalization, Errors) {
  tg::nn::BatchNorm2d bn(3);
  EXPECT_EQ(error_of([&] {
              bn->forward(tg::randn({1, 3, 1, 1}));
            }),
            "Expected more than 1 value per channel when training, got input size [1, 3, 1, 1]");
  EXPECT_EQ(error_of([&] {
              bn->forward(tg::randn({2, 4, 2, 2}));
            }),
            "batch_norm: running_mean should contain 4 elements not 3");
  EXPECT_EQ(error_of([&] {
              bn->forward(tg::randn({2, 3, 2}));
            }),
            "BatchNorm2d: expected 4D input (got 3D input)");
  // Nothing was updated by the calls that failed (the module counts batches before checking, as
  // PyTorch's does, but its statistics are untouched).
  EXPECT_TRUE(tg::equal(bn->running_mean, tg::zeros({3})));
  EXPECT_TRUE(tg::equal(bn->running_var, tg::ones({3})));
  tg::nn::BatchNorm1d bn1(3);
  EXPECT_EQ(error_of([&] {
              bn1->forward(tg::randn({2, 3, 2, 2}));
            }),
            "BatchNorm1d: expected 2D or 3D input (got 4D input)");
  EXPECT_EQ(error_of([&] {
              tg::batch_norm(tg::randn({2, 3}), {}, {}, {}, {}, false, 0.1, 1e-5);
            }),
            "batch_norm: running_mean must be defined in evaluation mode");
  EXPECT_EQ(error_of([&] {
              tg::layer_norm(tg::randn({2, 3}), {4});
            }),
            "layer_norm: Given normalized_shape=[4], expected input with shape [*, 4], but got "
            "input of size[2, 3]");
  EXPECT_EQ(error_of([&] {
              tg::layer_norm(tg::randn({2, 3}), {3}, tg::ones({4}));
            }),
            "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight "
            "of shape [4] and normalized_shape = [3]");
  EXPECT_EQ(error_of([&] {
              tg::group_norm(tg::randn({2, 6, 3}), 4);
            }),
            "group_norm: Expected number of channels in input to be divisible by num_groups, but "
            "got input of shape [2, 6, 3] and num_groups=4");
  EXPECT_EQ(error_of([&] {
              F::local_response_norm(tg::randn({2, 3}), tg::nn::LocalResponseNormOptions(2));
            }),
            "Expected 3D or higher dimensionality input (got 2 dimensions)");
  EXPECT_EQ(error_of([&] { tg::nn::GroupNorm(4, 6); }),
            "GroupNorm: num_channels must be divisible by num_groups");
}
