// <torch/nn/options.h>: the options structs of torch::nn.
#pragma once

#include <torch/types.h>
