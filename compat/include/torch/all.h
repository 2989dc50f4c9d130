// <torch/all.h>: everything, as <torch/torch.h>.
#pragma once

#include <torch/types.h>
