// A tour of autograd written the way libtorch's C++ examples are, and built unchanged against
// libtorch and against tensorgrad::torch; the test compares what the two print. Random draws are
// seeded, so both print the same numbers.
#include <torch/torch.h>

#include <iostream>

using namespace torch::autograd;

void tracking_operations() {
  std::cout << "====== Tracking operations on tensors ======" << std::endl;

  // A leaf that records what is done with it.
  auto x = torch::ones({2, 2}, torch::requires_grad());
  std::cout << x << std::endl;

  // An operation with a number: the result knows the node that made it.
  auto y = x + 2;
  std::cout << y << std::endl;
  std::cout << y.grad_fn()->name() << std::endl;

  auto z = y * y * 3;
  auto out = z.mean();
  std::cout << z << std::endl;
  std::cout << z.grad_fn()->name() << std::endl;
  std::cout << out << std::endl;
  std::cout << out.grad_fn()->name() << std::endl;

  // Tensors made without requires_grad record nothing until it is switched on in place.
  auto a = torch::randn({2, 2});
  a = ((a * 3) / (a - 1));
  std::cout << a.requires_grad() << std::endl;
  a.requires_grad_(true);
  std::cout << a.requires_grad() << std::endl;
  auto b = (a * a).sum();
  std::cout << b.grad_fn()->name() << std::endl;

  // out is a scalar, so backward() needs no gradient argument: d(out)/dx = 3 (x + 2) / 2.
  out.backward();
  std::cout << x.grad() << std::endl;

  // More node names: subtraction and division by and of numbers, and the unary ops.
  auto w = torch::linspace(0.5, 2.0, 4, torch::requires_grad());
  std::cout << (w - 1).grad_fn()->name() << std::endl;
  std::cout << (1 - w).grad_fn()->name() << std::endl;
  std::cout << (w / 2).grad_fn()->name() << std::endl;
  std::cout << (2 / w).grad_fn()->name() << std::endl;
  std::cout << (w * w).grad_fn()->name() << std::endl;
  std::cout << torch::tanh(w).grad_fn()->name() << std::endl;
  std::cout << w.pow(2).grad_fn()->name() << std::endl;
  std::cout << w.sum().grad_fn()->name() << std::endl;
  std::cout << (2 / w) << std::endl;
}

void vector_jacobian_product() {
  std::cout << "====== Vector-Jacobian product ======" << std::endl;

  auto x = torch::randn(3, torch::requires_grad());
  auto y = x * 2;
  while (y.norm().item<double>() < 1000) {
    y = y * 2;
  }
  std::cout << y << std::endl;
  std::cout << y.grad_fn()->name() << std::endl;

  // y is not a scalar: backward takes the vector v of the product v^T J.
  auto v = torch::tensor({0.1, 1.0, 0.0001}, torch::kFloat);
  y.backward(v);
  std::cout << x.grad() << std::endl;

  // Stopping the recording: NoGradGuard for a block, detach() for one tensor.
  std::cout << x.requires_grad() << std::endl;
  std::cout << x.pow(2).requires_grad() << std::endl;
  {
    torch::NoGradGuard no_grad;
    std::cout << x.pow(2).requires_grad() << std::endl;
  }
  std::cout << x.requires_grad() << std::endl;
  y = x.detach();
  std::cout << y.requires_grad() << std::endl;
  std::cout << x.eq(y).all().item<bool>() << std::endl;
}

void higher_order_gradients() {
  std::cout << "====== Higher-order gradients ======" << std::endl;

  // A gradient penalty: the norm of d(output)/d(input) is itself differentiated.
  auto model = torch::nn::Linear(4, 3);
  std::cout << model << std::endl;
  auto input = torch::randn({3, 4}).requires_grad_(true);
  auto output = model(input);
  auto target = torch::randn({3, 3});
  auto loss = torch::nn::MSELoss()(output, target);
  std::cout << loss << std::endl;

  auto grad_output = torch::ones_like(output);
  auto gradient = torch::autograd::grad({output}, {input}, /*grad_outputs=*/{grad_output},
                                        /*retain_graph=*/true, /*create_graph=*/true)[0];
  std::cout << gradient << std::endl;
  auto gradient_penalty = torch::pow((gradient.norm(2, /*dim=*/1) - 1), 2).mean();
  std::cout << gradient_penalty << std::endl;

  auto combined_loss = loss + gradient_penalty;
  combined_loss.backward();
  std::cout << input.grad() << std::endl;
  std::cout << model->weight.grad() << std::endl;

  // d^2/dx^2 of x^3 at x = 1.5 through create_graph: 6 x = 9.
  auto x = torch::tensor(1.5, torch::requires_grad());
  auto first = torch::autograd::grad({x.pow(3)}, {x}, {}, /*retain_graph=*/c10::nullopt,
                                     /*create_graph=*/true)[0];
  auto second = torch::autograd::grad({first}, {x})[0];
  std::cout << first << std::endl;
  std::cout << second << std::endl;
}

void printing() {
  std::cout << "====== Printing ======" << std::endl;
  // Integers, fractions, a common scale factor, scientific notation, wide rows and more dims.
  std::cout << torch::arange(6).reshape({2, 3}) << std::endl;
  std::cout << torch::tensor({true, false, true}) << std::endl;
  std::cout << torch::tensor({1.5, -2.25, 3.0}, torch::kDouble) << std::endl;
  std::cout << torch::tensor({{0.001, 0.002}, {0.003, 0.004}}) << std::endl;
  std::cout << torch::tensor({123456.0, 654321.5}) << std::endl;
  std::cout << torch::tensor({1e-8, 1.0, 1e8}) << std::endl;
  std::cout << torch::randn({3, 14}) << std::endl;
  std::cout << torch::arange(24, torch::kFloat).reshape({2, 3, 4}) / 7 << std::endl;
  std::cout << torch::zeros({0, 3}) << std::endl;
  std::cout << torch::tensor(2.5) << std::endl;
  std::cout << torch::Tensor() << std::endl;
}

int main() {
  std::cout << std::boolalpha;
  torch::manual_seed(0);

  tracking_operations();
  std::cout << "\n";
  vector_jacobian_product();
  std::cout << "\n";
  higher_order_gradients();
  std::cout << "\n";
  printing();
}
