// <torch/optim/adam.h>: torch::optim::Adam.
#pragma once

#include <torch/types.h>
