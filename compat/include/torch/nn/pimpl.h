// <torch/nn/pimpl.h>: TORCH_MODULE and torch::nn::ModuleHolder.
#pragma once

#include <torch/types.h>
