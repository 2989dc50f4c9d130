// <torch/csrc/autograd/grad_mode.h>: torch::autograd::GradMode and torch::NoGradGuard.
#pragma once

#include <torch/types.h>
