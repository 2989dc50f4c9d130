// <torch/optim/rmsprop.h>: torch::optim, which is tg::optim.
#pragma once

#include <torch/types.h>
