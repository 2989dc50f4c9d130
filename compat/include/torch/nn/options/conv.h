// <torch/nn/options/conv.h>: Conv2dOptions, ConvTranspose2dOptions and the functional conv options.
#pragma once

#include <torch/types.h>
