// <torch/nn/options/instancenorm.h>: the instancenorm options, which are tensorgrad's.
#pragma once

#include <torch/types.h>
