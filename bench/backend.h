// Picks the library a benchmark is compiled against: tensorgrad by default, libtorch when
// TG_BENCH_LIBTORCH is defined. Workloads use only the alias `bk` (tg or torch), so the same
// source measures both. The libtorch side includes only the parts of its frontend the workloads
// use (tensors, autograd, the nn modules and SGD).
#pragma once

#ifdef TG_BENCH_LIBTORCH
#include <ATen/Version.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/loss.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>
#include <torch/utils.h>
namespace bk = torch;
#define TG_BENCH_BACKEND "libtorch"
#define TG_BENCH_SHOW_CONFIG at::show_config
#else
#include <tensorgrad/tensorgrad.h>
namespace bk = tg;
#define TG_BENCH_BACKEND "tensorgrad"
#define TG_BENCH_SHOW_CONFIG tg::show_config
#endif
