// <torch/nn/functional.h>: torch::nn::functional, which is tg::nn::functional.
#pragma once

#include <torch/types.h>
