// <torch/nn/modules.h>: torch::nn's layers and losses.
#pragma once

#include <torch/types.h>
