// <torch/cuda.h>: torch::cuda: no CUDA devices (tensorgrad computes on the CPU).
#pragma once

#include <torch/types.h>
