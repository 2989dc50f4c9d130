// <torch/nn/modules/normalization.h>: libtorch's normalization layers, which are tensorgrad's.
#pragma once

#include <torch/types.h>
