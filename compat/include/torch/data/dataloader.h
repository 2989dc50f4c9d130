// <torch/data/dataloader.h>: torch::data's loaders.
#pragma once

#include <torch/types.h>
