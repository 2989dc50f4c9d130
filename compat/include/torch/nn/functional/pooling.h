// <torch/nn/functional/pooling.h>: the functional pooling forms, which are tensorgrad's.
#pragma once

#include <torch/types.h>
