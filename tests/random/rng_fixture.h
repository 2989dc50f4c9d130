// Helpers for the random-number tests: reading the fixtures that scripts/make_rng_fixtures.py
// wrote from PyTorch 1.13, and comparing tensors with them bit for bit.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tensorgrad/tensor.h"

#ifndef TG_FIXTURE_DIR
#error "TG_FIXTURE_DIR must name the tests/fixtures directory"
#endif

namespace tg_rng_test {

using json = nlohmann::json;

inline json load_fixture(const std::string& name) {
  const std::string path = std::string(TG_FIXTURE_DIR) + "/rng/" + name;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open fixture " << path;
    return json::object();
  }
  return json::parse(in);
}

// ---- SHA-256 (FIPS 180-4), for the fixtures that store a digest of large results.
class Sha256 {
 public:
  Sha256() { reset(); }
  void update(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) {
      buf_[len_++] = p[i];
      if (len_ == 64) {
        block(buf_);
        len_ = 0;
      }
      bits_ += 8;
    }
  }
  std::string hex_digest() {
    uint64_t bits = bits_;
    uint8_t pad = 0x80;
    update(&pad, 1);
    uint8_t zero = 0;
    while (len_ != 56) update(&zero, 1);
    uint8_t len_be[8];
    for (int i = 0; i < 8; ++i) len_be[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    update(len_be, 8);
    std::string out;
    char tmp[9];
    for (uint32_t v : h_) {
      std::snprintf(tmp, sizeof tmp, "%08x", v);
      out += tmp;
    }
    reset();
    return out;
  }

 private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void reset() {
    h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    len_ = 0;
    bits_ = 0;
  }
  void block(const uint8_t* p) {
    static constexpr uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) |
             (uint32_t{p[4 * i + 2]} << 8) | uint32_t{p[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const uint32_t ch = (e & f) ^ (~e & g);
      const uint32_t t1 = h + s1 + ch + k[i] + w[i];
      const uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const uint32_t t2 = s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }
  std::array<uint32_t, 8> h_;
  uint8_t buf_[64];
  size_t len_;
  uint64_t bits_;
};

// ---- decoding

inline tg::ScalarType dtype_of(const std::string& name) {
  if (name == "float32") return tg::kFloat;
  if (name == "float64") return tg::kDouble;
  if (name == "int64") return tg::kLong;
  if (name == "bool") return tg::kBool;
  ADD_FAILURE() << "unknown dtype " << name;
  return tg::kFloat;
}

inline std::string short_dtype(tg::ScalarType t) {
  switch (t) {
    case tg::kFloat:
      return "float32";
    case tg::kDouble:
      return "float64";
    case tg::kLong:
      return "int64";
    case tg::kBool:
      return "bool";
  }
  return "?";
}

// A number argument stored as {"hex": float.hex(x), "int": bool, "i": int}.
inline double arg_double(const json& a) {
  return std::strtod(a.at("hex").get<std::string>().c_str(), nullptr);
}
inline tg::Scalar arg_scalar(const json& a) {
  if (a.at("int").get<bool>()) return tg::Scalar(a.at("i").get<int64_t>());
  return tg::Scalar(arg_double(a));
}

inline std::vector<int64_t> int_list(const json& j) { return j.get<std::vector<int64_t>>(); }

// One element as the fixtures write it: hex bits for floating values, a number for the others.
inline json encode_element(const void* base, tg::ScalarType t, int64_t i) {
  char buf[24];
  switch (t) {
    case tg::kFloat: {
      uint32_t u;
      std::memcpy(&u, static_cast<const char*>(base) + 4 * i, 4);
      std::snprintf(buf, sizeof buf, "%08x", u);
      return std::string(buf);
    }
    case tg::kDouble: {
      uint64_t u;
      std::memcpy(&u, static_cast<const char*>(base) + 8 * i, 8);
      std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(u));
      return std::string(buf);
    }
    case tg::kLong: {
      int64_t v;
      std::memcpy(&v, static_cast<const char*>(base) + 8 * i, 8);
      return v;
    }
    case tg::kBool: {
      const bool v = static_cast<const bool*>(base)[i];
      return v ? 1 : 0;
    }
  }
  return nullptr;
}

// A readable rendering of an encoded element, for failure messages.
inline std::string readable(const json& v, tg::ScalarType t) {
  if (!v.is_string()) return v.dump();
  const std::string s = v.get<std::string>();
  const unsigned long long bits = std::strtoull(s.c_str(), nullptr, 16);
  char buf[64];
  if (t == tg::kFloat) {
    float f;
    const auto u = static_cast<uint32_t>(bits);
    std::memcpy(&f, &u, 4);
    std::snprintf(buf, sizeof buf, "%.9g (0x%s)", f, s.c_str());
  } else {
    double d;
    std::memcpy(&d, &bits, 8);
    std::snprintf(buf, sizeof buf, "%.17g (0x%s)", d, s.c_str());
  }
  return buf;
}

struct Stats {
  int64_t tensors = 0;
  int64_t values_listed = 0;  // compared value by value against listed bits
  int64_t values_hashed = 0;  // compared through a SHA-256 of all bytes (plus head and tail)
};

// Expects `actual` to be exactly the tensor described by `expected`; returns true if it is.
inline bool expect_tensor(const tg::Tensor& actual, const json& expected, const std::string& what,
                          Stats& stats) {
  const tg::ScalarType t = dtype_of(expected.at("dtype").get<std::string>());
  if (actual.scalar_type() != t) {
    ADD_FAILURE() << what << ": dtype " << short_dtype(actual.scalar_type()) << ", expected "
                  << short_dtype(t);
    return false;
  }
  const auto shape = int_list(expected.at("shape"));
  if (actual.sizes().vec() != shape) {
    ADD_FAILURE() << what << ": shape " << actual.sizes() << ", expected "
                  << tg::IntArrayRef(shape);
    return false;
  }
  const tg::Tensor c = actual.contiguous();
  const int64_t n = c.numel();
  const void* data = n > 0 ? c.data_ptr() : nullptr;
  auto compare_run = [&](const json& values, int64_t first) {
    for (size_t k = 0; k < values.size(); ++k) {
      const int64_t i = first + static_cast<int64_t>(k);
      const json got = encode_element(data, t, i);
      if (got != values[k]) {
        ADD_FAILURE() << what << ": element " << i << " of " << n << " is " << readable(got, t)
                      << ", PyTorch gives " << readable(values[k], t);
        return false;
      }
    }
    return true;
  };
  ++stats.tensors;
  if (expected.contains("values")) {
    const json& values = expected.at("values");
    if (static_cast<int64_t>(values.size()) != n) {
      ADD_FAILURE() << what << ": fixture lists " << values.size() << " values for " << n;
      return false;
    }
    if (!compare_run(values, 0)) return false;
    stats.values_listed += n;
    return true;
  }
  const json& head = expected.at("head");
  const json& tail = expected.at("tail");
  if (!compare_run(head, 0)) return false;
  if (!compare_run(tail, n - static_cast<int64_t>(tail.size()))) return false;
  Sha256 sha;
  sha.update(data, static_cast<size_t>(n) * c.element_size());
  const std::string digest = sha.hex_digest();
  if (digest != expected.at("sha256").get<std::string>()) {
    ADD_FAILURE() << what << ": SHA-256 of the " << n << " values differs from PyTorch's ("
                  << digest << " vs " << expected.at("sha256").get<std::string>()
                  << "); the first and last values agree";
    return false;
  }
  stats.values_hashed += n;
  return true;
}

}  // namespace tg_rng_test
