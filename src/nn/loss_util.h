// Helpers the loss functions share: applying a reduction, and recording a loss node whose
// backward is written elementwise. Internal.
#pragma once

#include "autograd/function.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/options.h"

namespace tg::nn::functional::detail {

// The gradient arriving at a reduced loss, spread back over the elementwise losses.
inline Tensor expand_loss_grad(const Tensor& g, IntArrayRef shape, Reduction r, int64_t n) {
  if (r == kNone) return g;
  Tensor e = g.expand(shape);
  return r == kMean ? e / static_cast<double>(n) : e;
}

// ATen's apply_loss_reduction.
inline Tensor reduce_loss(const Tensor& elementwise, Reduction r) {
  switch (r) {
    case kNone:
      return elementwise;
    case kSum:
      return elementwise.sum();
    case kMean:
      return elementwise.mean();
  }
  return elementwise;
}

// Records `name` for a loss of (input, target) whose elementwise derivatives are given by
// grad_fn(input, target) -> (d/dinput, d/dtarget); an undefined d/dtarget means the target gets
// no gradient.
template <typename GradFn>
void record_loss(const char* name, const Tensor& input, const Tensor& target, Tensor& out,
                 Reduction r, GradFn grad_fn) {
  if (!autograd::should_record({&input, &target})) return;
  DimVector shape = infer_size(input.sizes(), target.sizes(), name);
  const int64_t n = numel_of(shape);
  autograd::record(
      name, {&input, &target}, {&out}, {autograd::save(input), autograd::save(target)},
      [shape, n, r, grad_fn](const autograd::tensor_list& g, const autograd::tensor_list& s) {
        Tensor gk = expand_loss_grad(g[0], shape, r, n);
        auto [gi, gt] = grad_fn(s[0], s[1]);
        return autograd::tensor_list{gi * gk, gt.defined() ? gt * gk : Tensor()};
      });
}

}  // namespace tg::nn::functional::detail
