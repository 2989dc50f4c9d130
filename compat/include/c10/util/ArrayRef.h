// <c10/util/ArrayRef.h>: c10::ArrayRef and c10::IntArrayRef.
#pragma once

#include <torch/types.h>
