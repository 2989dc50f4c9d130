// In-place ops written through views of tensors that take part in autograd (the base's history
// becomes CopySlices, the view's a view of it), and views used after their base or a sibling view
// was written (their history is made again from the base's). Values, gradients and node names
// against PyTorch 1.13 (tests/fixtures/autograd/view_inplace.json, made by
// scripts/make_view_inplace_fixtures.py); float64 gradcheck and gradgradcheck; the cases still
// refused, in PyTorch's words, with the tensor left as it was.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "error_of.h"
#include "ops/gradcheck.h"

namespace {

using json = nlohmann::json;
using tg::Tensor;
using tg_test::error_of;

const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TG_FIXTURE_DIR) + "/autograd/view_inplace.json");
    EXPECT_TRUE(f.good()) << "missing tests/fixtures/autograd/view_inplace.json";
    return f ? json::parse(f) : json::object();
  }();
  return j;
}

Tensor from(const json& t) {
  return tg::tensor(t["values"].get<std::vector<float>>())
      .reshape(t["shape"].get<std::vector<int64_t>>());
}

// What a case gives back: the loss, the tensor written into, and the view the fixture names.
using Result = std::tuple<Tensor, Tensor, Tensor>;
using Program = std::function<Result(const std::vector<Tensor>&)>;

// The programs of scripts/make_view_inplace_fixtures.py, line for line.
const std::map<std::string, Program>& programs() {
  static const std::map<std::string, Program> p = {
      {"fill_select",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 2;
         y[1] = 5;
         return Result{(y * y).sum(), y, y[1]};
       }},
      {"mul_narrow",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0].clone();
         y.narrow(1, 0, 2).mul_(3);
         return Result{(y * y).sum(), y, y.narrow(1, 0, 2)};
       }},
      {"copy_into_zeros",
       [](const std::vector<Tensor>& in) {
         Tensor y = tg::zeros({3, 4});
         y[1].copy_(in[0][1] * in[1]);
         return Result{(y * y).sum(), y, y[1]};
       }},
      {"stale_view",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 1;
         Tensor a = y[0];
         y.mul_(2);
         return Result{(a * a).sum(), y, a};
       }},
      {"view_of_view",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 1;
         Tensor v = y.narrow(0, 1, 2);
         Tensor v2 = v.select(1, 2);
         v2.mul_(in[1]);
         return Result{(y * y).sum() + (v * v).sum(), y, v};
       }},
      {"transposed_view_add",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 1;
         y.t()[0].add_(in[1]);
         return Result{(y * y).sum(), y, y.t()[0]};
       }},
      {"rnn_outputs",
       [](const std::vector<Tensor>& in) {
         Tensor out = tg::zeros({4, 3});
         Tensor h = in[1];
         for (int64_t t = 0; t < 4; ++t) {
           h = tg::tanh(tg::matmul(in[0], h) + in[2][t]);
           out[t].copy_(h);
         }
         return Result{(out * out).sum(), out, out[3]};
       }},
      {"two_writes",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 1;
         Tensor v = y[2];
         v.mul_(in[1]);
         v.add_(in[1]);
         return Result{(y * y).sum(), y, v};
       }},
      {"base_written_after",
       [](const std::vector<Tensor>& in) {
         Tensor y = in[0] * 1;
         Tensor v = y[0];
         v.mul_(in[1]);
         y.mul_(2);
         return Result{(y * y).sum() + v.sum(), y, v};
       }},
  };
  return p;
}

TEST(ViewInplace, MatchesPyTorch) {
  const json& cases = fixture()["cases"];
  ASSERT_EQ(cases.size(), programs().size());
  for (const json& c : cases) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    ASSERT_EQ(programs().count(name), 1u);
    std::vector<Tensor> inputs;
    for (const json& t : c["inputs"]) inputs.push_back(from(t).requires_grad_(true));
    auto [loss, base, view] = programs().at(name)(inputs);
    EXPECT_NEAR(loss.item<float>(), c["loss"].get<double>(), 1e-5 * (1 + c["loss"].get<double>()));
    EXPECT_TRUE(tg::allclose(base.detach(), from(c["base"]), 1e-5, 1e-6));
    // Python shows the class name; libtorch's C++ name() has the namespace (as AccumulateGrad's).
    std::string base_fn = c["base_grad_fn"];
    if (base_fn == "CopySlices") base_fn = "torch::autograd::CopySlices";
    EXPECT_EQ(base.grad_fn()->name(), base_fn);
    EXPECT_EQ(view.grad_fn()->name(), c["view_grad_fn"].get<std::string>());
    loss.backward();
    for (size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_TRUE(inputs[i].grad().defined()) << "input " << i;
      EXPECT_TRUE(tg::allclose(inputs[i].grad(), from(c["grads"][i]), 1e-5, 1e-5))
          << "input " << i << "\n"
          << inputs[i].grad() << "\n"
          << from(c["grads"][i]);
    }
  }
}

// Writes through views of every kind (select, narrow, transpose, a view of a view), into a tensor
// that needs no gradient and into one that does, then a read through a view made before them.
Tensor writes_through_views(const std::vector<Tensor>& v) {
  Tensor y = v[0] * 1;
  Tensor early = y.narrow(0, 0, 2);
  y[1].mul_(v[1]);
  y.t()[2].add_(v[1].narrow(0, 0, 3) * v[1].narrow(0, 1, 3));
  y.narrow(1, 1, 2).select(0, 2).copy_(v[1].narrow(0, 0, 2).exp());
  Tensor z = tg::zeros({3, 4}, tg::kFloat64);
  z[0].copy_(v[1].sin());
  z.narrow(0, 1, 2).addcmul_(y.narrow(0, 0, 2), y.narrow(0, 1, 2));
  return (y * z).sum() + (early * early).sum();
}

TEST(ViewInplace, GradcheckAndGradgradcheck) {
  tgtest::Rng rng(11);
  const std::vector<Tensor> inputs = {tgtest::uniform({3, 4}, -1, 1, rng).requires_grad_(true),
                                      tgtest::uniform({4}, -1, 1, rng).requires_grad_(true)};
  EXPECT_TRUE(tgtest::gradcheck(writes_through_views, inputs));
  EXPECT_TRUE(tgtest::gradgradcheck(writes_through_views, inputs));
}

// retain_grad on a view follows the view's new value, as it does for a plain tensor; as in
// PyTorch, a loss computed from the base does not pass through the view's node, and leaves the
// view's .grad() undefined.
TEST(ViewInplace, RetainedGradOfAWrittenView) {
  for (bool through_view : {false, true}) {
    Tensor x = tg::tensor({1.0, 2.0, 3.0, 4.0}, tg::kFloat64).reshape({2, 2}).requires_grad_(true);
    Tensor y = x * 1;
    Tensor v = y[0];
    v.retain_grad();
    v.mul_(3);
    (through_view ? (v * v).sum() : (y * y).sum()).backward();
    if (through_view) {
      ASSERT_TRUE(v.grad().defined());
      EXPECT_TRUE(tg::allclose(v.grad(), tg::tensor({6.0, 12.0}, tg::kFloat64)));
    } else {
      EXPECT_FALSE(v.grad().defined());
    }
    const Tensor want = through_view ? tg::tensor({18.0, 36.0, 0.0, 0.0}, tg::kFloat64)
                                     : tg::tensor({18.0, 36.0, 6.0, 8.0}, tg::kFloat64);
    EXPECT_TRUE(tg::allclose(x.grad(), want.reshape({2, 2})));
  }
}

// A write through a view after the base was saved for backward makes that backward fail, as any
// in-place write to a saved tensor does.
TEST(ViewInplace, WriteThroughAViewOfASavedTensorIsCaught) {
  Tensor x = tg::ones({2, 2}).requires_grad_(true);
  Tensor y = x * 1;
  Tensor z = y * y;
  y[0].mul_(2);
  EXPECT_NE(error_of([&] { z.sum().backward(); }).find("modified by an inplace operation"),
            std::string::npos);
}

// A view saved for backward and then written through its base: the backward reports the write,
// and the graph holds no reference cycle (the saved view would hold its base, whose CopySlices
// node leads back to the saving node; LeakSanitizer checks this under make test-sanitize).
TEST(ViewInplace, SavedViewOfAWrittenBaseIsReportedAndNotLeaked) {
  Tensor w = tg::ones({4}).requires_grad_(true);
  Tensor y = tg::zeros({3, 4});
  Tensor v = y[0];
  Tensor z = w * v;
  y[1].copy_(z);
  Tensor loss = (y * y).sum();
  EXPECT_NE(error_of([&] { loss.backward(); }).find("modified by an inplace operation"),
            std::string::npos);
}

// Writes through views that autograd cannot follow are refused before anything is written.
TEST(ViewInplace, RefusedWritesLeaveTheTensorAsItWas) {
  Tensor x = tg::ones({2, 3}).requires_grad_(true);
  Tensor w = tg::full({3}, 2.0).requires_grad_(true);

  EXPECT_NE(error_of([&] { x[0].mul_(2); })
                .find("a view of a leaf Variable that requires grad is "
                      "being used in an in-place operation."),
            std::string::npos);
  EXPECT_TRUE(tg::equal(x.detach(), tg::ones({2, 3})));

  Tensor y = x * 1;
  std::vector<Tensor> parts = y.split(1, 0);
  EXPECT_NE(error_of([&] { parts[0].mul_(w); }).find("in-place operations on a view"),
            std::string::npos);
  Tensor e = tg::zeros({3}).expand({2, 3});
  EXPECT_NE(error_of([&] { e.mul_(w); }).find("more than one element of the written-to tensor"),
            std::string::npos);
  EXPECT_TRUE(tg::equal(y.detach(), tg::ones({2, 3})));
  EXPECT_TRUE(tg::equal(e, tg::zeros({2, 3})));
}

// Without grad mode a write through a view records nothing, and views made then are not tracked.
TEST(ViewInplace, NoGradWritesRecordNothing) {
  Tensor x = tg::ones({2, 3}).requires_grad_(true);
  Tensor y = x * 1;
  const std::string before = y.grad_fn()->name();
  {
    tg::NoGradGuard guard;
    y[0].mul_(2);
  }
  EXPECT_EQ(y.grad_fn()->name(), before);
  EXPECT_TRUE(tg::equal(y.detach()[0], tg::full({3}, 2.0)));
}

}  // namespace
