// tg::optim: SGD, Adam, AdamW, RMSprop, Adagrad, LBFGS and the LR schedulers, with libtorch's
// names and Python PyTorch's update rules.
#pragma once

#include "tensorgrad/optim/adam.h"
#include "tensorgrad/optim/adamw.h"
#include "tensorgrad/optim/lbfgs.h"
#include "tensorgrad/optim/optimizer.h"
#include "tensorgrad/optim/rmsprop.h"
#include "tensorgrad/optim/schedulers.h"
#include "tensorgrad/optim/sgd.h"
