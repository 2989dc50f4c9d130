// <torch/optim/schedulers/step_lr.h>: torch::optim::StepLR.
#pragma once

#include <torch/types.h>
