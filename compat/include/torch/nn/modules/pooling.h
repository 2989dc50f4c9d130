// <torch/nn/modules/pooling.h>: libtorch's pooling layers, which are tensorgrad's.
#pragma once

#include <torch/types.h>
