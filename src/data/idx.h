// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a big-endian magic number
// 0x000008NN (unsigned bytes, NN dimensions), NN big-endian uint32 sizes, then the bytes. Files
// may be gzip-compressed. The reader is bounded: it allocates only what the file's own size can
// justify, so a hostile header or a gzip bomb is an error and not an allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tg::data::detail {

struct IdxBytes {
  std::vector<size_t> dims;
  std::vector<uint8_t> data;  // the product of dims bytes
};

// The most a deflate stream can expand (1032:1, from its longest match per bit), plus a little
// for gzip's own header: a compressed file of n bytes holds at most this many bytes of content.
constexpr size_t kMaxInflateRatio = 1032;

// Parses an IDX file of unsigned bytes held in memory, gzip-compressed (starting with 1f 8b) or
// plain, that must have `ndims` dimensions. `name` is what errors call it (the path).
IdxBytes parse_idx(const uint8_t* bytes, size_t size, size_t ndims, const std::string& name);

// Reads `path`, or `path`.gz when `path` does not exist. `kind` ("images", "targets") is how a
// missing file is described.
IdxBytes read_idx(const std::string& path, size_t ndims, const std::string& kind);

}  // namespace tg::data::detail
