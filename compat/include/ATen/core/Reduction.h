// <ATen/core/Reduction.h>: the reduction modes of the losses.
#pragma once

#include <torch/types.h>
