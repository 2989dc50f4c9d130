// Reading IDX files, plain or gzip-compressed (zlib), with every size checked against the file.
#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <limits>

#include "tensorgrad/error.h"

namespace tg::data::detail {

namespace {

// Where the file's content comes from: the bytes themselves, or zlib inflating them.
class Reader {
 public:
  Reader(const uint8_t* bytes, size_t size, const std::string& name)
      : bytes_(bytes), size_(size), name_(name) {
    gzip_ = size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
    if (!gzip_) return;
    // 16 + MAX_WBITS: a gzip header and trailer around the deflate stream.
    TG_CHECK(inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK, "MNIST: cannot start zlib to read ",
             name_);
    inflating_ = true;
  }
  ~Reader() {
    if (inflating_) inflateEnd(&zs_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool gzip() const { return gzip_; }
  // The most content bytes the rest of the file can hold.
  size_t max_remaining() const {
    if (!gzip_) return size_ - pos_;
    const size_t left = size_ - pos_ + zs_.avail_in;
    return left > std::numeric_limits<size_t>::max() / kMaxInflateRatio
               ? std::numeric_limits<size_t>::max()
               : left * kMaxInflateRatio + 64;
  }

  // Up to n bytes into out; fewer only at the end of the content.
  size_t read(uint8_t* out, size_t n) {
    if (!gzip_) {
      const size_t k = std::min(n, size_ - pos_);
      std::copy(bytes_ + pos_, bytes_ + pos_ + k, out);
      pos_ += k;
      return k;
    }
    size_t produced = 0;
    while (produced < n) {
      if (at_member_end_) {
        if (zs_.avail_in == 0 && pos_ == size_) break;  // the end of the content
        // More bytes after a complete gzip member: another member follows (as `cat a.gz b.gz`).
        TG_CHECK(inflateReset(&zs_) == Z_OK, "MNIST: zlib failed on ", name_);
        at_member_end_ = false;
      }
      if (zs_.avail_in == 0 && pos_ < size_) {
        const size_t k = std::min<size_t>(size_ - pos_, UINT_MAX);
        zs_.next_in = const_cast<Bytef*>(bytes_ + pos_);
        zs_.avail_in = static_cast<uInt>(k);
        pos_ += k;
      }
      const size_t want = std::min<size_t>(n - produced, UINT_MAX);
      zs_.next_out = out + produced;
      zs_.avail_out = static_cast<uInt>(want);
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      produced += want - zs_.avail_out;
      if (ret == Z_STREAM_END) {
        at_member_end_ = true;
      } else if (ret == Z_BUF_ERROR) {
        // No progress with room to write: the input is used up inside a stream.
        TG_ERROR("MNIST: ", name_, " is truncated: its gzip data ends in the middle of the stream");
      } else if (ret != Z_OK) {
        TG_ERROR("MNIST: ", name_, " is not valid gzip data (zlib: ",
                 zs_.msg != nullptr ? std::string(zs_.msg) : "error " + std::to_string(ret), ")");
      }
    }
    return produced;
  }

 private:
  const uint8_t* bytes_;
  size_t size_;
  size_t pos_ = 0;  // the next byte of the file not yet read (or handed to zlib)
  std::string name_;
  bool gzip_ = false;
  bool inflating_ = false;
  bool at_member_end_ = false;
  z_stream zs_{};
};

uint32_t read_be32(Reader& r, const std::string& name, const char* what) {
  uint8_t b[4];
  TG_CHECK(r.read(b, 4) == 4, "MNIST: ", name, " is truncated: it ends before its ", what);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

IdxBytes parse_idx(const uint8_t* bytes, size_t size, size_t ndims, const std::string& name) {
  Reader r(bytes, size, name);
  const uint32_t expected_magic = 0x800u | static_cast<uint32_t>(ndims);
  const uint32_t magic = read_be32(r, name, "magic number");
  TG_CHECK(magic == expected_magic, "MNIST: ", name, " is not an IDX file of unsigned bytes with ",
           ndims, " dimensions: expected the magic number ", expected_magic, " but found ", magic,
           " instead");
  IdxBytes out;
  size_t total = 1;
  for (size_t d = 0; d < ndims; ++d) {
    const uint32_t n = read_be32(r, name, "sizes");
    out.dims.push_back(n);
    TG_CHECK(!__builtin_mul_overflow(total, size_t{n}, &total), "MNIST: ", name,
             " declares sizes whose product overflows");
  }
  if (r.gzip())
    TG_CHECK(total <= r.max_remaining(), "MNIST: ", name, " declares ", total,
             " bytes of data, more than the rest of the file can hold (its compressed bytes "
             "inflate to at most ",
             r.max_remaining(), "): it is truncated or its sizes are wrong");
  else
    TG_CHECK(total <= r.max_remaining(), "MNIST: ", name, " declares ", total,
             " bytes of data, more than the rest of the file can hold (", r.max_remaining(),
             " bytes): it is truncated or its sizes are wrong");
  out.data.resize(total);
  const size_t got = r.read(out.data.data(), total);
  TG_CHECK(got == total, "MNIST: ", name, " is truncated: its header declares ", total,
           " bytes of data but it holds ", got);
  uint8_t extra = 0;
  TG_CHECK(r.read(&extra, 1) == 0, "MNIST: ", name, " holds more data than its header declares (",
           total, " bytes)");
  return out;
}

IdxBytes read_idx(const std::string& path, size_t ndims, const std::string& kind) {
  std::string name = path;
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    name = path + ".gz";
    in.open(name, std::ios::binary);
  }
  TG_CHECK(in, "Error opening ", kind, " file at ", path, " (nor ", path, ".gz)");
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  TG_CHECK(end >= 0, "MNIST: cannot read ", name);
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(end));
  TG_CHECK(bytes.empty() || in.read(reinterpret_cast<char*>(bytes.data()), end),
           "MNIST: cannot read ", name);
  return parse_idx(bytes.data(), bytes.size(), ndims, name);
}

}  // namespace tg::data::detail
