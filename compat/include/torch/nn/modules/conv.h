// <torch/nn/modules/conv.h>: torch::nn::Conv1d..Conv3d and ConvTranspose1d..ConvTranspose3d.
#pragma once

#include <torch/types.h>
