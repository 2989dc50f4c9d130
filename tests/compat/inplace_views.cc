// Writing into tensors through views while autograd records: a recurrent net whose hidden states
// are copied into a preallocated output, a masked row overwritten with index syntax, and a view
// read after its base was scaled in place. Built unchanged against libtorch and against
// tensorgrad::torch; the test compares what the two print.
#include <torch/torch.h>

#include <iostream>

using torch::indexing::Slice;

int main() {
  torch::manual_seed(7);

  // An Elman RNN over 5 steps, its states written into out[t].
  torch::nn::Linear input_layer(3, 4), hidden_layer(4, 4);
  const auto xs = torch::randn({5, 2, 3});
  auto out = torch::zeros({5, 2, 4});
  auto h = torch::zeros({2, 4});
  for (int64_t t = 0; t < 5; ++t) {
    h = torch::tanh(input_layer->forward(xs[t]) + hidden_layer->forward(h));
    out[t].copy_(h);
  }
  std::cout << out.grad_fn()->name() << std::endl;
  auto loss = out.pow(2).mean();
  loss.backward();
  std::cout << loss << std::endl;
  std::cout << input_layer->weight.grad() << std::endl;
  std::cout << hidden_layer->bias.grad() << std::endl;

  // A row set to a constant and a column scaled, through index syntax and a slice.
  auto w = torch::randn({3, 4}, torch::requires_grad());
  auto y = w * 2;
  y.index_put_({1}, 0.5);
  y.index({Slice(), 2}).mul_(w.index({Slice(), 0}));
  std::cout << y.grad_fn()->name() << std::endl;
  y.sum().backward();
  std::cout << w.grad() << std::endl;

  // A view made before its base was scaled reads, and differentiates, the scaled values.
  auto v = torch::randn({2, 3}, torch::requires_grad());
  auto base = v * 1;
  auto first_row = base[0];
  base.mul_(3);
  first_row.sum().backward();
  std::cout << first_row.grad_fn()->name() << std::endl;
  std::cout << v.grad() << std::endl;
  return 0;
}
