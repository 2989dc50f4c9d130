// <ATen/Functions.h>: at::'s functions.
#pragma once

#include <torch/types.h>
