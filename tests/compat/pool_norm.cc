// Pooling and normalization spelled as libtorch spells them: the modules with their options, the
// ATen functions and the functional forms. Prints shapes and sums, which the test compares with
// the same program built against libtorch.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace F = torch::nn::functional;

namespace {

void show(const char* what, const torch::Tensor& t) {
  std::printf("%s [", what);
  for (int64_t i = 0; i < t.dim(); ++i)
    std::printf(i ? ", %ld" : "%ld", static_cast<long>(t.size(i)));
  // A normalized output sums to about zero, with a sign that rounding decides.
  double sum = t.sum().item<double>();
  if (std::fabs(sum) < 5e-4) sum = 0;
  std::printf("] sum %.4f abs %.4f\n", sum, t.abs().sum().item<double>());
}

}  // namespace

int main() {
  torch::Tensor x = torch::arange(2 * 4 * 6 * 6, torch::kFloat).reshape({2, 4, 6, 6}).sin();

  torch::nn::MaxPool2d pool(torch::nn::MaxPool2dOptions(2));
  show("MaxPool2d", pool->forward(x));
  auto [values, indices] = pool->forward_with_indices(x);
  show("indices", indices.to(torch::kFloat));
  torch::nn::MaxUnpool2d unpool(torch::nn::MaxUnpool2dOptions(2));
  show("MaxUnpool2d", unpool->forward(values, indices));
  show("max_pool2d", torch::max_pool2d(x, 2));
  show("max_pool2d 3x3 s2", torch::max_pool2d(x, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true));
  show("F::max_pool2d", F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1)));
  show("F::avg_pool2d",
       F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false)));
  show("AvgPool1d", torch::nn::AvgPool1d(torch::nn::AvgPool1dOptions(2))->forward(x.flatten(2)));
  show("AdaptiveAvgPool2d",
       torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({4, 5}))->forward(x));
  show("AdaptiveMaxPool2d",
       torch::nn::AdaptiveMaxPool2d(torch::nn::AdaptiveMaxPool2dOptions(3))->forward(x));
  show("LPPool2d", torch::nn::LPPool2d(torch::nn::LPPool2dOptions(2, 2))->forward(x));

  torch::nn::BatchNorm2d bn(4);
  show("BatchNorm2d train", bn->forward(x * 3 + 1));
  show("running_mean", bn->running_mean);
  show("running_var", bn->running_var);
  bn->eval();
  show("BatchNorm2d eval", bn->forward(x));
  show("batch_norm", torch::batch_norm(x, torch::ones({4}), torch::zeros({4}), torch::zeros({4}),
                                       torch::ones({4}), true, 0.1, 1e-5, false));
  show("F::batch_norm", F::batch_norm(x, torch::zeros({4}), torch::ones({4}),
                                      F::BatchNormFuncOptions().training(true)));
  show("F::layer_norm", F::layer_norm(x, F::LayerNormFuncOptions({6, 6}).eps(1e-5)));
  show("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({6}))->forward(x));
  show("GroupNorm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(2, 4))->forward(x));
  show("F::group_norm", F::group_norm(x, F::GroupNormFuncOptions(2)));
  show("InstanceNorm2d",
       torch::nn::InstanceNorm2d(torch::nn::InstanceNorm2dOptions(4))->forward(x));
  show("LocalResponseNorm",
       torch::nn::LocalResponseNorm(torch::nn::LocalResponseNormOptions(3))->forward(x));
  return 0;
}
