// <torch/arg.h>: TORCH_ARG.
#pragma once

#include <torch/types.h>
