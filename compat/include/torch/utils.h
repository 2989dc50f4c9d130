// <torch/utils.h>: torch::NoGradGuard, torch::manual_seed and the thread settings.
#pragma once

#include <torch/types.h>
