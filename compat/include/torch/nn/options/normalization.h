// <torch/nn/options/normalization.h>: the normalization options, which are tensorgrad's.
#pragma once

#include <torch/types.h>
