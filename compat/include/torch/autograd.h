// <torch/autograd.h>: torch::autograd, which is tg::autograd.
#pragma once

#include <torch/types.h>
