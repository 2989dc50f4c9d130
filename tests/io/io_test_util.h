// Helpers for the checkpoint tests: a temporary directory per test, raw file bytes, hand-built
// safetensors files, and tiny modules that name their tensors as PyTorch does
// ("layers.0.weight") without depending on the nn layers.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/tensor.h"

#ifndef TG_FIXTURE_DIR
#error "TG_FIXTURE_DIR must name the tests/fixtures directory"
#endif

namespace tg_io_test {

namespace fs = std::filesystem;

inline fs::path fixture(const std::string& name) { return fs::path(TG_FIXTURE_DIR) / "io" / name; }

// A fresh directory under the system's temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tg_io_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// A safetensors file from a header text and data bytes; the header is padded with spaces to a
// multiple of 8 unless pad is false.
inline std::string st_file(std::string header, const std::string& data, bool pad = true) {
  if (pad) header.append((8 - header.size() % 8) % 8, ' ');
  return le64(header.size()) + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// The bytes of a tensor in row-major order, with its dtype and shape: equal means identical.
inline std::string fingerprint(const tg::Tensor& t) {
  tg::Tensor c = t.detach().contiguous();
  std::string s = tg::dtype_name(c.scalar_type());
  for (int64_t d : c.sizes()) {
    s += ',';
    s += std::to_string(d);
  }
  s += ":";
  if (c.numel() > 0)
    s.append(static_cast<const char*>(c.data_ptr()),
             static_cast<size_t>(c.numel()) * c.element_size());
  return s;
}

// Identical dtype, shape and bytes; a failure says where they first differ, not the whole bytes.
inline ::testing::AssertionResult same_tensor(const tg::Tensor& a, const tg::Tensor& b) {
  const std::string fa = fingerprint(a), fb = fingerprint(b);
  if (fa == fb) return ::testing::AssertionSuccess();
  auto head = [](const std::string& f) { return f.substr(0, f.find(':')); };
  if (head(fa) != head(fb)) return ::testing::AssertionFailure() << head(fa) << " vs " << head(fb);
  size_t i = 0;
  while (fa[i] == fb[i]) ++i;
  const size_t byte = i - head(fa).size() - 1;
  return ::testing::AssertionFailure()
         << head(fa) << ": first difference at element " << byte / a.element_size();
}

// Every parameter and buffer of a module, by name, as fingerprints.
inline std::vector<std::pair<std::string, std::string>> snapshot(const tg::nn::Module& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : m.named_parameters()) out.emplace_back(p.key(), fingerprint(p.value()));
  for (const auto& b : m.named_buffers()) out.emplace_back(b.key(), fingerprint(b.value()));
  return out;
}

// ---- tiny modules

class TinyLinearImpl : public tg::nn::Module {
 public:
  TinyLinearImpl(int64_t in, int64_t out) {
    weight = register_parameter("weight", tg::rand({out, in}) - 0.5);
    bias = register_parameter("bias", tg::rand({out}) - 0.5);
  }
  tg::Tensor forward(const tg::Tensor& x) { return tg::matmul(x, weight.t()) + bias; }
  tg::Tensor weight, bias;
};

class TinyTanhImpl : public tg::nn::Module {
 public:
  tg::Tensor forward(const tg::Tensor& x) { return tg::tanh(x); }
};

// layers.0 = Linear(1, hidden), layers.1 = Tanh, layers.2 = Linear(hidden, 1), and buffers of the
// other dtypes: "steps" (int64 scalar), "mask" (bool), "scale" (float64).
class TinyLayersImpl : public tg::nn::Module {
 public:
  explicit TinyLayersImpl(int64_t hidden) {
    l0 = register_module("0", std::make_shared<TinyLinearImpl>(1, hidden));
    l1 = register_module("1", std::make_shared<TinyTanhImpl>());
    l2 = register_module("2", std::make_shared<TinyLinearImpl>(hidden, 1));
  }
  std::shared_ptr<TinyLinearImpl> l0;
  std::shared_ptr<TinyTanhImpl> l1;
  std::shared_ptr<TinyLinearImpl> l2;
};

class TinyNetImpl : public tg::nn::Module {
 public:
  explicit TinyNetImpl(int64_t hidden = 4) {
    layers = register_module("layers", std::make_shared<TinyLayersImpl>(hidden));
    steps = register_buffer("steps", tg::tensor({int64_t(7)}, tg::kLong).reshape({}));
    mask = register_buffer("mask", tg::rand({3}) > 0.5);
    scale = register_buffer("scale", tg::rand({2, 2}, tg::kDouble));
  }
  tg::Tensor forward(const tg::Tensor& x) {
    return layers->l2->forward(layers->l1->forward(layers->l0->forward(x)));
  }
  std::shared_ptr<TinyLayersImpl> layers;
  tg::Tensor steps, mask, scale;
};
TG_MODULE(TinyNet);

}  // namespace tg_io_test
