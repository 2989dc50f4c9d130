// <torch/nn/modules/upsampling.h>: torch::nn::Upsample.
#pragma once

#include <torch/types.h>
