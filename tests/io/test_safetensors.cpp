// tg::save / tg::load in the safetensors format: round trips of every dtype and layout, the exact
// file layout, the reference implementation's own test files, files written by PyTorch
// (tests/fixtures/io, made by scripts/check_safetensors_roundtrip.py), and every error, with the
// module left unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/io_test_util.h"
#include "tensorgrad/io.h"
#include "tensorgrad/random.h"

namespace {

using namespace tg_io_test;
using tg::Tensor;

// Runs fn, expects a tg::Error whose message contains every one of `parts`.
template <typename F>
void expect_error(F&& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected a tg::Error mentioning '" << parts.at(0) << "'";
  } catch (const tg::Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg;
  }
}

nlohmann::ordered_json header_of(const std::string& bytes) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  return nlohmann::ordered_json::parse(bytes.substr(8, n));
}

// ---- round trips

TEST(Safetensors, RoundTripsEveryDtypeAndLayout) {
  tg::manual_seed(1);
  TempDir dir;
  const Tensor base = tg::rand({4, 6});
  tg::OrderedDict<std::string, Tensor> tensors;
  tensors.insert("f32", tg::rand({2, 3}));
  tensors.insert("f64", tg::tensor({M_PI, -1e300, 5e-324, std::nan("")}, tg::kDouble));
  tensors.insert("i64", tg::tensor({std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max(), int64_t(0), int64_t(-1)},
                                   tg::kLong));
  tensors.insert("mask", tg::tensor({true, false, true}));
  tensors.insert("scalar", tg::scalar_tensor(2.5));
  tensors.insert("empty", tg::zeros({0, 3}));
  tensors.insert("transposed", base.t());                          // non-contiguous
  tensors.insert("sliced", base.slice(1, 1, 5, 2));                // offset and step
  tensors.insert("narrowed", base.narrow(0, 2, 2));                // contiguous with an offset
  tensors.insert("expanded", tg::rand({3, 1}).expand({3, 4}));     // stride 0
  tensors.insert("grad", tg::rand({2}, tg::requires_grad()) * 2);  // has a grad_fn

  const auto path = dir / "all.safetensors";
  tg::save(tensors, path);
  const auto back = tg::load(path);
  ASSERT_EQ(back.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    SCOPED_TRACE(tensors[i].key());
    EXPECT_EQ(back[i].key(), tensors[i].key()) << "load returns the header's order";
    EXPECT_TRUE(same_tensor(back[i].value(), tensors[i].value()));
    EXPECT_FALSE(back[i].value().requires_grad());
    EXPECT_TRUE(back[i].value().is_contiguous());
  }
  EXPECT_EQ(back["scalar"].dim(), 0);
  EXPECT_EQ(back["transposed"].sizes().vec(), (std::vector<int64_t>{6, 4}));
  EXPECT_TRUE(std::isnan(back["f64"][3].item<double>()));
  EXPECT_EQ(back["f64"][2].item<double>(), 5e-324);
  EXPECT_FALSE(std::filesystem::exists(dir / "all.safetensors.tmp"));
}

TEST(Safetensors, SavesAStdMapInKeyOrder) {
  TempDir dir;
  std::map<std::string, Tensor> m{{"b", tg::ones({2})}, {"a", tg::zeros({1}, tg::kLong)}};
  tg::save(m, dir / "m.safetensors");
  const auto back = tg::load(dir / "m.safetensors");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].key(), "a");
  EXPECT_EQ(back[1].key(), "b");
  EXPECT_TRUE(same_tensor(back["b"], tg::ones({2})));
}

TEST(Safetensors, OverwritesAnExistingFile) {
  TempDir dir;
  const auto path = dir / "x.safetensors";
  std::map<std::string, Tensor> first{{"a", tg::ones({100})}};
  std::map<std::string, Tensor> second{{"b", tg::zeros({2})}};
  tg::save(first, path);
  tg::save(second, path);
  const auto back = tg::load(path);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].key(), "b");
}

// ---- the file layout

TEST(Safetensors, WritesTheReferenceLayout) {
  TempDir dir;
  const auto path = dir / "one.safetensors";
  std::map<std::string, Tensor> m{{"attn.0", tg::arange(6, tg::kFloat).reshape({1, 2, 3})}};
  tg::save(m, path);
  const std::string bytes = read_bytes(path);
  const std::string json =
      R"({"__metadata__":{"format":"pt"},"attn.0":{"dtype":"F32","shape":[1,2,3],)"
      R"("data_offsets":[0,24]}})";
  const std::string header = json + std::string((8 - json.size() % 8) % 8, ' ');
  EXPECT_EQ(bytes, le64(header.size()) + header + raw(std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Safetensors, AlignsDataLargestTypeFirstAndKeepsHeaderOrder) {
  TempDir dir;
  const auto path = dir / "mixed.safetensors";
  tg::OrderedDict<std::string, Tensor> t;
  t.insert("b", tg::tensor({true, false, true}));
  t.insert("a", tg::ones({2}));
  t.insert("z", tg::ones({1}, tg::kDouble));
  t.insert("c", tg::ones({1}, tg::kLong));
  t.insert("y", tg::ones({3}));
  tg::save(t, path);
  const std::string bytes = read_bytes(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
  EXPECT_EQ(bytes[8], '{');
  const auto h = header_of(bytes);
  std::vector<std::string> keys;
  for (const auto& [k, v] : h.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"__metadata__", "b", "a", "z", "c", "y"}));
  // I64, then F64, then F32 by name, then BOOL: every tensor aligned to its element size.
  EXPECT_EQ(h["c"]["data_offsets"], nlohmann::ordered_json({0, 8}));
  EXPECT_EQ(h["z"]["data_offsets"], nlohmann::ordered_json({8, 16}));
  EXPECT_EQ(h["a"]["data_offsets"], nlohmann::ordered_json({16, 24}));
  EXPECT_EQ(h["y"]["data_offsets"], nlohmann::ordered_json({24, 36}));
  EXPECT_EQ(h["b"]["data_offsets"], nlohmann::ordered_json({36, 39}));
  EXPECT_EQ(bytes.size(), 8 + n + 39);
}

// Byte strings from the reference implementation's tests (safetensors/src/tensor.rs):
// test_serialization, test_serialization_forced_alignement and test_empty.
TEST(Safetensors, ReadsTheReferenceImplementationsFiles) {
  TempDir dir;
  const std::string data = raw(std::vector<float>{0, 1, 2, 3, 4, 5});
  struct Case {
    std::string header;
    std::string name;
    std::vector<int64_t> shape;
  };
  const std::vector<Case> cases = {
      {R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})", "attn.0", {1, 2, 3}},
      {R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})",
       "attn0",
       {1, 1, 2, 3}},
  };
  for (const auto& c : cases) {
    const std::string bytes = st_file(c.header, data);
    EXPECT_EQ(bytes.size() % 8, 0u);
    write_bytes(dir / "ref.safetensors", bytes);
    const auto back = tg::load(dir / "ref.safetensors");
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].key(), c.name);
    EXPECT_TRUE(same_tensor(back[0].value(), tg::arange(6, tg::kFloat).reshape(c.shape)));
  }
  write_bytes(dir / "empty.safetensors", std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  EXPECT_EQ(tg::load(dir / "empty.safetensors").size(), 0u);
  write_bytes(dir / "meta.safetensors", st_file(R"({"__metadata__":{"framework":"pt"}})", ""));
  EXPECT_EQ(tg::load(dir / "meta.safetensors").size(), 0u);
  // Without padding, and with the data of a zero-size tensor, is still a valid file.
  write_bytes(dir / "unpadded.safetensors",
              st_file(R"({"e":{"dtype":"I64","shape":[0],"data_offsets":[0,0]}})", "", false));
  EXPECT_EQ(tg::load(dir / "unpadded.safetensors")["e"].numel(), 0);
}

// ---- files written by PyTorch

TEST(Safetensors, LoadsTorchMixedFixture) {
  const auto back = tg::load(fixture("torch_mixed.safetensors"));
  std::vector<std::string> keys = back.keys();
  // The Python writer lists tensors in data order (I64, F64, F32, BOOL; then by name).
  EXPECT_EQ(keys, (std::vector<std::string>{"i64", "f64", "transposed", "empty", "f32", "scalar",
                                            "mask"}));
  std::vector<float> f32;
  for (int i = 0; i < 6; ++i) f32.push_back(static_cast<float>(i) / 7.0f);
  EXPECT_TRUE(same_tensor(back["f32"], tg::tensor(f32).reshape({2, 3})));
  EXPECT_TRUE(same_tensor(back["f64"], tg::tensor({M_PI, -1e300, 5e-324}, tg::kDouble)));
  EXPECT_TRUE(same_tensor(back["i64"],
                          tg::tensor({std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max(), int64_t(0), int64_t(-1)},
                                     tg::kLong)
                              .reshape({2, 2})));
  EXPECT_TRUE(same_tensor(back["mask"], tg::tensor({true, false, true, true, false})));
  EXPECT_TRUE(same_tensor(back["scalar"], tg::scalar_tensor(3.5f)));
  EXPECT_EQ(back["empty"].sizes().vec(), (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(same_tensor(back["transposed"], tg::arange(12, tg::kDouble).reshape({3, 4}).t()));
}

// ---- modules

TEST(Safetensors, ModuleRoundTripWritesPyTorchNames) {
  tg::manual_seed(2);
  TempDir dir;
  TinyNet saved(3);
  const auto path = dir / "net.safetensors";
  tg::save(saved, path);
  const auto file = tg::load(path);
  EXPECT_EQ(file.keys(),
            (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight",
                                      "layers.2.bias", "steps", "mask", "scale"}));

  TinyNet loaded(3);  // different random values
  ASSERT_NE(snapshot(*loaded), snapshot(*saved));
  Tensor weight_before = loaded->layers->l0->weight;
  tg::load(loaded, path);
  EXPECT_EQ(snapshot(*loaded), snapshot(*saved));
  // The values were copied into the existing tensors, which keep their identity and flags.
  EXPECT_TRUE(loaded->layers->l0->weight.is_same(weight_before));
  EXPECT_TRUE(loaded->layers->l0->weight.requires_grad());
  EXPECT_TRUE(loaded->layers->l0->weight.is_leaf());
  EXPECT_EQ(loaded->layers->l0->weight.grad_fn(), nullptr);
  EXPECT_FALSE(loaded->steps.requires_grad());
  const Tensor x = tg::rand({5, 1});
  EXPECT_TRUE(tg::equal(loaded->forward(x), saved->forward(x)));
}

TEST(Safetensors, SharedPtrAndReferenceOverloads) {
  TempDir dir;
  auto a = std::make_shared<TinyNetImpl>(2);
  auto b = std::make_shared<TinyNetImpl>(2);
  tg::save(a, dir / "a.safetensors");
  tg::load(b, dir / "a.safetensors");
  EXPECT_EQ(snapshot(*a), snapshot(*b));

  TinyNetImpl c(2);
  tg::save(c, (dir / "c.safetensors").string());
  tg::load(*b, (dir / "c.safetensors").string());
  EXPECT_EQ(snapshot(c), snapshot(*b));

  // A module's state dict saved as tensors loads back into the module.
  TinyNetImpl d(2);
  tg::save(d.named_parameters(), dir / "params.safetensors");
  tg::load(c, dir / "params.safetensors", /*strict=*/false);
  EXPECT_TRUE(same_tensor(c.layers->l2->weight, d.layers->l2->weight));
}

TEST(Safetensors, NonStrictSkipsMissingAndUnexpectedNames) {
  TempDir dir;
  TinyNet net(2);
  tg::OrderedDict<std::string, Tensor> partial;
  partial.insert("layers.0.bias", tg::full({2}, 3.0));
  partial.insert("not.in.module", tg::ones({4}));
  tg::save(partial, dir / "partial.safetensors");
  const auto before = snapshot(*net);
  expect_error([&] { tg::load(net, dir / "partial.safetensors"); },
               {"missing from the file", "'layers.0.weight'", "'steps'",
                "in the file but not in the module: 'not.in.module'"});
  EXPECT_EQ(snapshot(*net), before);
  tg::load(net, dir / "partial.safetensors", /*strict=*/false);
  EXPECT_TRUE(same_tensor(net->layers->l0->bias, tg::full({2}, 3.0)));
  EXPECT_EQ(fingerprint(net->layers->l0->weight), before[0].second);
}

// ---- errors: on the file

class SafetensorsErrors : public ::testing::Test {
 protected:
  // Writes bytes, then expects both load(path) and load(module, path) to fail with a message
  // naming the path and `parts`, and the module to be unchanged.
  void expect_bad_file(const std::string& bytes, const std::vector<std::string>& parts) {
    const auto path = dir_ / "bad.safetensors";
    write_bytes(path, bytes);
    std::vector<std::string> all = parts;
    all.push_back(path.string());
    expect_error([&] { tg::load(path); }, all);
    const auto before = snapshot(*net_);
    expect_error([&] { tg::load(net_, path); }, all);
    EXPECT_EQ(snapshot(*net_), before);
  }
  TempDir dir_;
  TinyNet net_{2};
};

TEST_F(SafetensorsErrors, MissingFile) {
  expect_error([&] { tg::load(dir_ / "nope.safetensors"); }, {"no such file", "nope.safetensors"});
  expect_error([&] { tg::load(net_, dir_ / "nope.safetensors"); }, {"no such file"});
  expect_error([&] { tg::load(dir_.path()); }, {"not a regular file"});
}

TEST_F(SafetensorsErrors, TruncatedFile) {
  expect_bad_file("", {"truncated", "0 bytes"});
  expect_bad_file(std::string("\x10\0\0", 3), {"truncated", "3 bytes"});
  tg::save(*net_, dir_ / "good.safetensors");
  const std::string good = read_bytes(dir_ / "good.safetensors");
  expect_bad_file(good.substr(0, good.size() - 1), {"truncated", "beyond the end of the data"});
  expect_bad_file(good.substr(0, good.size() / 2), {"truncated"});
}

TEST_F(SafetensorsErrors, HeaderLengthLargerThanFile) {
  expect_bad_file(le64(1000) + "{}", {"header length 1000 is larger than the file (10 bytes)"});
  expect_bad_file(le64(~uint64_t{0}) + "{}      ", {"is larger than the file"});
}

TEST_F(SafetensorsErrors, CorruptHeader) {
  expect_bad_file(st_file(R"({"a": {"dtype": "F32", )", ""), {"corrupt header", "not valid JSON"});
  expect_bad_file(st_file("[1, 2]", ""), {"corrupt header", "starting with '{'"});
  expect_bad_file(st_file("  {}", ""), {"corrupt header"});
  expect_bad_file(st_file(std::string("{\"a\xff\":1}"), ""), {"corrupt header"});
  expect_bad_file(st_file(R"({"a":[1]})", ""), {"tensor 'a'", "expected an object"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[1]}})", "xxxx"),
                  {"tensor 'a'", "no data_offsets"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "xxxx"),
                  {"tensor 'a'", "non-negative integers"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", "xxxx"),
                  {"tensor 'a'", "non-negative integers"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", "xxxx"),
                  {"tensor 'a'", "data_offsets must be [begin, end]"});
  expect_bad_file(st_file(R"({"__metadata__":{"k":1}})", ""), {"__metadata__", "not a string"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                          "xxxxxxxx"),
                  {"names tensor 'a' twice"});
}

TEST_F(SafetensorsErrors, UnknownDtype) {
  expect_bad_file(st_file(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", "xxxx"),
                  {"tensor 'a'", "unknown dtype 'Q7'"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", "xxxx"),
                  {"tensor 'a'", "dtype F16 is not supported"});
}

TEST_F(SafetensorsErrors, OffsetsOutOfRangeOrInconsistent) {
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "xxxx"),
                  {"tensor 'a'", "data_offsets [0, 8] beyond the end of the data (4 bytes"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "xxxx"),
                  {"tensor 'a'", "span 4 bytes", "shape [2] need 8"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", "xxxx"),
                  {"tensor 'a'", "end before they begin"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F64","shape":[4611686018427387904,8],)"
                          R"("data_offsets":[0,8]}})",
                          "xxxxxxxx"),
                  {"tensor 'a'", "too large"});
}

TEST_F(SafetensorsErrors, OverlappingOffsets) {
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                          std::string(12, 'x')),
                  {"'a'", "'b'", "overlap"});
  expect_bad_file(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                          std::string(8, 'x')),
                  {"overlap"});
}

TEST_F(SafetensorsErrors, HolesAndTrailingBytes) {
  expect_bad_file(
      st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, 'x')),
      {"bytes [0, 4) of the data belong to no tensor"});
  expect_bad_file(
      st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(12, 'x')),
      {"8 bytes after the last tensor"});
}

// ---- errors: against the module

TEST_F(SafetensorsErrors, MissingNameForAModuleParameter) {
  TinyNet other(2);
  tg::OrderedDict<std::string, Tensor> state;
  for (const auto& p : other->named_parameters())
    if (p.key() != "layers.2.bias") state.insert(p.key(), p.value());
  for (const auto& b : other->named_buffers()) state.insert(b.key(), b.value());
  tg::save(state, dir_ / "missing.safetensors");
  const auto before = snapshot(*net_);
  expect_error(
      [&] { tg::load(net_, dir_ / "missing.safetensors"); },
      {"missing.safetensors", "missing from the file: 'layers.2.bias'", "nothing was changed"});
  EXPECT_EQ(snapshot(*net_), before);
}

TEST_F(SafetensorsErrors, UnexpectedExtraName) {
  TinyNet other(2);
  auto state = other->named_parameters();
  for (const auto& b : other->named_buffers()) state.insert(b.key(), b.value());
  state.insert("layers.3.weight", tg::ones({1}));
  tg::save(state, dir_ / "extra.safetensors");
  const auto before = snapshot(*net_);
  expect_error([&] { tg::load(net_, dir_ / "extra.safetensors"); },
               {"in the file but not in the module: 'layers.3.weight'"});
  EXPECT_EQ(snapshot(*net_), before);
}

TEST_F(SafetensorsErrors, WrongDtypeOrShape) {
  TinyNet wide(5);  // layers.0.weight is [5, 1] instead of [2, 1]
  auto state = wide->named_parameters();
  for (const auto& b : wide->named_buffers()) state.insert(b.key(), b.value());
  tg::save(state, dir_ / "wide.safetensors");
  const auto before = snapshot(*net_);
  expect_error([&] { tg::load(net_, dir_ / "wide.safetensors"); },
               {"shape mismatch for 'layers.0.weight': the file has shape [5, 1], the module has "
                "shape [2, 1]",
                "'layers.2.weight'", "[1, 5]", "[1, 2]"});
  EXPECT_EQ(snapshot(*net_), before);

  TinyNet same(2);
  auto state2 = same->named_parameters();
  for (const auto& b : same->named_buffers()) state2.insert(b.key(), b.value());
  state2["scale"] = state2["scale"].to(tg::kFloat);
  state2["steps"] = state2["steps"].to(tg::kDouble);
  tg::save(state2, dir_ / "dtype.safetensors");
  expect_error([&] { tg::load(net_, dir_ / "dtype.safetensors"); },
               {"dtype mismatch for 'scale': the file has F32 (torch.float32), the module has "
                "torch.float64",
                "dtype mismatch for 'steps'"});
  EXPECT_EQ(snapshot(*net_), before);
  // Mismatches are errors even when not strict.
  expect_error([&] { tg::load(net_, dir_ / "dtype.safetensors", false); }, {"dtype mismatch"});
  EXPECT_EQ(snapshot(*net_), before);
}

TEST_F(SafetensorsErrors, EmptyModuleHolders) {
  TinyNet empty{nullptr};
  expect_error([&] { tg::save(empty, dir_ / "e.safetensors"); }, {"empty"});
  expect_error([&] { tg::load(empty, dir_ / "e.safetensors"); }, {"empty"});
  std::shared_ptr<TinyNetImpl> null;
  expect_error([&] { tg::save(null, dir_ / "e.safetensors"); }, {"empty"});
}

TEST_F(SafetensorsErrors, BadTensorsToSave) {
  const auto path = dir_ / "s.safetensors";
  std::map<std::string, Tensor> undefined{{"u", Tensor()}};
  expect_error([&] { tg::save(undefined, path); }, {"'u'", "undefined", path.string()});
  std::map<std::string, Tensor> unnamed{{"", tg::ones({1})}};
  expect_error([&] { tg::save(unnamed, path); }, {"empty name"});
  std::map<std::string, Tensor> reserved{{"__metadata__", tg::ones({1})}};
  expect_error([&] { tg::save(reserved, path); }, {"__metadata__"});
  EXPECT_FALSE(std::filesystem::exists(path));
  expect_error([&] { tg::save(*net_, dir_ / "no_such_dir" / "x.safetensors"); },
               {"cannot open for writing", "no_such_dir"});
}

}  // namespace
