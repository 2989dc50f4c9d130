// tg::nn::functional: the stateless forms of the layers and losses (torch.nn.functional).
#pragma once

#include "tensorgrad/nn/loss_options.h"
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

// Further losses and distances (src/nn/losses.cpp). Most are compositions of differentiable ops,
// as in PyTorch 1.13, so their grad_fn is that of the last op (MeanBackward0, ...); smooth_l1,
// huber and soft_margin have nodes of their own, as PyTorch does.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossFuncOptions& options = {});
Tensor huber_loss(const Tensor& input, const Tensor& target,
                  const HuberLossFuncOptions& options = {});
Tensor soft_margin_loss(const Tensor& input, const Tensor& target,
                        const SoftMarginLossFuncOptions& options = {});
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                   const MultilabelSoftMarginLossFuncOptions& options = {});
// Class-index targets: int64 [N] (one class per row) and int64 [N, C] (classes listed up to the
// first -1). Both record a node of their own, as PyTorch does.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginLossFuncOptions& options = {});
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                              const MultilabelMarginLossFuncOptions& options = {});
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossFuncOptions& options = {});
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target,
                            const HingeEmbeddingLossFuncOptions& options = {});
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossFuncOptions& options = {});
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginLossFuncOptions& options = {});
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target,
                        const PoissonNLLLossFuncOptions& options = {});
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2,
                         const CosineSimilarityFuncOptions& options = {});
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2,
                         const PairwiseDistanceFuncOptions& options = {});
Tensor normalize(const Tensor& input, NormalizeFuncOptions options = {});
// Class indices (int64) to int64 one-hot rows; num_classes = -1 takes the largest index + 1.
Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

}  // namespace tg::nn::functional
