// Fused optimizer updates.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

// SGD with momentum (not Nesterov) on an existing momentum buffer, in one pass:
// d = grad + weight_decay * param; buf = buf * momentum + (1 - dampening) * d; param -= lr * buf.
// param, grad and buf: contiguous, one shape, one floating dtype.
void sgd_momentum_step(const Tensor& param, const Tensor& grad, const Tensor& buf, double lr,
                       double momentum, double dampening, double weight_decay);

}  // namespace tg::kernels
