// tg::nn: modules, layers, losses, functional forms and initialisation.
#pragma once

#include "tensorgrad/nn/activation.h"
#include "tensorgrad/nn/containers.h"
#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/loss.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules.h"
#include "tensorgrad/nn/normalization.h"
#include "tensorgrad/nn/options.h"
#include "tensorgrad/nn/pooling.h"
#include "tensorgrad/nn/utils.h"
#include "tensorgrad/nn/conv.h"
#include "tensorgrad/nn/embedding.h"
#include "tensorgrad/nn/vision.h"
#include "tensorgrad/nn/dropout.h"
