// <ATen/Tensor.h>: at::Tensor.
#pragma once

#include <torch/types.h>
