// <torch/nn/functional/padding.h>: torch::nn::functional::pad.
#pragma once

#include <torch/types.h>
