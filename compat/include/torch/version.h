// <torch/version.h>: the libtorch release whose C++ API tensorgrad::torch follows (1.13), for
// programs that test TORCH_VERSION_MAJOR and friends.
#pragma once

#define TORCH_VERSION_MAJOR 1
#define TORCH_VERSION_MINOR 13
#define TORCH_VERSION_PATCH 0
#define TORCH_VERSION "1.13.0"
