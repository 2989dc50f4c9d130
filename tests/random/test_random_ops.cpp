// The tensor-level random ops: argument checks, autograd rules, options, generators, and the
// properties that do not need a PyTorch fixture.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/tensor_impl.h"
#include "random/rng_kernels.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/random.h"
#include "tensorgrad/tensor.h"

namespace {

// Expects statement to throw a tg::Error whose message contains every one of `parts`.
#define EXPECT_TG_ERROR(statement, ...)                                   \
  do {                                                                    \
    try {                                                                 \
      statement;                                                          \
      ADD_FAILURE() << "no tg::Error from " #statement;                   \
    } catch (const tg::Error& e) {                                        \
      for (const char* part : {__VA_ARGS__})                              \
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)    \
            << "message \"" << e.what() << "\" lacks \"" << part << "\""; \
    }                                                                     \
  } while (0)

bool same_bits(const tg::Tensor& a, const tg::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes().vec() != b.sizes().vec()) return false;
  const tg::Tensor x = a.contiguous(), y = b.contiguous();
  return x.numel() == 0 ||
         std::memcmp(x.data_ptr(), y.data_ptr(), x.numel() * x.element_size()) == 0;
}

TEST(RandomOps, ManualSeedReproduces) {
  tg::manual_seed(123);
  const tg::Tensor a = tg::rand({5, 7});
  const tg::Tensor b = tg::randn({40}, tg::kDouble);
  tg::manual_seed(123);
  EXPECT_TRUE(same_bits(a, tg::rand({5, 7})));
  EXPECT_TRUE(same_bits(b, tg::randn({40}, tg::kDouble)));
}

TEST(RandomOps, GeneratorObjectsLeaveTheDefaultStreamAlone) {
  tg::manual_seed(1);
  const tg::Tensor expected = tg::rand({10});
  tg::manual_seed(1);
  tg::Generator g(99);
  tg::rand({100}, &g);
  tg::randn({3}, &g);
  tg::randperm(20, &g);
  tg::Tensor t = tg::empty({8});
  t.uniform_(0, 1, &g);
  t.normal_(0, 1, &g);
  EXPECT_TRUE(same_bits(tg::rand({10}), expected));
  // And the same seed in a Generator gives the default generator's stream.
  tg::Generator h(1);
  EXPECT_TRUE(same_bits(tg::rand({10}, &h), expected));
}

TEST(RandomOps, EmptyTensorsDrawNothing) {
  tg::manual_seed(5);
  const tg::Tensor expected = tg::rand({4});
  tg::manual_seed(5);
  EXPECT_EQ(tg::rand({0}).numel(), 0);
  EXPECT_EQ(tg::randn({3, 0}).numel(), 0);
  EXPECT_EQ(tg::randperm(0).numel(), 0);
  EXPECT_EQ(tg::randperm(1).numel(), 1);  // n - 1 = 0 swaps
  tg::Tensor e = tg::empty({0, 5});
  e.uniform_();
  e.normal_();
  EXPECT_TRUE(same_bits(tg::rand({4}), expected));
}

TEST(RandomOps, DefaultDtypes) {
  EXPECT_EQ(tg::rand({2}).scalar_type(), tg::kFloat);
  EXPECT_EQ(tg::randn({2}, tg::kDouble).scalar_type(), tg::kDouble);
  EXPECT_EQ(tg::randint(0, 5, {2}).scalar_type(), tg::kLong);
  EXPECT_EQ(tg::randint(5, {2}, tg::requires_grad(false)).scalar_type(), tg::kLong);
  EXPECT_EQ(tg::randperm(4).scalar_type(), tg::kLong);
  EXPECT_EQ(tg::randperm(4, tg::kFloat).scalar_type(), tg::kFloat);
  EXPECT_EQ(tg::linspace(0, 1, 3).scalar_type(), tg::kFloat);
  EXPECT_EQ(tg::linspace(0, 10, 3, tg::kLong).scalar_type(), tg::kLong);
  const tg::Tensor d = tg::zeros({2, 3}, tg::kDouble);
  EXPECT_EQ(tg::rand_like(d).scalar_type(), tg::kDouble);
  EXPECT_EQ(tg::randn_like(d, tg::kFloat).scalar_type(), tg::kFloat);
  EXPECT_EQ(tg::rand_like(d).sizes().vec(), (std::vector<int64_t>{2, 3}));
}

TEST(RandomOps, RequiresGradOption) {
  EXPECT_TRUE(tg::rand({2}, tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::randn({2}, tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::rand({2}, nullptr, tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::linspace(0, 1, 4, tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::randn_like(tg::zeros({3}), tg::requires_grad()).requires_grad());
  EXPECT_FALSE(tg::rand({2}).requires_grad());
  EXPECT_TRUE(tg::rand({2}).is_leaf());
}

TEST(RandomOps, InPlaceFillsBumpTheVersion) {
  tg::Tensor t = tg::zeros({4});
  const uint32_t v0 = tg::impl_of(t)->storage->version;
  t.uniform_();
  EXPECT_EQ(tg::impl_of(t)->storage->version, v0 + 1);
  t.normal_();
  EXPECT_EQ(tg::impl_of(t)->storage->version, v0 + 2);
}

TEST(RandomOps, UniformAndNormalRefuseIntegerTensors) {
  tg::Tensor i = tg::zeros({3}, tg::kLong);
  EXPECT_TG_ERROR(i.uniform_(), "uniform_", "torch.int64", "[3]");
  EXPECT_TG_ERROR(i.normal_(), "normal_", "torch.int64", "[3]");
  tg::Tensor b = tg::zeros({2, 2}, tg::kBool);
  EXPECT_TG_ERROR(b.uniform_(), "uniform_", "torch.bool", "[2, 2]");
  EXPECT_TG_ERROR(tg::rand({3}, tg::kLong), "rand", "torch.int64");
  EXPECT_TG_ERROR(tg::randn({3}, tg::kLong), "randn", "torch.int64");
  EXPECT_TG_ERROR(tg::rand_like(i), "rand_like", "torch.int64");
  EXPECT_TG_ERROR(tg::randn_like(i), "randn_like", "torch.int64");
}

TEST(RandomOps, BadArguments) {
  tg::Tensor t = tg::zeros({2, 3});
  EXPECT_TG_ERROR(t.normal_(0, -1), "normal_", "std", "[2, 3]");
  EXPECT_TG_ERROR(t.uniform_(2, 1), "uniform_", "from=2", "to=1", "[2, 3]");
  EXPECT_TG_ERROR(t.uniform_(-1e39, 0), "uniform_", "out of bounds", "torch.float32");
  EXPECT_TG_ERROR(t.uniform_(-3e38, 3e38), "uniform_", "to - from");
  EXPECT_TG_ERROR(tg::randint(5, 5, {2}), "randint", "low=5", "high=5");
  EXPECT_TG_ERROR(tg::randint(0, 3, {2}, tg::kBool), "randint", "torch.bool");
  EXPECT_TG_ERROR(tg::randperm(-1), "randperm", "-1");
  EXPECT_TG_ERROR(tg::randperm((int64_t{1} << 24) + 2, tg::kFloat), "randperm", "2^24+1");
  EXPECT_TG_ERROR(tg::linspace(0, 1, -1), "linspace", "non-negative");
  // Writing through an expanded tensor would give one element several values.
  tg::Tensor e = tg::zeros({3}).expand({2, 3});
  EXPECT_TG_ERROR(e.uniform_(), "uniform_", "[2, 3]");
  EXPECT_TG_ERROR(e.normal_(), "normal_", "[2, 3]");
}

TEST(RandomOps, LeafRequiringGradIsRefusedUnderGradMode) {
  tg::Tensor w = tg::zeros({3}, tg::requires_grad());
  EXPECT_TG_ERROR(w.uniform_(), "uniform_", "leaf");
  EXPECT_TG_ERROR(w.normal_(), "normal_", "leaf");
  {
    tg::NoGradGuard no_grad;  // how nn::init fills parameters
    w.uniform_(-1, 1);
    w.normal_(0, 1);
  }
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
}

TEST(RandomOps, InPlaceOnANonLeafHasAZeroGradient) {
  tg::Tensor x = tg::ones({4}, tg::requires_grad());
  tg::Tensor y = x * 2;
  y.uniform_();
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), "UniformBackward0");
  y.sum().backward();
  EXPECT_TRUE(same_bits(x.grad(), tg::zeros({4})));

  tg::Tensor x2 = tg::ones({4}, tg::requires_grad());
  tg::Tensor y2 = x2 * 2;
  y2.normal_();
  ASSERT_NE(y2.grad_fn(), nullptr);
  EXPECT_EQ(y2.grad_fn()->name(), "NormalBackward0");
}

TEST(RandomOps, NonContiguousFillsGoInMemoryOrder) {
  // uniform_ on a transposed tensor gives the base, in its own row-major order, the values that
  // a contiguous fill would.
  tg::manual_seed(8);
  tg::Tensor base = tg::zeros({5, 7});
  base.t().uniform_(-1, 1);
  tg::manual_seed(8);
  EXPECT_TRUE(same_bits(base, tg::empty({5, 7}).uniform_(-1, 1)));
  // normal_ on it takes the scalar path (not the 16-block one), also in memory order.
  tg::manual_seed(8);
  tg::Tensor base2 = tg::zeros({5, 7});
  base2.t().normal_(0.5, 2);
  tg::manual_seed(8);
  tg::Tensor ref = tg::empty({35});
  {
    tg::Generator& g = tg::default_generator();
    float* p = ref.data_ptr<float>();
    for (int i = 0; i < 35; ++i) p[i] = static_cast<float>(tg::rng::normal_scalar(g, 0.5, 2));
  }
  EXPECT_TRUE(same_bits(base2.reshape({35}), ref));
}

TEST(RandomOps, PortableNormalBlockGivesTheSameTensors) {
  tg::manual_seed(77);
  const tg::Tensor a = tg::randn({1000});
  const bool old = tg::rng::set_force_portable(true);
  tg::manual_seed(77);
  const tg::Tensor b = tg::randn({1000});
  tg::rng::set_force_portable(old);
  EXPECT_TRUE(same_bits(a, b));
}

TEST(RandomOps, LinspaceSmallCases) {
  EXPECT_EQ(tg::linspace(0, 1, 0).numel(), 0);
  const tg::Tensor one = tg::linspace(2.5, 7, 1);
  ASSERT_EQ(one.numel(), 1);
  EXPECT_EQ(one.item<float>(), 2.5f);
  const tg::Tensor two = tg::linspace(-3, 4, 2, tg::kDouble);
  EXPECT_EQ(two[0].item<double>(), -3.0);
  EXPECT_EQ(two[1].item<double>(), 4.0);
}

}  // namespace

// ---- bernoulli, exponential_, random_, multinomial (values:
// tests/fixtures/rng/distributions.json)

TEST(RandomOps, DistributionArgumentsAreCheckedInPyTorchsWords) {
  tg::Tensor f = tg::zeros({3});
  EXPECT_TG_ERROR(f.bernoulli_(1.5), "bernoulli_ expects p to be in [0, 1], but got p=1.5");
  EXPECT_TG_ERROR(f.bernoulli_(tg::tensor({0.5, 2.0, 0.1})), "bernoulli_",
                  "p_in >= 0 && p_in <= 1");
  EXPECT_TG_ERROR(f.bernoulli_(tg::ones({2})), "expand", "[2]", "[3]");
  EXPECT_TG_ERROR(f.exponential_(-1), "exponential_ expects lambda >= 0.0, but found lambda=-1");
  EXPECT_TG_ERROR(tg::zeros({3}, tg::kLong).exponential_(), "exponential_cpu", "Long");
  EXPECT_TG_ERROR(f.random_(int64_t{0}),  // a literal 0 would also be a null Generator*
                  "random_ expects 'from' to be less than 'to', but got from=0 >= to=0");
  EXPECT_TG_ERROR(f.random_(5, 2), "random_ expects 'from' to be less than 'to'", "from=5 >= to=2");
  EXPECT_TG_ERROR(tg::zeros({2}, tg::kBool).random_(0, 5), "random_", "torch.bool");
  EXPECT_TG_ERROR(tg::zeros({1}).expand({4}).bernoulli_(0.5), "bernoulli_",
                  "more than one element");
  const tg::Tensor p = tg::tensor({1.0f, -1.0f});
  EXPECT_TG_ERROR(tg::multinomial(p, 1),
                  "probability tensor contains either `inf`, `nan` or element < 0");
  EXPECT_TG_ERROR(tg::multinomial(p, 2, true),
                  "invalid multinomial distribution (encountering probability entry < 0)");
  EXPECT_TG_ERROR(tg::multinomial(tg::zeros({2}), 2, true),
                  "invalid multinomial distribution (sum of probabilities <= 0)");
  EXPECT_TG_ERROR(tg::multinomial(tg::zeros({2}), 1),
                  "invalid multinomial distribution (sum of probabilities <= 0)");
  EXPECT_TG_ERROR(tg::multinomial(tg::ones({2}), 3),
                  "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  EXPECT_TG_ERROR(tg::multinomial(tg::ones({2}, tg::kLong), 1),
                  "multinomial only supports floating-point dtypes for input, got: Long");
  EXPECT_TG_ERROR(tg::multinomial(tg::ones({2, 2, 2}), 1), "prob_dist must be 1 or 2 dim");
  EXPECT_TG_ERROR(tg::multinomial(tg::ones({2}), 0), "cannot sample n_sample <= 0 samples");
  EXPECT_TG_ERROR(tg::multinomial(tg::tensor({1.0f, INFINITY}), 2, true),
                  "encountering probability entry = infinity or NaN");
  EXPECT_TG_ERROR(tg::multinomial(tg::tensor({1.0f, NAN}), 1),
                  "probability tensor contains either `inf`, `nan` or element < 0");
  // A refused call leaves the tensor as it was.
  EXPECT_TRUE(tg::equal(f, tg::zeros({3})));
}

TEST(RandomOps, DistributionNodesAndVersions) {
  tg::Tensor leaf = tg::zeros({3}).requires_grad_(true);
  tg::Tensor x = leaf.clone();
  EXPECT_EQ(x.bernoulli_(0.5).grad_fn()->name(), "BernoulliBackward2");
  EXPECT_EQ(x.bernoulli_(tg::full({3}, 0.5)).grad_fn()->name(), "BernoulliBackward1");
  EXPECT_EQ(x.exponential_().grad_fn()->name(), "ExponentialBackward0");
  EXPECT_EQ(x.random_().grad_fn()->name(), "RandomBackward2");
  EXPECT_EQ(x.random_(5).grad_fn()->name(), "RandomBackward1");
  EXPECT_EQ(x.random_(1, 5).grad_fn()->name(), "RandomBackward0");
  x.sum().backward();
  EXPECT_TRUE(tg::equal(leaf.grad(), tg::zeros({3})));  // PyTorch's zero gradient
  tg::Tensor p = tg::full({4}, 0.5).requires_grad_(true);
  EXPECT_EQ(tg::bernoulli(p).grad_fn()->name(), "BernoulliBackward0");
  tg::Tensor y = tg::zeros({2});
  const auto v = y._version();
  y.exponential_(2.0);
  EXPECT_GT(y._version(), v);
  EXPECT_TG_ERROR(leaf.bernoulli_(0.5), "bernoulli_", "leaf Variable that requires grad");
}

TEST(RandomOps, DistributionValueRanges) {
  tg::manual_seed(3);
  tg::Tensor b = tg::zeros({1000}, tg::kBool).random_();
  const int64_t ones = b.to(tg::kLong).sum().item<int64_t>();
  EXPECT_GT(ones, 400);
  EXPECT_LT(ones, 600);
  tg::Tensor r = tg::zeros({1000}, tg::kLong).random_(-3, 4);
  EXPECT_EQ(r.min().item<int64_t>(), -3);
  EXPECT_EQ(r.max().item<int64_t>(), 3);
  tg::Tensor e = tg::zeros({1000}, tg::kDouble).exponential_(0);
  EXPECT_TRUE(std::isinf(e.min().item<double>()));  // rate 0: every value inf, as in PyTorch
  // Without replacement every category appears once, the zero-probability ones last.
  tg::Tensor m = tg::multinomial(tg::tensor({0.0f, 1.0f, 0.0f, 3.0f}), 4);
  std::vector<int64_t> picked(4);
  for (int64_t i = 0; i < 4; ++i) picked[i] = m[i].item<int64_t>();
  EXPECT_TRUE(picked[0] == 1 || picked[0] == 3);
  EXPECT_TRUE(picked[2] == 0 || picked[2] == 2);
  std::sort(picked.begin(), picked.end());
  EXPECT_EQ(picked, (std::vector<int64_t>{0, 1, 2, 3}));
  // With replacement a zero-probability category is never drawn.
  tg::Tensor w = tg::multinomial(tg::tensor({0.0f, 1.0f, 0.0f, 3.0f}), 200, true);
  EXPECT_FALSE((w == 0).any().item<bool>());
  EXPECT_FALSE((w == 2).any().item<bool>());
}
