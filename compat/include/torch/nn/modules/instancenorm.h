// <torch/nn/modules/instancenorm.h>: libtorch's instancenorm layers, which are tensorgrad's.
#pragma once

#include <torch/types.h>
