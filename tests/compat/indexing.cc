// Tensor indexing as a libtorch user writes it: torch::indexing's Slice, None, Ellipsis and "...",
// integer, bool and tensor indices, index_put_ with numbers, tensors and accumulate, and the ops
// that pick or place elements by position; built unchanged against libtorch and against
// tensorgrad::torch, and the test compares what the two print (values, shapes, node names,
// gradients and error messages).
#include <torch/torch.h>

#include <iostream>
#include <string>

using namespace torch::indexing;

namespace {

void show(const std::string& what, const torch::Tensor& t) {
  std::cout << what << " " << t.sizes() << "\n" << t << std::endl;
}

// The first line of an error's message (libtorch appends a backtrace after it).
void expect_error(const std::string& what, const std::function<void()>& f) {
  try {
    f();
    std::cout << what << ": no error" << std::endl;
  } catch (const c10::Error& e) {
    std::string m = e.what();
    std::cout << what << ": " << m.substr(0, m.find('\n')) << std::endl;
  }
}

void reading() {
  std::cout << "====== reading ======" << std::endl;
  auto x = torch::arange(24, torch::kFloat).reshape({2, 3, 4});
  show("x[1]", x.index({1}));
  show("x[..., 1:3]", x.index({"...", Slice(1, 3)}));
  show("x[:, None, ::2, -1]", x.index({Slice(), None, Slice(None, None, 2), -1}));
  show("x[Ellipsis, None]", x.index({Ellipsis, None}));
  show("x[1, [2, 0]]", x.index({1, torch::tensor({2, 0})}));
  show("x[[0, 1], :, [3, 3]]", x.index({torch::tensor({0, 1}), Slice(), torch::tensor({3, 3})}));
  show("x[:, [[0], [2]], [1, 2]]",
       x.index({Slice(), torch::tensor({0, 2}).reshape({2, 1}), torch::tensor({1, 2})}));
  show("x[x > 20]", x.index({x > 20}));
  show("x[0, mask]", x.index({0, torch::tensor({true, false, true})}));
  show("x[True]", x.index({true}));
  show("x[False]", x.index({false}));
  show("x[tensor(1)]", x.index({torch::tensor(1)}));
  show("x[5:]", x.index({Slice(5, None)}));
  show("x[-1, -1, -100:100]", x.index({-1, -1, Slice(-100, 100)}));
  show("x[tensor(-1)]", x[torch::tensor(-1)]);
  auto t = x.transpose(1, 2);
  show("t[[1, 0], 1:]", t.index({torch::tensor({1, 0}), Slice(1)}));
}

void writing() {
  std::cout << "====== writing ======" << std::endl;
  auto x = torch::zeros({3, 4});
  x.index_put_({0}, 1);
  x.index_put_({Slice(), 3}, torch::tensor({5.0f, 6.0f, 7.0f}));
  x.index_put_({torch::tensor({1, 2}), Slice(0, 2)}, torch::ones({2, 2}) * 2);
  x.index_put_({x == 0}, -1);
  show("x", x);
  auto y = torch::zeros({5});
  y.index_put_({torch::tensor({1, 1, 3})}, torch::tensor({1.0f, 2.0f, 3.0f}), true);
  show("accumulated", y);
  show("index_put", torch::zeros({2, 3}).index_put({torch::tensor({1})}, torch::ones({3})));
  auto v = torch::arange(6, torch::kFloat).reshape({2, 3});
  v.index_put_({"...", torch::tensor({0, 2})}, 9);
  show("v", v);
}

void gradients() {
  std::cout << "====== gradients ======" << std::endl;
  auto x = torch::arange(12, torch::kDouble).reshape({3, 4}).requires_grad_();
  auto a = x.index({torch::tensor({2, 0, 2}), Slice(1, None, 2)});
  std::cout << a.grad_fn()->name() << std::endl;
  auto b = x.index({Slice(), 1});
  std::cout << b.grad_fn()->name() << std::endl;
  auto c = x.index({"..."});
  std::cout << c.grad_fn()->name() << std::endl;
  auto d = x.take(torch::tensor({0, 11, 11}));
  std::cout << d.grad_fn()->name() << std::endl;
  auto e = (x * 1).index_put({torch::tensor({0})}, torch::ones({4}, torch::kDouble) * 3);
  std::cout << e.grad_fn()->name() << std::endl;
  auto loss = (a * a).sum() + b.sum() + d.sum() + (e * c).sum();
  loss.backward();
  show("grad", x.grad());
  auto s = torch::zeros({2, 3}, torch::kDouble).requires_grad_();
  auto src = torch::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, torch::kDouble).requires_grad_();
  auto idx = torch::tensor({{0, 1, 0}, {0, 0, 1}});
  auto r = s.scatter_reduce(0, idx, src, "amax", false);
  std::cout << r.grad_fn()->name() << std::endl;
  show("scatter_reduce amax", r);
  r.sum().backward();
  show("grad of src", src.grad());
}

void positions() {
  std::cout << "====== positions ======" << std::endl;
  auto x = torch::tensor({{0, 3, 0}, {4, 0, 5}});
  show("nonzero", x.nonzero());
  show("argwhere", torch::argwhere(x));
  show("count_nonzero", torch::count_nonzero(x, torch::IntArrayRef{1}));
  show("count_nonzero all", x.count_nonzero());
  show("repeat_interleave", torch::repeat_interleave(torch::tensor({1, 0, 2})));
  show("repeat_interleave dim", x.repeat_interleave(torch::tensor({2, 1}), 0));
  auto f = torch::arange(6, torch::kFloat).reshape({2, 3});
  auto idx = torch::tensor({{1, 0, 1}});
  show("scatter add", f.scatter(0, idx, torch::ones({1, 3}), "add"));
  show("scatter multiply", f.scatter(0, idx, 2.0, "multiply"));
  show("scatter_reduce mean",
       f.scatter_reduce(1, torch::tensor({{0, 0, 2}, {1, 1, 1}}), torch::ones({2, 3}), "mean"));
  show("index_fill", f.index_fill(1, torch::tensor({0, 2}), -1));
  show("index_copy", f.index_copy(0, torch::tensor({1, 0}), torch::ones({2, 3})));
  show("masked_scatter", f.masked_scatter(f > 2, torch::arange(10, torch::kFloat)));
  show("take", f.take(torch::tensor({{5, -6}})));
  show("put_", f.clone().put_(torch::tensor({0, 0}), torch::tensor({7.0f, 8.0f}), true));
}

void errors() {
  std::cout << "====== errors ======" << std::endl;
  auto x = torch::zeros({3, 4});
  expect_error("out of range", [&] { x.index({3}); });
  expect_error("tensor out of range", [&] { x.index({torch::tensor({0, 9})}); });
  expect_error("too many", [&] { x.index({0, 0, 0}); });
  expect_error("mask", [&] { x.index({torch::tensor({true, false})}); });
  expect_error("broadcast", [&] { x.index({torch::tensor({0, 1}), torch::tensor({0, 1, 2})}); });
  expect_error("step 0", [&] { x.index({Slice(None, None, 0)}); });
  expect_error("negative step", [&] { x.index({Slice(None, None, -1)}); });
  expect_error("values", [&] { x.index_put_({torch::tensor({0, 1})}, torch::ones({3})); });
  expect_error("take", [&] { x.take(torch::tensor({12})); });
  std::cout << "x untouched: " << x.sum().item<float>() << std::endl;
}

}  // namespace

int main() {
  reading();
  writing();
  gradients();
  positions();
  errors();
}
