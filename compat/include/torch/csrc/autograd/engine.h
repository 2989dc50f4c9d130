// <torch/csrc/autograd/engine.h>: torch::autograd::backward and grad.
#pragma once

#include <torch/types.h>
