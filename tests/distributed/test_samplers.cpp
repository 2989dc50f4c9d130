// The distributed samplers across real ranks: each rank draws its own share, and the shares of
// all ranks together cover the dataset, for every epoch set with set_epoch().
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "mpi_env.h"

namespace tg::distributed {
namespace {

using mpitest::group;

// This rank's whole epoch, in batches of 3.
template <typename S>
std::vector<int64_t> draw_epoch(S& sampler) {
  sampler.reset();
  std::vector<int64_t> out;
  while (auto batch = sampler.next(3)) {
    for (size_t i : *batch) out.push_back(static_cast<int64_t>(i));
  }
  return out;
}

// Every rank's share, in rank order (all shares have the same length).
std::vector<std::vector<int64_t>> all_shares(const std::vector<int64_t>& mine) {
  auto& pg = group();
  const int n = pg->getSize();
  Tensor t = tg::empty({static_cast<int64_t>(mine.size())}, tg::dtype(kLong));
  std::copy(mine.begin(), mine.end(), t.data_ptr<int64_t>());
  std::vector<Tensor> in{t};
  std::vector<std::vector<Tensor>> out(1);
  for (int r = 0; r < n; ++r) out[0].push_back(tg::empty_like(t));
  pg->allgather(out, in)->wait();
  std::vector<std::vector<int64_t>> shares;
  for (auto& o : out[0]) {
    const int64_t* p = o.data_ptr<int64_t>();
    shares.emplace_back(p, p + o.numel());
  }
  return shares;
}

template <typename S>
void check_shares_cover_the_dataset(bool shuffled) {
  auto& pg = group();
  const auto n = static_cast<size_t>(pg->getSize());
  const auto me = static_cast<size_t>(pg->getRank());
  const size_t size = 3 * n + 2;  // not a multiple of the number of ranks
  std::vector<int64_t> previous;
  for (size_t epoch = 0; epoch < 3; ++epoch) {
    // With duplicates: every index appears, the last share padded from the start.
    S padded(size, n, me, true);
    padded.set_epoch(epoch);
    auto shares = all_shares(draw_epoch(padded));
    std::set<int64_t> seen;
    for (const auto& s : shares) {
      EXPECT_EQ(s.size(), (size + n - 1) / n);
      seen.insert(s.begin(), s.end());
    }
    EXPECT_EQ(seen.size(), size) << "epoch " << epoch;
    EXPECT_EQ(*seen.rbegin(), static_cast<int64_t>(size - 1));

    // Without: disjoint shares of size / n each.
    S exact(size, n, me, false);
    exact.set_epoch(epoch);
    auto exact_shares = all_shares(draw_epoch(exact));
    std::multiset<int64_t> all;
    for (const auto& s : exact_shares) {
      EXPECT_EQ(s.size(), size / n);
      all.insert(s.begin(), s.end());
    }
    EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), all.size()) << "overlapping shares";

    // Shuffled samplers draw a new order each epoch; the sequential one keeps it.
    std::vector<int64_t> flat;
    for (const auto& s : shares) flat.insert(flat.end(), s.begin(), s.end());
    if (epoch > 0) {
      if (shuffled) {
        EXPECT_NE(flat, previous) << "epoch " << epoch;
      } else {
        EXPECT_EQ(flat, previous);
      }
    }
    previous = flat;
  }
}

TEST(DistributedSamplers, RandomSharesCoverTheDatasetEveryEpoch) {
  check_shares_cover_the_dataset<data::samplers::DistributedRandomSampler>(true);
}

TEST(DistributedSamplers, SequentialSharesCoverTheDataset) {
  check_shares_cover_the_dataset<data::samplers::DistributedSequentialSampler>(false);
}

}  // namespace
}  // namespace tg::distributed
