// <c10/core/Device.h>: c10::Device and c10::DeviceType.
#pragma once

#include <torch/types.h>
