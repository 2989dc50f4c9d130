// <torch/csrc/autograd/custom_function.h>: torch::autograd, which is tg::autograd (custom functions included where tensorgrad has them).
#pragma once

#include <torch/types.h>
