// <torch/csrc/autograd/anomaly_mode.h>: torch::autograd, which is tg::autograd.
#pragma once

#include <torch/types.h>
