// <torch/nn/functional/fold.h>: torch::nn::functional::fold and unfold.
#pragma once

#include <torch/types.h>
