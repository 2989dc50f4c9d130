// PyTorch's zip-and-pickle files (torch/serialization.py, _save and _load; the container is
// caffe2/serialize/inline_container.cc) and the state-dict, tensor and archive calls on top.
#include "tensorgrad/serialize.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/checked.h"
#include "core/tensor_impl.h"
#include "io/pickle.h"
#include "io/zip.h"
#include "tensorgrad/autograd.h"

namespace tg {
namespace {

namespace fs = std::filesystem;

bool is_zip(const char* data, size_t size) {
  return size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0;
}

// The folder all records live in ("archive" for torch.save; Python's reader takes whatever
// precedes the first record's slash): the one folder with a data.pkl.
std::string record_prefix(const io::ZipReader& zip) {
  std::string prefix;
  for (const auto& name : zip.names()) {
    const size_t slash = name.find('/');
    if (slash == std::string::npos || name.compare(slash, std::string::npos, "/data.pkl") != 0)
      continue;
    TG_CHECK(prefix.empty(), zip.origin(), ": more than one data.pkl in the archive");
    prefix = name.substr(0, slash + 1);
  }
  TG_CHECK(!prefix.empty(), zip.origin(),
           ": a zip archive without a data.pkl record: not a PyTorch or libtorch checkpoint");
  return prefix;
}

bool valid_storage_key(const std::string& key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  });
}

IValue read_archive(io::ZipReader& zip) {
  const std::string prefix = record_prefix(zip);
  const std::vector<char> pkl = zip.read(prefix + "data.pkl");
  io::StorageLoader load = [&](const std::string& key, ScalarType dtype, int64_t numel) {
    TG_CHECK(valid_storage_key(key), zip.origin(), ": invalid storage key '", key.substr(0, 64),
             "'");
    const std::string name = prefix + "data/" + key;
    TG_CHECK(zip.has(name), zip.origin(), ": storage '", key, "' has no record ", name);
    // The record's declared size must match before the tensor is allocated; the zip reader has
    // already bounded it by the archive's own size.
    size_t nbytes;
    try {
      nbytes = checked::storage_bytes({numel}, element_size(dtype));
    } catch (const Error&) {
      TG_ERROR(zip.origin(), ": storage '", key, "' of ", numel, " elements overflows");
    }
    TG_CHECK(zip.size(name) == nbytes, zip.origin(), ": storage '", key, "' declares ", numel,
             " elements of ", dtype_name(dtype), " (", nbytes, " bytes) but its record holds ",
             zip.size(name), " bytes");
    Tensor t = make_empty({numel}, dtype);
    zip.read_into(name, t.data_ptr(), nbytes);
    if (dtype == kBool) {
      // Any byte but 0 and 1 would be an invalid bool.
      auto* b = static_cast<unsigned char*>(t.data_ptr());
      for (size_t i = 0; i < nbytes; ++i)
        TG_CHECK(b[i] <= 1, zip.origin(), ": storage '", key, "' holds a bool byte ",
                 static_cast<int>(b[i]));
    }
    return t;
  };
  return io::unpickle(pkl.data(), pkl.size(), load, zip.origin());
}

IValue load_bytes(const char* data, size_t size, const std::string& origin) {
  TG_CHECK(is_zip(data, size), origin,
           ": not a PyTorch checkpoint (a zip archive); files of torch.save before PyTorch 1.6 "
           "(_use_new_zipfile_serialization=False) are not supported");
  io::ZipReader zip(data, size, origin);
  return read_archive(zip);
}

std::vector<char> save_bytes(const IValue& value, const std::string& origin) {
  std::vector<io::PickledStorage> storages;
  std::vector<char> pkl = io::pickle(value, &storages, origin);
  io::ZipWriter zip(origin);
  zip.add("archive/data.pkl", std::move(pkl));
  for (const auto& s : storages) {
    const auto* p = static_cast<const char*>(s.data.data_ptr());
    const size_t n = static_cast<size_t>(s.data.numel()) * element_size(s.data.scalar_type());
    zip.add("archive/data/" + s.key, std::vector<char>(p, p + n));
  }
  zip.add("archive/version", {'3', '\n'});
  return zip.finish();
}

std::string file_origin(const fs::path& path) { return "checkpoint '" + path.string() + "'"; }

// Tensors of a nested dict under dotted names; other values (a module's "training" flag, numbers)
// are skipped.
void flatten(const IValue& v, const std::string& prefix, OrderedDict<std::string, Tensor>& out,
             const std::string& origin, int depth) {
  TG_CHECK(depth <= io::kMaxPickleDepth, origin, ": nested too deep");
  for (const auto& kv : v.toGenericDict()) {
    std::string key;
    if (kv.first.isString())
      key = kv.first.toStringRef();
    else if (kv.first.isInt())
      key = std::to_string(kv.first.toInt());
    else
      continue;
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (kv.second.isTensor()) {
      TG_CHECK(!out.contains(name), origin, ": the name '", name, "' appears twice");
      out.insert(name, kv.second.toTensor());
    } else if (kv.second.isGenericDict()) {
      flatten(kv.second, name, out, origin, depth + 1);
    }
  }
}

OrderedDict<std::string, Tensor> state_dict_of(const IValue& v, const std::string& origin) {
  TG_CHECK(v.isGenericDict(), origin, ": holds a ", v.tagKind(),
           ", not a state dict (a dict of tensors)");
  OrderedDict<std::string, Tensor> out("Tensor");
  flatten(v, "", out, origin, 0);
  return out;
}

bool starts_with_zip(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && is_zip(magic, 4);
}

}  // namespace

IValue pickle_load(const std::vector<char>& data) {
  return load_bytes(data.data(), data.size(), "pickle_load");
}

std::vector<char> pickle_save(const IValue& value) { return save_bytes(value, "pickle_save"); }

IValue torch_load(const fs::path& path) {
  const std::string origin = file_origin(path);
  io::ZipReader zip(path, origin);
  return read_archive(zip);
}

void torch_save(const IValue& value, const fs::path& path) {
  const std::string origin = file_origin(path);
  io::write_file_atomically(path, save_bytes(value, origin), origin);
}

OrderedDict<std::string, Tensor> load_state_dict(const fs::path& path) {
  if (!starts_with_zip(path)) return load(path);  // safetensors, with its own checks
  return state_dict_of(torch_load(path), file_origin(path));
}

IValue state_dict_value(const nn::Module& module) {
  IValue::Dict d;
  for (const auto& item : module.state_dict()) d.emplace_back(item.key(), item.value());
  return IValue::dict(std::move(d));
}

namespace detail {

void save_module_torch(const nn::Module& module, const fs::path& path) {
  torch_save(state_dict_value(module), path);
}

void load_module_any(nn::Module& module, const fs::path& path, bool strict) {
  const auto state = load_state_dict(path);
  try {
    module.load_state_dict(state, strict);
  } catch (const Error& e) {
    TG_ERROR(file_origin(path), ": ", e.what());
  }
}

}  // namespace detail

// ---- tensors

void save(const Tensor& tensor, const fs::path& path) { torch_save(IValue(tensor), path); }

void load(Tensor& tensor, const fs::path& path) {
  const std::string origin = file_origin(path);
  IValue v = torch_load(path);
  // libtorch's torch::save(tensor) writes a module whose attribute "0" is the tensor.
  if (v.isGenericDict())
    if (const IValue* t = v.find("0")) {
      IValue inner = *t;  // *t lives inside v
      v = std::move(inner);
    }
  TG_CHECK(v.isTensor(), origin, ": holds a ", v.tagKind(), ", not a tensor");
  tensor = v.toTensor();
}

void save(const std::vector<Tensor>& tensors, const fs::path& path) {
  IValue::List l(tensors.begin(), tensors.end());
  torch_save(IValue::list(std::move(l)), path);
}

void load(std::vector<Tensor>& tensors, const fs::path& path) {
  const std::string origin = file_origin(path);
  const IValue v = torch_load(path);
  std::vector<Tensor> out;
  if (v.isGenericList() || v.isTuple()) {
    for (const auto& e : v.isTuple() ? v.toTupleRef() : v.toList()) {
      TG_CHECK(e.isTensor(), origin, ": the list holds a ", e.tagKind(), ", not only tensors");
      out.push_back(e.toTensor());
    }
  } else if (v.isGenericDict()) {
    // libtorch's torch::save(std::vector<Tensor>) names them "0", "1", ...
    for (size_t i = 0;; ++i) {
      const IValue* t = v.find(std::to_string(i));
      if (!t) break;
      TG_CHECK(t->isTensor(), origin, ": entry ", i, " is a ", t->tagKind(), ", not a tensor");
      out.push_back(t->toTensor());
    }
  } else {
    TG_ERROR(origin, ": holds a ", v.tagKind(), ", not a list of tensors");
  }
  tensors = std::move(out);
}

void save(const optim::Optimizer& optimizer, const fs::path& path) {
  torch_save(optim::state_dict(optimizer), path);
}

void load(optim::Optimizer& optimizer, const fs::path& path) {
  const IValue v = torch_load(path);
  try {
    optim::load_state_dict(optimizer, v);
  } catch (const Error& e) {
    TG_ERROR(file_origin(path), ": ", e.what());
  }
}

// ---- archives

namespace serialize {

OutputArchive::OutputArchive() : value_(IValue::dict({})) {}

void OutputArchive::write(const std::string& key, const IValue& ivalue) {
  auto& d = value_.mutableDict();
  for (auto& kv : d)
    if (kv.first.toStringRef() == key) {
      kv.second = ivalue;
      return;
    }
  d.emplace_back(key, ivalue);
}

void OutputArchive::write(const std::string& key, const Tensor& tensor, bool /*is_buffer*/) {
  write(key, IValue(tensor));
}

void OutputArchive::write(const std::string& key, OutputArchive& nested_archive) {
  write(key, nested_archive.value_);
}

void OutputArchive::save_to(const std::string& filename) { torch_save(value_, filename); }

void OutputArchive::save_to(std::ostream& stream) {
  const std::vector<char> bytes = save_bytes(value_, "OutputArchive");
  stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  TG_CHECK(stream.good(), "OutputArchive: write error on the stream");
}

InputArchive::InputArchive() : value_(IValue::dict({})) {}

InputArchive::InputArchive(IValue value) : value_(std::move(value)) {
  TG_CHECK(value_.isGenericDict(), "InputArchive: the checkpoint holds a ", value_.tagKind(),
           ", not an archive (a dict)");
}

void InputArchive::load_from(const std::string& filename) {
  *this = InputArchive(torch_load(filename));
}

void InputArchive::load_from(std::istream& stream) {
  std::vector<char> bytes((std::istreambuf_iterator<char>(stream)),
                          std::istreambuf_iterator<char>());
  load_from(bytes.data(), bytes.size());
}

void InputArchive::load_from(const char* data, size_t size) {
  *this = InputArchive(load_bytes(data, size, "InputArchive"));
}

const IValue* InputArchive::find(const std::string& key) const { return value_.find(key); }

bool InputArchive::try_read(const std::string& key, IValue& ivalue) {
  const IValue* v = find(key);
  if (!v) return false;
  ivalue = *v;
  return true;
}

void InputArchive::read(const std::string& key, IValue& ivalue) {
  TG_CHECK(try_read(key, ivalue), "No such serialized IValue '", key, "'");
}

bool InputArchive::try_read(const std::string& key, Tensor& tensor, bool /*is_buffer*/) {
  const IValue* v = find(key);
  if (!v || !v->isTensor()) return false;
  const Tensor& src = v->toTensor();
  if (tensor.defined()) {
    TG_CHECK(tensor.sizes() == src.sizes(), "InputArchive: the tensor '", key, "' has shape ",
             src.sizes(), " but the destination has shape ", tensor.sizes());
    NoGradGuard no_grad;
    tensor.copy_(src);
  } else {
    tensor = src;
  }
  return true;
}

void InputArchive::read(const std::string& key, Tensor& tensor, bool is_buffer) {
  TG_CHECK(try_read(key, tensor, is_buffer), "No such serialized tensor '", key, "'");
}

bool InputArchive::try_read(const std::string& key, InputArchive& archive) {
  const IValue* v = find(key);
  if (!v || !v->isGenericDict()) return false;
  archive = InputArchive(*v);
  return true;
}

void InputArchive::read(const std::string& key, InputArchive& archive) {
  TG_CHECK(try_read(key, archive), "No such serialized submodule: '", key, "'");
}

std::vector<std::string> InputArchive::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : value_.toGenericDict())
    if (kv.first.isString()) out.push_back(kv.first.toStringRef());
  return out;
}

}  // namespace serialize
}  // namespace tg
