// <torch/data/datasets.h>: torch::data::datasets.
#pragma once

#include <torch/types.h>
