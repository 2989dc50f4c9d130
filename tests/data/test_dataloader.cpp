// TensorDataset and DataLoader: batching, and the shuffled order and random-number consumption of
// PyTorch 1.13's DataLoader for the same seeds (tests/fixtures/data/dataloader.json, made by
// scripts/make_data_fixtures.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "data/sampling.h"
#include "tensorgrad/data.h"
#include "tensorgrad/random.h"

#ifndef TG_FIXTURE_DIR
#error "TG_FIXTURE_DIR must name the tests/fixtures directory"
#endif

namespace {

using tg::Tensor;
using tg::data::DataLoader;
using tg::data::DataLoaderOptions;
using tg::data::TensorDataset;

nlohmann::json load_fixture() {
  const std::string path = std::string(TG_FIXTURE_DIR) + "/data/dataloader.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open fixture " << path;
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(in);
}

std::vector<int64_t> to_vector(const Tensor& t) {
  Tensor c = t.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

// ---- against PyTorch

TEST(DataRandom, Int64RandomMatchesTorch) {
  const auto fx = load_fixture();
  ASSERT_TRUE(fx.contains("random_int64"));
  for (const auto& c : fx["random_int64"]) {
    const auto seed = c["seed"].get<uint64_t>();
    SCOPED_TRACE("seed " + std::to_string(seed));
    tg::manual_seed(seed);
    tg::Generator g(seed);
    for (size_t i = 0; i < c["values"].size(); ++i) {
      EXPECT_EQ(tg::data::detail::random_int64(tg::default_generator()),
                c["values"][i].get<int64_t>());
      EXPECT_EQ(tg::data::detail::random_int64(g), c["generator_values"][i].get<int64_t>());
    }
  }
}

TEST(DataLoaderTorch, ShuffledOrderAndDrawsMatchTorch) {
  const auto fx = load_fixture();
  ASSERT_TRUE(fx.contains("loaders"));
  for (const auto& c : fx["loaders"]) {
    const auto seed = c["seed"].get<uint64_t>();
    const auto n = c["n"].get<int64_t>();
    const auto bs = c["batch_size"].get<int64_t>();
    const bool shuffle = c["shuffle"].get<bool>();
    const bool drop_last = c["drop_last"].get<bool>();
    SCOPED_TRACE(c.dump().substr(0, 120));
    std::set<int64_t> first_only(c["first_only"].begin(), c["first_only"].end());

    tg::manual_seed(seed);
    std::unique_ptr<tg::Generator> gen;
    if (c.contains("generator_seed"))
      gen = std::make_unique<tg::Generator>(c["generator_seed"].get<uint64_t>());
    DataLoader loader(
        TensorDataset(tg::arange(n)),
        DataLoaderOptions().batch_size(bs).shuffle(shuffle).drop_last(drop_last).generator(
            gen.get()));
    EXPECT_EQ(loader.size(), c["len"].get<size_t>());
    const auto& epochs = c["epochs"];
    for (size_t e = 0; e < epochs.size(); ++e) {
      std::vector<std::vector<int64_t>> batches;
      for (const auto& batch : loader) {
        batches.push_back(to_vector(batch.data));
        EXPECT_EQ(batch.size(), 1u);
        EXPECT_FALSE(batch.target.defined());
        if (first_only.count(static_cast<int64_t>(e))) break;
      }
      EXPECT_EQ(batches, epochs[e].get<std::vector<std::vector<int64_t>>>()) << "epoch " << e;
    }
    EXPECT_EQ(tg::data::detail::random_int64(tg::default_generator()),
              c["next_default"].get<int64_t>());
    if (gen) {
      EXPECT_EQ(tg::data::detail::random_int64(*gen), c["next_generator"].get<int64_t>());
    }
  }
}

// ---- datasets

TEST(TensorDatasetTest, GetAndSize) {
  const Tensor x = tg::arange(12, tg::kFloat).reshape({6, 2});
  const Tensor y = tg::arange(6);
  TensorDataset ds(x, y);
  EXPECT_EQ(ds.size(), 6u);
  const auto s = ds.get(4);
  EXPECT_TRUE(tg::equal(s.data, tg::tensor({8.0f, 9.0f})));
  EXPECT_EQ(s.target.item<int64_t>(), 4);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[1].is_same(s.target));
  EXPECT_THROW(ds.get(6), tg::Error);
  EXPECT_THROW(s[2], tg::Error);

  TensorDataset three({x, y, y * 10});
  EXPECT_EQ(three.get(2).tensors[2].item<int64_t>(), 20);
  TensorDataset one(x);
  EXPECT_FALSE(one.get(0).target.defined());
}

TEST(TensorDatasetTest, RejectsMismatchedTensors) {
  EXPECT_THROW(TensorDataset(tg::ones({3, 2}), tg::ones({4})), tg::Error);
  EXPECT_THROW(TensorDataset(tg::scalar_tensor(1.0)), tg::Error);
  EXPECT_THROW(TensorDataset(std::vector<Tensor>{}), tg::Error);
  try {
    TensorDataset(tg::ones({3, 2}), tg::ones({4}));
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("size mismatch"), std::string::npos) << e.what();
  }
}

// ---- DataLoader

TEST(DataLoaderTest, SequentialBatchesStackAlongDimZero) {
  const Tensor x = tg::arange(20, tg::kFloat).reshape({10, 2});
  const Tensor y = tg::arange(10, tg::kDouble) * 0.5;
  DataLoader loader(TensorDataset(x, y), DataLoaderOptions().batch_size(4));
  EXPECT_EQ(loader.size(), 3u);
  std::vector<int64_t> sizes;
  int64_t next = 0;
  for (const auto& batch : loader) {
    sizes.push_back(batch.data.size(0));
    EXPECT_EQ(batch.data.dim(), 2);
    EXPECT_EQ(batch.data.size(1), 2);
    EXPECT_EQ(batch.data.scalar_type(), tg::kFloat);
    EXPECT_EQ(batch.target.scalar_type(), tg::kDouble);
    for (int64_t i = 0; i < batch.data.size(0); ++i, ++next) {
      EXPECT_TRUE(tg::equal(batch.data[i], x[next]));
      EXPECT_EQ(batch.target[i].item<double>(), 0.5 * static_cast<double>(next));
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));

  DataLoader dropping(TensorDataset(x, y), DataLoaderOptions(4).drop_last(true));
  EXPECT_EQ(dropping.size(), 2u);
  size_t count = 0;
  for (const auto& batch : dropping) {
    EXPECT_EQ(batch.data.size(0), 4);
    ++count;
  }
  EXPECT_EQ(count, 2u);
}

TEST(DataLoaderTest, BatchesAreCopiesNotViews) {
  const Tensor x = tg::zeros({4, 1});
  DataLoader loader(TensorDataset(x), DataLoaderOptions(2));
  for (const auto& batch : loader) {
    Tensor b = batch.data;
    b.fill_(5.0);
  }
  EXPECT_TRUE(tg::equal(x, tg::zeros({4, 1})));
}

TEST(DataLoaderTest, ShuffleVisitsEverySampleOncePerEpochAndChangesOrder) {
  tg::manual_seed(3);
  const int64_t n = 50;
  DataLoader loader(TensorDataset(tg::arange(n), tg::arange(n) * 2),
                    DataLoaderOptions().batch_size(7).shuffle(true));
  std::vector<std::vector<int64_t>> orders;
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int64_t> order;
    for (const auto& batch : loader) {
      const auto d = to_vector(batch.data);
      const auto t = to_vector(batch.target);
      for (size_t i = 0; i < d.size(); ++i) EXPECT_EQ(t[i], 2 * d[i]);  // pairs stay together
      order.insert(order.end(), d.begin(), d.end());
    }
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> expected(n);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(sorted, expected);
    orders.push_back(order);
  }
  EXPECT_NE(orders[0], orders[1]);
}

TEST(DataLoaderTest, SameSeedSameOrder) {
  auto run = [](uint64_t seed) {
    tg::manual_seed(seed);
    DataLoader loader(TensorDataset(tg::arange(30)), DataLoaderOptions(8).shuffle(true));
    std::vector<int64_t> order;
    for (const auto& b : loader) {
      const auto v = to_vector(b.data);
      order.insert(order.end(), v.begin(), v.end());
    }
    return order;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
}

static_assert(std::input_iterator<DataLoader::Iterator>);
static_assert(std::sentinel_for<DataLoader::Iterator, DataLoader::Iterator>);

TEST(DataLoaderTest, IteratorProtocol) {
  DataLoader loader(TensorDataset(tg::arange(5)), DataLoaderOptions(2));
  auto it = loader.begin();
  ASSERT_NE(it, loader.end());
  EXPECT_EQ(it->data.size(0), 2);
  EXPECT_EQ((*it).data[0].item<int64_t>(), 0);
  ++it;
  EXPECT_EQ(it->data[0].item<int64_t>(), 2);
  it++;
  EXPECT_EQ(it->data.size(0), 1);
  ++it;
  EXPECT_EQ(it, loader.end());
  EXPECT_THROW(*it, tg::Error);
  EXPECT_THROW(*loader.end(), tg::Error);
}

TEST(DataLoaderTest, EmptyDatasetAndBadOptions) {
  DataLoader empty(TensorDataset(tg::zeros({0, 3})), DataLoaderOptions(4));
  EXPECT_EQ(empty.size(), 0u);
  for (const auto& b : empty) ADD_FAILURE() << "no batch expected " << b.data;
  EXPECT_THROW(DataLoader(TensorDataset(tg::zeros({0})), DataLoaderOptions(4).shuffle(true)),
               tg::Error);
  EXPECT_THROW(DataLoader(TensorDataset(tg::zeros({3})), DataLoaderOptions(0)), tg::Error);
}

// A user dataset: the default get_batch stacks the samples.
class Squares : public tg::data::SampleDataset {
 public:
  size_t size() const override { return 5; }
  tg::data::Sample get(size_t i) const override {
    const double v = static_cast<double>(i);
    return {tg::tensor({v, v}, tg::kDouble), tg::scalar_tensor(v * v, tg::kDouble)};
  }
};

TEST(DataLoaderTest, CustomDatasetIsStacked) {
  auto loader = tg::data::make_data_loader(Squares(), DataLoaderOptions(2));
  std::vector<int64_t> sizes;
  double next = 0;
  for (const auto& batch : *loader) {
    sizes.push_back(batch.data.size(0));
    EXPECT_EQ(batch.data.dim(), 2);
    EXPECT_EQ(batch.target.dim(), 1);
    for (int64_t i = 0; i < batch.target.size(0); ++i, next += 1) {
      EXPECT_EQ(batch.target[i].item<double>(), next * next);
      EXPECT_EQ(batch.data[i][1].item<double>(), next);
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 2, 1}));
}

// Every epoch draws from the default generator even without shuffling, as PyTorch's base seed.
TEST(DataLoaderTest, EveryEpochDrawsTheBaseSeed) {
  tg::manual_seed(0);
  DataLoader loader(TensorDataset(tg::arange(4)), DataLoaderOptions(2));
  for (const auto& b : loader) (void)b;
  tg::Generator reference(0);
  (void)reference.random64();
  EXPECT_EQ(tg::default_generator().random64(), reference.random64());
}

}  // namespace
