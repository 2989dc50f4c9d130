// Prints what libtorch 1.13 itself says where tests/autograd compares tensorgrad with libtorch:
// custom Function node names, needs_input_grad, the errors of custom functions, anomaly
// detection, IValue, inference mode, autograd::grad/backward and hooks. The expected strings in
// tests/autograd/test_custom_function.cpp and test_autograd_api.cpp were taken from its output.
//
// Build it against libtorch (not part of the tensorgrad build):
//   cmake -S scripts/libtorch_reference -B /tmp/libtorch_reference && \
//   cmake --build /tmp/libtorch_reference && /tmp/libtorch_reference/autograd_messages
#include <torch/torch.h>

#include <iostream>

using torch::Tensor;
using namespace torch::autograd;  // NOLINT: written as libtorch's own examples are

struct LinearFunction : public Function<LinearFunction> {
  static Tensor forward(AutogradContext* ctx, Tensor input, Tensor weight, Tensor bias = Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto grad_output = grad_outputs[0];
    std::cout << "needs_input_grad " << ctx->needs_input_grad(0) << ctx->needs_input_grad(1)
              << "\n";
    Tensor grad_bias;
    if (saved[2].defined()) grad_bias = grad_output.sum(0);
    return {grad_output.mm(saved[1]), grad_output.t().mm(saved[0]), grad_bias};
  }
};

namespace {
struct MulConstant : public Function<MulConstant> {
  static Tensor forward(AutogradContext* ctx, Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), Tensor()};
  }
};
struct TooManyGrads : public Function<TooManyGrads> {
  static Tensor forward(AutogradContext*, Tensor t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
struct GradForInt : public Function<GradForInt> {
  static Tensor forward(AutogradContext*, Tensor t, int64_t) { return t * 2; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0], g[0]}; }
};
struct DirtyNotReturned : public Function<DirtyNotReturned> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x * 1;
  }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
};
struct InPlace : public Function<InPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2}; }
};
}  // namespace

namespace ns {
struct Split2 : public Function<Split2> {
  static variable_list forward(AutogradContext*, Tensor t) { return {t * 2, t * 3}; }
  static tensor_list backward(AutogradContext*, tensor_list g) { return {g[0] * 2 + g[1] * 3}; }
};
}  // namespace ns

template <typename F>
void show(const char* what, F&& f) {
  std::cout << what << ": ";
  try {
    f();
    std::cout << "no error\n";
  } catch (const std::exception& e) {
    std::string m = e.what();
    // c10::Error appends the C++ stack after the message; keep the message.
    auto cut = m.find("\nException raised from");
    std::cout << "[" << m.substr(0, cut) << "]\n";
  }
}

int main() {
  auto opts = torch::dtype(torch::kFloat64).requires_grad(true);
  auto x = torch::randn({2, 3}, opts);
  auto w = torch::randn({4, 3}, opts);
  std::cout << LinearFunction::apply(x, w).grad_fn()->name() << "\n";
  LinearFunction::apply(x, w).sum().backward();
  torch::autograd::grad({LinearFunction::apply(x, w).sum()}, {w});
  std::cout << MulConstant::apply(x, 5.5).grad_fn()->name() << "\n";
  std::cout << ns::Split2::apply(x)[1].grad_fn()->name() << "\n";
  show("too many", [&] { TooManyGrads::apply(x).sum().backward(); });
  show("grad for int", [&] { GradForInt::apply(x, 3).sum().backward(); });
  show("dirty leaf", [&] { InPlace::apply(x); });
  show("dirty not returned", [&] { DirtyNotReturned::apply(x * 1); });

  {
    torch::autograd::DetectAnomalyGuard detect;
    auto a = torch::zeros({2}, torch::dtype(torch::kFloat64).requires_grad(true));
    show("nan sqrt", [&] { (a.sqrt() * 0).sum().backward(); });
    show("nan div", [&] { (a / a).sum().backward(); });
  }

  c10::IValue d(3.0), i(3), s("hi");
  show("toTensor", [&] { i.toTensor(); });
  show("toStringRef", [&] { i.toStringRef(); });
  show("toTensorList", [&] { i.toTensorList(); });
  std::cout << "tags " << s.tagKind() << " " << i.tagKind() << " "
            << c10::IValue(std::vector<int64_t>{1}).tagKind() << " " << c10::IValue().tagKind()
            << "\n";
  std::cout << "print " << i << " " << d << " " << s << " " << c10::IValue(true) << "\n";

  Tensor inf;
  {
    c10::InferenceMode guard;
    inf = torch::ones({2});
    auto z = x * 2;
    std::cout << "inference " << inf.is_inference() << " grad mode "
              << torch::GradMode::is_enabled() << " result " << z.is_inference()
              << z.requires_grad() << "\n";
  }
  show("inplace", [&] { inf.add_(1); });
  show("requires_grad", [&] { inf.requires_grad_(true); });
  auto v = torch::randn({2}, opts);
  show("saved", [&] { (inf * v).sum().backward(); });
  show("read", [&] { (inf + v).sum().backward(); });
  std::cout << "view " << inf.view({2}).is_inference() << " clone " << inf.clone().is_inference()
            << "\n";

  show("not requiring grad", [&] { torch::autograd::grad({(x * 2).sum()}, {torch::ones({2})}); });
  show("unused", [&] { torch::autograd::grad({(x * 2).sum()}, {w}); });
  show("implicit", [&] { torch::autograd::grad({x * 2}, {x}); });
  show("no grad_fn", [&] { torch::autograd::backward({torch::ones({2})}); });
  show("count", [&] { torch::autograd::backward({(x * 2).sum(), x.sum()}, {torch::ones({})}); });
  show("retain_grad", [&] { torch::ones({2}).retain_grad(); });
  show("hook", [&] { torch::ones({2}).register_hook([](Tensor g) { return g; }); });
  std::cout << "hook handles " << x.register_hook([](Tensor g) { return g; }) << " "
            << x.register_hook([](Tensor g) { return g; }) << "\n";
  show("remove_hook", [&] { x.remove_hook(5); });
  return 0;
}
