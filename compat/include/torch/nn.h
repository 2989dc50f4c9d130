// <torch/nn.h>: torch::nn, which is tg::nn.
#pragma once

#include <torch/types.h>
