// The compatibility headers: libtorch's names resolve to tensorgrad's entities, the check macros
// throw what tensorgrad throws with libtorch's wording, devices other than the CPU are refused
// clearly, and including the headers selects the libtorch dialect.
#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <c10/util/irange.h>
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <string>
#include <type_traits>

namespace {

// The message of the tg::Error that f throws ("" when it throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tg::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(CompatNames, NamespacesNameTensorgradsEntities) {
  static_assert(std::is_same_v<torch::Tensor, tg::Tensor>);
  static_assert(std::is_same_v<at::Tensor, tg::Tensor>);
  static_assert(std::is_same_v<torch::nn::Linear, tg::nn::Linear>);
  static_assert(std::is_same_v<torch::nn::Module, tg::nn::Module>);
  static_assert(std::is_same_v<torch::optim::SGD, tg::optim::SGD>);
  static_assert(std::is_same_v<torch::autograd::Node, tg::autograd::Node>);
  static_assert(std::is_same_v<torch::autograd::variable_list, tg::autograd::variable_list>);
  static_assert(std::is_same_v<c10::Error, tg::Error>);
  static_assert(std::is_same_v<torch::Dtype, tg::ScalarType>);
  static_assert(std::is_same_v<c10::Device, tg::Device>);
  static_assert(std::is_same_v<c10::optional<int>, std::optional<int>>);
  static_assert(std::is_same_v<at::IntArrayRef, tg::IntArrayRef>);
  EXPECT_EQ(torch::kFloat32, tg::kFloat);
  EXPECT_EQ(at::kLong, tg::kInt64);
  EXPECT_EQ(c10::kCPU, tg::DeviceType::CPU);
  // Functions too: torch::autograd::grad is tg::autograd::grad.
  auto x = torch::tensor({2.0}, torch::requires_grad());
  auto g = torch::autograd::grad({x * x}, {x})[0];
  EXPECT_EQ(g.item<double>(), 4.0);
  namespace F = torch::nn::functional;
  EXPECT_EQ(F::mse_loss(torch::ones({2}), torch::zeros({2})).item<float>(), 1.0f);
}

TEST(CompatNames, VariableIsTensorAndTheVersionIsLibtorchs) {
  static_assert(std::is_same_v<torch::autograd::Variable, torch::Tensor>);
  static_assert(TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR == 13);
  EXPECT_STREQ(TORCH_VERSION, "1.13.0");
}

TEST(CompatNames, IncludingTheHeadersSelectsTheLibtorchDialect) {
  EXPECT_EQ(tg::get_dialect(), tg::Dialect::Libtorch);
}

TEST(CompatChecks, TorchCheckThrowsTensorgradsErrorWithTheCallersMessage) {
  const int n = 3;
  EXPECT_EQ(error_of([&] { TORCH_CHECK(n == 4, "expected 4 items, got ", n); }),
            "expected 4 items, got 3");
  EXPECT_EQ(error_of([&] { TORCH_CHECK(n == 3, "not thrown"); }), "");
  EXPECT_EQ(error_of([&] { TORCH_CHECK(n > 5); }),
            "Expected n > 5 to be true, but got false.  (Could this error message be improved?  "
            "If so, please report an enhancement request to PyTorch.)");
  try {
    TORCH_CHECK(false, "value ", 1.5);
    FAIL() << "TORCH_CHECK did not throw";
  } catch (const c10::Error& e) {
    EXPECT_EQ(e.msg(), "value 1.5");
    EXPECT_STREQ(e.what_without_backtrace(), "value 1.5");
  }
}

TEST(CompatChecks, TypedChecksThrowTheirErrorType) {
  EXPECT_THROW(TORCH_CHECK_INDEX(false, "index 5 is out of bounds"), c10::IndexError);
  EXPECT_THROW(TORCH_CHECK_VALUE(false, "bad value"), c10::ValueError);
  EXPECT_THROW(TORCH_CHECK_TYPE(false, "bad type"), c10::TypeError);
  EXPECT_THROW(TORCH_CHECK_NOT_IMPLEMENTED(false, "later"), c10::NotImplementedError);
  // Each is a c10::Error, which is a tg::Error.
  EXPECT_EQ(error_of([] { TORCH_CHECK_INDEX(false, "index ", 5, " is out of bounds"); }),
            "index 5 is out of bounds");
}

TEST(CompatChecks, InternalAssertsSayWhere) {
  const std::string msg = error_of([] { TORCH_INTERNAL_ASSERT(1 + 1 == 3, "arithmetic broke"); });
  EXPECT_TRUE(contains(msg, "1 + 1 == 3 INTERNAL ASSERT FAILED at \"")) << msg;
  EXPECT_TRUE(contains(msg, "test_headers.cc\":")) << msg;
  EXPECT_TRUE(contains(msg, ", please report a bug to PyTorch. arithmetic broke")) << msg;
  EXPECT_TRUE(contains(error_of([] { AT_ASSERT(false); }), "false INTERNAL ASSERT FAILED"));
  EXPECT_EQ(error_of([] { AT_ERROR("no kernel for ", "Half"); }), "no kernel for Half");
  EXPECT_EQ(error_of([] { TORCH_INTERNAL_ASSERT(true); }), "");
}

void warn_twice() {
  for (int i = 0; i < 2; ++i) TORCH_WARN_ONCE("only once");
}

TEST(CompatChecks, WarningsGoToStderrInLibtorchsLayout) {
  testing::internal::CaptureStderr();
  TORCH_WARN("step ", 3, " is slow");
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(out, "[W test_headers.cc:")) << out;
  EXPECT_TRUE(contains(out, "] Warning: step 3 is slow (function TestBody)\n")) << out;
  testing::internal::CaptureStderr();
  warn_twice();
  warn_twice();
  const std::string once = testing::internal::GetCapturedStderr();
  EXPECT_EQ(once.find("only once"), once.rfind("only once")) << once;
  EXPECT_TRUE(contains(once, "(function warn_twice)")) << once;
}

TEST(CompatChecks, LibraryErrorsAreCaughtAsC10Errors) {
  EXPECT_THROW(torch::ones({2, 3}).view({4}), c10::Error);
  EXPECT_THROW(at::mm(torch::ones({2, 3}), torch::ones({2, 3})), c10::Error);
}

TEST(CompatUtil, StrAndIrange) {
  EXPECT_EQ(torch::str("layer", 3, ".weight"), "layer3.weight");
  EXPECT_EQ(c10::str(), "");
  EXPECT_EQ(c10::str(torch::IntArrayRef({2, 3})), "[2, 3]");
  int64_t sum = 0, count = 0;
  for (const auto i : c10::irange(5)) sum += i;
  for (const auto i : c10::irange(2, 6)) count += i;
  EXPECT_EQ(sum, 10);
  EXPECT_EQ(count, 2 + 3 + 4 + 5);
  for (const auto i : c10::irange(3, 1)) FAIL() << "empty range yielded " << i;
  static_assert(std::is_same_v<decltype(*c10::irange(int64_t(4)).begin()), const int64_t&>);
}

struct TwoLayerImpl : torch::nn::Module {
  TwoLayerImpl(int64_t in, int64_t out)
      : fc1(register_module("fc1", torch::nn::Linear(in, 8))),
        fc2(register_module("fc2", torch::nn::Linear(8, out))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(TwoLayer);

struct ScaleOptions {
  ScaleOptions(double factor) : factor_(factor) {}  // NOLINT
  TORCH_ARG(double, factor);
  TORCH_ARG(bool, inplace) = false;
};

TEST(CompatModules, TorchModuleAndTorchArg) {
  static_assert(std::is_same_v<TwoLayer::Impl, TwoLayerImpl>);
  TwoLayer net(3, 2);
  EXPECT_EQ(net->forward(torch::ones({4, 3})).sizes(), torch::IntArrayRef({4, 2}));
  EXPECT_EQ(net(torch::ones({1, 3})).size(1), 2);
  EXPECT_EQ(net->parameters().size(), 4u);
  TwoLayer empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  const ScaleOptions options = ScaleOptions(2.5).inplace(true);
  EXPECT_EQ(options.factor(), 2.5);
  EXPECT_TRUE(options.inplace());
}

TEST(CompatDevices, CudaIsNotAvailable) {
  EXPECT_FALSE(torch::cuda::is_available());
  EXPECT_EQ(torch::cuda::device_count(), 0);
  EXPECT_FALSE(torch::cuda::cudnn_is_available());
  torch::cuda::manual_seed(1);
  torch::cuda::manual_seed_all(1);
  const torch::DeviceType type = torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  torch::Device device(type);
  EXPECT_TRUE(device.is_cpu());
  auto x = torch::ones({2}, torch::TensorOptions().device(device));
  EXPECT_EQ(x.device(), torch::Device(torch::kCPU));
  EXPECT_TRUE(x.to(device).is_same(x));
  EXPECT_TRUE(x.to(torch::Device("cpu")).is_same(x));
  EXPECT_FALSE(x.to(device, /*non_blocking=*/false, /*copy=*/true).is_same(x));
  TwoLayer net(2, 1);
  net->to(device);
  net->to(device, torch::kDouble);
  EXPECT_EQ(net->fc1->weight.scalar_type(), torch::kDouble);
}

TEST(CompatDevices, CudaAskedToHoldDataIsAnError) {
  const std::string reason = "Torch not compiled with CUDA enabled";
  auto x = torch::ones({2});
  for (const std::string& msg : {
           error_of([] { torch::zeros({2}, torch::kCUDA); }),
           error_of([] { torch::randn({2}, torch::TensorOptions().device(torch::kCUDA)); }),
           error_of([] {
             torch::tensor({1.0, 2.0}, torch::device(torch::Device("cuda:0")));
           }),
           error_of([] { torch::arange(3, torch::TensorOptions(torch::kCUDA)); }),
           error_of([&] { x.to(torch::kCUDA); }),
           error_of([&] { x.to(torch::Device("cuda:1"), torch::kDouble); }),
           error_of([&] { x.to(torch::TensorOptions().device(torch::kCUDA)); }),
           error_of([&] { x.cuda(); }),
       })
    EXPECT_TRUE(contains(msg, reason)) << msg;
  EXPECT_EQ(error_of([&] { x.to(torch::kCUDA); }).substr(0, 40),
            "to: cannot place a tensor on device cuda");
  TwoLayer net(2, 1);
  const std::string msg = error_of([&] { net->to(torch::kCUDA); });
  EXPECT_TRUE(contains(msg, "Module::to: cannot place a tensor on device cuda")) << msg;
}

TEST(CompatDevices, DeviceStrings) {
  EXPECT_EQ(torch::Device("cuda:1").index(), 1);
  EXPECT_TRUE(torch::Device("cuda").is_cuda());
  EXPECT_FALSE(torch::Device("cuda").has_index());
  EXPECT_EQ(torch::Device("cpu"), torch::Device(torch::kCPU));
  EXPECT_EQ(torch::Device("cpu:0").index(), 0);
  EXPECT_EQ(torch::Device(torch::kCUDA, 2).str(), "cuda:2");
  EXPECT_EQ(torch::str(torch::Device("cpu")), "cpu");
  EXPECT_EQ(error_of([] { torch::Device(""); }), "Device string must not be empty");
  EXPECT_EQ(error_of([] { torch::Device("tpu"); }),
            "Expected one of cpu, cuda device type at start of device string: tpu");
  EXPECT_EQ(error_of([] { torch::Device("cuda:x"); }), "Invalid device string: 'cuda:x'");
  EXPECT_EQ(error_of([] { torch::Device("cuda:01"); }), "Invalid device string: 'cuda:01'");
  EXPECT_EQ(error_of([] { torch::Device("cuda:"); }), "Invalid device string: 'cuda:'");
  EXPECT_EQ(error_of([] { torch::Device("cpu:1"); }), "CPU device index must be -1 or zero, got 1");
}

}  // namespace
