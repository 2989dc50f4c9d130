// <torch/nn/options/fold.h>: FoldOptions and UnfoldOptions.
#pragma once

#include <torch/types.h>
