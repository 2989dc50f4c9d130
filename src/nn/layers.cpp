// Linear, the activations, Dropout and Sequential.
#include <cmath>
#include <sstream>

#include "nn/repr.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/modules.h"

namespace tg::nn {

namespace {
std::string bool_str(bool b) { return b ? "True" : "False"; }
using detail::py_float;
}  // namespace

LinearImpl::LinearImpl(const LinearOptions& o) : options(o) {
  TG_CHECK(o.in_features() >= 0 && o.out_features() >= 0,
           "Linear: in_features and out_features must be "
           "non-negative, got ",
           o.in_features(), " and ", o.out_features());
  weight = register_parameter("weight", empty({o.out_features(), o.in_features()}));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_features()}));
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = options.in_features();
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor& input) { return functional::linear(input, weight, bias); }

std::string LinearImpl::extra_repr() const {
  std::ostringstream ss;
  ss << "in_features=" << options.in_features() << ", out_features=" << options.out_features()
     << ", bias=" << bool_str(bias.defined());
  return ss.str();
}

Tensor TanhImpl::forward(const Tensor& input) { return tg::tanh(input); }
Tensor ReLUImpl::forward(const Tensor& input) { return tg::relu(input); }
Tensor SigmoidImpl::forward(const Tensor& input) { return tg::sigmoid(input); }

Tensor LeakyReLUImpl::forward(const Tensor& input) {
  return functional::leaky_relu(input, options);
}
std::string LeakyReLUImpl::extra_repr() const {
  return "negative_slope=" + py_float(options.negative_slope()) +
         (options.inplace() ? ", inplace=True" : "");
}

Tensor SoftmaxImpl::forward(const Tensor& input) { return tg::softmax(input, options.dim()); }
std::string SoftmaxImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

DropoutImpl::DropoutImpl(const DropoutOptions& o) : options(o) {
  TG_CHECK(o.p() >= 0 && o.p() <= 1,
           "Dropout: dropout probability has to be between 0 and 1, but got ", o.p());
}
Tensor DropoutImpl::forward(const Tensor& input) {
  return functional::dropout(input,
                             functional::DropoutFuncOptions(options.p()).training(is_training()));
}
std::string DropoutImpl::extra_repr() const {
  return "p=" + py_float(options.p()) + ", inplace=" + bool_str(options.inplace());
}

Tensor SequentialImpl::forward(const Tensor& input) {
  Tensor x = input;
  for (auto& f : forwards_) x = f(x);
  return x;
}

std::shared_ptr<Module> SequentialImpl::operator[](size_t index) const {
  TG_CHECK(index < modules_.size(), "Sequential: index ", index, " is out of range (size ",
           modules_.size(), ")");
  return modules_[index];
}

}  // namespace tg::nn
