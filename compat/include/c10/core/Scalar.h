// <c10/core/Scalar.h>: c10::Scalar.
#pragma once

#include <torch/types.h>
