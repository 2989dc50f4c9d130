// The activation layers beyond Tanh, ReLU, Sigmoid and LeakyReLU: libtorch's option structs
// (nn::ELUOptions, with F::ELUFuncOptions the same type), the functional forms in
// nn::functional, and the modules, which print as PyTorch's do (`ELU(alpha=1.0)`).
#pragma once

#include <string>

#include "tensorgrad/arg.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

struct ELUOptions {
  TG_ARG(double, alpha) = 1.0;
  TG_ARG(bool, inplace) = false;
};
struct SELUOptions {
  SELUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  TG_ARG(bool, inplace);
};
struct CELUOptions {
  TG_ARG(double, alpha) = 1.0;
  TG_ARG(bool, inplace) = false;
};
struct GELUOptions {
  TG_ARG(std::string, approximate) = "none";
};
struct GLUOptions {
  GLUOptions(int64_t dim = -1) : dim_(dim) {}  // NOLINT
  TG_ARG(int64_t, dim);
};
struct SoftplusOptions {
  TG_ARG(double, beta) = 1.0;
  TG_ARG(double, threshold) = 20.0;
};
struct HardtanhOptions {
  TG_ARG(double, min_val) = -1.0;
  TG_ARG(double, max_val) = 1.0;
  TG_ARG(bool, inplace) = false;
};
struct ReLU6Options {
  ReLU6Options(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  TG_ARG(bool, inplace);
};
struct SoftshrinkOptions {
  SoftshrinkOptions(double lambda = 0.5) : lambda_(lambda) {}  // NOLINT
  TG_ARG(double, lambda);
};
struct HardshrinkOptions {
  HardshrinkOptions(double lambda = 0.5) : lambda_(lambda) {}  // NOLINT
  TG_ARG(double, lambda);
};
struct ThresholdOptions {
  ThresholdOptions(double threshold, double value) : threshold_(threshold), value_(value) {}
  TG_ARG(double, threshold);
  TG_ARG(double, value);
  TG_ARG(bool, inplace) = false;
};
struct PReLUOptions {
  TG_ARG(int64_t, num_parameters) = 1;
  TG_ARG(double, init) = 0.25;
};

namespace functional {

using ELUFuncOptions = ELUOptions;
using SELUFuncOptions = SELUOptions;
using CELUFuncOptions = CELUOptions;
using GELUFuncOptions = GELUOptions;
using GLUFuncOptions = GLUOptions;
using SoftplusFuncOptions = SoftplusOptions;
using HardtanhFuncOptions = HardtanhOptions;
using ReLU6FuncOptions = ReLU6Options;
using SoftshrinkFuncOptions = SoftshrinkOptions;
using HardshrinkFuncOptions = HardshrinkOptions;
using ThresholdFuncOptions = ThresholdOptions;

// With `inplace(true)` these write into x and return it, as libtorch's do.
Tensor elu(Tensor x, const ELUFuncOptions& options = {});
Tensor selu(Tensor x, const SELUFuncOptions& options = {});
Tensor celu(Tensor x, const CELUFuncOptions& options = {});
Tensor gelu(const Tensor& x, const GELUFuncOptions& options = {});
Tensor glu(const Tensor& x, const GLUFuncOptions& options = {});
Tensor silu(const Tensor& x);
Tensor mish(const Tensor& x);
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& options = {});
Tensor hardtanh(Tensor x, const HardtanhFuncOptions& options = {});
Tensor relu6(Tensor x, const ReLU6FuncOptions& options = {});
Tensor hardswish(const Tensor& x);
Tensor hardsigmoid(const Tensor& x);
Tensor logsigmoid(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor tanhshrink(const Tensor& x);
Tensor softshrink(const Tensor& x, const SoftshrinkFuncOptions& options = {});
Tensor hardshrink(const Tensor& x, const HardshrinkFuncOptions& options = {});
Tensor threshold(Tensor x, const ThresholdFuncOptions& options);
Tensor prelu(const Tensor& x, const Tensor& weight);

}  // namespace functional

// A module that holds its options and calls its functional form.
#define TG_DECLARE_OPTIONED_ACTIVATION(Name, Options)                        \
  class Name##Impl : public Module {                                         \
   public:                                                                   \
    explicit Name##Impl(const Options& options_ = {}) : options(options_) {} \
    Tensor forward(const Tensor& input);                                     \
    std::string extra_repr() const override;                                 \
    Options options;                                                         \
  };                                                                         \
  TG_MODULE(Name)
TG_DECLARE_OPTIONED_ACTIVATION(ELU, ELUOptions);
TG_DECLARE_OPTIONED_ACTIVATION(SELU, SELUOptions);
TG_DECLARE_OPTIONED_ACTIVATION(CELU, CELUOptions);
TG_DECLARE_OPTIONED_ACTIVATION(GELU, GELUOptions);
TG_DECLARE_OPTIONED_ACTIVATION(GLU, GLUOptions);
TG_DECLARE_OPTIONED_ACTIVATION(Softplus, SoftplusOptions);
TG_DECLARE_OPTIONED_ACTIVATION(Hardtanh, HardtanhOptions);
TG_DECLARE_OPTIONED_ACTIVATION(ReLU6, ReLU6Options);
TG_DECLARE_OPTIONED_ACTIVATION(Softshrink, SoftshrinkOptions);
TG_DECLARE_OPTIONED_ACTIVATION(Hardshrink, HardshrinkOptions);
#undef TG_DECLARE_OPTIONED_ACTIVATION

// Threshold has no default options.
class ThresholdImpl : public Module {
 public:
  ThresholdImpl(double threshold, double value)
      : ThresholdImpl(ThresholdOptions(threshold, value)) {}
  explicit ThresholdImpl(const ThresholdOptions& options_) : options(options_) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  ThresholdOptions options;
};
TG_MODULE(Threshold);

// Activations without options.
#define TG_DECLARE_PLAIN_ACTIVATION(Name) \
  class Name##Impl : public Module {      \
   public:                                \
    Tensor forward(const Tensor& input);  \
  };                                      \
  TG_MODULE(Name)
TG_DECLARE_PLAIN_ACTIVATION(SiLU);
TG_DECLARE_PLAIN_ACTIVATION(Mish);
TG_DECLARE_PLAIN_ACTIVATION(Hardswish);
TG_DECLARE_PLAIN_ACTIVATION(Hardsigmoid);
TG_DECLARE_PLAIN_ACTIVATION(LogSigmoid);
TG_DECLARE_PLAIN_ACTIVATION(Softsign);
TG_DECLARE_PLAIN_ACTIVATION(Tanhshrink);
#undef TG_DECLARE_PLAIN_ACTIVATION

// A learnt negative slope: `num_parameters` of them (1, or one per channel along dim 1), each
// starting at `init`.
class PReLUImpl : public Module {
 public:
  explicit PReLUImpl(const PReLUOptions& options_ = {});
  void reset();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  PReLUOptions options;
  Tensor weight;
};
TG_MODULE(PReLU);

}  // namespace tg::nn
