// tg::nn::utils: gradient clipping and flattening parameters into one vector, as
// torch::nn::utils (libtorch 1.13) has them.
#pragma once

#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::nn::utils {

// Scales the gradients of `parameters` in place so that their joint norm (of order norm_type,
// infinity included) is at most max_norm; returns the norm before clipping. Parameters without a
// gradient are skipped. With error_if_nonfinite a NaN or infinite norm is an error.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// Clamps every gradient to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(const Tensor& parameter, double clip_value);

// The parameters flattened and concatenated into one vector.
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
// Copies consecutive slices of vec into the parameters (vec must hold exactly their elements).
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace tg::nn::utils
