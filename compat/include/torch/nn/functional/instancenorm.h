// <torch/nn/functional/instancenorm.h>: the functional instancenorm forms, which are tensorgrad's.
#pragma once

#include <torch/types.h>
