// The zip container of PyTorch's and libtorch's checkpoints, through libzip. Reading is bounded:
// an entry is inflated only up to the size its header declares, a compressed entry may not
// declare more than deflate can produce from its compressed bytes, and the entries read from one
// archive may not add up to more compressed bytes than the archive has (overlapping entries, the
// trick of non-recursive zip bombs, are refused that way). Internal to src/io.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tg::io {

class ZipReader {
 public:
  // `origin` names the archive in errors ("PyTorch file 'm.pt'"). The bytes are not copied: they
  // must outlive the reader.
  ZipReader(const void* data, size_t size, std::string origin);
  explicit ZipReader(const std::filesystem::path& path, std::string origin);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  const std::vector<std::string>& names() const { return names_; }
  bool has(const std::string& name) const;
  // The entry's bytes; a tg::Error if it is missing, damaged or over the limits above.
  std::vector<char> read(const std::string& name);
  // Reads the entry into dst, which has room for `expected` bytes: the entry must hold exactly
  // that many (checked before anything is inflated).
  void read_into(const std::string& name, void* dst, uint64_t expected);
  // The uncompressed size the entry declares, after the checks above (so that a caller may
  // allocate that much); its contents are checked against it when it is read.
  uint64_t size(const std::string& name) const;
  const std::string& origin() const { return origin_; }

 private:
  void open(void* source);
  int64_t index(const std::string& name) const;
  // The declared size after every check on the entry's header; *comp_size: its compressed size.
  uint64_t checked_stat(const std::string& name, uint64_t* comp_size) const;

  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string origin_;
  uint64_t archive_bytes_ = 0;
  uint64_t compressed_read_ = 0;
  std::vector<std::string> names_;
};

// Writes uncompressed entries, each named as given, into a zip archive held in memory.
class ZipWriter {
 public:
  explicit ZipWriter(std::string origin);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;
  void add(const std::string& name, std::vector<char> bytes);
  // The archive's bytes; the writer is finished afterwards.
  std::vector<char> finish();

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string origin_;
  // libzip reads the added buffers only when the archive is closed.
  std::vector<std::unique_ptr<std::vector<char>>> pending_;
};

// Writes bytes to a temporary name beside `path` and renames it, so that an existing checkpoint
// is never left half-written.
void write_file_atomically(const std::filesystem::path& path, const std::vector<char>& bytes,
                           const std::string& what);
// The whole file, with errors naming `what`.
std::vector<char> read_whole_file(const std::filesystem::path& path, const std::string& what);

}  // namespace tg::io
