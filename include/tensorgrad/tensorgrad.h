// tensorgrad: PyTorch's tensors, autograd, nn and optim in small, fast C++, spelled like libtorch.
// Include this one header; everything lives in namespace tg.
#pragma once

#include "tensorgrad/array_ref.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/enum.h"
#include "tensorgrad/error.h"
#include "tensorgrad/expanding_array.h"
#include "tensorgrad/random.h"
#include "tensorgrad/scalar_type.h"
#include "tensorgrad/tensor.h"
#include "tensorgrad/ordered_dict.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/io.h"
#include "tensorgrad/serialize.h"
#include "tensorgrad/data.h"
