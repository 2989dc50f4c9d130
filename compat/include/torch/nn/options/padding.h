// <torch/nn/options/padding.h>: PadFuncOptions.
#pragma once

#include <torch/types.h>
