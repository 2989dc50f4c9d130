// <torch/nn/init.h>: torch::nn::init.
#pragma once

#include <torch/types.h>
