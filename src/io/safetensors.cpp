// safetensors read/write. The layout, as the reference implementation (huggingface/safetensors,
// safetensors/src/tensor.rs) writes and checks it:
//   8 bytes    N, little-endian u64: the header's length (at most 100 MB)
//   N bytes    UTF-8 JSON object, starting with '{', padded with spaces so that 8 + N is a multiple
//              of 8: {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}, ...}
//   the rest   the byte buffer; data_offsets [begin, end) are relative to its start, and the
//              tensors tile it exactly: no overlap, no hole, nothing after the last one.
// Every one of these rules is checked on reading, before a tensor is created.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/checked.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/io.h"
#include "tensorgrad/serialize.h"

namespace tg {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; tensorgrad writes its memory as is");

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit
constexpr const char* kMetadataKey = "__metadata__";
// Nesting limit of the JSON header (serde_json's, which the reference reader uses). A valid
// header nests 3 deep; the limit bounds every recursive walk of the parsed value (copies, dump).
constexpr int kMaxJsonDepth = 128;
// Values quoted in error messages are cut to this many characters.
constexpr size_t kMaxQuotedChars = 200;

// What an error names: the file, or "safetensors buffer" for load_from_buffer.
struct Origin {
  Origin(const fs::path& path) : text("safetensors file '" + path.string() + "'") {}  // NOLINT
  explicit Origin(std::string t) : text(std::move(t)) {}
  std::string text;
};

template <typename... Args>
[[noreturn]] void fail(const Origin& origin, const Args&... args) {
  throw Error(detail::concat(origin.text, ": ", args...));
}

// A JSON value for an error message: at most kMaxQuotedChars characters, so a hostile header
// cannot make the message itself huge (the depth is already bounded by check_json_depth).
std::string quote(const Json& v) {
  std::string s = v.dump();
  if (s.size() > kMaxQuotedChars) s = s.substr(0, kMaxQuotedChars) + "...";
  return s;
}

// The bytes of a safetensors file, wherever they are: reads at an offset, checked by the caller
// against size().
class Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  virtual void read(uint64_t offset, void* dst, uint64_t n) = 0;
  virtual const Origin& origin() const = 0;
};

class FileSource final : public Source {
 public:
  explicit FileSource(const fs::path& path) : origin_(path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) fail(origin_, "no such file");
    if (!fs::is_regular_file(status)) fail(origin_, "not a regular file");
    size_ = fs::file_size(path, ec);
    if (ec) fail(origin_, "cannot determine its size: ", ec.message());
    file_.open(path, std::ios::binary);
    if (!file_) fail(origin_, "cannot open for reading: ", std::strerror(errno));
  }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, uint64_t n) override {
    file_.seekg(static_cast<std::streamoff>(offset));
    file_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (!file_) fail(origin_, "read error at byte ", offset);
  }
  const Origin& origin() const override { return origin_; }

 private:
  Origin origin_;
  std::ifstream file_;
  uint64_t size_ = 0;
};

class BufferSource final : public Source {
 public:
  BufferSource(const void* data, size_t size)
      : origin_(std::string("safetensors buffer")),
        data_(static_cast<const char*>(data)),
        size_(size) {
    if (data_ == nullptr && size_ != 0) fail(origin_, "null data pointer with size ", size_);
  }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, uint64_t n) override {
    if (offset > size_ || n > size_ - offset)
      fail(origin_, "read of ", n, " bytes at ", offset, " is past the end (", size_, " bytes)");
    if (n > 0) std::memcpy(dst, data_ + offset, n);
  }
  const Origin& origin() const override { return origin_; }

 private:
  Origin origin_;
  const char* data_;
  uint64_t size_;
};

// The deepest nesting of arrays and objects in a JSON text, outside strings: checked before the
// text is parsed, so that no later walk of the value can run out of stack.
void check_json_depth(const Origin& origin, const std::string& text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        fail(origin, "corrupt header: JSON nested more than ", kMaxJsonDepth,
             " levels deep (at byte ", i, " of the header)");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// ---- dtypes

const char* safetensors_dtype(ScalarType t) {
  switch (t) {
    case kFloat:
      return "F32";
    case kDouble:
      return "F64";
    case kLong:
      return "I64";
    case kBool:
      return "BOOL";
  }
  return "?";
}

// The reference writer puts tensors with larger alignment first; among ours: I64, F64, F32, BOOL.
int alignment_rank(ScalarType t) {
  switch (t) {
    case kLong:
      return 0;
    case kDouble:
      return 1;
    case kFloat:
      return 2;
    case kBool:
      return 3;
  }
  return 4;
}

bool parse_dtype(const std::string& s, ScalarType* out) {
  if (s == "F32")
    *out = kFloat;
  else if (s == "F64")
    *out = kDouble;
  else if (s == "I64")
    *out = kLong;
  else if (s == "BOOL")
    *out = kBool;
  else
    return false;
  return true;
}

bool is_other_safetensors_dtype(const std::string& s) {
  static const std::set<std::string> known = {
      "U8",  "I8",  "F8_E5M2", "F8_E4M3", "I16",     "U16",     "F16",  "BF16",
      "I32", "U32", "U64",     "F4",      "F6_E2M3", "F6_E3M2", "E8M0", "F8_E8M0"};
  return known.count(s) != 0;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < shape.size(); ++i) ss << (i ? ", " : "") << shape[i];
  ss << "]";
  return ss.str();
}

std::string shape_str(IntArrayRef shape) {
  return shape_str(std::vector<int64_t>(shape.begin(), shape.end()));
}

// ---- the header

struct Entry {
  std::string name;
  ScalarType dtype = kFloat;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Header {
  std::vector<Entry> entries;  // in header order
  uint64_t data_start = 0;     // file offset of the byte buffer: 8 + N
};

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint64_t json_unsigned(const Origin& path, const std::string& name, const char* field,
                       const Json& v) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    fail(path, "tensor '", name, "': ", field, " must hold non-negative integers, got ", quote(v));
  return v.get<uint64_t>();
}

Entry parse_entry(const Origin& path, const std::string& name, const Json& info) {
  if (!info.is_object())
    fail(path, "tensor '", name, "': expected an object with dtype, shape and data_offsets, got ",
         quote(info));
  Entry e;
  e.name = name;
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!info.contains(field)) fail(path, "tensor '", name, "': the header gives no ", field);

  const Json& dtype = info["dtype"];
  if (!dtype.is_string())
    fail(path, "tensor '", name, "': dtype must be a string, got ", quote(dtype));
  const auto dtype_name = dtype.get<std::string>();
  if (!parse_dtype(dtype_name, &e.dtype)) {
    if (is_other_safetensors_dtype(dtype_name))
      fail(path, "tensor '", name, "': dtype ", dtype_name,
           " is not supported (tensorgrad reads F32, F64, I64 and BOOL)");
    fail(path, "tensor '", name, "': unknown dtype '", dtype_name,
         "' (tensorgrad reads F32, F64, I64 and BOOL)");
  }

  const Json& shape = info["shape"];
  if (!shape.is_array())
    fail(path, "tensor '", name, "': shape must be an array, got ", quote(shape));
  for (const Json& d : shape) {
    const uint64_t size = json_unsigned(path, name, "shape", d);
    if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(path, "tensor '", name, "': dimension ", size, " is too large");
    e.shape.push_back(static_cast<int64_t>(size));
  }

  const Json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail(path, "tensor '", name, "': data_offsets must be [begin, end], got ", quote(offsets));
  e.begin = json_unsigned(path, name, "data_offsets", offsets[0]);
  e.end = json_unsigned(path, name, "data_offsets", offsets[1]);
  if (e.end < e.begin)
    fail(path, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end,
         "] end before they begin");

  // The tensor's byte count as empty() will compute it (a zero size makes it 0 whatever the other
  // sizes are); a shape past int64 is refused here, before anything is allocated.
  int64_t numel = 0, nbytes_signed = 0;
  if (!checked::numel_fits(IntArrayRef(e.shape), &numel) ||
      checked::mul_overflows(numel, static_cast<int64_t>(element_size(e.dtype)), &nbytes_signed))
    fail(path, "tensor '", name, "': shape ", shape_str(e.shape),
         " is too large (invalid size, possible overflow?)");
  const auto nbytes = static_cast<uint64_t>(nbytes_signed);
  if (e.end - e.begin != nbytes)
    fail(path, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] span ",
         e.end - e.begin, " bytes, but dtype ", dtype_name, " and shape ", shape_str(e.shape),
         " need ", nbytes);
  return e;
}

Header read_header(Source& src) {
  const Origin& path = src.origin();
  const uint64_t file_size = src.size();
  if (file_size < 8)
    fail(path, "truncated: the file has ", file_size,
         " bytes, fewer than the 8-byte header length that starts a safetensors file");
  unsigned char len_bytes[8];
  src.read(0, len_bytes, 8);
  const uint64_t n = read_u64_le(len_bytes);
  if (n > file_size - 8)
    fail(path, "header length ", n, " is larger than the file (", file_size,
         " bytes): truncated or not a safetensors file");
  if (n > kMaxHeaderBytes)
    fail(path, "header length ", n, " exceeds the limit of ", kMaxHeaderBytes, " bytes");
  if (n == 0) fail(path, "the header is empty");

  std::string text(n, '\0');
  src.read(8, text.data(), n);
  if (text[0] != '{')
    fail(path, "corrupt header: it must be a JSON object starting with '{' (the first byte is 0x",
         std::hex, static_cast<int>(static_cast<unsigned char>(text[0])), ")");

  // Duplicate names are not allowed; nlohmann keeps only one, so catch them while parsing.
  std::string duplicate;
  std::set<std::string> seen;
  Json::parser_callback_t on_event = [&](int depth, nlohmann::json::parse_event_t event,
                                         Json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && duplicate.empty()) {
      auto key = parsed.get<std::string>();
      if (!seen.insert(key).second) duplicate = key;
    }
    return true;
  };
  // nlohmann's lexer takes a NUL byte for the end of the input, so "{...}\0garbage" would parse;
  // the format allows only spaces after the JSON.
  if (const size_t nul = text.find('\0'); nul != std::string::npos)
    fail(path, "corrupt header: byte ", nul,
         " is NUL (the JSON may be followed by space padding only)");
  check_json_depth(path, text);
  Json header;
  try {
    header = Json::parse(text, on_event);
  } catch (const nlohmann::json::exception& e) {
    fail(path, "corrupt header: not valid JSON (", e.what(), ")");
  }
  if (!header.is_object())
    fail(path, "corrupt header: expected a JSON object, got ", header.type_name());
  if (!duplicate.empty()) fail(path, "the header names tensor '", duplicate, "' twice");

  Header h;
  h.data_start = 8 + n;
  for (const auto& [name, info] : header.items()) {
    if (name == kMetadataKey) {
      if (!info.is_object()) fail(path, "__metadata__ must be an object of strings");
      for (const auto& [k, v] : info.items())
        if (!v.is_string()) fail(path, "__metadata__ entry '", k, "' is not a string");
      continue;
    }
    h.entries.push_back(parse_entry(path, name, info));
  }

  // The tensors must tile the byte buffer: sorted by offset, each starts where the last ended.
  std::vector<size_t> order(h.entries.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Entry& x = h.entries[a];
    const Entry& y = h.entries[b];
    return std::tie(x.begin, x.end) < std::tie(y.begin, y.end);
  });
  const uint64_t data_size = file_size - h.data_start;
  uint64_t covered = 0;
  const Entry* last = nullptr;
  for (size_t i : order) {
    const Entry& e = h.entries[i];
    if (e.begin < covered)
      fail(path, "tensors '", last->name, "' (data_offsets [", last->begin, ", ", last->end,
           "]) and '", e.name, "' ([", e.begin, ", ", e.end, "]) overlap");
    if (e.begin > covered)
      fail(path, "bytes [", covered, ", ", e.begin, ") of the data belong to no tensor (before '",
           e.name, "')");
    if (e.end > data_size)
      fail(path, "tensor '", e.name, "' has data_offsets [", e.begin, ", ", e.end,
           "] beyond the end of the data (", data_size,
           " bytes after the header): the file is truncated or the offsets are out of range");
    covered = e.end;
    last = &e;
  }
  if (covered != data_size)
    fail(path, "the file has ", data_size - covered,
         " bytes after the last tensor's data (the tensors cover ", covered, " of ", data_size,
         " data bytes)");
  return h;
}

Tensor read_tensor(Source& src, const Header& h, const Entry& e) {
  Tensor t = empty(IntArrayRef(e.shape), TensorOptions(e.dtype));
  const uint64_t nbytes = e.end - e.begin;
  if (nbytes == 0) return t;
  auto* dst = static_cast<char*>(t.data_ptr());
  src.read(h.data_start + e.begin, dst, nbytes);
  if (e.dtype == kBool) {
    // Any nonzero byte is true; store it as 1 so the bool stays a valid bool.
    auto* b = reinterpret_cast<unsigned char*>(dst);
    for (uint64_t i = 0; i < nbytes; ++i) b[i] = b[i] != 0;
  }
  return t;
}

// ---- writing

void write_file(const std::vector<std::pair<std::string, Tensor>>& items, const fs::path& path) {
  std::set<std::string> names;
  std::vector<Tensor> data(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& [name, t] = items[i];
    if (name.empty()) fail(path, "cannot save a tensor with an empty name");
    if (name == kMetadataKey) fail(path, "cannot save a tensor named '", kMetadataKey, "'");
    if (!names.insert(name).second) fail(path, "cannot save two tensors named '", name, "'");
    if (!t.defined()) fail(path, "cannot save tensor '", name, "': it is undefined");
    data[i] = t.detach().contiguous();
  }

  // Data order: larger alignment first, then by name, as the reference writer does; with the
  // header padded to a multiple of 8 every tensor starts at a multiple of its element size.
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int ra = alignment_rank(data[a].scalar_type());
    const int rb = alignment_rank(data[b].scalar_type());
    return ra != rb ? ra < rb : items[a].first < items[b].first;
  });
  std::vector<std::pair<uint64_t, uint64_t>> offsets(items.size());
  uint64_t offset = 0;
  for (size_t i : order) {
    const uint64_t nbytes = static_cast<uint64_t>(data[i].numel()) * data[i].element_size();
    offsets[i] = {offset, offset + nbytes};
    offset += nbytes;
  }

  Json header = Json::object();
  header[kMetadataKey] = Json::object({{"format", "pt"}});
  for (size_t i = 0; i < items.size(); ++i) {
    Json info = Json::object();
    info["dtype"] = safetensors_dtype(data[i].scalar_type());
    Json shape = Json::array();
    for (int64_t d : data[i].sizes()) shape.push_back(d);
    info["shape"] = std::move(shape);
    info["data_offsets"] = Json::array({offsets[i].first, offsets[i].second});
    header[items[i].first] = std::move(info);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  // Write next to the target and rename, so a failure never leaves a half-written checkpoint.
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot open for writing: ", std::strerror(errno));
    unsigned char len_bytes[8];
    uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len_bytes), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (size_t i : order) {
      const auto nbytes = static_cast<std::streamsize>(offsets[i].second - offsets[i].first);
      if (nbytes > 0) out.write(static_cast<const char*>(data[i].data_ptr()), nbytes);
    }
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      fail(path, "write error: ", std::strerror(errno));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ec2;
    fs::remove(tmp, ec2);
    fail(path, "cannot move the written file into place: ", ec.message());
  }
}

OrderedDict<std::string, Tensor> module_state(const nn::Module& module) {
  OrderedDict<std::string, Tensor> state("Tensor");
  for (const auto& p : module.named_parameters()) state.insert(p.key(), p.value());
  for (const auto& b : module.named_buffers()) state.insert(b.key(), b.value());
  return state;
}

OrderedDict<std::string, Tensor> load_all(Source& src) {
  const Header h = read_header(src);
  OrderedDict<std::string, Tensor> out("Tensor");
  for (const Entry& e : h.entries) out.insert(e.name, read_tensor(src, h, e));
  return out;
}

}  // namespace

void save(const OrderedDict<std::string, Tensor>& tensors, const fs::path& path) {
  std::vector<std::pair<std::string, Tensor>> items;
  items.reserve(tensors.size());
  for (const auto& it : tensors) items.emplace_back(it.key(), it.value());
  write_file(items, path);
}

void save(const std::map<std::string, Tensor>& tensors, const fs::path& path) {
  write_file({tensors.begin(), tensors.end()}, path);
}

void save(const nn::Module& module, const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".pt" || ext == ".pth") return detail::save_module_torch(module, path);
  save(module_state(module), path);
}

OrderedDict<std::string, Tensor> load(const fs::path& path) {
  FileSource src(path);
  return load_all(src);
}

OrderedDict<std::string, Tensor> load_from_buffer(const void* data, size_t size) {
  BufferSource src(data, size);
  return load_all(src);
}

void load(nn::Module& module, const fs::path& path, bool strict) {
  {
    // PyTorch's and libtorch's files are zip archives; safetensors files start with a length.
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0)
      return detail::load_module_any(module, path, strict);
  }
  FileSource src(path);
  const Header h = read_header(src);
  OrderedDict<std::string, Tensor> targets = module_state(module);

  // Check everything first, and report every problem at once, as load_state_dict does.
  std::vector<std::string> missing, unexpected, mismatched;
  std::vector<std::pair<const Entry*, Tensor>> matched;
  std::set<std::string> in_file;
  for (const Entry& e : h.entries) {
    in_file.insert(e.name);
    Tensor* target = targets.find(e.name);
    if (!target) {
      unexpected.push_back(e.name);
      continue;
    }
    if (e.dtype != target->scalar_type()) {
      mismatched.push_back(detail::concat("dtype mismatch for '", e.name, "': the file has ",
                                          safetensors_dtype(e.dtype), " (", dtype_name(e.dtype),
                                          "), the module has ", dtype_name(target->scalar_type())));
    } else if (!std::equal(e.shape.begin(), e.shape.end(), target->sizes().begin(),
                           target->sizes().end())) {
      mismatched.push_back(detail::concat("shape mismatch for '", e.name, "': the file has shape ",
                                          shape_str(e.shape), ", the module has shape ",
                                          shape_str(target->sizes())));
    } else {
      matched.emplace_back(&e, *target);
    }
  }
  for (const auto& t : targets)
    if (!in_file.count(t.key())) missing.push_back(t.key());

  auto join = [](const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
  };
  std::string problems;
  if (strict && !missing.empty()) problems += "\n  missing from the file: " + join(missing);
  if (strict && !unexpected.empty())
    problems += "\n  in the file but not in the module: " + join(unexpected);
  for (const auto& m : mismatched) problems += "\n  " + m;
  if (!problems.empty())
    fail(path, "cannot load into ", module.name(), " (nothing was changed):", problems);

  // Read every tensor before touching the module, so a read error changes nothing either.
  std::vector<Tensor> values;
  values.reserve(matched.size());
  for (const auto& m : matched) values.push_back(read_tensor(src, h, *m.first));
  NoGradGuard no_grad;
  for (size_t i = 0; i < matched.size(); ++i) matched[i].second.copy_(values[i]);
}

}  // namespace tg
