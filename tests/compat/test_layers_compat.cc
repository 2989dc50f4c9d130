// libtorch spellings of the embedding and vision layers compile through the compatibility
// headers and compute what tensorgrad's own names compute.
#include <gtest/gtest.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/pixelshuffle.h>
#include <torch/nn/modules/upsampling.h>
#include <torch/torch.h>

#include <vector>

namespace F = torch::nn::functional;

TEST(CompatLayers, LibtorchSpellings) {
  torch::nn::Embedding emb(10, 3);
  torch::Tensor idx = torch::tensor({1, 2, 9}, torch::kLong);
  EXPECT_EQ(emb(idx).sizes().vec(), (std::vector<int64_t>{3, 3}));

  torch::nn::Upsample up(
      torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest));
  torch::Tensor x = torch::rand({1, 2, 3, 4});
  EXPECT_EQ(up(x).sizes().vec(), (std::vector<int64_t>{1, 2, 6, 8}));

  torch::nn::Flatten flat;
  EXPECT_EQ(flat(x).sizes().vec(), (std::vector<int64_t>{1, 24}));

  torch::Tensor y = F::interpolate(x, F::InterpolateFuncOptions()
                                          .size(std::vector<int64_t>{8, 8})
                                          .mode(torch::kBilinear)
                                          .align_corners(false));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, 2, 8, 8}));

  torch::nn::EmbeddingBag bag(torch::nn::EmbeddingBagOptions(10, 3).mode(torch::kSum));
  EXPECT_EQ(bag(idx.view({1, 3})).sizes().vec(), (std::vector<int64_t>{1, 3}));
  torch::nn::PixelShuffle ps(torch::nn::PixelShuffleOptions(2));
  EXPECT_EQ(ps(torch::rand({1, 4, 2, 2})).sizes().vec(), (std::vector<int64_t>{1, 1, 4, 4}));
  torch::nn::Dropout2d d2(torch::nn::Dropout2dOptions(0.5));
  d2->eval();
  EXPECT_TRUE(torch::equal(d2(x), x));
  torch::nn::Upsample lin(torch::nn::UpsampleOptions()
                              .size(std::vector<int64_t>{6})
                              .mode(torch::kLinear)
                              .align_corners(true));
  EXPECT_EQ(lin(torch::rand({1, 1, 3})).sizes().vec(), (std::vector<int64_t>{1, 1, 6}));
}
