// <torch/nn/modules/container/sequential.h>: torch::nn::Sequential.
#pragma once

#include <torch/types.h>
