// The activation layers of tensorgrad/nn/activation.h and their functional forms. Each forward
// is the op of the same name (tensor.h), so its node is PyTorch's (EluBackward0, ...).
#include "tensorgrad/nn/activation.h"

#include <cmath>
#include <sstream>

#include "nn/repr.h"
#include "tensorgrad/autograd.h"

namespace tg::nn {

namespace {
using detail::py_float;
// Softplus's defaults are Python ints (beta=1, threshold=20) and print so; other values print
// as the floats they are.
std::string py_number(double v, double int_default) {
  return v == int_default ? std::to_string(static_cast<int64_t>(v)) : py_float(v);
}
std::string inplace_str(bool inplace, bool first = false) {
  if (!inplace) return "";
  return first ? "inplace=True" : ", inplace=True";
}
}  // namespace

namespace functional {

Tensor elu(Tensor x, const ELUFuncOptions& o) {
  return o.inplace() ? x.elu_(o.alpha()) : tg::elu(x, o.alpha());
}
Tensor selu(Tensor x, const SELUFuncOptions& o) {
  // SELU's constants, as PyTorch defines them.
  constexpr double kAlpha = 1.6732632423543772848170429916717;
  constexpr double kScale = 1.0507009873554804934193349852946;
  return o.inplace() ? x.elu_(kAlpha, kScale) : tg::selu(x);
}
Tensor celu(Tensor x, const CELUFuncOptions& o) {
  return o.inplace() ? x.celu_(o.alpha()) : tg::celu(x, o.alpha());
}
Tensor gelu(const Tensor& x, const GELUFuncOptions& o) { return tg::gelu(x, o.approximate()); }
Tensor glu(const Tensor& x, const GLUFuncOptions& o) { return tg::glu(x, o.dim()); }
Tensor silu(const Tensor& x) { return tg::silu(x); }
Tensor mish(const Tensor& x) { return tg::mish(x); }
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& o) {
  return tg::softplus(x, o.beta(), o.threshold());
}
Tensor hardtanh(Tensor x, const HardtanhFuncOptions& o) {
  return o.inplace() ? x.hardtanh_(o.min_val(), o.max_val())
                     : tg::hardtanh(x, o.min_val(), o.max_val());
}
Tensor relu6(Tensor x, const ReLU6FuncOptions& o) {
  return o.inplace() ? x.hardtanh_(0, 6) : tg::relu6(x);
}
Tensor hardswish(const Tensor& x) { return tg::hardswish(x); }
Tensor hardsigmoid(const Tensor& x) { return tg::hardsigmoid(x); }
Tensor logsigmoid(const Tensor& x) { return tg::log_sigmoid(x); }
// Compositions in PyTorch too: their nodes are DivBackward0 and SubBackward0.
Tensor softsign(const Tensor& x) { return x / (x.abs() + 1); }
Tensor tanhshrink(const Tensor& x) { return x - x.tanh(); }
Tensor softshrink(const Tensor& x, const SoftshrinkFuncOptions& o) {
  TG_CHECK(o.lambda() >= 0, "lambda must be greater or equal to 0, but found to be ", o.lambda(),
           ".");
  return tg::softshrink(x, o.lambda());
}
Tensor hardshrink(const Tensor& x, const HardshrinkFuncOptions& o) {
  return tg::hardshrink(x, o.lambda());
}
Tensor threshold(Tensor x, const ThresholdFuncOptions& o) {
  return o.inplace() ? x.threshold_(o.threshold(), o.value())
                     : tg::threshold(x, o.threshold(), o.value());
}
Tensor prelu(const Tensor& x, const Tensor& weight) { return tg::prelu(x, weight); }

}  // namespace functional

Tensor ELUImpl::forward(const Tensor& input) { return functional::elu(input, options); }
std::string ELUImpl::extra_repr() const {
  return "alpha=" + py_float(options.alpha()) + inplace_str(options.inplace());
}
Tensor SELUImpl::forward(const Tensor& input) { return functional::selu(input, options); }
std::string SELUImpl::extra_repr() const { return inplace_str(options.inplace(), true); }
Tensor CELUImpl::forward(const Tensor& input) { return functional::celu(input, options); }
std::string CELUImpl::extra_repr() const {
  return "alpha=" + py_float(options.alpha()) + inplace_str(options.inplace());
}
Tensor GELUImpl::forward(const Tensor& input) { return functional::gelu(input, options); }
std::string GELUImpl::extra_repr() const { return "approximate='" + options.approximate() + "'"; }
Tensor GLUImpl::forward(const Tensor& input) { return functional::glu(input, options); }
std::string GLUImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }
Tensor SoftplusImpl::forward(const Tensor& input) { return functional::softplus(input, options); }
std::string SoftplusImpl::extra_repr() const {
  return "beta=" + py_number(options.beta(), 1) +
         ", threshold=" + py_number(options.threshold(), 20);
}
Tensor HardtanhImpl::forward(const Tensor& input) { return functional::hardtanh(input, options); }
std::string HardtanhImpl::extra_repr() const {
  return "min_val=" + py_float(options.min_val()) + ", max_val=" + py_float(options.max_val()) +
         inplace_str(options.inplace());
}
Tensor ReLU6Impl::forward(const Tensor& input) { return functional::relu6(input, options); }
std::string ReLU6Impl::extra_repr() const { return inplace_str(options.inplace(), true); }
Tensor SoftshrinkImpl::forward(const Tensor& input) {
  return functional::softshrink(input, options);
}
std::string SoftshrinkImpl::extra_repr() const { return py_float(options.lambda()); }
Tensor HardshrinkImpl::forward(const Tensor& input) {
  return functional::hardshrink(input, options);
}
std::string HardshrinkImpl::extra_repr() const { return py_float(options.lambda()); }
Tensor ThresholdImpl::forward(const Tensor& input) { return functional::threshold(input, options); }
std::string ThresholdImpl::extra_repr() const {
  return "threshold=" + py_float(options.threshold()) + ", value=" + py_float(options.value()) +
         inplace_str(options.inplace());
}

Tensor SiLUImpl::forward(const Tensor& input) { return functional::silu(input); }
Tensor MishImpl::forward(const Tensor& input) { return functional::mish(input); }
Tensor HardswishImpl::forward(const Tensor& input) { return functional::hardswish(input); }
Tensor HardsigmoidImpl::forward(const Tensor& input) { return functional::hardsigmoid(input); }
Tensor LogSigmoidImpl::forward(const Tensor& input) { return functional::logsigmoid(input); }
Tensor SoftsignImpl::forward(const Tensor& input) { return functional::softsign(input); }
Tensor TanhshrinkImpl::forward(const Tensor& input) { return functional::tanhshrink(input); }

PReLUImpl::PReLUImpl(const PReLUOptions& o) : options(o) { reset(); }
void PReLUImpl::reset() {
  TG_CHECK(options.num_parameters() >= 1, "PReLU: num_parameters must be positive, got ",
           options.num_parameters());
  weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
}
Tensor PReLUImpl::forward(const Tensor& input) { return functional::prelu(input, weight); }
std::string PReLUImpl::extra_repr() const {
  return "num_parameters=" + std::to_string(options.num_parameters());
}

}  // namespace tg::nn
