// <c10/core/TensorOptions.h>: c10::TensorOptions.
#pragma once

#include <torch/types.h>
