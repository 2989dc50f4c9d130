// <torch/nn/functional/normalization.h>: the functional normalization forms, which are tensorgrad's.
#pragma once

#include <torch/types.h>
