// Picks the library a benchmark is compiled against: tensorgrad by default, libtorch when
// TG_BENCH_LIBTORCH is defined. Benchmarks use only the alias `bk` (tg or torch), so the same
// source measures both.
#pragma once

#ifdef TG_BENCH_LIBTORCH
#include <torch/types.h>
#include <torch/utils.h>
namespace bk = torch;
#define TG_BENCH_BACKEND "libtorch"
#else
#include <tensorgrad/tensorgrad.h>
namespace bk = tg;
#define TG_BENCH_BACKEND "tensorgrad"
#endif
