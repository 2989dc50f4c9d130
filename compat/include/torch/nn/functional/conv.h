// <torch/nn/functional/conv.h>: torch::nn::functional::conv1d..conv_transpose3d.
#pragma once

#include <torch/types.h>
