// <torch/torch.h>: everything of libtorch's C++ frontend that tensorgrad has (see torch/types.h).
#pragma once

#include <torch/types.h>
