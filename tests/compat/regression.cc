// Polynomial regression in the style of libtorch's C++ examples: a Linear layer learns the
// coefficients of a random degree-4 polynomial from batches of (x, f(x)) pairs. Built unchanged
// against libtorch and against tensorgrad::torch; seeded, so both print the same numbers.
#include <torch/torch.h>

#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

constexpr int64_t kDegree = 4;

// The features of x: the columns x, x^2, x^3, x^4.
torch::Tensor make_features(torch::Tensor x) {
  x = x.unsqueeze(1);
  std::vector<torch::Tensor> powers;
  for (int64_t i = 0; i < kDegree; ++i) powers.push_back(x.pow(i + 1));
  return torch::cat(powers, 1);
}

// The function to learn.
torch::Tensor f(torch::Tensor x, torch::Tensor w_target, torch::Tensor b_target) {
  return x.mm(w_target) + b_target.item();
}

// "y = 1.2 x^1 -0.5 x^2 ... + 0.3": the polynomial with weights w (of x, x^2, ...) and bias b.
std::string poly_desc(torch::Tensor w, torch::Tensor b) {
  auto size = w.size(0);
  std::ostringstream stream;
  stream << "y = ";
  for (int64_t i = 0; i < size; ++i) stream << w[i].item<float>() << " x^" << i + 1 << " ";
  stream << "+ " << b[0].item<float>();
  return stream.str();
}

// A batch of inputs in [-1, 1) and their targets.
std::pair<torch::Tensor, torch::Tensor> get_batch(torch::Tensor w_target, torch::Tensor b_target,
                                                  int64_t batch_size = 32) {
  auto random = torch::rand({batch_size}) * 2 - 1;
  auto x = make_features(random);
  auto y = f(x, w_target, b_target);
  return std::make_pair(x, y);
}

int main() {
  torch::manual_seed(1);
  auto w_target = torch::randn({kDegree, 1}) * 5;
  auto b_target = torch::randn({1}) * 5;

  auto fc = torch::nn::Linear(w_target.size(0), 1);
  torch::optim::SGD optimizer(fc->parameters(), 0.1);
  std::cout << "initial weight:" << std::endl << fc->weight << std::endl;

  float loss = 0;
  int64_t batch_idx = 0;
  while (++batch_idx) {
    torch::Tensor batch_x, batch_y;
    std::tie(batch_x, batch_y) = get_batch(w_target, b_target);

    optimizer.zero_grad();
    auto output = torch::nn::functional::mse_loss(fc(batch_x), batch_y);
    loss = output.item<float>();
    output.backward();
    optimizer.step();

    if (batch_idx % 100 == 0) std::cout << "batch " << batch_idx << " loss " << loss << std::endl;
    if (loss < 1e-3f || batch_idx == 5000) break;
  }

  std::cout << "Loss: " << loss << " after " << batch_idx << " batches" << std::endl;
  std::cout << "==> Learned function:\t" << poly_desc(fc->weight.view({-1}), fc->bias) << std::endl;
  std::cout << "==> Actual function:\t" << poly_desc(w_target.view({-1}), b_target) << std::endl;
  std::cout << "learned bias:" << std::endl << fc->bias << std::endl;
  return 0;
}
