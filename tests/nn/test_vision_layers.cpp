// Flatten, Unflatten, Identity, PixelShuffle and PixelUnshuffle against PyTorch 1.13
// (tests/fixtures/nn/layers.json, made by scripts/make_layer_fixtures.py): outputs, node names,
// gradients and reprs; float64 finite-difference checks; errors in PyTorch's words.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <map>
#include <sstream>

#include "error_of.h"
#include "nn/layer_fixtures.h"
#include "ops/gradcheck.h"

namespace nn = tg::nn;
namespace F = tg::nn::functional;
using layer_test::close;
using layer_test::from;
using layer_test::json;
using layer_test::section;
using tg::Tensor;
using tg_test::error_of;

namespace {

template <typename M>
std::string repr(const M& m) {
  std::ostringstream ss;
  ss << *m;
  return ss.str();
}

std::map<std::string, std::string> reprs() {
  std::map<std::string, std::string> want;
  for (const auto& e : section("repr")) want[e[0].get<std::string>()] = e[1].get<std::string>();
  return want;
}

}  // namespace

TEST(PixelShuffle, MatchesPyTorch) {
  const json& cases = section("pixel_shuffle");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["fn"].get<std::string>() + " " + c["input"]["shape"].dump());
    Tensor x = from(c["input"]).set_requires_grad(true);
    const int64_t r = c["factor"];
    const bool shuffle = c["fn"] == "pixel_shuffle";
    Tensor out = shuffle ? F::pixel_shuffle(x, r) : F::pixel_unshuffle(x, r);
    EXPECT_TRUE(close(out, c["output"], 0, 0));
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
    out.backward(from(c["grad"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"], 0, 0));
    // The modules compute the same.
    Tensor m = shuffle ? nn::PixelShuffle(r)(x) : nn::PixelUnshuffle(r)(x);
    EXPECT_TRUE(tg::equal(m, out));
  }
}

TEST(PixelShuffle, Gradcheck) {
  tgtest::Rng rng(5);
  Tensor x = tgtest::uniform({2, 8, 2, 3}, -1, 1, rng).set_requires_grad(true);
  auto shuffle = [](const std::vector<Tensor>& in) { return F::pixel_shuffle(in[0], 2); };
  EXPECT_TRUE(tgtest::gradcheck(shuffle, {x}));
  EXPECT_TRUE(tgtest::gradgradcheck(shuffle, {x}));
  // Non-contiguous input: a transposed view.
  Tensor y = tgtest::uniform({2, 4, 4, 4}, -1, 1, rng).set_requires_grad(true);
  auto unshuffle = [](const std::vector<Tensor>& in) {
    return F::pixel_unshuffle(in[0].transpose(2, 3), 2);
  };
  EXPECT_TRUE(tgtest::gradcheck(unshuffle, {y}));
  EXPECT_TRUE(tgtest::gradgradcheck(unshuffle, {y}));
}

TEST(PixelShuffle, RoundTrip) {
  Tensor x = tg::arange(2 * 9 * 2 * 4, tg::kFloat32).view({2, 9, 2, 4});
  EXPECT_TRUE(tg::equal(F::pixel_unshuffle(F::pixel_shuffle(x, 3), 3), x));
}

TEST(PixelShuffle, Errors) {
  EXPECT_EQ(error_of([] {
              F::pixel_shuffle(tg::zeros({2, 2}), 2);
            }),
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 "
            "dimension(s)");
  EXPECT_EQ(error_of([] {
              F::pixel_shuffle(tg::zeros({1, 5, 2, 2}), 2);
            }),
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            "of upscale_factor, but input.size(-3)=5 is not divisible by 4");
  EXPECT_EQ(error_of([] {
              F::pixel_shuffle(tg::zeros({1, 4, 2, 2}), 0);
            }),
            "pixel_shuffle expects a positive upscale_factor, but got 0");
  EXPECT_EQ(error_of([] {
              F::pixel_unshuffle(tg::zeros({1, 4, 3, 2}), 2);
            }),
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            "input.size(-2)=3 is not divisible by 2");
  EXPECT_EQ(error_of([] {
              F::pixel_unshuffle(tg::zeros({1, 4, 2, 3}), 2);
            }),
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            "input.size(-1)=3 is not divisible by 2");
  EXPECT_EQ(error_of([] {
              F::pixel_unshuffle(tg::zeros({4, 2}), 2);
            }),
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with 2 "
            "dimension(s)");
  EXPECT_EQ(error_of([] {
              F::pixel_unshuffle(tg::zeros({1, 4, 2, 2}), 0);
            }),
            "pixel_unshuffle expects a positive downscale_factor, but got 0");
}

TEST(Flatten, ModulesAndReprs) {
  auto want = reprs();
  ASSERT_FALSE(want.empty());
  Tensor x = tg::arange(24, tg::kFloat32).view({2, 3, 4});
  nn::Flatten flat;
  EXPECT_EQ(flat(x).sizes().vec(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(repr(flat), want["Flatten()"]);
  nn::Flatten f02(nn::FlattenOptions().start_dim(0).end_dim(2));
  EXPECT_EQ(f02(x).sizes().vec(), (std::vector<int64_t>{24}));
  EXPECT_EQ(repr(f02), want["Flatten(0, 2)"]);

  nn::Unflatten un(1, std::vector<int64_t>{2, 6});
  EXPECT_EQ(un(x.view({2, 12})).sizes().vec(), (std::vector<int64_t>{2, 2, 6}));
  EXPECT_EQ(repr(nn::Unflatten(1, std::vector<int64_t>{2, 3})), want["Unflatten(1, (2, 3))"]);
  EXPECT_EQ(repr(nn::Unflatten(-1, std::vector<int64_t>{6})), want["Unflatten(-1, (6,))"]);
  nn::Unflatten infer(nn::UnflattenOptions(-1, {-1, 2}));
  EXPECT_EQ(infer(x).sizes().vec(), (std::vector<int64_t>{2, 3, 2, 2}));
  // Unflatten undoes Flatten, and both are views.
  Tensor y = un(flat(x).view({2, 12}));
  EXPECT_EQ(y.data_ptr<float>(), x.data_ptr<float>());

  nn::Identity id;
  EXPECT_EQ(id(x).data_ptr<float>(), x.data_ptr<float>());
  EXPECT_EQ(repr(id), want["Identity()"]);
  EXPECT_EQ(repr(nn::PixelShuffle(2)), want["PixelShuffle(2)"]);
  EXPECT_EQ(repr(nn::PixelUnshuffle(3)), want["PixelUnshuffle(3)"]);

  // Gradients flow through Flatten and Unflatten.
  Tensor z = tg::ones({2, 3, 4}, tg::requires_grad());
  (un(flat(z).view({2, 12})) * 2).sum().backward();
  EXPECT_TRUE(z.grad().eq(2).all().item<bool>());
}

TEST(Flatten, UnflattenErrors) {
  Tensor x = tg::zeros({2, 6});
  EXPECT_EQ(error_of([&] {
              nn::Unflatten(1, std::vector<int64_t>{2, 4})(x);
            }),
            "unflatten: Provided sizes [2, 4] don't multiply up to the size of dim 1 (6) in the "
            "input tensor");
  EXPECT_EQ(error_of([&] {
              nn::Unflatten(1, std::vector<int64_t>{-1, 4})(x);
            }),
            "unflatten: Provided sizes [-1, 4] don't multiply up to the size of dim 1 (6) in the "
            "input tensor");
}

namespace {

F::InterpolateFuncOptions interpolate_options(const json& kw) {
  F::InterpolateFuncOptions o;
  const std::string m = kw["mode"];
  if (m == "nearest") o.mode(tg::kNearest);
  if (m == "nearest-exact") o.mode(tg::kNearestExact);
  if (m == "linear") o.mode(tg::kLinear);
  if (m == "bilinear") o.mode(tg::kBilinear);
  if (m == "bicubic") o.mode(tg::kBicubic);
  if (m == "trilinear") o.mode(tg::kTrilinear);
  if (m == "area") o.mode(tg::kArea);
  if (kw.contains("size")) o.size(kw["size"].get<std::vector<int64_t>>());
  if (kw.contains("scale_factor")) o.scale_factor(kw["scale_factor"].get<std::vector<double>>());
  if (kw.contains("align_corners")) o.align_corners(kw["align_corners"].get<bool>());
  if (kw.contains("recompute_scale_factor"))
    o.recompute_scale_factor(kw["recompute_scale_factor"].get<bool>());
  return o;
}

}  // namespace

TEST(Interpolate, MatchesPyTorch) {
  const json& cases = section("interpolate");
  ASSERT_GT(cases.size(), 40u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["options"].dump() + " " + c["input"]["shape"].dump() + " " +
                 c["input"]["dtype"].get<std::string>());
    const auto o = interpolate_options(c["options"]);
    for (bool strided : {false, true}) {
      // The same values in a non-contiguous layout (the last two dims' strides swapped).
      Tensor x = from(c["input"]);
      if (strided) x = x.transpose(-1, -2).contiguous().transpose(-1, -2);
      ASSERT_EQ(x.is_contiguous(), !strided || x.size(-1) == 1 || x.size(-2) == 1);
      x.set_requires_grad(true);
      Tensor out = F::interpolate(x, o);
      EXPECT_TRUE(close(out, c["output"]));
      ASSERT_NE(out.grad_fn(), nullptr);
      EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
      out.backward(from(c["grad"]));
      EXPECT_TRUE(close(x.grad(), c["grad_input"]));
    }
  }
}

TEST(Interpolate, Gradcheck) {
  tgtest::Rng rng(21);
  struct Row {
    std::vector<int64_t> shape;
    F::InterpolateFuncOptions options;
  };
  const std::vector<Row> rows = {
      {{1, 2, 5}, F::InterpolateFuncOptions().size(std::vector<int64_t>{8}).mode(tg::kNearest)},
      {{2, 1, 4}, F::InterpolateFuncOptions().size(std::vector<int64_t>{7}).mode(tg::kLinear)},
      {{1, 1, 3, 4},
       F::InterpolateFuncOptions()
           .size(std::vector<int64_t>{5, 3})
           .mode(tg::kBilinear)
           .align_corners(true)},
      {{1, 1, 4, 3},
       F::InterpolateFuncOptions().scale_factor(std::vector<double>{1.5, 2}).mode(tg::kBicubic)},
      {{1, 2, 5, 4}, F::InterpolateFuncOptions().size(std::vector<int64_t>{3, 3}).mode(tg::kArea)},
      {{1, 1, 2, 3, 2},
       F::InterpolateFuncOptions().size(std::vector<int64_t>{3, 2, 4}).mode(tg::kTrilinear)},
      {{1, 1, 2, 3, 2},
       F::InterpolateFuncOptions().size(std::vector<int64_t>{3, 4, 3}).mode(tg::kNearestExact)},
      {{1, 1, 7}, F::InterpolateFuncOptions().size(std::vector<int64_t>{3}).mode(tg::kArea)},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.options.mode().name());
    Tensor x = tgtest::uniform(r.shape, -1, 1, rng).set_requires_grad(true);
    auto fn = [&](const std::vector<Tensor>& in) { return F::interpolate(in[0], r.options); };
    EXPECT_TRUE(tgtest::gradcheck(fn, {x}));
    EXPECT_TRUE(tgtest::gradgradcheck(fn, {x}));
    // A non-contiguous input.
    auto fn_t = [&](const std::vector<Tensor>& in) {
      return F::interpolate(in[0].transpose(0, 1), r.options);
    };
    std::vector<int64_t> swapped = r.shape;
    std::swap(swapped[0], swapped[1]);
    EXPECT_TRUE(
        tgtest::gradcheck(fn_t, {tgtest::uniform(swapped, -1, 1, rng).set_requires_grad(true)}));
  }
}

TEST(Interpolate, UpsampleModule) {
  auto want = reprs();
  nn::Upsample up(nn::UpsampleOptions().scale_factor(std::vector<double>{2}));
  EXPECT_EQ(repr(up), want["Upsample(scale_factor=2.0)"]);
  Tensor x = tg::arange(6, tg::kFloat32).view({1, 2, 3});
  EXPECT_TRUE(tg::equal(up(x), x.repeat_interleave(2, 2)));
  EXPECT_EQ(
      repr(nn::Upsample(
          nn::UpsampleOptions().scale_factor(std::vector<double>{2, 1.5}).mode(tg::kBilinear))),
      want["Upsample(scale_factor=(2.0, 1.5), mode=bilinear)"]);
  nn::Upsample cubic(nn::UpsampleOptions()
                         .size(std::vector<int64_t>{3, 4})
                         .mode(tg::kBicubic)
                         .align_corners(true));
  EXPECT_EQ(repr(cubic), want["Upsample(size=(3, 4), mode=bicubic, align_corners=True)"]);
  Tensor y = tg::ones({2, 1, 2, 2});
  EXPECT_TRUE(tg::allclose(cubic(y), tg::ones({2, 1, 3, 4})));
}

TEST(Interpolate, Errors) {
  Tensor x = tg::zeros({1, 1, 4, 4});
  auto err = [&](const Tensor& t, const F::InterpolateFuncOptions& o) {
    return error_of([&] { F::interpolate(t, o); });
  };
  EXPECT_EQ(err(x, F::InterpolateFuncOptions().mode(tg::kBilinear)),
            "either size or scale_factor should be defined");
  EXPECT_EQ(err(x, F::InterpolateFuncOptions()
                       .size(std::vector<int64_t>{2, 2})
                       .scale_factor(std::vector<double>{2, 2})),
            "only one of size or scale_factor should be defined");
  EXPECT_EQ(err(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{2}).align_corners(true)),
            "align_corners option can only be set with the interpolating modes: linear | "
            "bilinear | bicubic | trilinear");
  EXPECT_EQ(err(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{8})),
            "Input and output must have the same number of spatial dimensions, but got input "
            "with spatial dimensions of [4, 4] and output size of [8]. Please provide input "
            "tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.");
  EXPECT_EQ(err(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8}).mode(tg::kLinear)),
            "Got 4D input, but linear mode needs 3D input");
  EXPECT_EQ(err(tg::zeros({1, 1, 4}),
                F::InterpolateFuncOptions().size(std::vector<int64_t>{8}).mode(tg::kTrilinear)),
            "Got 3D input, but trilinear mode needs 5D input");
  EXPECT_EQ(err(tg::zeros({1, 4}), F::InterpolateFuncOptions().size(std::vector<int64_t>{8})),
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: "
            "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
            "nearest)");
  EXPECT_EQ(err(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{0, 3})),
            "Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output "
            "(H: 0, W: 3)");
}

TEST(GridSample, MatchesPyTorch) {
  const json& cases = section("grid_sample");
  ASSERT_GE(cases.size(), 24u);
  for (const auto& c : cases) {
    const std::string mode = c["mode"], pad = c["padding_mode"];
    SCOPED_TRACE(mode + " " + pad + " " + c["align_corners"].dump() + " " +
                 c["input"]["dtype"].get<std::string>());
    F::GridSampleFuncOptions o;
    if (mode == "nearest") o.mode(tg::kNearest);
    if (pad == "border") o.padding_mode(tg::kBorder);
    if (pad == "reflection") o.padding_mode(tg::kReflection);
    o.align_corners(c["align_corners"].get<bool>());
    Tensor x = from(c["input"]).set_requires_grad(true);
    Tensor g = from(c["grid"]).set_requires_grad(true);
    Tensor out = F::grid_sample(x, g, o);
    EXPECT_TRUE(close(out, c["output"]));
    out.backward(from(c["grad"]));
    EXPECT_TRUE(close(x.grad(), c["grad_input"]));
    EXPECT_TRUE(close(g.grad(), c["grad_grid"], -1, 1e-5));
  }
}

TEST(GridSample, AffineGridMatchesPyTorch) {
  const json& cases = section("affine_grid");
  ASSERT_GE(cases.size(), 6u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["size"].dump());
    Tensor t = from(c["theta"]).set_requires_grad(true);
    Tensor out =
        F::affine_grid(t, c["size"].get<std::vector<int64_t>>(), c["align_corners"].get<bool>());
    EXPECT_TRUE(close(out, c["output"]));
    out.backward(from(c["grad"]));
    EXPECT_TRUE(close(t.grad(), c["grad_theta"]));
  }
}

TEST(GridSample, Gradcheck) {
  tgtest::Rng rng(31);
  Tensor x = tgtest::uniform({1, 2, 3, 4}, -1, 1, rng).set_requires_grad(true);
  // Points away from pixel centres and borders, where the bilinear weights have kinks.
  Tensor g = (tgtest::uniform({1, 2, 3, 2}, -0.9, 0.9, rng) * 1.0).set_requires_grad(true);
  for (bool align : {false, true}) {
    auto fn = [&](const std::vector<Tensor>& in) {
      return F::grid_sample(
          in[0], in[1], F::GridSampleFuncOptions().padding_mode(tg::kBorder).align_corners(align));
    };
    EXPECT_TRUE(tgtest::gradcheck(fn, {x, g}));
  }
  Tensor theta = tgtest::uniform({2, 2, 3}, -1, 1, rng).set_requires_grad(true);
  EXPECT_TRUE(tgtest::gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::affine_grid(in[0], {2, 1, 3, 4}, false);
      },
      {theta}));
}

TEST(GridSample, Errors) {
  EXPECT_EQ(error_of([] {
              F::grid_sample(tg::zeros({1, 1, 2, 2}), tg::zeros({1, 2, 2}));
            }),
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            "but got input with sizes [1, 1, 2, 2] and grid with sizes [1, 2, 2]");
  EXPECT_EQ(error_of([] {
              F::grid_sample(tg::zeros({1, 1, 2, 2}), tg::zeros({2, 2, 2, 2}));
            }),
            "grid_sampler(): expected grid and input to have same batch size, but got input with "
            "sizes [1, 1, 2, 2] and grid with sizes [2, 2, 2, 2]");
  EXPECT_EQ(error_of([] {
              F::grid_sample(tg::zeros({1, 1, 2, 2}), tg::zeros({1, 2, 2, 3}));
            }),
            "grid_sampler(): expected grid to have size 2 in last dimension, but got grid with "
            "sizes [1, 2, 2, 3]");
}
