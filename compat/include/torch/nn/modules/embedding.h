// <torch/nn/modules/embedding.h>: torch::nn::Embedding and torch::nn::EmbeddingBag.
#pragma once

#include <torch/types.h>
