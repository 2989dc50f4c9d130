// <torch/csrc/autograd/autograd.h>: torch::autograd::backward and grad.
#pragma once

#include <torch/types.h>
