// Embedding and EmbeddingBag: lookup tables of rows addressed by int64 indices, with
// libtorch's options, functional forms (F::embedding, F::embedding_bag) and modules.
#pragma once

#include <optional>
#include <string>

#include "tensorgrad/arg.h"
#include "tensorgrad/enum.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  TG_ARG(int64_t, num_embeddings);
  TG_ARG(int64_t, embedding_dim);
  // The row that does not take part in training: zero at construction, never given a gradient.
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  // Looked-up rows whose norm_type-norm exceeds max_norm are rescaled in place to max_norm.
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  // Divides each row's gradient by how often its index occurs in the batch.
  TG_ARG(bool, scale_grad_by_freq) = false;
  // Accepted for libtorch's sake; gradients are always dense here.
  TG_ARG(bool, sparse) = false;
  TG_ARG(Tensor, _weight) = Tensor();
};

struct EmbeddingFromPretrainedOptions {
  TG_ARG(bool, freeze) = true;
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(bool, sparse) = false;
};

// EmbeddingBag's reduction: tg::kSum, tg::kMean or tg::kMax.
class EmbeddingBagMode {
 public:
  EmbeddingBagMode(Reduction r);               // NOLINT: kSum and kMean convert
  EmbeddingBagMode(enumtype::kMax) : m_(2) {}  // NOLINT
  bool is_sum() const { return m_ == 0; }
  bool is_mean() const { return m_ == 1; }
  bool is_max() const { return m_ == 2; }
  const char* name() const { return m_ == 0 ? "sum" : m_ == 1 ? "mean" : "max"; }

 private:
  int m_;
};

struct EmbeddingBagOptions {
  EmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  TG_ARG(int64_t, num_embeddings);
  TG_ARG(int64_t, embedding_dim);
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(EmbeddingBagMode, mode) = kMean;
  TG_ARG(bool, sparse) = false;
  TG_ARG(Tensor, _weight) = Tensor();
  // offsets holds one entry more than there are bags: the end of the last bag.
  TG_ARG(bool, include_last_offset) = false;
  // Entries equal to padding_idx are left out of their bag (and of a mean's count).
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

struct EmbeddingBagFromPretrainedOptions {
  TG_ARG(bool, freeze) = true;
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(EmbeddingBagMode, mode) = kMean;
  TG_ARG(bool, sparse) = false;
  TG_ARG(bool, include_last_offset) = false;
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

namespace functional {

struct EmbeddingFuncOptions {
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(bool, sparse) = false;
};

struct EmbeddingBagFuncOptions {
  TG_ARG(Tensor, offsets) = Tensor();
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(EmbeddingBagMode, mode) = kMean;
  TG_ARG(bool, sparse) = false;
  TG_ARG(Tensor, per_sample_weights) = Tensor();
  TG_ARG(bool, include_last_offset) = false;
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

// weight's rows at input's indices: shape input.sizes() + [embedding_dim], node
// EmbeddingBackward0. With max_norm set, the looked-up rows of weight are renormalised in place
// first (under no-grad, as PyTorch does).
Tensor embedding(const Tensor& input, const Tensor& weight,
                 const EmbeddingFuncOptions& options = {});
// The gradient of weight for embedding: grad's rows added up per index, none for padding_idx
// (-1: none), each divided by its index's count when scale_grad_by_freq. Differentiable in grad.
Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights,
                          int64_t padding_idx, bool scale_grad_by_freq);
// Rescales the rows of self at indices whose max_norm-norm exceeds max_norm, in place, without
// recording a gradient (torch.embedding_renorm_).
Tensor& embedding_renorm_(Tensor& self, const Tensor& indices, double max_norm, double norm_type);
// Sums, means or maxima of bags of weight's rows: input 2-D (each row a bag) or 1-D with offsets
// (the start of each bag); result [bags, embedding_dim], node EmbeddingBagBackward0.
Tensor embedding_bag(const Tensor& input, const Tensor& weight,
                     const EmbeddingBagFuncOptions& options = {});

}  // namespace functional

class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(EmbeddingOptions options);
  // weight ~ N(0, 1) from the default generator, then the padding row zeroed.
  void reset_parameters();
  void reset();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  EmbeddingOptions options;
  Tensor weight;
};

class EmbeddingBagImpl : public Module {
 public:
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBagImpl(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingBagImpl(EmbeddingBagOptions options);
  void reset_parameters();
  void reset();
  Tensor forward(const Tensor& input, const Tensor& offsets = {},
                 const Tensor& per_sample_weights = {});
  std::string extra_repr() const override;

  EmbeddingBagOptions options;
  Tensor weight;
};

class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  // A table holding `embeddings` (2-D); frozen (no gradient) unless options.freeze(false).
  static Embedding from_pretrained(const Tensor& embeddings,
                                   const EmbeddingFromPretrainedOptions& options = {});
};

class EmbeddingBag : public ModuleHolder<EmbeddingBagImpl> {
 public:
  using ModuleHolder<EmbeddingBagImpl>::ModuleHolder;
  static EmbeddingBag from_pretrained(const Tensor& embeddings,
                                      const EmbeddingBagFromPretrainedOptions& options = {});
};

}  // namespace tg::nn
