// <torch/nn/cloneable.h>: torch::nn::Module and its holders.
#pragma once

#include <torch/types.h>
