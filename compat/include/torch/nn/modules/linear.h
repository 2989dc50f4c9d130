// <torch/nn/modules/linear.h>: torch::nn::Linear.
#pragma once

#include <torch/types.h>
