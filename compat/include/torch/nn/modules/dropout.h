// <torch/nn/modules/dropout.h>: torch::nn::Dropout and its channel-wise and alpha variants.
#pragma once

#include <torch/types.h>
