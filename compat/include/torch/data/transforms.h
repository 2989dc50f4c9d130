// <torch/data/transforms.h>: torch::data::transforms.
#pragma once

#include <torch/types.h>
