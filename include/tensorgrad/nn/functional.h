// tg::nn::functional: the stateless forms of the layers and losses (torch.nn.functional).
#pragma once

#include "tensorgrad/nn/options.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor relu(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor leaky_relu(const Tensor& x, const LeakyReLUFuncOptions& options = {});
Tensor softmax(const Tensor& x, const SoftmaxFuncOptions& options);
Tensor log_softmax(const Tensor& x, const LogSoftmaxFuncOptions& options);
Tensor dropout(const Tensor& x, const DropoutFuncOptions& options = {});

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
// mse_loss's backward as an op of its own (as in ATen), so gradients of gradients go through it:
// (input - target) * norm * grad_output with norm = 2 / numel for the mean, 2 otherwise.
Tensor mse_loss_backward(const Tensor& grad_output, const Tensor& input, const Tensor& target,
                         Reduction reduction);
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy_with_logits(
    const Tensor& input, const Tensor& target,
    const BinaryCrossEntropyWithLogitsFuncOptions& options = {});

}  // namespace tg::nn::functional
