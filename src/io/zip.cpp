#include "io/zip.h"

#include <zip.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "tensorgrad/error.h"

namespace tg::io {
namespace {

// deflate's largest expansion (258 bytes from 2 bits, in practice about 1032:1); a compressed
// entry that declares more cannot be genuine.
constexpr uint64_t kMaxDeflateRatio = 1032;

}  // namespace

struct ZipReader::Handle {
  zip_t* archive = nullptr;
  std::vector<char> owned;  // the file's bytes, for readers made from a path
  ~Handle() {
    if (archive) zip_discard(archive);
  }
};

ZipReader::ZipReader(const void* data, size_t size, std::string origin)
    : handle_(std::make_unique<Handle>()), origin_(std::move(origin)), archive_bytes_(size) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(size ? data : "", size, 0, &err);
  if (!src) {
    const std::string text = zip_error_strerror(&err);
    zip_error_fini(&err);
    TG_ERROR(origin_, ": cannot read the zip archive: ", text);
  }
  zip_error_fini(&err);
  open(src);
}

ZipReader::ZipReader(const std::filesystem::path& path, std::string origin)
    : handle_(std::make_unique<Handle>()), origin_(std::move(origin)) {
  handle_->owned = read_whole_file(path, origin_);
  archive_bytes_ = handle_->owned.size();
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(handle_->owned.empty() ? "" : handle_->owned.data(),
                                               handle_->owned.size(), 0, &err);
  zip_error_fini(&err);
  TG_CHECK(src != nullptr, origin_, ": cannot read the zip archive");
  open(src);
}

ZipReader::~ZipReader() = default;

void ZipReader::open(void* source) {
  auto* src = static_cast<zip_source_t*>(source);
  zip_error_t err;
  zip_error_init(&err);
  // ZIP_CHECKCONS: the central directory must agree with the local headers.
  handle_->archive = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!handle_->archive) {
    const std::string text = zip_error_strerror(&err);
    zip_error_fini(&err);
    zip_source_free(src);
    TG_ERROR(origin_, ": not a readable zip archive (", text, ")");
  }
  zip_error_fini(&err);
  const zip_int64_t n = zip_get_num_entries(handle_->archive, 0);
  TG_CHECK(n >= 0, origin_, ": cannot list the zip archive");
  names_.reserve(static_cast<size_t>(n));
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(handle_->archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    TG_CHECK(name != nullptr, origin_, ": zip entry ", i, " has no readable name");
    names_.emplace_back(name);
  }
}

bool ZipReader::has(const std::string& name) const { return index(name) >= 0; }

int64_t ZipReader::index(const std::string& name) const {
  return zip_name_locate(handle_->archive, name.c_str(), ZIP_FL_ENC_RAW);
}

uint64_t ZipReader::size(const std::string& name) const {
  uint64_t comp_size;
  return checked_stat(name, &comp_size);
}

uint64_t ZipReader::checked_stat(const std::string& name, uint64_t* comp_size) const {
  const int64_t i = index(name);
  TG_CHECK(i >= 0, origin_, ": the archive has no entry '", name, "'");
  zip_stat_t st;
  zip_stat_init(&st);
  TG_CHECK(zip_stat_index(handle_->archive, static_cast<zip_uint64_t>(i), 0, &st) == 0, origin_,
           ": cannot read the header of entry '", name, "'");
  TG_CHECK((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE), origin_, ": entry '",
           name, "' does not declare its sizes");
  TG_CHECK(st.comp_method == ZIP_CM_STORE || st.comp_method == ZIP_CM_DEFLATE, origin_, ": entry '",
           name, "' uses compression method ", st.comp_method,
           " (only stored and deflated entries are read)");
  TG_CHECK(!(st.valid & ZIP_STAT_ENCRYPTION_METHOD) || st.encryption_method == ZIP_EM_NONE, origin_,
           ": entry '", name, "' is encrypted");
  // Every entry read must have its own compressed bytes within the archive.
  TG_CHECK(st.comp_size <= archive_bytes_ && compressed_read_ <= archive_bytes_ - st.comp_size,
           origin_, ": entry '", name, "' claims ", st.comp_size,
           " compressed bytes beyond what the archive holds (", archive_bytes_,
           " bytes): overlapping or truncated entries");
  if (st.comp_method == ZIP_CM_STORE)
    TG_CHECK(st.size == st.comp_size, origin_, ": stored entry '", name, "' declares ", st.size,
             " bytes but holds ", st.comp_size);
  else
    TG_CHECK(st.size / kMaxDeflateRatio <= st.comp_size, origin_, ": entry '", name, "' declares ",
             st.size, " bytes from ", st.comp_size,
             " compressed bytes, more than deflate can produce (a zip bomb?)");
  *comp_size = st.comp_size;
  return st.size;
}

std::vector<char> ZipReader::read(const std::string& name) {
  std::vector<char> out(static_cast<size_t>(size(name)));
  read_into(name, out.data(), out.size());
  return out;
}

void ZipReader::read_into(const std::string& name, void* dst, uint64_t expected) {
  uint64_t comp_size;
  const uint64_t size = checked_stat(name, &comp_size);
  TG_CHECK(size == expected, origin_, ": entry '", name, "' holds ", size, " bytes where ",
           expected, " are expected");
  compressed_read_ += comp_size;
  const int64_t i = index(name);
  zip_file_t* f = zip_fopen_index(handle_->archive, static_cast<zip_uint64_t>(i), 0);
  if (!f) {
    const std::string text = zip_strerror(handle_->archive);
    TG_ERROR(origin_, ": cannot open entry '", name, "': ", text);
  }
  const zip_int64_t got = size == 0 ? 0 : zip_fread(f, dst, size);
  // One more byte must not be there: an entry that inflates past its declared size is refused.
  char extra;
  const zip_int64_t more = zip_fread(f, &extra, 1);
  std::string text;
  if (got < 0 || more < 0) text = zip_file_strerror(f);
  zip_fclose(f);
  TG_CHECK(got >= 0 && more >= 0, origin_, ": entry '", name, "' is damaged: ", text);
  TG_CHECK(static_cast<uint64_t>(got) == size && more == 0, origin_, ": entry '", name, "' holds ",
           (more > 0 ? "more" : "fewer"), " bytes than the ", size, " its header declares");
}

struct ZipWriter::Handle {
  zip_source_t* source = nullptr;
  zip_t* archive = nullptr;
  ~Handle() {
    if (archive) zip_discard(archive);
    if (source) zip_source_free(source);
  }
};

ZipWriter::ZipWriter(std::string origin)
    : handle_(std::make_unique<Handle>()), origin_(std::move(origin)) {
  zip_error_t err;
  zip_error_init(&err);
  handle_->source = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_error_fini(&err);
  TG_CHECK(handle_->source != nullptr, origin_, ": cannot create a zip archive in memory");
  zip_error_init(&err);
  handle_->archive = zip_open_from_source(handle_->source, ZIP_TRUNCATE, &err);
  const std::string text = zip_error_strerror(&err);
  zip_error_fini(&err);
  TG_CHECK(handle_->archive != nullptr, origin_, ": cannot create a zip archive: ", text);
  zip_source_keep(handle_->source);  // the bytes are read back from it after zip_close
}

ZipWriter::~ZipWriter() = default;

void ZipWriter::add(const std::string& name, std::vector<char> bytes) {
  TG_CHECK(handle_->archive != nullptr, origin_, ": the archive is already finished");
  pending_.push_back(std::make_unique<std::vector<char>>(std::move(bytes)));
  const auto& b = *pending_.back();
  zip_source_t* s = zip_source_buffer(handle_->archive, b.empty() ? "" : b.data(), b.size(), 0);
  TG_CHECK(s != nullptr, origin_, ": cannot add '", name, "': ", zip_strerror(handle_->archive));
  const zip_int64_t idx = zip_file_add(handle_->archive, name.c_str(), s, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(s);
    TG_ERROR(origin_, ": cannot add '", name, "': ", zip_strerror(handle_->archive));
  }
  // PyTorch stores its entries uncompressed (so that tensors can be mapped); so do we.
  zip_set_file_compression(handle_->archive, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  // No timestamps: the same checkpoint gives the same bytes.
  zip_file_set_dostime(handle_->archive, static_cast<zip_uint64_t>(idx), 0, (1 << 5) | 1, 0);
}

std::vector<char> ZipWriter::finish() {
  TG_CHECK(handle_->archive != nullptr, origin_, ": the archive is already finished");
  if (zip_close(handle_->archive) != 0) {
    const std::string text = zip_strerror(handle_->archive);
    TG_ERROR(origin_, ": cannot write the zip archive: ", text);
  }
  handle_->archive = nullptr;
  pending_.clear();
  zip_source_t* s = handle_->source;
  TG_CHECK(zip_source_open(s) == 0, origin_, ": cannot read back the zip archive");
  zip_source_seek(s, 0, SEEK_END);
  const zip_int64_t n = zip_source_tell(s);
  zip_source_seek(s, 0, SEEK_SET);
  std::vector<char> out(n > 0 ? static_cast<size_t>(n) : 0);
  const zip_int64_t got = out.empty() ? 0 : zip_source_read(s, out.data(), out.size());
  zip_source_close(s);
  TG_CHECK(got == n, origin_, ": cannot read back the zip archive");
  return out;
}

void write_file_atomically(const std::filesystem::path& path, const std::vector<char>& bytes,
                           const std::string& what) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    TG_CHECK(out.good(), what, ": cannot open '", tmp.string(),
             "' for writing: ", std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      TG_ERROR(what, ": write error on '", tmp.string(), "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    TG_ERROR(what, ": cannot rename the temporary file to '", path.string(), "'");
  }
}

std::vector<char> read_whole_file(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  TG_CHECK(std::filesystem::exists(status), what, ": no such file");
  TG_CHECK(std::filesystem::is_regular_file(status), what, ": not a regular file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  TG_CHECK(!ec, what, ": cannot determine its size: ", ec.message());
  std::ifstream in(path, std::ios::binary);
  TG_CHECK(in.good(), what, ": cannot open for reading: ", std::strerror(errno));
  std::vector<char> bytes(static_cast<size_t>(size));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  TG_CHECK(static_cast<uint64_t>(in.gcount()) == size, what, ": read error");
  return bytes;
}

}  // namespace tg::io
