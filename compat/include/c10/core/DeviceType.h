// <c10/core/DeviceType.h>: c10::DeviceType, c10::kCPU and c10::kCUDA.
#pragma once

#include <torch/types.h>
