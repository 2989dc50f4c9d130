// Shapes at and past the int64 overflow boundaries, through every factory, view and from_blob:
// each is PyTorch's value or a tg::Error with PyTorch's message, never a wrapped element count.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adversarial_util.h"

// Huge allocations must come back as null (and so a tg::Error) under AddressSanitizer too, whose
// default is to abort the process.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace {

using tg::Tensor;
using tg_adv::kMax;
using tg_adv::p2;

std::string overflow_msg(const std::string& sizes) {
  return "Storage size calculation overflowed with sizes=" + sizes;
}

// Every factory that takes a shape, as one callable each.
struct Factory {
  const char* name;
  std::function<Tensor(tg::IntArrayRef)> make;
};

std::vector<Factory> factories() {
  return {
      {"empty", [](tg::IntArrayRef s) { return tg::empty(s); }},
      {"zeros", [](tg::IntArrayRef s) { return tg::zeros(s); }},
      {"ones", [](tg::IntArrayRef s) { return tg::ones(s); }},
      {"full", [](tg::IntArrayRef s) { return tg::full(s, 2.5); }},
      {"rand", [](tg::IntArrayRef s) { return tg::rand(s); }},
      {"randn", [](tg::IntArrayRef s) { return tg::randn(s); }},
      {"randint", [](tg::IntArrayRef s) { return tg::randint(0, 10, s, tg::kFloat); }},
  };
}

TEST(AdversarialSizes, NegativeDimensionsAreRefusedByEveryFactory) {
  for (const auto& f : factories()) {
    SCOPED_TRACE(f.name);
    EXPECT_TG_MESSAGE(f.make({-1, 2}),
                      "Trying to create tensor with negative dimension -1: [-1, 2]");
    EXPECT_TG_MESSAGE(f.make({3, -5}),
                      "Trying to create tensor with negative dimension -5: [3, -5]");
    EXPECT_TG_MESSAGE(
        f.make({kMax, -1}),
        "Trying to create tensor with negative dimension -1: [9223372036854775807, -1]");
  }
  EXPECT_TG_MESSAGE(tg::eye(-1), "eye: n and m must be non-negative, got -1 and -1");
  EXPECT_TG_MESSAGE(tg::linspace(0, 1, -1),
                    "linspace: number of steps must be non-negative, got -1");
}

TEST(AdversarialSizes, ElementCountsPastInt64AreRefusedByEveryFactory) {
  for (const auto& f : factories()) {
    SCOPED_TRACE(f.name);
    // numel exactly 2^63, 2^64 and far past; bytes past 2^63 - 1 with a numel that fits.
    EXPECT_TG_MESSAGE(f.make({p2(31), p2(32)}), overflow_msg("[2147483648, 4294967296]"));
    EXPECT_TG_MESSAGE(f.make({p2(32), p2(32)}), overflow_msg("[4294967296, 4294967296]"));
    EXPECT_TG_MESSAGE(
        f.make({kMax, kMax, kMax}),
        overflow_msg("[9223372036854775807, 9223372036854775807, 9223372036854775807]"));
    EXPECT_TG_MESSAGE(f.make({p2(62), 4}), overflow_msg("[4611686018427387904, 4]"));
    EXPECT_TG_MESSAGE(f.make({p2(61)}), overflow_msg("[2305843009213693952]"));  // 2^63 bytes
    // A product that wraps to a small number (3 * 6148914691236517206 = 2 mod 2^64).
    EXPECT_TG_MESSAGE(f.make({3, 6148914691236517206}), overflow_msg("[3, 6148914691236517206]"));
  }
  EXPECT_TG_MESSAGE(tg::eye(p2(32)), overflow_msg("[4294967296, 4294967296]"));
  EXPECT_TG_MESSAGE(tg::eye(p2(31), p2(32)), overflow_msg("[2147483648, 4294967296]"));
  EXPECT_TG_MESSAGE(tg::linspace(0, 1, p2(62)), overflow_msg("[4611686018427387904]"));
  EXPECT_TG_MESSAGE(tg::randperm(p2(61)), overflow_msg("[2305843009213693952]"));
  EXPECT_TG_MESSAGE(tg::empty({kMax, 2}, tg::kBool), overflow_msg("[9223372036854775807, 2]"));
}

TEST(AdversarialSizes, SizesThatFitButCannotBeAllocatedAreATgError) {
  // 2^62 bytes and 2^63 - 1 bytes: checked sizes, larger than any address space.
  EXPECT_TG_MESSAGE(tg::empty({p2(59), 2}),
                    "DefaultCPUAllocator: not enough memory: you tried to allocate "
                    "4611686018427387904 bytes.");
  EXPECT_TG_MESSAGE(tg::zeros({kMax}, tg::kBool),
                    "DefaultCPUAllocator: not enough memory: you tried to allocate "
                    "9223372036854775807 bytes.");
  EXPECT_TG_MESSAGE(tg::arange(0.0, 1e18),
                    "DefaultCPUAllocator: not enough memory: you tried to allocate "
                    "4000000000000000000 bytes.");
}

TEST(AdversarialSizes, ZeroSizedShapesWithHugeOtherDimsAreEmpty) {
  // numel 0 whatever the other sizes are, as in PyTorch.
  for (const auto& f : factories()) {
    SCOPED_TRACE(f.name);
    Tensor t = f.make({p2(40), 0, p2(40)});
    EXPECT_EQ(t.numel(), 0);
    EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{p2(40), 0, p2(40)}));
  }
  // Unless a contiguous stride itself passes int64: a clean error, not a wrapped stride.
  EXPECT_TG_MESSAGE(tg::empty({0, p2(62), 4}), overflow_msg("[0, 4611686018427387904, 4]"));
}

TEST(AdversarialSizes, ViewAndReshapeRefuseShapesThatWrap) {
  Tensor x = tg::zeros({8});
  EXPECT_TG_MESSAGE(x.view({p2(62), 4}),
                    "view: shape '[4611686018427387904, 4]' is invalid for input of size 8 "
                    "(input shape [8])");
  // 2^62 * 4 * 2 wraps to 0 * ... and 2^61 * 4 * 2 * 2 + 8 wraps to 8: refused, not accepted.
  EXPECT_TG_MESSAGE(
      x.reshape({p2(62), 4, 2, 4}),
      "reshape: shape '[4611686018427387904, 4, 2, 4]' is invalid for input of size 8 "
      "(input shape [8])");
  EXPECT_TG_MESSAGE(x.reshape({-1, p2(62), 4}),
                    "reshape: shape '[-1, 4611686018427387904, 4]' is invalid for input of size 8 "
                    "(input shape [8])");
  Tensor e = tg::zeros({0});
  EXPECT_TG_MESSAGE(e.reshape({p2(62), 4}),
                    "reshape: shape '[4611686018427387904, 4]' is invalid for input of size 0 "
                    "(input shape [0])");
  // A zero among them makes the product 0, which is the right count.
  EXPECT_EQ(e.reshape({p2(32), p2(32), 0}).numel(), 0);
  EXPECT_EQ(e.view({p2(40), 0}).sizes().vec(), (std::vector<int64_t>{p2(40), 0}));
  // At the boundary: a [2^31, 2^31] broadcast of one element views as [2^62] (stride 0), as in
  // PyTorch; one that must be copied is refused, since its bytes pass int64.
  Tensor big = tg::ones({1, 1}).expand({p2(31), p2(31)});
  EXPECT_EQ(big.reshape({p2(62)}).numel(), p2(62));
  EXPECT_TG_MESSAGE(tg::ones({1, 1, 4}).expand({p2(30), p2(30), 4}).flatten(),
                    overflow_msg("[1073741824, 1073741824, 4]"));
  EXPECT_TG_MESSAGE(tg::ones({1, 1, 4}).expand({p2(30), p2(30), 4}).reshape({-1}),
                    overflow_msg("[1073741824, 1073741824, 4]"));
}

TEST(AdversarialSizes, ExpandRefusesElementCountsPastInt64) {
  Tensor x = tg::ones({1, 1});
  EXPECT_TG_MESSAGE(x.expand({p2(32), p2(31)}),
                    "numel: integer multiplication overflow (sizes [4294967296, 2147483648])");
  EXPECT_TG_MESSAGE(x.expand({3, 6148914691236517206}),
                    "numel: integer multiplication overflow (sizes [3, 6148914691236517206])");
  EXPECT_TG_MESSAGE(tg::ones({2}).expand({p2(62), 2, 2}),
                    "numel: integer multiplication overflow (sizes [4611686018427387904, 2, 2])");
  EXPECT_TG_MESSAGE(tg::ones({1}).expand({-2}),
                    "expand: the expanded size of the tensor (-2) must match the existing size (1) "
                    "at non-singleton dimension 0.  Target sizes: [-2].  Tensor sizes: [1]");
  // Just inside: 2^62 elements, no storage, and the right numel.
  Tensor ok = x.expand({p2(31), p2(31)});
  EXPECT_EQ(ok.numel(), p2(62));
  // A reduction over a large expanded view counts every element.
  EXPECT_EQ(tg::ones({1}, tg::kFloat64).expand({p2(20)}).sum().item<double>(), 1048576.0);
}

TEST(AdversarialSizes, SliceAndNarrowWithHugeArguments) {
  Tensor x = tg::arange(10);
  // A step past the extent leaves one element; its stride times step would overflow.
  Tensor s = x.slice(0, 3, 10, kMax);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item<int64_t>(), 3);
  EXPECT_TG_MESSAGE(x.narrow(0, 2, kMax),
                    "narrow: start (2) + length (9223372036854775807) exceeds dimension size (10) "
                    "of shape [10]");
  EXPECT_EQ(x.slice(0, -kMax, kMax).numel(), 10);
}

TEST(AdversarialSizes, FromBlobChecksTheBytesItSpans) {
  float buf[4] = {1, 2, 3, 4};
  EXPECT_TG_MESSAGE(tg::from_blob(buf, {p2(62), 4}),
                    "Storage size calculation overflowed with sizes=[4611686018427387904, 4] and "
                    "strides=[4, 1]");
  EXPECT_TG_MESSAGE(
      tg::from_blob(buf, {2, 2}, {kMax, 1}),
      "Storage size calculation overflowed with sizes=[2, 2] and strides=[9223372036854775807, 1]");
  EXPECT_TG_MESSAGE(tg::from_blob(buf, {p2(32), p2(32)}),
                    "Storage size calculation overflowed with sizes=[4294967296, 4294967296] and "
                    "strides=[4294967296, 1]");
  EXPECT_THROW(tg::from_blob(buf, {-1, 4}), tg::Error);
  Tensor t = tg::from_blob(buf, {2, 2}, {1, 2});
  EXPECT_EQ(t[1][0].item<float>(), 2.0f);
}

TEST(AdversarialSizes, IndexSelectRefusesNegativeIndices) {
  Tensor x = tg::arange(5);
  EXPECT_TG_MESSAGE(x.index_select(0, tg::tensor({-1})),
                    "index_select(): index out of range in self: index -1 is out of bounds for "
                    "dimension 0 with size 5");
  EXPECT_TG_MESSAGE(x.index_select(0, tg::tensor({0, INT64_MIN})),
                    "index_select(): index out of range in self: index -9223372036854775808 is out "
                    "of bounds for dimension 0 with size 5");
  EXPECT_TG_MESSAGE(x.index_select(0, tg::tensor({5})),
                    "index_select(): index out of range in self: index 5 is out of bounds for "
                    "dimension 0 with size 5");
  // Advanced indexing wraps negative indices, as x[tensor([-1])] does in PyTorch.
  EXPECT_EQ(x[tg::tensor({-1, 0})].index_select(0, tg::tensor({0})).item<int64_t>(), 4);
  EXPECT_THROW(x[tg::tensor({-6})], tg::Error);
  EXPECT_THROW(x[tg::tensor({INT64_MIN})], tg::Error);
}

}  // namespace
