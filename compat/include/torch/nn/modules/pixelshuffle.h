// <torch/nn/modules/pixelshuffle.h>: torch::nn::PixelShuffle and torch::nn::PixelUnshuffle.
#pragma once

#include <torch/types.h>
