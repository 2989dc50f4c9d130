// <torch/nn/options/batchnorm.h>: the batchnorm options, which are tensorgrad's.
#pragma once

#include <torch/types.h>
