// <torch/optim/sgd.h>: torch::optim::SGD.
#pragma once

#include <torch/types.h>
