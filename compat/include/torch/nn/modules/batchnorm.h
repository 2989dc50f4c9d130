// <torch/nn/modules/batchnorm.h>: libtorch's batchnorm layers, which are tensorgrad's.
#pragma once

#include <torch/types.h>
