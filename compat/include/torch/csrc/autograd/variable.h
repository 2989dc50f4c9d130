// <torch/csrc/autograd/variable.h>: tensors with autograd (torch::autograd).
#pragma once

#include <torch/types.h>
