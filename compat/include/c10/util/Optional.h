// <c10/util/Optional.h>: c10::optional (std::optional).
#pragma once

#include <torch/types.h>
