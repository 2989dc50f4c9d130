// The MNIST reader against bad files: every missing, truncated, oversized, inconsistent or
// corrupt file is a tg::Error naming it, and a file's claims are checked against its size before
// anything is allocated (a gzip bomb is refused, not inflated).
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/idx.h"
#include "error_of.h"
#include "tensorgrad/data.h"

#ifndef TG_FIXTURE_DIR
#error "TG_FIXTURE_DIR must name the tests/fixtures directory"
#endif

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using tg::data::datasets::MNIST;
using tg_test::error_of;

void put32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

Bytes idx(uint32_t magic, std::vector<uint32_t> dims, size_t data_bytes, uint8_t fill = 7) {
  Bytes b;
  put32(b, magic);
  for (uint32_t d : dims) put32(b, d);
  b.insert(b.end(), data_bytes, fill);
  return b;
}

Bytes images(uint32_t n, size_t extra = 0) { return idx(2051, {n, 28, 28}, n * 784 + extra); }
Bytes labels(uint32_t n) { return idx(2049, {n}, n, 3); }

// bytes gzip-compressed (one member).
Bytes gzip(const Bytes& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&zs, in.size()));
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A fresh folder per test, removed afterwards.
class MnistFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tg_mnist_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const Bytes& b) const {
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  std::string load_error(MNIST::Mode mode = MNIST::Mode::kTest) const {
    return error_of([&] { MNIST(dir_.string(), mode); });
  }

  fs::path dir_;
};

TEST_F(MnistFiles, ValidPlainAndGzip) {
  write("t10k-images-idx3-ubyte", images(3));
  write("t10k-labels-idx1-ubyte.gz", gzip(labels(3)));
  MNIST m(dir_.string() + "/", MNIST::Mode::kTest);  // a trailing slash is fine too
  EXPECT_EQ(m.images().sizes().vec(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_FLOAT_EQ(m.images()[2][0][27][27].item<float>(), 7.0f / 255.0f);
  EXPECT_EQ(m.targets()[1].item<int64_t>(), 3);
  EXPECT_FALSE(m.is_train());
}

TEST_F(MnistFiles, PlainFileIsPreferredAndGzipMembersConcatenate) {
  write("t10k-images-idx3-ubyte", images(2));
  write("t10k-images-idx3-ubyte.gz", Bytes{1, 2, 3});  // never read
  Bytes whole = labels(2);
  Bytes first(whole.begin(), whole.begin() + 5), rest(whole.begin() + 5, whole.end());
  Bytes two = gzip(first);
  const Bytes second = gzip(rest);
  two.insert(two.end(), second.begin(), second.end());
  write("t10k-labels-idx1-ubyte.gz", two);
  MNIST m(dir_.string(), MNIST::Mode::kTest);
  EXPECT_EQ(m.size(), std::optional<size_t>(2));
}

TEST_F(MnistFiles, MissingFiles) {
  EXPECT_EQ(load_error(MNIST::Mode::kTrain), "Error opening images file at " +
                                                 path("train-images-idx3-ubyte") + " (nor " +
                                                 path("train-images-idx3-ubyte") + ".gz)");
  write("t10k-images-idx3-ubyte", images(1));
  EXPECT_EQ(load_error(), "Error opening targets file at " + path("t10k-labels-idx1-ubyte") +
                              " (nor " + path("t10k-labels-idx1-ubyte") + ".gz)");
}

TEST_F(MnistFiles, WrongMagicNumber) {
  write("t10k-images-idx3-ubyte", labels(5));
  write("t10k-labels-idx1-ubyte", labels(5));
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte") +
                              " is not an IDX file of unsigned bytes with 3 dimensions: expected "
                              "the magic number 2051 but found 2049 instead");
}

TEST_F(MnistFiles, TruncatedHeaders) {
  write("t10k-labels-idx1-ubyte", labels(1));
  const std::string images_path = path("t10k-images-idx3-ubyte");
  write("t10k-images-idx3-ubyte", Bytes{});
  EXPECT_EQ(load_error(),
            "MNIST: " + images_path + " is truncated: it ends before its magic number");
  write("t10k-images-idx3-ubyte", Bytes{0, 0, 8});
  EXPECT_EQ(load_error(),
            "MNIST: " + images_path + " is truncated: it ends before its magic number");
  Bytes header = images(1);
  header.resize(10);
  write("t10k-images-idx3-ubyte", header);
  EXPECT_EQ(load_error(), "MNIST: " + images_path + " is truncated: it ends before its sizes");
}

TEST_F(MnistFiles, DataShorterOrLongerThanDeclared) {
  write("t10k-labels-idx1-ubyte", labels(10));
  Bytes short_file = images(10);
  short_file.resize(short_file.size() - 392);
  write("t10k-images-idx3-ubyte", short_file);
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte") +
                              " declares 7840 bytes of data, more than the rest of the file can "
                              "hold (7448 bytes): it is truncated or its sizes are wrong");
  write("t10k-images-idx3-ubyte", images(10, 1));
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte") +
                              " holds more data than its header declares (7840 bytes)");
}

TEST_F(MnistFiles, HugeDeclaredSizesAreRefusedBeforeAllocating) {
  write("t10k-labels-idx1-ubyte", labels(1));
  write("t10k-images-idx3-ubyte", idx(2051, {0xffffffffu, 0xffffffffu, 0xffffffffu}, 0));
  EXPECT_EQ(load_error(),
            "MNIST: " + path("t10k-images-idx3-ubyte") + " declares sizes whose product overflows");
  write("t10k-images-idx3-ubyte", idx(2051, {60000, 0x10000u, 0x10000u}, 16));
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte") +
                              " declares 257698037760000 bytes of data, more than the rest of the "
                              "file can hold (16 bytes): it is truncated or its sizes are wrong");
}

TEST_F(MnistFiles, GzipBombIsRefused) {
  write("t10k-labels-idx1-ubyte", labels(1));
  // A header claiming 2 GB of images, followed by little: the compressed size cannot hold it.
  const Bytes claim = gzip(idx(2051, {2730, 1024, 768}, 1000));
  write("t10k-images-idx3-ubyte.gz", claim);
  const std::string err = load_error();
  EXPECT_EQ(err.rfind("MNIST: " + path("t10k-images-idx3-ubyte.gz") +
                          " declares 2146959360 bytes of data, more than the rest of the file can "
                          "hold (its compressed bytes inflate to at most ",
                      0),
            0u)
      << err;
  // One image declared, 16 MB of zeros after it: refused after reading one byte too many.
  write("t10k-images-idx3-ubyte.gz", gzip(idx(2051, {1, 28, 28}, 784 + (16u << 20), 0)));
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte.gz") +
                              " holds more data than its header declares (784 bytes)");
}

TEST_F(MnistFiles, TruncatedAndCorruptGzip) {
  write("t10k-labels-idx1-ubyte", labels(4));
  const Bytes good = gzip(images(4));
  Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  write("t10k-images-idx3-ubyte.gz", cut);
  const std::string name = path("t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(load_error(),
            "MNIST: " + name + " is truncated: its gzip data ends in the middle of the stream");
  Bytes corrupt = good;
  corrupt[corrupt.size() - 6] ^= 0xff;  // the CRC of the content
  write("t10k-images-idx3-ubyte.gz", corrupt);
  EXPECT_EQ(load_error(),
            "MNIST: " + name + " is not valid gzip data (zlib: incorrect data check)");
  Bytes garbage = good;
  garbage.insert(garbage.end(), {0x1f, 0x8b, 0x00, 0x00});
  write("t10k-images-idx3-ubyte.gz", garbage);
  EXPECT_EQ(load_error().rfind("MNIST: " + name + " is not valid gzip data (zlib: ", 0), 0u);
}

TEST_F(MnistFiles, ImageAndTargetCountsMustAgree) {
  write("t10k-images-idx3-ubyte", images(10));
  write("t10k-labels-idx1-ubyte", labels(9));
  EXPECT_EQ(load_error(), "MNIST: " + path("t10k-images-idx3-ubyte") + " holds 10 images but " +
                              path("t10k-labels-idx1-ubyte") + " holds 9 targets");
}

TEST(MnistParse, EveryPrefixOfAValidFileIsAnErrorNotACrash) {
  const Bytes plain = images(2);
  const Bytes packed = gzip(plain);
  for (const Bytes* file : {&plain, &packed}) {
    for (size_t n = 0; n < file->size(); ++n) {
      EXPECT_THROW(tg::data::detail::parse_idx(file->data(), n, 3, "prefix"), tg::Error) << n;
    }
    EXPECT_EQ(tg::data::detail::parse_idx(file->data(), file->size(), 3, "whole").data.size(),
              2u * 784u);
  }
}

}  // namespace
