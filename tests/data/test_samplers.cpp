// The distributed samplers: for every dataset size, number of replicas and rank, the shares are
// equally long, cover the dataset (with duplicates: every index, the padding wrapping around;
// without: no index twice), and the random order depends on the epoch only.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "error_of.h"
#include "tensorgrad/data.h"

namespace {

using namespace tg::data::samplers;
using tg_test::error_of;

template <typename S>
std::vector<size_t> drain(S& sampler, size_t batch_size) {
  std::vector<size_t> out;
  while (auto b = sampler.next(batch_size)) {
    EXPECT_LE(b->size(), batch_size);
    EXPECT_FALSE(b->empty());
    out.insert(out.end(), b->begin(), b->end());
  }
  return out;
}

template <typename S>
void check_shares(size_t size, size_t replicas, bool duplicates, size_t epoch) {
  SCOPED_TRACE("size " + std::to_string(size) + " replicas " + std::to_string(replicas) +
               (duplicates ? " with" : " without") + " duplicates, epoch " + std::to_string(epoch));
  const size_t local = duplicates ? (size + replicas - 1) / replicas : size / replicas;
  std::map<size_t, size_t> count;
  for (size_t rank = 0; rank < replicas; ++rank) {
    S sampler(size, replicas, rank, duplicates);
    sampler.set_epoch(epoch);
    sampler.reset();
    const auto share = drain(sampler, 3);
    EXPECT_EQ(share.size(), local);
    for (size_t i : share) {
      EXPECT_LT(i, size);
      ++count[i];
    }
    // A second epoch with the same seed repeats the share.
    sampler.reset();
    EXPECT_EQ(drain(sampler, 5), share);
  }
  if (duplicates) {
    EXPECT_EQ(count.size(), size);  // every index, the padding as evenly as the order allows
    const size_t most = (local * replicas + size - 1) / size;
    size_t total = 0;
    for (const auto& [i, c] : count) {
      EXPECT_GE(c, 1u);
      EXPECT_LE(c, most);
      total += c;
    }
    EXPECT_EQ(total, local * replicas);
  } else {
    EXPECT_EQ(count.size(), local * replicas);
    for (const auto& [i, c] : count) EXPECT_EQ(c, 1u);
  }
}

TEST(DistributedSamplers, SharesCoverTheDataset) {
  for (size_t size : {1, 2, 7, 10, 13, 64}) {
    for (size_t replicas : {1, 2, 3, 4, 8}) {
      for (bool duplicates : {true, false}) {
        for (size_t epoch : {0, 5}) {
          check_shares<DistributedRandomSampler>(size, replicas, duplicates, epoch);
          check_shares<DistributedSequentialSampler>(size, replicas, duplicates, epoch);
        }
      }
    }
  }
}

TEST(DistributedSamplers, SequentialSharesAreContiguousAndWrap) {
  DistributedSequentialSampler last(10, 4, 3);  // shares of 3: 9, 10 -> 0, 11 -> 1
  EXPECT_EQ(drain(last, 2), (std::vector<size_t>{9, 0, 1}));
  DistributedSequentialSampler second(10, 4, 1);
  EXPECT_EQ(drain(second, 2), (std::vector<size_t>{3, 4, 5}));
  EXPECT_EQ(second.index(), 6u);
  second.reset(20);  // a new size redraws the shares: ceil(20 / 4) = 5 each
  EXPECT_EQ(drain(second, 10), (std::vector<size_t>{5, 6, 7, 8, 9}));
}

TEST(DistributedSamplers, RandomOrderFollowsTheEpoch) {
  auto order = [](size_t epoch) {
    DistributedRandomSampler s(100, 1, 0);
    s.set_epoch(epoch);
    EXPECT_EQ(s.epoch(), epoch);
    s.reset();
    return drain(s, 7);
  };
  const auto e0 = order(0), e1 = order(1);
  EXPECT_EQ(order(0), e0);
  EXPECT_NE(e0, e1);
  std::vector<size_t> sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[i], i);
  // The epoch takes effect at the next reset(); construction shuffles with epoch 0.
  DistributedRandomSampler s(100);
  s.set_epoch(1);
  EXPECT_EQ(drain(s, 100), e0);
}

TEST(DistributedSamplers, BadRankOrReplicas) {
  EXPECT_EQ(error_of([] { DistributedRandomSampler(10, 2, 2); }),
            "DistributedSampler: invalid rank 2, rank should be in the interval [0, 1]");
  EXPECT_EQ(error_of([] { DistributedSequentialSampler(10, 0, 0); }),
            "DistributedSampler: num_replicas should be positive, but got 0");
}

TEST(DistributedSamplers, InALoader) {
  // Two ranks' loaders over the same dataset see disjoint halves.
  std::multiset<int64_t> seen;
  for (size_t rank = 0; rank < 2; ++rank) {
    auto loader = tg::data::make_data_loader(
        tg::data::datasets::TensorDataset(tg::arange(9))
            .map(tg::data::transforms::Stack<tg::data::TensorExample>()),
        DistributedRandomSampler(9, 2, rank, false), tg::data::DataLoaderOptions(2));
    for (auto& b : *loader)
      for (int64_t i = 0; i < b.data.size(0); ++i) seen.insert(b.data[i].item<int64_t>());
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 8u);
}

}  // namespace
