// <torch/nn/functional/batchnorm.h>: the functional batchnorm forms, which are tensorgrad's.
#pragma once

#include <torch/types.h>
