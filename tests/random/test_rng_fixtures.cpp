// Replays the steps recorded from PyTorch 1.13 (tests/fixtures/rng/*.json, written by
// scripts/make_rng_fixtures.py) on tensorgrad and compares every result bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "random/rng_kernels.h"
#include "rng_fixture.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/functional.h"
#include "tensorgrad/random.h"
#include "tensorgrad/tensor.h"

namespace tg_rng_test {
namespace {

// Restores the thread count a linspace step changed.
class ThreadsGuard {
 public:
  explicit ThreadsGuard(int n) : old_(tg::get_num_threads()) { tg::set_num_threads(n); }
  ~ThreadsGuard() { tg::set_num_threads(old_); }

 private:
  int old_;
};

tg::Tensor make_layout(const json& spec, tg::ScalarType dtype) {
  tg::Tensor t = tg::zeros(int_list(spec.at("base")), dtype);
  for (const json& v : spec.at("views")) {
    const std::string op = v.at(0).get<std::string>();
    if (op == "transpose") {
      t = t.transpose(v.at(1).get<int64_t>(), v.at(2).get<int64_t>());
    } else if (op == "permute") {
      t = t.permute(int_list(v.at(1)));
    } else if (op == "slice") {
      t = t.slice(v.at(1).get<int64_t>(), v.at(2).get<int64_t>(), v.at(3).get<int64_t>(),
                  v.at(4).get<int64_t>());
    } else if (op == "select") {
      t = t.select(v.at(1).get<int64_t>(), v.at(2).get<int64_t>());
    } else {
      ADD_FAILURE() << "unknown view op " << op;
    }
  }
  return t;
}

// The probabilities (or inputs) a step describes: linspace values reshaped, optionally squared
// and transposed, as the fixture script makes them.
tg::Tensor make_probs(const json& spec) {
  const std::vector<int64_t> shape = int_list(spec.at("shape"));
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  tg::Tensor t = tg::linspace(spec.at("lo").get<double>(), spec.at("hi").get<double>(), n,
                              dtype_of(spec.at("dtype").get<std::string>()))
                     .reshape(shape);
  if (spec.value("square", false)) t = t * t;
  if (spec.value("transpose", false)) t = t.t();
  return t;
}

class Replay {
 public:
  explicit Replay(Stats& stats) : stats_(stats) {}

  // Runs one step; returns false after a mismatch (the rest of the case would only repeat it).
  bool run(const json& step, const std::string& where) {
    const std::string op = step.at("op").get<std::string>();
    const tg::ScalarType dt = dtype_of(step.value("dtype", std::string("float32")));
    tg::Generator* g = step.value("gen", false) ? gen_.get() : nullptr;
    const std::string what = where + " [" + op + "]";
    if (op == "manual_seed") {
      tg::manual_seed(step.at("seed").get<uint64_t>());
      return true;
    }
    if (op == "gen_new") {
      gen_ = std::make_unique<tg::Generator>();
      if (step.contains("seed")) gen_->set_current_seed(step.at("seed").get<uint64_t>());
      return true;
    }
    if (op == "rand") return check(tg::rand(int_list(step.at("sizes")), g, dt), step, what);
    if (op == "randn") return check(tg::randn(int_list(step.at("sizes")), g, dt), step, what);
    if (op == "uniform_" || op == "normal_") {
      tg::Tensor t = step.contains("layout") ? make_layout(step.at("layout"), dt)
                                             : tg::empty(int_list(step.at("sizes")), dt);
      const double a = arg_double(step.at("a")), b = arg_double(step.at("b"));
      if (op == "uniform_")
        t.uniform_(a, b, g);
      else
        t.normal_(a, b, g);
      return check(t, step, what);
    }
    if (op == "bernoulli_" || op == "exponential_" || op == "random_") {
      tg::Tensor t = step.contains("layout") ? make_layout(step.at("layout"), dt)
                                             : tg::empty(int_list(step.at("sizes")), dt);
      if (op == "bernoulli_" && step.at("p").is_object())
        t.bernoulli_(make_probs(step.at("p")), g);
      else if (op == "bernoulli_")
        t.bernoulli_(step.at("p").get<double>(), g);
      else if (op == "exponential_")
        t.exponential_(step.at("lambd").get<double>(), g);
      else if (step.at("args").empty())
        t.random_(g);
      else if (step.at("args").size() == 1)
        t.random_(step.at("args")[0].get<int64_t>(), g);
      else
        t.random_(step.at("args")[0].get<int64_t>(), step.at("args")[1].get<int64_t>(), g);
      return check(t, step, what);
    }
    if (op == "bernoulli") return check(tg::bernoulli(make_probs(step.at("p")), g), step, what);
    if (op == "multinomial")
      return check(tg::multinomial(make_probs(step.at("p")), step.at("n").get<int64_t>(),
                                   step.at("replacement").get<bool>(), g),
                   step, what);
    if (op == "dropout") {
      namespace F = tg::nn::functional;
      return check(F::dropout(make_probs(step.at("x")),
                              F::DropoutFuncOptions(step.at("p").get<double>()).training(true)),
                   step, what);
    }
    if (op == "rand_like")
      return check(tg::rand_like(make_layout(step.at("layout"), dt)), step, what);
    if (op == "randn_like")
      return check(tg::randn_like(make_layout(step.at("layout"), dt)), step, what);
    if (op == "randint") {
      return check(tg::randint(step.at("low").get<int64_t>(), step.at("high").get<int64_t>(),
                               int_list(step.at("sizes")), dt),
                   step, what);
    }
    if (op == "randperm")
      return check(tg::randperm(step.at("n").get<int64_t>(), g, dt), step, what);
    if (op == "linspace") {
      ThreadsGuard threads(step.value("threads", 1));
      return check(tg::linspace(arg_scalar(step.at("start")), arg_scalar(step.at("end")),
                                step.at("steps").get<int64_t>(), dt),
                   step, what);
    }
    if (op == "tutorial") {
      ThreadsGuard threads(1);
      tg::Tensor inputs = tg::linspace(-1, 1, 32).reshape({32, 1});
      tg::Tensor raw = tg::randn({32, 1});
      tg::Tensor noise = raw / 4;
      return expect_tensor(inputs, step.at("inputs"), what + " inputs", stats_) &&
             expect_tensor(raw, step.at("randn"), what + " randn", stats_) &&
             expect_tensor(noise, step.at("noise"), what + " noise", stats_);
    }
    if (op == "linear") return linear(step, what);
    ADD_FAILURE() << what << ": unknown op";
    return false;
  }

 private:
  bool check(const tg::Tensor& t, const json& step, const std::string& what) {
    return expect_tensor(t, step.at("out"), what, stats_);
  }

  // nn.Linear's default initialisation done by hand: the bounds computed in double as
  // torch.nn.init does, then uniform_ on the weight and on the bias, in that order.
  bool linear(const json& step, const std::string& what) {
    const auto in = step.at("in").get<int64_t>(), out = step.at("out").get<int64_t>();
    const double gain = std::sqrt(2.0 / (1 + std::pow(std::sqrt(5.0), 2)));
    const double w_bound = std::sqrt(3.0) * (gain / std::sqrt(static_cast<double>(in)));
    const double b_bound = 1 / std::sqrt(static_cast<double>(in));
    EXPECT_EQ(w_bound, arg_double(step.at("weight_bound"))) << what;
    EXPECT_EQ(b_bound, arg_double(step.at("bias_bound"))) << what;
    tg::NoGradGuard no_grad;
    tg::Tensor w = tg::empty({out, in});
    w.uniform_(-w_bound, w_bound);
    if (!expect_tensor(w, step.at("weight"), what + " weight", stats_)) return false;
    if (!step.contains("bias_values")) return true;
    tg::Tensor b = tg::empty({out});
    b.uniform_(-b_bound, b_bound);
    return expect_tensor(b, step.at("bias_values"), what + " bias", stats_);
  }

  Stats& stats_;
  std::unique_ptr<tg::Generator> gen_;
};

Stats replay_file(const std::string& file) {
  Stats stats;
  const json doc = load_fixture(file);
  if (!doc.contains("cases")) return stats;
  EXPECT_GT(doc.at("cases").size(), 0u) << file;
  for (const json& c : doc.at("cases")) {
    Replay replay(stats);
    const std::string name = file + ": " + c.at("name").get<std::string>();
    int index = 0;
    for (const json& step : c.at("steps")) {
      if (!replay.run(step, name + " step " + std::to_string(index++))) break;
    }
  }
  std::printf(
      "[   INFO   ] %s: %lld tensors, %lld values compared bit by bit, %lld more through "
      "SHA-256\n",
      file.c_str(), static_cast<long long>(stats.tensors),
      static_cast<long long>(stats.values_listed), static_cast<long long>(stats.values_hashed));
  return stats;
}

TEST(RngFixtures, UniformAndNormal) { replay_file("uniform_normal.json"); }
// The same with the portable C++ Box-Muller block in place of the AVX2 one: a CPU without AVX2
// gets PyTorch's AVX2 numbers too.
TEST(RngFixtures, UniformAndNormalPortableBlock) {
  const bool old = tg::rng::set_force_portable(true);
  replay_file("uniform_normal.json");
  replay_file("sequences.json");
  tg::rng::set_force_portable(old);
}
TEST(RngFixtures, Sequences) { replay_file("sequences.json"); }
TEST(RngFixtures, NonContiguousLayouts) { replay_file("layouts.json"); }
TEST(RngFixtures, Linspace) { replay_file("linspace.json"); }
TEST(RngFixtures, IntegersAndPermutations) { replay_file("int.json"); }
TEST(RngFixtures, BernoulliExponentialRandomMultinomialDropout) {
  replay_file("distributions.json");
}

}  // namespace
}  // namespace tg_rng_test
