// The heart of tensorgrad::torch: libtorch's namespaces over tensorgrad. torch::, at:: and c10::
// see all of namespace tg through using-directives (nothing is copied, so whatever tensorgrad
// adds shows up under libtorch's names too), and torch::nn, torch::optim, torch::data and
// torch::autograd are tg's. Including any libtorch header of this target also makes tensorgrad
// print tensors and name nodes as libtorch does (tg::Dialect::Libtorch).
#pragma once

#include <c10/util/Exception.h>
#include <c10/util/irange.h>
#include <tensorgrad/tensorgrad.h>

#include <cstdint>
#include <optional>

namespace c10 {
using namespace ::tg;
// libtorch's own optional is std::optional's twin; here it is std::optional.
template <typename T>
using optional = std::optional<T>;
using std::nullopt;
using std::nullopt_t;
using DeviceIndex = int8_t;
}  // namespace c10

namespace at {
using namespace ::tg;
using ::c10::Error;
using ::c10::irange;
using ::c10::nullopt;
using ::c10::optional;
using ::c10::str;
}  // namespace at

namespace torch {
using namespace ::tg;
using ::c10::Error;
using ::c10::nullopt;
using ::c10::optional;
using ::c10::str;
using Dtype = ::tg::ScalarType;
}  // namespace torch

namespace tg::compat_detail {
// Runs once per program that includes a header of this target, before main.
inline const bool libtorch_dialect_selected = (::tg::set_dialect(::tg::Dialect::Libtorch), true);
}  // namespace tg::compat_detail

// TORCH_MODULE(Linear) makes `Linear` a holder of `LinearImpl`, as in libtorch.
#define TORCH_MODULE_IMPL(Name, ImplType)                 \
  class Name : public ::tg::nn::ModuleHolder<ImplType> {  \
   public:                                                \
    using ::tg::nn::ModuleHolder<ImplType>::ModuleHolder; \
    using Impl = ImplType;                                \
  }
#define TORCH_MODULE(Name) TORCH_MODULE_IMPL(Name, Name##Impl)
// TORCH_ARG(T, name): an option with a chained setter and a getter.
#define TORCH_ARG(T, name) TG_ARG(T, name)

namespace torch {

// ATen's spellings of three functional forms, which libtorch programs call as torch::dropout,
// torch::nll_loss and torch::binary_cross_entropy (positional arguments in ATen's order).
inline Tensor dropout(const Tensor& input, double p, bool train) {
  return nn::functional::dropout(input, nn::functional::DropoutFuncOptions(p).training(train));
}
inline Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                       Reduction reduction = kMean, int64_t ignore_index = -100) {
  return nn::functional::nll_loss(
      input, target,
      nn::functional::NLLLossFuncOptions(reduction).weight(weight).ignore_index(ignore_index));
}
inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                                   const Tensor& weight = {}, Reduction reduction = kMean) {
  return nn::functional::binary_cross_entropy(
      input, target, nn::functional::BinaryCrossEntropyFuncOptions(reduction).weight(weight));
}

}  // namespace torch
