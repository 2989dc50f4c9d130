// <torch/data/samplers.h>: torch::data::samplers.
#pragma once

#include <torch/types.h>
