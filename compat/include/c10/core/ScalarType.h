// <c10/core/ScalarType.h>: c10::ScalarType and its constants.
#pragma once

#include <torch/types.h>
