// Gradient clipping and parameter flattening, as torch/nn/utils (clip_grad.py,
// convert_parameters.py) compute them.
#include "tensorgrad/nn/utils.h"

#include <cmath>
#include <limits>

#include "tensorgrad/autograd.h"

namespace tg::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad().detach());
  if (grads.empty()) return 0.0;
  NoGradGuard guard;
  std::vector<Tensor> norms;
  Tensor total;
  if (std::isinf(norm_type) && norm_type > 0) {
    for (const auto& g : grads) norms.push_back(g.abs().max());
    total = norms.size() == 1 ? norms[0] : tg::stack(norms).max();
  } else {
    for (const auto& g : grads) norms.push_back(g.norm(norm_type));
    total = tg::stack(norms).norm(norm_type);
  }
  const double total_norm = total.item<double>();
  TG_CHECK(!error_if_nonfinite || std::isfinite(total_norm), "The total norm of order ", norm_type,
           " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable "
           "this error and scale the gradients by the non-finite norm anyway, set "
           "`error_if_nonfinite=false`");
  // Scaled also when the factor clamps to 1, as PyTorch does (no branch on the device value).
  Tensor clip_coef = (max_norm / (total + 1e-6)).clamp(std::nullopt, 1.0);
  for (auto& g : grads) g.mul_(clip_coef);
  return total_norm;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard guard;
  for (const auto& p : parameters)
    if (p.grad().defined()) p.grad().detach().clamp_(-clip_value, clip_value);
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  for (const auto& p : parameters) flat.push_back(p.reshape({-1}));
  return tg::cat(flat, 0);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  TG_CHECK(vec.defined() && vec.dim() == 1, "vector_to_parameters: expected a 1-D tensor, got ",
           vec.defined() ? vec.sizes() : IntArrayRef());
  int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  TG_CHECK(total == vec.numel(), "vector_to_parameters: the vector has ", vec.numel(),
           " elements but the parameters have ", total);
  NoGradGuard guard;
  int64_t pointer = 0;
  for (const auto& p : parameters) {
    const int64_t n = p.numel();
    Tensor(p).copy_(vec.slice(0, pointer, pointer + n).view(p.sizes()));
    pointer += n;
  }
}

}  // namespace tg::nn::utils
