// Pooling against PyTorch (tests/fixtures/nn/pooling.json, made by
// scripts/make_pool_norm_fixtures.py): values, indices, node names and input gradients over kernel,
// stride, padding, dilation, ceil mode, odd sizes, unbatched, strided and channels-last inputs;
// then float64 gradcheck and gradgradcheck, the modules, and the errors in PyTorch's words.
#include <gtest/gtest.h>

#include <sstream>

#include "error_of.h"
#include "nn/pool_norm_fixtures.h"
#include "ops/gradcheck.h"

namespace F = tg::nn::functional;
using pool_norm::json;
using tg_test::error_of;

namespace {

template <size_t D>
tg::ExpandingArray<D> arr(const json& v) {
  if (v.is_number()) return tg::ExpandingArray<D>(v.get<int64_t>());
  return tg::ExpandingArray<D>(v.get<std::vector<int64_t>>());
}

template <size_t D, typename Options>
Options with_common(Options o, const json& opt) {
  if (opt.contains("stride")) o.stride(arr<D>(opt["stride"]));
  if (opt.contains("padding")) o.padding(arr<D>(opt["padding"]));
  if (opt.contains("ceil_mode")) o.ceil_mode(opt["ceil_mode"].get<bool>());
  return o;
}

template <size_t D>
std::tuple<tg::Tensor, tg::Tensor> run_max_pool(const tg::Tensor& x, const json& opt) {
  auto o = with_common<D>(tg::nn::MaxPoolOptions<D>(arr<D>(opt["kernel_size"])), opt);
  if (opt.contains("dilation")) o.dilation(arr<D>(opt["dilation"]));
  if constexpr (D == 1) return F::max_pool1d_with_indices(x, o);
  if constexpr (D == 2) return F::max_pool2d_with_indices(x, o);
  if constexpr (D == 3) return F::max_pool3d_with_indices(x, o);
}

template <size_t D>
tg::Tensor run_avg_pool(const tg::Tensor& x, const json& opt) {
  auto o = with_common<D>(tg::nn::AvgPoolOptions<D>(arr<D>(opt["kernel_size"])), opt);
  if (opt.contains("count_include_pad")) o.count_include_pad(opt["count_include_pad"].get<bool>());
  if (opt.contains("divisor_override")) o.divisor_override(opt["divisor_override"].get<int64_t>());
  if constexpr (D == 1) return F::avg_pool1d(x, o);
  if constexpr (D == 2) return F::avg_pool2d(x, o);
  if constexpr (D == 3) return F::avg_pool3d(x, o);
}

template <size_t D>
tg::ExpandingArrayWithOptionalElem<D> out_size(const json& v) {
  if (v.is_number()) return tg::ExpandingArrayWithOptionalElem<D>(v.get<int64_t>());
  const std::vector<int64_t> given = v.get<std::vector<int64_t>>();
  return tg::ExpandingArrayWithOptionalElem<D>(
      std::vector<std::optional<int64_t>>(given.begin(), given.end()));
}

}  // namespace

TEST(Pooling, MatchPyTorch) {
  json fx = pool_norm::load("pooling.json");
  int checked = 0;
  for (const auto& c : fx["cases"]) {
    const std::string op = c["op"];
    const tg::ScalarType dt = pool_norm::dtype_of(c);
    const json& opt = c["options"];
    const std::string what = op + " " + c["shape"].dump() + " " + opt.dump() + " " +
                             c["layout"].get<std::string>() + " " + c["dtype"].get<std::string>();
    tg::Tensor x = pool_norm::laid_out(pool_norm::from(c["input"], c["shape"], dt), c["layout"])
                       .requires_grad_();
    tg::Tensor out, idx;
    if (op == "max_pool1d")
      std::tie(out, idx) = run_max_pool<1>(x, opt);
    else if (op == "max_pool2d")
      std::tie(out, idx) = run_max_pool<2>(x, opt);
    else if (op == "max_pool3d")
      std::tie(out, idx) = run_max_pool<3>(x, opt);
    else if (op == "avg_pool1d")
      out = run_avg_pool<1>(x, opt);
    else if (op == "avg_pool2d")
      out = run_avg_pool<2>(x, opt);
    else if (op == "avg_pool3d")
      out = run_avg_pool<3>(x, opt);
    else if (op == "adaptive_avg_pool1d")
      out = F::adaptive_avg_pool1d(x, tg::ExpandingArray<1>(opt["output_size"].get<int64_t>()));
    else if (op == "adaptive_avg_pool2d")
      out = F::adaptive_avg_pool2d(x, out_size<2>(opt["output_size"]));
    else if (op == "adaptive_avg_pool3d")
      out = F::adaptive_avg_pool3d(x, out_size<3>(opt["output_size"]));
    else if (op == "adaptive_max_pool1d")
      std::tie(out, idx) = F::adaptive_max_pool1d_with_indices(
          x, tg::ExpandingArray<1>(opt["output_size"].get<int64_t>()));
    else if (op == "adaptive_max_pool2d")
      std::tie(out, idx) = F::adaptive_max_pool2d_with_indices(x, out_size<2>(opt["output_size"]));
    else if (op == "lp_pool1d" || op == "lp_pool2d") {
      const double p = opt["norm_type"];
      if (op == "lp_pool1d") {
        auto o = tg::nn::LPPool1dOptions(p, arr<1>(opt["kernel_size"]));
        if (opt.contains("stride")) o.stride(arr<1>(opt["stride"]));
        if (opt.contains("ceil_mode")) o.ceil_mode(opt["ceil_mode"].get<bool>());
        out = F::lp_pool1d(x, o);
      } else {
        auto o = tg::nn::LPPool2dOptions(p, arr<2>(opt["kernel_size"]));
        if (opt.contains("stride")) o.stride(arr<2>(opt["stride"]));
        if (opt.contains("ceil_mode")) o.ceil_mode(opt["ceil_mode"].get<bool>());
        out = F::lp_pool2d(x, o);
      }
    } else if (op == "max_unpool1d" || op == "max_unpool2d") {
      tg::Tensor ix = tg::tensor(c["indices"].get<std::vector<int64_t>>(), tg::kLong)
                          .reshape(c["shape"].get<std::vector<int64_t>>());
      std::optional<std::vector<int64_t>> size;
      if (!opt["output_size"].is_null()) size = opt["output_size"].get<std::vector<int64_t>>();
      if (op == "max_unpool1d") {
        out = F::max_unpool1d(x, ix,
                              F::MaxUnpool1dFuncOptions(arr<1>(opt["kernel_size"]))
                                  .stride(arr<1>(opt["stride"]))
                                  .padding(arr<1>(opt["padding"]))
                                  .output_size(size));
      } else {
        out = F::max_unpool2d(x, ix,
                              F::MaxUnpool2dFuncOptions(arr<2>(opt["kernel_size"]))
                                  .stride(arr<2>(opt["stride"]))
                                  .padding(arr<2>(opt["padding"]))
                                  .output_size(size));
      }
    } else {
      ADD_FAILURE() << "unknown op " << op;
      continue;
    }
    EXPECT_EQ(out.sizes().vec(), c["out_shape"].get<std::vector<int64_t>>()) << what;
    pool_norm::expect_close(out, c["output"], dt, what + " output");
    if (idx.defined()) {
      EXPECT_EQ(idx.scalar_type(), tg::kLong) << what;
      tg::Tensor flat = idx.contiguous().reshape({-1});
      EXPECT_EQ(
          std::vector<int64_t>(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel()),
          c["indices"].get<std::vector<int64_t>>())
          << what;
    }
    ASSERT_NE(out.grad_fn(), nullptr) << what;
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>()) << what;
    out.backward(pool_norm::from(c["upstream"], out.sizes().vec(), dt));
    pool_norm::expect_close(x.grad(), c["grad_input"], dt, what + " grad");
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(fx["cases"].size()));
  EXPECT_GE(checked, 40);
}

namespace {

using tgtest::gradcheck;
using tgtest::gradgradcheck;

struct GradRow {
  std::string name;
  std::vector<int64_t> shape;
  tgtest::TensorFn fn;
};

std::vector<GradRow> grad_rows() {
  auto first = [](const std::vector<tg::Tensor>& v) { return v[0]; };
  (void)first;
  return {
      {"max_pool2d",
       {2, 2, 5, 6},
       [](const std::vector<tg::Tensor>& v) {
         return tg::max_pool2d(v[0], {2, 3}, {1, 2}, 1);
       }},
      {"max_pool2d dilated ceil",
       {1, 2, 7, 7},
       [](const std::vector<tg::Tensor>& v) { return tg::max_pool2d(v[0], 3, 2, 1, 2, true); }},
      {"max_pool2d transposed",
       {1, 2, 6, 5},
       [](const std::vector<tg::Tensor>& v) { return tg::max_pool2d(v[0].transpose(2, 3), 2); }},
      {"max_pool1d",
       {2, 3, 9},
       [](const std::vector<tg::Tensor>& v) { return tg::max_pool1d(v[0], 3, 2, 1); }},
      {"max_pool3d",
       {1, 2, 4, 4, 5},
       [](const std::vector<tg::Tensor>& v) {
         return tg::max_pool3d(v[0], 2, {1, 2, 2});
       }},
      {"avg_pool2d",
       {2, 2, 5, 6},
       [](const std::vector<tg::Tensor>& v) { return tg::avg_pool2d(v[0], 3, 2, 1, true, false); }},
      {"avg_pool2d divisor",
       {1, 2, 5, 5},
       [](const std::vector<tg::Tensor>& v) {
         return tg::avg_pool2d(v[0], 2, 1, 1, false, true, 3);
       }},
      {"avg_pool1d",
       {2, 3, 8},
       [](const std::vector<tg::Tensor>& v) { return tg::avg_pool1d(v[0], 3, 2, 1); }},
      {"avg_pool3d",
       {1, 2, 4, 5, 4},
       [](const std::vector<tg::Tensor>& v) { return tg::avg_pool3d(v[0], 2, 2, 1); }},
      {"adaptive_avg_pool2d",
       {2, 2, 7, 5},
       [](const std::vector<tg::Tensor>& v) {
         return tg::adaptive_avg_pool2d(v[0], {3, 4});
       }},
      {"adaptive_avg_pool3d",
       {1, 2, 5, 4, 3},
       [](const std::vector<tg::Tensor>& v) {
         return tg::adaptive_avg_pool3d(v[0], {2, 3, 2});
       }},
      {"adaptive_avg_pool1d",
       {2, 3, 7},
       [](const std::vector<tg::Tensor>& v) { return tg::adaptive_avg_pool1d(v[0], 3); }},
      {"adaptive_max_pool2d",
       {2, 2, 7, 5},
       [](const std::vector<tg::Tensor>& v) {
         return std::get<0>(tg::adaptive_max_pool2d(v[0], {3, 2}));
       }},
      {"lp_pool2d",
       {1, 2, 6, 6},
       [](const std::vector<tg::Tensor>& v) {
         return F::lp_pool2d(v[0].abs() + 0.5, tg::nn::LPPool2dOptions(2.0, 2));
       }},
      {"max_unpool2d",
       {1, 2, 3, 3},
       [](const std::vector<tg::Tensor>& v) {
         const tg::Tensor idx = std::get<1>(tg::max_pool2d_with_indices(
             tg::arange(72, tg::kDouble).reshape({1, 2, 6, 6}).cos(), 2));
         return tg::max_unpool2d(v[0], idx, {6, 6});
       }},
  };
}

}  // namespace

TEST(Pooling, Gradcheck) {
  tgtest::Rng rng(77);
  for (const auto& row : grad_rows()) {
    tg::Tensor x = tgtest::uniform(row.shape, -2.0, 2.0, rng).requires_grad_();
    EXPECT_TRUE(gradcheck(row.fn, {x})) << row.name;
    EXPECT_TRUE(gradgradcheck(row.fn, {x})) << row.name;
  }
}

TEST(Pooling, DoubleBackwardNodes) {
  tg::Tensor x = tg::randn({1, 1, 4, 4}, tg::kDouble).requires_grad_();
  tg::Tensor g = tg::autograd::grad({tg::max_pool2d(x, 2).sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(g.grad_fn()->name(), "MaxPool2DWithIndicesBackwardBackward0");
  g = tg::autograd::grad({tg::avg_pool2d(x, 2).sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(g.grad_fn()->name(), "AvgPool2DBackwardBackward0");
  g = tg::autograd::grad({tg::adaptive_avg_pool2d(x, {3, 3}).sum()}, {x}, {}, true, true)[0];
  EXPECT_EQ(g.grad_fn()->name(), "AdaptiveAvgPool2DBackwardBackward0");
}

TEST(Pooling, Modules) {
  tg::nn::MaxPool2d mp(tg::nn::MaxPool2dOptions(2));
  tg::Tensor x = tg::arange(32, tg::kFloat).reshape({1, 2, 4, 4});
  auto [out, idx] = mp->forward_with_indices(x);
  EXPECT_TRUE(tg::equal(out, mp->forward(x)));
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(idx[0][0][0][0].item<int64_t>(), 5);
  EXPECT_FLOAT_EQ(out[0][1][1][1].item<float>(), 31.0f);
  std::ostringstream ss;
  ss << *mp;
  EXPECT_EQ(ss.str(), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");

  tg::nn::MaxUnpool2d unpool(tg::nn::MaxUnpool2dOptions(2));
  tg::Tensor back = unpool->forward(out, idx);
  EXPECT_EQ(back.sizes().vec(), x.sizes().vec());
  EXPECT_FLOAT_EQ(back.sum().item<float>(), out.sum().item<float>());

  tg::nn::AdaptiveAvgPool2d ap(tg::nn::AdaptiveAvgPool2dOptions({std::nullopt, 1}));
  EXPECT_EQ(ap->forward(x).sizes().vec(), (std::vector<int64_t>{1, 2, 4, 1}));
  ss.str("");
  ss << *ap;
  EXPECT_EQ(ss.str(), "AdaptiveAvgPool2d(output_size=(None, 1))");
  tg::nn::AvgPool2d avg(tg::nn::AvgPool2dOptions({3, 2}).stride(1).padding({1, 0}));
  ss.str("");
  ss << *avg;
  EXPECT_EQ(ss.str(), "AvgPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0))");
  EXPECT_EQ(avg->forward(x).sizes().vec(), (std::vector<int64_t>{1, 2, 4, 3}));
  tg::nn::AdaptiveMaxPool1d amp(3);
  auto [v, i] = amp->forward_with_indices(x.reshape({2, 2, 8}));
  EXPECT_EQ(v.sizes().vec(), (std::vector<int64_t>{2, 2, 3}));
  tg::nn::LPPool2d lp(tg::nn::LPPool2dOptions(2, 2));
  ss.str("");
  ss << *lp;
  EXPECT_EQ(ss.str(), "LPPool2d(norm_type=2.0, kernel_size=2, stride=2, ceil_mode=False)");
  tg::nn::MaxPool3d m3(tg::nn::MaxPool3dOptions(2));
  EXPECT_EQ(m3->forward(tg::zeros({2, 4, 4, 4})).sizes().vec(), (std::vector<int64_t>{2, 2, 2, 2}));
  tg::nn::AvgPool1d a1(tg::nn::AvgPool1dOptions(2));
  EXPECT_EQ(a1->forward(tg::zeros({2, 5})).sizes().vec(), (std::vector<int64_t>{2, 2}));
}

TEST(Pooling, ThreadCountDoesNotChangeResults) {
  tg::manual_seed(3);
  tg::Tensor x = tg::randn({4, 32, 40, 40});
  const int before = tg::get_num_threads();
  tg::set_num_threads(1);
  tg::Tensor a = tg::max_pool2d(x, 3, 2, 1), b = tg::avg_pool2d(x, 2),
             c = tg::adaptive_avg_pool2d(x, {7, 7});
  tg::set_num_threads(2);
  EXPECT_TRUE(tg::equal(a, tg::max_pool2d(x, 3, 2, 1)));
  EXPECT_TRUE(tg::equal(b, tg::avg_pool2d(x, 2)));
  EXPECT_TRUE(tg::equal(c, tg::adaptive_avg_pool2d(x, {7, 7})));
  tg::set_num_threads(before);
}

TEST(Pooling, Errors) {
  tg::Tensor x = tg::zeros({1, 2, 4, 4});
  EXPECT_EQ(error_of([&] {
              tg::max_pool2d(tg::zeros({4, 4}), 2);
            }),
            "max_pool2d: non-empty 3D or 4D (batch mode) tensor expected for input, but got input "
            "of size [4, 4]");
  EXPECT_EQ(error_of([&] { tg::max_pool2d(x, 0); }),
            "max_pool2d: kernel size should be greater than zero, but got kH: 0 kW: 0");
  EXPECT_EQ(error_of([&] { tg::max_pool2d(x, 2, 0); }),
            "max_pool2d: stride should be greater than zero, but got dH: 0 dW: 0");
  EXPECT_EQ(error_of([&] { tg::max_pool2d(x, 2, 2, 2); }),
            "max_pool2d: pad should be smaller than or equal to half of kernel size, but got "
            "padW = 2, padH = 2, kW = 2, kH = 2");
  EXPECT_EQ(error_of([&] { tg::max_pool2d(x, 5); }),
            "max_pool2d: Given input size: (2x4x4). Calculated output size: (2x0x0). Output size "
            "is too small");
  EXPECT_EQ(error_of([&] {
              tg::max_pool2d(x, {2, 2, 2});
            }),
            "max_pool2d: kernel_size must either be a single int, or a tuple of two ints");
  EXPECT_EQ(error_of([&] {
              tg::max_pool2d(tg::zeros({1, 2, 4, 4}, tg::kLong), 2);
            }),
            "max_pool2d: \"max_pool2d\" not implemented for 'Long'");
  EXPECT_EQ(error_of([&] { tg::max_pool1d(x, 2); }),
            "max_pool1d() Expected 2D or 3D input tensor, but got [1, 2, 4, 4]");
  EXPECT_EQ(error_of([&] { tg::avg_pool2d(x, 2, 2, 0, false, true, 0); }),
            "avg_pool2d: divisor must be not zero");
  EXPECT_EQ(error_of([&] {
              tg::avg_pool3d(tg::zeros({2, 4, 4}), 2);
            }),
            "avg_pool3d: non-empty 4D or 5D (batch mode) tensor expected for input, but got input "
            "of size [2, 4, 4]");
  EXPECT_EQ(error_of([&] {
              tg::adaptive_avg_pool2d(tg::zeros({4}), {2, 2});
            }),
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4]");
  EXPECT_EQ(error_of([&] { tg::adaptive_avg_pool2d(x, {2}); }),
            "adaptive_avg_pool2d: output_size must be 2");
  EXPECT_EQ(error_of([&] {
              tg::adaptive_avg_pool1d(tg::zeros({2, 3, 0}), 2);
            }),
            "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
            "dimensions, but input has sizes [2, 3, 1, 0] with dimension 3 being empty");
  // Plain variables, not a structured binding: clang 14 cannot capture bindings in lambdas.
  const auto pooled = tg::max_pool2d_with_indices(x, 2);
  const tg::Tensor p = std::get<0>(pooled), i = std::get<1>(pooled);
  tg::Tensor bad = i.clone();
  bad.fill_(100);
  EXPECT_EQ(error_of([&] {
              tg::max_unpool2d(p, bad, {4, 4});
            }),
            "max_unpool2d: Found an invalid max index: 100 (output volumes are of size 4x4");
  EXPECT_EQ(
      error_of([&] {
        F::max_unpool2d(p, i, F::MaxUnpool2dFuncOptions(2).output_size(std::vector<int64_t>{7, 7}));
      }),
      "invalid output_size [7, 7] (dim 0 must be between 2 and 6)");
}
