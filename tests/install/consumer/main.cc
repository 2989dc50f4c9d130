// Uses the installed headers and library: one tiny forward and backward pass.
#include <tensorgrad/tensorgrad.h>

#include <cmath>
#include <iostream>

int main() {
  tg::Tensor w = tg::tensor({-0.5}, tg::requires_grad());
  tg::Tensor loss = (7 - tg::tanh(w + 0.5)).pow(2).sum();
  loss.backward();
  // tanh(0) = 0, so the loss is 49 and d loss / dw = -2 * 7 * (1 - 0^2) = -14.
  const double l = loss.item<double>(), g = w.grad().item<double>();
  std::cout << "loss = " << l << ", dloss/dw = " << g << '\n';
  const bool ok = std::fabs(l - 49) < 1e-6 && std::fabs(g + 14) < 1e-6;
  std::cout << (ok ? "consumer: ok" : "consumer: wrong numbers") << '\n';
  return ok ? 0 : 1;
}
