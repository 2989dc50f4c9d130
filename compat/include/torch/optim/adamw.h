// <torch/optim/adamw.h>: torch::optim::AdamW.
#pragma once

#include <torch/types.h>
