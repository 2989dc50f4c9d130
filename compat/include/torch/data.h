// <torch/data.h>: torch::data, which is tg::data.
#pragma once

#include <torch/types.h>
