// <torch/csrc/autograd/function.h>: torch::autograd::Node, the nodes of the backward graph.
#pragma once

#include <torch/types.h>
