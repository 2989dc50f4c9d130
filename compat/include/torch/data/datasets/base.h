// <torch/data/datasets/base.h>: part of torch::data, which is tg::data (tensorgrad/data.h).
#pragma once

#include <torch/types.h>
