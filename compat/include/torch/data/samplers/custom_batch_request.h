// <torch/data/samplers/custom_batch_request.h>: part of torch::data, which is tg::data
// (tensorgrad/data.h).
#pragma once

#include <torch/types.h>
