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

#include "tensorgrad/autograd.h"
#include "tensorgrad/io.h"

namespace tg {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; tensorgrad writes its memory as is");

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit
constexpr const char* kMetadataKey = "__metadata__";

template <typename... Args>
[[noreturn]] void fail(const fs::path& path, const Args&... args) {
  throw Error(detail::concat("safetensors file '", path.string(), "': ", args...));
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

uint64_t json_unsigned(const fs::path& path, const std::string& name, const char* field,
                       const Json& v) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    fail(path, "tensor '", name, "': ", field, " must hold non-negative integers, got ", v.dump());
  return v.get<uint64_t>();
}

Entry parse_entry(const fs::path& path, const std::string& name, const Json& info) {
  if (!info.is_object())
    fail(path, "tensor '", name, "': expected an object with dtype, shape and data_offsets, got ",
         info.dump());
  Entry e;
  e.name = name;
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!info.contains(field)) fail(path, "tensor '", name, "': the header gives no ", field);

  const Json& dtype = info["dtype"];
  if (!dtype.is_string())
    fail(path, "tensor '", name, "': dtype must be a string, got ", dtype.dump());
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
    fail(path, "tensor '", name, "': shape must be an array, got ", shape.dump());
  uint64_t numel = 1;
  bool overflow = false;
  for (const Json& d : shape) {
    const uint64_t size = json_unsigned(path, name, "shape", d);
    if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(path, "tensor '", name, "': dimension ", size, " is too large");
    e.shape.push_back(static_cast<int64_t>(size));
    if (size != 0 && numel > std::numeric_limits<uint64_t>::max() / size) overflow = true;
    numel *= size;
  }

  const Json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail(path, "tensor '", name, "': data_offsets must be [begin, end], got ", offsets.dump());
  e.begin = json_unsigned(path, name, "data_offsets", offsets[0]);
  e.end = json_unsigned(path, name, "data_offsets", offsets[1]);
  if (e.end < e.begin)
    fail(path, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end,
         "] end before they begin");

  const uint64_t esize = element_size(e.dtype);
  // An all-zero-size tensor holds no bytes whatever the other dimensions say.
  const bool empty = std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end();
  if (!empty && (overflow || numel > std::numeric_limits<uint64_t>::max() / esize))
    fail(path, "tensor '", name, "': shape ", shape_str(e.shape), " is too large");
  const uint64_t nbytes = empty ? 0 : numel * esize;
  if (e.end - e.begin != nbytes)
    fail(path, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] span ",
         e.end - e.begin, " bytes, but dtype ", dtype_name, " and shape ", shape_str(e.shape),
         " need ", nbytes);
  return e;
}

Header read_header(std::ifstream& file, const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) fail(path, "no such file");
  if (!fs::is_regular_file(status)) fail(path, "not a regular file");
  const uint64_t file_size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot determine its size: ", ec.message());
  file.open(path, std::ios::binary);
  if (!file) fail(path, "cannot open for reading: ", std::strerror(errno));

  if (file_size < 8)
    fail(path, "truncated: the file has ", file_size,
         " bytes, fewer than the 8-byte header length that starts a safetensors file");
  unsigned char len_bytes[8];
  file.read(reinterpret_cast<char*>(len_bytes), 8);
  if (!file) fail(path, "read error in the header length");
  const uint64_t n = read_u64_le(len_bytes);
  if (n > file_size - 8)
    fail(path, "header length ", n, " is larger than the file (", file_size,
         " bytes): truncated or not a safetensors file");
  if (n > kMaxHeaderBytes)
    fail(path, "header length ", n, " exceeds the limit of ", kMaxHeaderBytes, " bytes");
  if (n == 0) fail(path, "the header is empty");

  std::string text(n, '\0');
  file.read(text.data(), static_cast<std::streamsize>(n));
  if (!file) fail(path, "read error in the header");
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

Tensor read_tensor(std::ifstream& file, const fs::path& path, const Header& h, const Entry& e) {
  Tensor t = empty(IntArrayRef(e.shape), TensorOptions(e.dtype));
  const uint64_t nbytes = e.end - e.begin;
  if (nbytes == 0) return t;
  file.seekg(static_cast<std::streamoff>(h.data_start + e.begin));
  auto* dst = static_cast<char*>(t.data_ptr());
  file.read(dst, static_cast<std::streamsize>(nbytes));
  if (!file) fail(path, "read error in the data of tensor '", e.name, "'");
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

void save(const nn::Module& module, const fs::path& path) { save(module_state(module), path); }

OrderedDict<std::string, Tensor> load(const fs::path& path) {
  std::ifstream file;
  const Header h = read_header(file, path);
  OrderedDict<std::string, Tensor> out("Tensor");
  for (const Entry& e : h.entries) out.insert(e.name, read_tensor(file, path, h, e));
  return out;
}

void load(nn::Module& module, const fs::path& path, bool strict) {
  std::ifstream file;
  const Header h = read_header(file, path);
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
  for (const auto& m : matched) values.push_back(read_tensor(file, path, h, *m.first));
  NoGradGuard no_grad;
  for (size_t i = 0; i < matched.size(); ++i) matched[i].second.copy_(values[i]);
}

}  // namespace tg
