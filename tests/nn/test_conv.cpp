// Convolutions, padding and unfold/fold against PyTorch 1.13 (tests/fixtures/nn/conv.json, made by
// scripts/make_conv_fixtures.py): outputs, node names and the gradients of input, weight and bias;
// seeded module initialisation and repr; float64 gradcheck and gradgradcheck per case family; the
// errors, in PyTorch's words.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "error_of.h"
#include "ops/gradcheck.h"

namespace nn = tg::nn;
namespace F = tg::nn::functional;
using json = nlohmann::json;
using tg::Tensor;
using tg_test::error_of;

namespace {

const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TG_FIXTURE_DIR) + "/nn/conv.json");
    EXPECT_TRUE(f.good()) << "missing tests/fixtures/nn/conv.json";
    return f ? json::parse(f) : json::object();
  }();
  return j;
}

Tensor from(const json& t) {
  const tg::ScalarType dt = t["dtype"] == "float32" ? tg::kFloat32 : tg::kFloat64;
  return tg::tensor(t["values"].get<std::vector<double>>(), tg::kFloat64)
      .to(dt)
      .reshape(t["shape"].get<std::vector<int64_t>>());
}

::testing::AssertionResult close(const Tensor& got, const json& want, double tol = 0) {
  if (!got.defined()) return ::testing::AssertionFailure() << "undefined";
  const bool f32 = want["dtype"] == "float32";
  if (got.sizes().vec() != want["shape"].get<std::vector<int64_t>>())
    return ::testing::AssertionFailure() << "shape " << got.sizes();
  const double rtol = tol > 0 ? tol : (f32 ? 2e-5 : 1e-11), atol = f32 ? 2e-5 : 1e-11;
  const Tensor g = got.to(tg::kFloat64).contiguous().reshape({-1});
  const auto w = want["values"].get<std::vector<double>>();
  for (size_t i = 0; i < w.size(); ++i) {
    const double v = g.data_ptr<double>()[i];
    if (!(std::fabs(v - w[i]) <= atol + rtol * std::fabs(w[i])))
      return ::testing::AssertionFailure() << "[" << i << "] got " << v << ", expected " << w[i];
  }
  return ::testing::AssertionSuccess();
}

std::vector<int64_t> ints(const json& v, size_t dims) {
  if (v.is_number()) return std::vector<int64_t>(dims, v.get<int64_t>());
  return v.get<std::vector<int64_t>>();
}

// The input in the case's layout: the same values with the strides PyTorch's input had.
Tensor in_layout(const Tensor& x, const std::string& layout) {
  if (layout == "channels_last") {
    std::vector<int64_t> perm{0}, inv(x.dim());
    for (int64_t d = 2; d < x.dim(); ++d) perm.push_back(d);
    perm.push_back(1);
    for (int64_t i = 0; i < x.dim(); ++i) inv[perm[i]] = i;
    Tensor r = x.permute(perm).contiguous().permute(inv);
    EXPECT_FALSE(r.is_contiguous());
    return r;
  }
  if (layout == "noncontiguous") {
    Tensor r = x.transpose(-1, -2).contiguous().transpose(-1, -2);
    EXPECT_FALSE(r.is_contiguous());
    return r;
  }
  return x;
}

Tensor run_conv(const json& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  const size_t d = c["dims"].get<size_t>();
  const auto stride = ints(c["stride"], d), dilation = ints(c["dilation"], d);
  const int64_t groups = c["groups"];
  if (c["transposed"].get<bool>()) {
    const auto pad = ints(c["padding"], d), op = ints(c["output_padding"], d);
    switch (d) {
      case 1:
        return tg::conv_transpose1d(x, w, b, stride, pad, op, groups, dilation);
      case 2:
        return tg::conv_transpose2d(x, w, b, stride, pad, op, groups, dilation);
      default:
        return tg::conv_transpose3d(x, w, b, stride, pad, op, groups, dilation);
    }
  }
  if (c["padding"].is_string()) {
    const std::string pad = c["padding"];
    switch (d) {
      case 1:
        return tg::conv1d(x, w, b, stride, pad, dilation, groups);
      case 2:
        return tg::conv2d(x, w, b, stride, pad, dilation, groups);
      default:
        return tg::conv3d(x, w, b, stride, pad, dilation, groups);
    }
  }
  const auto pad = ints(c["padding"], d);
  switch (d) {
    case 1:
      return tg::conv1d(x, w, b, stride, pad, dilation, groups);
    case 2:
      return tg::conv2d(x, w, b, stride, pad, dilation, groups);
    default:
      return tg::conv3d(x, w, b, stride, pad, dilation, groups);
  }
}

std::string describe(const json& c) {
  std::ostringstream ss;
  ss << (c["transposed"].get<bool>() ? "conv_transpose" : "conv") << c["dims"] << "d input "
     << c["input"]["shape"] << " weight " << c["weight"]["shape"] << " stride " << c["stride"]
     << " padding " << c["padding"] << " dilation " << c["dilation"] << " groups " << c["groups"]
     << " output_padding " << c["output_padding"] << " " << c["layout"];
  return ss.str();
}

TEST(Conv, MatchesPyTorchForwardAndGradients) {
  ASSERT_GE(fixture()["conv"].size(), 40u);
  for (const auto& c : fixture()["conv"]) {
    SCOPED_TRACE(describe(c));
    Tensor x = in_layout(from(c["input"]), c["layout"]).requires_grad_(true);
    Tensor w = from(c["weight"]).requires_grad_(true);
    Tensor b = c["bias"].is_null() ? Tensor() : from(c["bias"]).requires_grad_(true);
    Tensor y = run_conv(c, x, w, b);
    EXPECT_TRUE(close(y, c["output"]));
    ASSERT_NE(y.grad_fn(), nullptr);
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    y.backward(from(c["grad_output"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"]));
    EXPECT_TRUE(close(w.grad(), c["grad_weight"]));
    if (b.defined()) {
      EXPECT_TRUE(close(b.grad(), c["grad_bias"]));
    }
  }
}

// Outputs and gradients of a convolution and a transposed convolution at `threads` threads.
std::vector<Tensor> conv_results(int threads, int64_t batch, int64_t channels, int64_t size) {
  tg::set_num_threads(threads);
  tg::manual_seed(3);
  Tensor x = tg::randn({batch, channels, size, size}).requires_grad_(true);
  Tensor w = tg::randn({8, channels / 2, 3, 3}).requires_grad_(true);
  Tensor b = tg::randn({8}).requires_grad_(true);
  Tensor wt = tg::randn({8, 4, 4, 4}).requires_grad_(true);
  Tensor y = tg::conv2d(x, w, b, 2, 1, 1, 2);
  Tensor z = tg::conv_transpose2d(y, wt, Tensor(), 2, 1);
  Tensor r = tg::randn(z.sizes());
  (z * r).sum().backward();
  return {y, z, x.grad(), w.grad(), b.grad(), wt.grad()};
}

// The same results at 1 to 4 threads, whether a batch is split over the threads by images (small
// images, or at least as many as threads) or goes image by image with the product threaded (two
// large images). Outputs and input gradients are computed image by image either way and must be
// the same bits; weight gradients sum the images in a different order per thread count.
TEST(Conv, SameResultForAnyThreadCount) {
  const int saved = tg::get_num_threads();
  struct Case {
    int64_t batch, channels, size;
  };
  for (const Case c : {Case{1, 16, 20}, Case{5, 16, 20}, Case{2, 64, 96}}) {
    const std::vector<Tensor> one = conv_results(1, c.batch, c.channels, c.size);
    for (int threads : {2, 3, 4}) {
      const std::vector<Tensor> many = conv_results(threads, c.batch, c.channels, c.size);
      SCOPED_TRACE("batch " + std::to_string(c.batch) + ", size " + std::to_string(c.size) +
                   ", threads " + std::to_string(threads));
      EXPECT_TRUE(tg::equal(one[0], many[0]));
      EXPECT_TRUE(tg::equal(one[1], many[1]));
      EXPECT_TRUE(tg::equal(one[2], many[2]));
      for (size_t i = 3; i < one.size(); ++i)
        EXPECT_TRUE(tg::allclose(one[i], many[i], 1e-4, 1e-4)) << "gradient " << i;
    }
  }
  tg::set_num_threads(saved);
}

nn::ConvOptions<2>::padding_mode_t mode_of(const std::string& s) {
  if (s == "reflect") return tg::kReflect;
  if (s == "replicate") return tg::kReplicate;
  if (s == "circular") return tg::kCircular;
  return tg::kZeros;
}

template <size_t D, typename Options>
Options conv_options(const json& o) {
  Options opts(o["in_channels"].get<int64_t>(), o["out_channels"].get<int64_t>(),
               ints(o["kernel_size"], D));
  if (o.contains("stride")) opts.stride(ints(o["stride"], D));
  if (o.contains("dilation")) opts.dilation(ints(o["dilation"], D));
  if (o.contains("groups")) opts.groups(o["groups"].get<int64_t>());
  if (o.contains("bias")) opts.bias(o["bias"].get<bool>());
  if (o.contains("padding_mode")) opts.padding_mode(mode_of(o["padding_mode"]));
  return opts;
}

struct BuiltModule {
  std::shared_ptr<nn::Module> module;
  std::function<Tensor(const Tensor&)> forward;
  Tensor weight, bias;
};

template <size_t D, typename Impl>
BuiltModule build_conv(const json& o) {
  auto opts = conv_options<D, nn::ConvOptions<D>>(o);
  if (o.contains("padding")) {
    if (o["padding"] == "same")
      opts.padding(tg::kSame);
    else if (o["padding"] == "valid")
      opts.padding(tg::kValid);
    else
      opts.padding(tg::ExpandingArray<D>(ints(o["padding"], D)));
  }
  auto m = std::make_shared<Impl>(opts);
  return {m, [m](const Tensor& x) { return m->forward(x); }, m->weight, m->bias};
}

template <size_t D, typename Impl>
BuiltModule build_conv_transpose(const json& o) {
  auto opts = conv_options<D, nn::ConvTransposeOptions<D>>(o);
  if (o.contains("padding")) opts.padding(ints(o["padding"], D));
  if (o.contains("output_padding")) opts.output_padding(ints(o["output_padding"], D));
  auto m = std::make_shared<Impl>(opts);
  return {m, [m](const Tensor& x) { return m->forward(x); }, m->weight, m->bias};
}

BuiltModule build(const json& c) {
  const std::string name = c["module"];
  const json& o = c["options"];
  if (name == "Conv1d") return build_conv<1, nn::Conv1dImpl>(o);
  if (name == "Conv2d") return build_conv<2, nn::Conv2dImpl>(o);
  if (name == "Conv3d") return build_conv<3, nn::Conv3dImpl>(o);
  if (name == "ConvTranspose1d") return build_conv_transpose<1, nn::ConvTranspose1dImpl>(o);
  if (name == "ConvTranspose2d") return build_conv_transpose<2, nn::ConvTranspose2dImpl>(o);
  return build_conv_transpose<3, nn::ConvTranspose3dImpl>(o);
}

TEST(ConvModules, SeededInitReprAndEveryPaddingMode) {
  ASSERT_GE(fixture()["modules"].size(), 10u);
  for (const auto& c : fixture()["modules"]) {
    SCOPED_TRACE(c["repr"].get<std::string>());
    tg::manual_seed(c["seed"].get<uint64_t>());
    BuiltModule m = build(c);
    std::ostringstream ss;
    ss << *m.module;
    EXPECT_EQ(ss.str(), c["repr"].get<std::string>());
    // PyTorch's draws, bit for bit.
    EXPECT_TRUE(close(m.weight, c["weight"], 1e-7));
    if (!c["bias"].is_null()) {
      EXPECT_TRUE(close(m.bias, c["bias"], 1e-7));
    }
    if (c.contains("output_size")) {
      auto* t = dynamic_cast<nn::ConvTranspose2dImpl*>(m.module.get());
      ASSERT_NE(t, nullptr);
      Tensor y = t->forward(from(c["input"]), c["output_size"].get<std::vector<int64_t>>());
      EXPECT_TRUE(close(y, c["output"]));
      continue;
    }
    Tensor x = from(c["input"]).requires_grad_(true);
    Tensor y = m.forward(x);
    EXPECT_TRUE(close(y, c["output"]));
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    y.backward(from(c["grad_output"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"]));
    EXPECT_TRUE(close(m.weight.grad(), c["grad_weight"]));
    if (!c["bias"].is_null()) {
      EXPECT_TRUE(close(m.bias.grad(), c["grad_bias"]));
    }
  }
}

F::PadFuncOptions::mode_t pad_mode(const std::string& s) {
  if (s == "reflect") return tg::kReflect;
  if (s == "replicate") return tg::kReplicate;
  if (s == "circular") return tg::kCircular;
  return tg::kConstant;
}

TEST(Pad, MatchesPyTorch) {
  ASSERT_GE(fixture()["pad"].size(), 10u);
  for (const auto& c : fixture()["pad"]) {
    SCOPED_TRACE(c["mode"].get<std::string>() + " " + c["pad"].dump() + " on " +
                 c["input"]["shape"].dump());
    Tensor x = from(c["input"]).requires_grad_(true);
    Tensor y = F::pad(x, F::PadFuncOptions(c["pad"].get<std::vector<int64_t>>())
                             .mode(pad_mode(c["mode"]))
                             .value(c["value"].get<double>()));
    EXPECT_TRUE(close(y, c["output"]));
    if (c["mode"] != "circular") {
      EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    }
    y.backward(from(c["grad_output"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"]));
  }
}

TEST(Fold, UnfoldAndFoldMatchPyTorch) {
  ASSERT_GE(fixture()["fold"].size(), 3u);
  for (const auto& c : fixture()["fold"]) {
    const json& o = c["options"];
    auto ea = [&](const char* k, int64_t d) {
      return o.contains(k) ? tg::ExpandingArray<2>(ints(o[k], 2)) : tg::ExpandingArray<2>(d);
    };
    Tensor x = from(c["input"]).requires_grad_(true);
    Tensor y = F::unfold(x, F::UnfoldFuncOptions(ea("kernel_size", 1))
                                .dilation(ea("dilation", 1))
                                .padding(ea("padding", 0))
                                .stride(ea("stride", 1)));
    EXPECT_TRUE(close(y, c["unfold"]));
    y.backward(from(c["grad_unfold"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"]));
    Tensor z = from(c["fold_input"]).requires_grad_(true);
    Tensor f = F::fold(
        z, F::FoldFuncOptions(c["output_size"].get<std::vector<int64_t>>(), ea("kernel_size", 1))
               .dilation(ea("dilation", 1))
               .padding(ea("padding", 0))
               .stride(ea("stride", 1)));
    EXPECT_TRUE(close(f, c["fold"]));
    f.backward(from(c["grad_fold"]));
    EXPECT_TRUE(close(z.grad(), c["grad_fold_input"]));
  }
}

// Finite differences in float64, first and second order, for each family.
struct GradCase {
  const char* name;
  std::vector<std::vector<int64_t>> shapes;
  tgtest::TensorFn fn;
};

std::vector<GradCase> grad_cases() {
  using V = std::vector<Tensor>;
  return {
      {"conv1d stride 2 padding 1 bias",
       {{2, 2, 7}, {3, 2, 3}, {3}},
       [](const V& v) { return tg::conv1d(v[0], v[1], v[2], 2, 1); }},
      {"conv2d groups 2 dilation 2",
       {{1, 4, 6, 5}, {4, 2, 2, 2}, {4}},
       [](const V& v) { return tg::conv2d(v[0], v[1], v[2], 1, 1, 2, 2); }},
      {"conv2d depthwise",
       {{2, 3, 5, 4}, {3, 1, 3, 3}},
       [](const V& v) {
         return tg::conv2d(v[0], v[1], {}, {2, 1}, 1, 1, 3);
       }},
      {"conv2d same, even kernel",
       {{1, 2, 5, 4}, {2, 2, 2, 3}},
       [](const V& v) { return tg::conv2d(v[0], v[1], {}, 1, "same"); }},
      {"conv2d non-contiguous input",
       {{1, 2, 4, 5}, {3, 2, 2, 2}},
       [](const V& v) { return tg::conv2d(v[0].transpose(2, 3), v[1]); }},
      {"conv2d pointwise",
       {{2, 3, 3, 3}, {2, 3, 1, 1}, {2}},
       [](const V& v) { return tg::conv2d(v[0], v[1], v[2]); }},
      {"conv3d",
       {{1, 2, 3, 4, 3}, {2, 1, 2, 2, 2}, {2}},
       [](const V& v) {
         return tg::conv3d(v[0], v[1], v[2], 1, std::vector<int64_t>{1, 0, 1}, 1, 2);
       }},
      {"conv2d unbatched",
       {{2, 4, 4}, {3, 2, 3, 3}},
       [](const V& v) { return tg::conv2d(v[0], v[1], {}, 1, 1); }},
      {"conv_transpose1d output_padding",
       {{2, 2, 4}, {2, 3, 3}, {3}},
       [](const V& v) { return tg::conv_transpose1d(v[0], v[1], v[2], 2, 1, 1); }},
      {"conv_transpose2d groups dilation",
       {{1, 4, 3, 3}, {4, 1, 2, 3}, {2}},
       [](const V& v) {
         return tg::conv_transpose2d(v[0], v[1], v[2], {2, 1}, 0, {1, 0}, 2, 2);
       }},
      {"conv_transpose2d output_padding >= stride",
       {{1, 2, 3, 3}, {2, 2, 2, 2}},
       [](const V& v) { return tg::conv_transpose2d(v[0], v[1], {}, 1, 0, 1, 1, 2); }},
      {"conv_transpose3d",
       {{1, 2, 2, 3, 2}, {2, 2, 2, 1, 2}},
       [](const V& v) {
         return tg::conv_transpose3d(v[0], v[1], {}, 2, 0, {1, 0, 0});
       }},
      {"pad reflect 2d",
       {{1, 2, 4, 3}},
       [](const V& v) {
         return F::pad(v[0], F::PadFuncOptions({2, 1, 1, 3}).mode(tg::kReflect));
       }},
      {"pad replicate 3d",
       {{1, 1, 2, 3, 2}},
       [](const V& v) {
         return F::pad(v[0], F::PadFuncOptions({1, 2, 0, 1, 2, 1}).mode(tg::kReplicate));
       }},
      {"pad reflect 1d negative",
       {{2, 5}},
       [](const V& v) {
         return F::pad(v[0], F::PadFuncOptions({-1, 3}).mode(tg::kReflect));
       }},
      {"pad circular 2d",
       {{1, 1, 3, 3}},
       [](const V& v) {
         return F::pad(v[0], F::PadFuncOptions({1, 2, 2, 0}).mode(tg::kCircular));
       }},
      {"pad constant with crop",
       {{2, 3, 4}},
       [](const V& v) {
         return F::pad(v[0], F::PadFuncOptions({1, -1, 2, 0}).value(0.5));
       }},
      {"unfold",
       {{1, 2, 4, 5}},
       [](const V& v) {
         return F::unfold(v[0], F::UnfoldFuncOptions({2, 3}).padding(1).stride(2));
       }},
      {"fold",
       {{2, 8, 4}},
       [](const V& v) {
         return F::fold(v[0], F::FoldFuncOptions({3, 4}, 2).dilation({1, 2}));
       }},
  };
}

TEST(ConvGradcheck, FirstAndSecondOrderFloat64) {
  for (const auto& c : grad_cases()) {
    SCOPED_TRACE(c.name);
    tgtest::Rng rng(17);
    std::vector<Tensor> inputs;
    for (const auto& s : c.shapes)
      inputs.push_back(tgtest::uniform(s, -1, 1, rng).requires_grad_(true));
    EXPECT_TRUE(tgtest::gradcheck(c.fn, inputs));
    EXPECT_TRUE(tgtest::gradgradcheck(c.fn, inputs));
  }
}

TEST(ConvModules, UnbatchedConv2dAndShapes) {
  nn::Conv2d conv(nn::Conv2dOptions(1, 6, 5).padding(2));
  EXPECT_EQ(conv(tg::randn({1, 28, 28})).sizes().vec(), (std::vector<int64_t>{6, 28, 28}));
  EXPECT_EQ(conv(tg::randn({3, 1, 28, 28})).sizes().vec(), (std::vector<int64_t>{3, 6, 28, 28}));
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(4, 2, 4).stride(2).padding(1));
  EXPECT_EQ(up(tg::randn({1, 4, 7, 7})).sizes().vec(), (std::vector<int64_t>{1, 2, 14, 14}));
  EXPECT_EQ(conv->named_parameters().size(), 2u);
  nn::Conv1d nb(nn::Conv1dOptions(2, 2, 3).bias(false));
  EXPECT_FALSE(nb->bias.defined());
  EXPECT_EQ(nb->parameters().size(), 1u);
}

// Each error is thrown before anything is written, and says what PyTorch says.
// A named zero: the literal 0 would also convert to the padding string of the "same" overload.
const int64_t kZero = 0;

TEST(ConvErrors, PyTorchMessages) {
  Tensor w = tg::randn({6, 1, 5, 5});
  EXPECT_EQ(error_of([&] {
              tg::conv2d(tg::randn({2, 3, 8, 8}), w);
            }),
            "Given groups=1, weight of size [6, 1, 5, 5], expected input[2, 3, 8, 8] to have 1 "
            "channels, but got 3 channels instead");
  EXPECT_EQ(error_of([&] {
              tg::conv2d(tg::randn({2, 1, 3, 3}), w);
            }),
            "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size "
            "can't be greater than actual input size");
  Tensor x = tg::randn({2, 1, 8, 8});
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 0); }), "non-positive stride is not supported");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, -1); }), "non-positive stride is not supported");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 1, -1); }), "negative padding is not supported");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 1, kZero, 0); }),
            "non-positive dilation is not supported");
  EXPECT_EQ(error_of([&] {
              tg::conv2d(tg::randn({2, 4, 8, 8}), tg::randn({3, 2, 3, 3}), {}, 1, kZero, 1, 2);
            }),
            "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight "
            "of size [[3, 2, 3, 3]] instead");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 1, kZero, 1, 0); }),
            "non-positive groups is not supported");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 1, kZero, 1, 8); }),
            "Given groups=8, expected weight to be at least 8 at dimension 0, but got weight of "
            "size [6, 1, 5, 5] instead");
  EXPECT_EQ(
      error_of([&] {
        tg::conv2d(tg::randn({2, 3}), w);
      }),
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]");
  EXPECT_EQ(error_of([&] {
              tg::conv2d(tg::randn({2, 1, 3, 8, 8}), w);
            }),
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, "
            "1, 3, 8, 8]");
  EXPECT_EQ(error_of([&] {
              tg::conv2d(x, w, {}, {1, 1, 1});
            }),
            "expected stride to be a single integer value or a list of 2 values to match the "
            "convolution dimensions, but got stride=[1, 1, 1]");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, tg::randn({5})); }),
            "Given weight of size [6, 1, 5, 5], expected bias to be 1-dimensional with 6 "
            "elements, but got bias of size [5] instead");
  EXPECT_EQ(error_of([&] { tg::conv2d(x.to(tg::kDouble), w); }),
            "expected scalar type Double but found Float");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w.to(tg::kDouble)); }),
            "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the "
            "same or input should be a MKLDNN tensor and weight is a dense tensor");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 2, "same"); }),
            "padding='same' is not supported for strided convolutions");
  EXPECT_EQ(error_of([&] { tg::conv2d(x, w, {}, 1, "foo"); }), "Invalid padding string: 'foo'");
  EXPECT_EQ(error_of([&] {
              tg::conv_transpose2d(tg::randn({2, 3, 8, 8}), w);
            }),
            "Given transposed=1, weight of size [6, 1, 5, 5], expected input[2, 3, 8, 8] to have 6 "
            "channels, but got 3 channels instead");
  EXPECT_EQ(error_of([&] {
              tg::conv_transpose2d(tg::randn({2, 6, 8, 8}), tg::randn({6, 1, 3, 3}), {}, 2, 0, 2);
            }),
            "output padding must be smaller than either stride or dilation, but got "
            "output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 "
            "dilation_height: 1 dilation_width: 1");
  EXPECT_EQ(error_of([&] {
              tg::conv_transpose1d(tg::randn({2, 6, 8}), tg::randn({6, 1, 3}), {}, 2, 0, 2);
            }),
            "output padding must be smaller than either stride or dilation, but got "
            "output_padding_height: 0 output_padding_width: 2 stride_height: 1 stride_width: 2 "
            "dilation_height: 1 dilation_width: 1");
  EXPECT_EQ(error_of([&] {
              tg::conv_transpose2d(tg::randn({2, 6, 1, 1}), tg::randn({6, 1, 3, 3}), {}, 1, 3);
            }),
            "Given input size per channel: (1 x 1). Calculated output size per channel: (-3 x "
            "-3). Output size is too small");
  // Modules check their options as torch.nn does.
  EXPECT_EQ(error_of([] { nn::Conv2d(nn::Conv2dOptions(4, 6, 3).groups(4)); }),
            "out_channels must be divisible by groups");
  EXPECT_EQ(error_of([] { nn::Conv2d(nn::Conv2dOptions(6, 4, 3).groups(4)); }),
            "in_channels must be divisible by groups");
  EXPECT_EQ(error_of([] { nn::Conv2d(nn::Conv2dOptions(4, 4, 3).groups(0)); }),
            "groups must be a positive integer");
  EXPECT_EQ(error_of([] { nn::Conv2d(nn::Conv2dOptions(6, 4, 3).padding(tg::kSame).stride(2)); }),
            "padding='same' is not supported for strided convolutions");
  EXPECT_EQ(error_of([] {
              nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 3).padding_mode(tg::kReflect));
            }),
            "Only \"zeros\" padding mode is supported for ConvTranspose2d");
  nn::Conv2d conv(1, 6, 5);
  EXPECT_EQ(
      error_of([&] {
        conv(tg::randn({8, 8}));
      }),
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]");
  nn::Conv2d reflect(nn::Conv2dOptions(1, 6, 5).padding_mode(tg::kReflect));
  EXPECT_EQ(error_of([&] {
              reflect(tg::randn({1, 1, 3, 3}));
            }),
            "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size "
            "can't be greater than actual input size");
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(2, 3, 3).stride(2));
  EXPECT_EQ(error_of([&] {
              up->forward(tg::randn({1, 2, 4, 4}), std::vector<int64_t>{12, 9});
            }),
            "requested an output size of [12, 9], but valid sizes range from [9, 9] to [10, 10] "
            "(for an input of [4, 4])");
}

TEST(PadErrors, PyTorchMessages) {
  Tensor x = tg::randn({1, 2, 3});
  auto pad = [](const Tensor& t, std::vector<int64_t> p, F::PadFuncOptions::mode_t m,
                double value = 0) {
    return F::pad(t, F::PadFuncOptions(std::move(p)).mode(m).value(value));
  };
  EXPECT_EQ(error_of([&] {
              pad(x, {1, 1, 1}, tg::kConstant);
            }),
            "Padding length must be divisible by 2");
  EXPECT_EQ(error_of([&] {
              pad(x, {1, 1, 1, 1, 1, 1, 1, 1}, tg::kConstant);
            }),
            "Padding length too large");
  EXPECT_EQ(error_of([&] {
              tg::constant_pad_nd(x, {1, 1, 1});
            }),
            "Length of pad must be even but instead it equals 3");
  EXPECT_EQ(error_of([&] {
              pad(x, {1, 1}, tg::kReplicate, 2.0);
            }),
            "Padding mode \"replicate\" doesn't take in value argument");
  EXPECT_EQ(error_of([&] {
              pad(tg::randn({1, 2, 3, 3}), {1, 1}, tg::kReflect);
            }),
            "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  EXPECT_EQ(error_of([&] {
              pad(x, {3, 3}, tg::kReflect);
            }),
            "Argument #4: Padding size should be less than the corresponding input dimension, but "
            "got: padding (3, 3) at dimension 2 of input [1, 2, 3]");
  EXPECT_EQ(error_of([&] {
              pad(tg::randn({1, 2, 3, 3}), {3, 3, 0, 0}, tg::kReflect);
            }),
            "Argument #4: Padding size should be less than the corresponding input dimension, but "
            "got: padding (3, 3) at dimension 3 of input 4");
  EXPECT_EQ(error_of([&] {
              pad(x, {-3, -1}, tg::kReplicate);
            }),
            "input (W: 3) is too small. Calculated output W: -1");
  EXPECT_EQ(error_of([&] {
              pad(tg::randn({3, 3}), {1, 1}, tg::kCircular);
            }),
            "Invalid padding size, expected 0 but got 2");
  EXPECT_EQ(error_of([&] {
              pad(x, {4, 0}, tg::kCircular);
            }),
            "Padding value causes wrapping around more than once.");
  EXPECT_EQ(error_of([&] {
              F::unfold(tg::randn({1, 1, 3, 3}), F::UnfoldFuncOptions(5));
            }),
            "Given input with spatial size (3, 3), kernel_size=(5, 5), dilation=(1, 1), "
            "padding=(0, 0), calculated shape of the array of sliding blocks as (-1, -1), but its "
            "components must be at least one.");
  EXPECT_EQ(error_of([&] {
              F::unfold(tg::randn({1, 1, 3, 3}), F::UnfoldFuncOptions(2).stride(0));
            }),
            "stride should be greater than zero, but got stride_height: 0 stride_width: 0");
  EXPECT_EQ(error_of([&] {
              F::fold(tg::randn({1, 5, 4}), F::FoldFuncOptions({3, 3}, 2));
            }),
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            "but got input.size(1)=5 and kernel_size=(2, 2).");
  EXPECT_EQ(error_of([&] {
              F::fold(tg::randn({1, 4, 5}), F::FoldFuncOptions({3, 3}, 2));
            }),
            "Given output_size=(3, 3), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
            "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
            "sliding blocks 2 * 2 = 4, but got input.size(2)=5.");
}

}  // namespace
