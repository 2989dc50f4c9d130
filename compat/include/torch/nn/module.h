// <torch/nn/module.h>: torch::nn::Module.
#pragma once

#include <torch/types.h>
