// tg::optim: SGD, Adam, AdamW and the StepLR scheduler, with libtorch's names and Python PyTorch's
// update rules.
#pragma once

#include "tensorgrad/optim/adam.h"
#include "tensorgrad/optim/adamw.h"
#include "tensorgrad/optim/optimizer.h"
#include "tensorgrad/optim/schedulers.h"
#include "tensorgrad/optim/sgd.h"
