// <torch/nn/options/pooling.h>: the pooling options, which are tensorgrad's.
#pragma once

#include <torch/types.h>
