// Hostile safetensors bytes through load_from_buffer (the entry point the fuzzer drives) and load:
// nesting, NUL bytes, shapes past every overflow boundary, lengths past the buffer. Each is a
// tg::Error naming the problem; crashes the fuzzer found are kept here as regression cases.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "adversarial_util.h"

namespace {

using tg::Tensor;

// A safetensors file: the 8-byte little-endian header length, the header, the data.
std::string file_bytes(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(n >> (8 * i));
  return out + header + data;
}

std::string load_error(const std::string& bytes) {
  return tg_adv::error_of([&] { (void)tg::load_from_buffer(bytes.data(), bytes.size()); });
}

std::string entry(const std::string& dtype, const std::string& shape, uint64_t begin,
                  uint64_t end) {
  return "{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}}";
}

TEST(AdversarialLoader, ReadsAValidBuffer) {
  const std::string bytes = file_bytes(entry("F32", "[2]", 0, 8), std::string(8, '\0'));
  const auto dict = tg::load_from_buffer(bytes.data(), bytes.size());
  ASSERT_EQ(dict.size(), 1u);
  EXPECT_EQ(dict["a"].sizes().vec(), (std::vector<int64_t>{2}));
  const std::string empty = file_bytes("{}      ");
  EXPECT_EQ(tg::load_from_buffer(empty.data(), empty.size()).size(), 0u);
}

TEST(AdversarialLoader, DeeplyNestedHeadersAreRefusedBeforeParsing) {
  // A few hundred KB of brackets: refused by the depth pre-scan, without recursion.
  for (size_t depth : {129, 1000, 300000}) {
    const std::string header = "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
    EXPECT_EQ(load_error(file_bytes(header)),
              "safetensors buffer: corrupt header: JSON nested more than 128 levels deep (at byte "
              "132 of the header)");
  }
  // Objects count too, and brackets inside strings do not.
  std::string objects = "{";
  for (int i = 0; i < 200; ++i) objects += "\"k\":{";
  EXPECT_NE(load_error(file_bytes(objects)).find("nested more than 128 levels"), std::string::npos);
  const std::string quoted = "{\"" + std::string(5000, '[') + "\":1}";
  EXPECT_EQ(load_error(file_bytes(quoted)).find("nested"), std::string::npos);
  // Exactly at the limit the header parses, and the error quotes the value cut short.
  const std::string at_limit = "{\"a\":" + std::string(127, '[') + std::string(127, ']') + "}";
  const std::string msg = load_error(file_bytes(at_limit));
  EXPECT_EQ(msg.rfind("safetensors buffer: tensor 'a': expected an object with dtype, shape and "
                      "data_offsets, got [[[[",
                      0),
            0u)
      << msg;
  EXPECT_EQ(msg.substr(msg.size() - 3), "...");
  EXPECT_LT(msg.size(), 400u);
}

TEST(AdversarialLoader, NulBytesInTheHeaderAreRefused) {
  const std::string valid = entry("F32", "[0]", 0, 0);
  EXPECT_EQ(load_error(file_bytes(valid + std::string(4, '\0'))),
            "safetensors buffer: corrupt header: byte " + std::to_string(valid.size()) +
                " is NUL (the JSON may be followed by space padding only)");
  EXPECT_NE(load_error(file_bytes(valid + std::string("  \0garbage", 10))).find("corrupt header"),
            std::string::npos);
  std::string inner = valid;
  inner.insert(2, 1, '\0');  // inside the name
  EXPECT_EQ(load_error(file_bytes(inner)),
            "safetensors buffer: corrupt header: byte 2 is NUL (the JSON may be followed by space "
            "padding only)");
  // Space padding is fine.
  const std::string padded = file_bytes(valid + "    ");
  EXPECT_EQ(tg::load_from_buffer(padded.data(), padded.size()).size(), 1u);
}

TEST(AdversarialLoader, ShapesPastInt64AreRefused) {
  const std::string too_large = " is too large (invalid size, possible overflow?)";
  EXPECT_EQ(load_error(file_bytes(entry("F32", "[4611686018427387904,4]", 0, 0))),
            "safetensors buffer: tensor 'a': shape [4611686018427387904, 4]" + too_large);
  EXPECT_EQ(load_error(file_bytes(entry("F32", "[2305843009213693952,4]", 0, 0))),
            "safetensors buffer: tensor 'a': shape [2305843009213693952, 4]" + too_large);
  // numel fits, bytes do not (2^63).
  EXPECT_EQ(load_error(file_bytes(entry("F32", "[1152921504606846976,2]", 0, 0))),
            "safetensors buffer: tensor 'a': shape [1152921504606846976, 2]" + too_large);
  EXPECT_EQ(load_error(file_bytes(entry("I64", "[3,6148914691236517206]", 0, 6))),
            "safetensors buffer: tensor 'a': shape [3, 6148914691236517206]" + too_large);
  EXPECT_EQ(load_error(file_bytes(entry("BOOL", "[9223372036854775808]", 0, 0))),
            "safetensors buffer: tensor 'a': dimension 9223372036854775808 is too large");
  EXPECT_EQ(load_error(file_bytes(entry("BOOL", "[18446744073709551615]", 0, 0))),
            "safetensors buffer: tensor 'a': dimension 18446744073709551615 is too large");
  // Just inside int64: the byte count is checked against the data instead.
  EXPECT_EQ(load_error(file_bytes(entry("BOOL", "[9223372036854775807]", 0, 0))),
            "safetensors buffer: tensor 'a': data_offsets [0, 0] span 0 bytes, but dtype BOOL and "
            "shape [9223372036854775807] need 9223372036854775807");
  // A zero size makes the count 0; a contiguous stride past int64 is still an error.
  EXPECT_EQ(load_error(file_bytes(entry("F32", "[0,4611686018427387904,4]", 0, 0))),
            "Storage size calculation overflowed with sizes=[0, 4611686018427387904, 4]");
  const std::string ok = file_bytes(entry("F32", "[0,4294967296,4]", 0, 0));
  EXPECT_EQ(tg::load_from_buffer(ok.data(), ok.size())["a"].numel(), 0);
}

TEST(AdversarialLoader, LengthsAndOffsetsPastTheBuffer) {
  std::string bytes = file_bytes("{}");
  for (int i = 0; i < 8; ++i) bytes[i] = '\xff';
  EXPECT_EQ(load_error(bytes),
            "safetensors buffer: header length 18446744073709551615 is larger than the file (10 "
            "bytes): truncated or not a safetensors file");
  EXPECT_EQ(tg_adv::error_of([] { (void)tg::load_from_buffer(nullptr, 0); }),
            "safetensors buffer: truncated: the file has 0 bytes, fewer than the 8-byte header "
            "length that starts a safetensors file");
  EXPECT_NE(
      load_error(file_bytes(entry("F32", "[2]", 18446744073709551607ull, 18446744073709551615ull))),
      "");
  EXPECT_NE(load_error(file_bytes(entry("F32", "[1]", 0, 4), "ab")).find("beyond the end"),
            std::string::npos);
}

TEST(AdversarialLoader, FileAndBufferGiveTheSameTensors) {
  const auto dir = std::filesystem::temp_directory_path() / "tg_adversarial_roundtrip.safetensors";
  tg::OrderedDict<std::string, Tensor> d("Tensor");
  d.insert("w", tg::arange(6, tg::kFloat).reshape({2, 3}));
  d.insert("m", tg::tensor({true, false}));
  tg::save(d, dir);
  std::ifstream in(dir, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(dir);
  const auto back = tg::load_from_buffer(bytes.data(), bytes.size());
  EXPECT_TRUE(back["w"].equal(d["w"]));
  EXPECT_TRUE(back["m"].equal(d["m"]));
}

}  // namespace
