// The random draws of PyTorch 1.13's DataLoader and RandomSampler (torch/utils/data/dataloader.py,
// sampler.py), shared by the DataLoader and its tests.
#pragma once

#include <cstdint>
#include <vector>

#include "tensorgrad/random.h"

namespace tg::data::detail {

// torch.empty((), dtype=torch.int64).random_(generator=gen): the int64 branch of
// uniform_int_distribution draws one random64() and reduces it modulo 2^63 (transformation::
// uniform_int), a value in [0, 2^63).
int64_t random_int64(Generator& gen);

// The order RandomSampler(n, generator=gen) yields in one pass (n > 0): without a generator,
// a seed drawn from the default generator by random_int64 seeds a fresh Generator; the order is
// randperm(n) from that generator (or from gen itself when one is given).
std::vector<int64_t> random_sampler_order(int64_t n, Generator* gen);

}  // namespace tg::data::detail
