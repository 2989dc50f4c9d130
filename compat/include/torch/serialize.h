// <torch/serialize.h>: torch::save and torch::load where tensorgrad has them (namespace tg).
#pragma once

#include <torch/types.h>
