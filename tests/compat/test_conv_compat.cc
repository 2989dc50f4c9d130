// Convolution code written against libtorch compiles through the compatibility headers and runs
// on tensorgrad.
#include <gtest/gtest.h>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/modules/conv.h>
#include <torch/torch.h>

#include <sstream>
#include <type_traits>

namespace {

namespace F = torch::nn::functional;

TEST(CompatConv, LibtorchSpellingsCompile) {
  static_assert(std::is_same_v<torch::nn::Conv2d, tg::nn::Conv2d>);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, 6, 5).padding(2));
  torch::Tensor x = torch::randn({2, 1, 28, 28});
  EXPECT_EQ(conv->forward(x).sizes(), torch::IntArrayRef({2, 6, 28, 28}));
  torch::Tensor y = torch::conv2d(x, conv->weight, conv->bias, 1, 2);
  EXPECT_TRUE(torch::allclose(y, conv(x)));
  torch::Tensor p = F::pad(x[0], F::PadFuncOptions({1, 1}).mode(torch::kReflect));
  EXPECT_EQ(p.sizes(), torch::IntArrayRef({1, 28, 30}));
  torch::Tensor z = F::conv2d(x, conv->weight, F::Conv2dFuncOptions().padding(torch::kSame));
  EXPECT_EQ(z.sizes(), torch::IntArrayRef({2, 6, 28, 28}));
  torch::nn::ConvTranspose2d up(torch::nn::ConvTranspose2dOptions(6, 3, 4).stride(2).padding(1));
  EXPECT_EQ(up(z).sizes(), torch::IntArrayRef({2, 3, 56, 56}));
  torch::nn::Conv1d c1(torch::nn::Conv1dOptions(3, 4, 3).padding_mode(torch::kCircular));
  std::ostringstream ss;
  ss << *c1;
  EXPECT_EQ(ss.str(),
            "torch::nn::Conv1d(3, 4, kernel_size=[3], stride=[1], padding_mode=kCircular)");
}

}  // namespace
