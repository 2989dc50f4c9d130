// <torch/optim/optimizer.h>: torch::optim::Optimizer.
#pragma once

#include <torch/types.h>
