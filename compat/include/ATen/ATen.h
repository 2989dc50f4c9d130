// <ATen/ATen.h>: at::, which names tensorgrad's tensors and functions.
#pragma once

#include <torch/types.h>
