// The opcodes are those of Python's Lib/pickletools.py; PyTorch writes protocol 2. Only the
// opcodes that build data are interpreted; PERSID (text persistent ids), EXT*, INST, OBJ and
// NEWOBJ_EX are refused.
#include "io/pickle.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/checked.h"
#include "core/tensor_impl.h"
#include "tensorgrad/error.h"

namespace tg::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "pickle's binary integers and PyTorch's storages are little-endian");

// Longest quoted name in an error message, so that a hostile file cannot make it huge.
constexpr size_t kMaxQuoted = 120;
// The most arguments any of the accepted callables takes.
constexpr size_t kMaxArgs = 8;

std::string quoted(const std::string& s) {
  return "'" + (s.size() > kMaxQuoted ? s.substr(0, kMaxQuoted) + "..." : s) + "'";
}

// What a GLOBAL may name.
enum class Global {
  OrderedDict,
  RebuildTensorV2,
  RebuildParameter,
  RebuildParameterWithState,
  StorageType,
  JitBuildList,     // torch.jit._pickle.build_intlist and its kin: the list itself
  JitRestoreTag,    // torch.jit._pickle.restore_type_tag(value, type): the value
  TorchScriptClass  // __torch__.*: an object, kept as the dict of its attributes
};

struct StorageTypeInfo {
  const char* name;
  bool supported;
  ScalarType dtype;
  const char* torch_dtype;
};

// PyTorch's typed storages; tensorgrad holds four of these dtypes.
const StorageTypeInfo kStorageTypes[] = {
    {"FloatStorage", true, kFloat, "torch.float32"},
    {"DoubleStorage", true, kDouble, "torch.float64"},
    {"LongStorage", true, kLong, "torch.int64"},
    {"BoolStorage", true, kBool, "torch.bool"},
    {"HalfStorage", false, kFloat, "torch.float16"},
    {"BFloat16Storage", false, kFloat, "torch.bfloat16"},
    {"IntStorage", false, kFloat, "torch.int32"},
    {"ShortStorage", false, kFloat, "torch.int16"},
    {"CharStorage", false, kFloat, "torch.int8"},
    {"ByteStorage", false, kFloat, "torch.uint8"},
    {"ComplexFloatStorage", false, kFloat, "torch.complex64"},
    {"ComplexDoubleStorage", false, kFloat, "torch.complex128"},
    {"QInt8Storage", false, kFloat, "torch.qint8"},
    {"QUInt8Storage", false, kFloat, "torch.quint8"},
    {"QInt32Storage", false, kFloat, "torch.qint32"},
};

const StorageTypeInfo* find_storage_type(const std::string& name) {
  for (const auto& t : kStorageTypes)
    if (name == t.name) return &t;
  return nullptr;
}

// One slot of the unpickler's stack or memo: a value, or one of the things that only ever appear
// as arguments (a global, a storage, a tuple holding either).
struct Item {
  enum Kind { Value, GlobalRef, Storage, ArgTuple } kind = Value;
  IValue v;
  Global global = Global::OrderedDict;
  std::string name;  // GlobalRef: "module.qualname"; Storage: its key
  const StorageTypeInfo* storage_type = nullptr;
  Tensor storage;
  std::vector<Item> args;  // ArgTuple
};

class Unpickler {
 public:
  Unpickler(const char* data, size_t size, const StorageLoader& load, const std::string& origin)
      : begin_(data), p_(data), end_(data + size), load_(load), origin_(origin) {}

  IValue run();

 private:
  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw Error(detail::concat(origin_, ": pickle data at byte ", pos_, ": ", args...));
  }

  void need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n)
      fail("truncated (", n, " more bytes needed, ", end_ - p_, " left)");
  }
  const char* take(size_t n) {
    need(n);
    const char* r = p_;
    p_ += n;
    return r;
  }
  template <typename T>
  T read_le() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  std::string read_line() {
    const char* nl =
        static_cast<const char*>(std::memchr(p_, '\n', static_cast<size_t>(end_ - p_)));
    if (!nl) fail("truncated: a line without its end");
    std::string s(p_, nl);
    p_ = nl + 1;
    return s;
  }
  std::string read_string(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_))
      fail("truncated: a string of ", n, " bytes with ", end_ - p_, " left");
    return std::string(take(static_cast<size_t>(n)), static_cast<size_t>(n));
  }

  void push(IValue v) {
    Item it;
    it.v = std::move(v);
    stack_.push_back(std::move(it));
  }
  void push_container(IValue v) {
    containers_.push_back(v);  // kept alive, so that no address is reused while unpickling
    push(std::move(v));
  }
  Item pop() {
    if (stack_.size() <= floor()) fail("stack underflow");
    Item it = std::move(stack_.back());
    stack_.pop_back();
    return it;
  }
  Item& top() {
    if (stack_.size() <= floor()) fail("stack underflow");
    return stack_.back();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<Item> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Item> items(std::make_move_iterator(stack_.begin() + static_cast<ptrdiff_t>(m)),
                            std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return items;
  }

  int depth_of(const IValue& v) const {
    const void* id = v.containerId();
    if (!id) return 0;
    auto it = depth_.find(id);
    return it == depth_.end() ? 1 : it->second;
  }
  // `child` goes into container `parent` (already counted): it may not change from now on, and
  // the parent's depth grows to cover it.
  IValue adopt(Item&& child, const void* parent) {
    if (child.kind != Item::Value)
      fail(child.kind == Item::GlobalRef ? "the class " + quoted(child.name)
                                         : std::string("a storage"),
           " cannot be stored in a container (only tensors, numbers, strings and containers)");
    if (const void* id = child.v.containerId()) {
      // A container inside itself; any longer cycle would have to change a sealed container.
      if (id == parent) fail("a container cannot contain itself");
      sealed_.insert(id);
    }
    const int d = depth_of(child.v) + 1;
    int& pd = depth_[parent];
    pd = std::max({pd, d, 1});
    if (pd > kMaxPickleDepth) fail("containers nested more than ", kMaxPickleDepth, " deep");
    return std::move(child.v);
  }
  void check_mutable(const IValue& container, const char* op) {
    if (sealed_.count(container.containerId()))
      fail(op,
           " changes a container that is already inside another one (cyclic or "
           "self-referencing data is not supported)");
  }
  IValue::List& list_of(Item& it, const char* op) {
    if (it.kind != Item::Value || !it.v.isGenericList())
      fail(op, " on something that is not a list");
    check_mutable(it.v, op);
    return it.v.mutableList();
  }

  // Built with append: GCC 12 warns (-Wrestrict, a false positive) on "s" + string here.
  std::string dict_key(const IValue& k) {
    std::string key;
    switch (k.tag()) {
      case IValue::Tag::String:
        key.reserve(k.toStringRef().size() + 1);
        key.push_back('s');
        key.append(k.toStringRef());
        return key;
      case IValue::Tag::Int:
        key.push_back('i');
        key.append(std::to_string(k.toInt()));
        return key;
      case IValue::Tag::Bool:
        return k.toBool() ? "i1" : "i0";  // True == 1 in a Python dict
      case IValue::Tag::None:
        return "n";
      default:
        fail("a dict key of type ", k.tagKind(),
             " (only strings, integers, booleans and None are supported)");
    }
  }
  void set_item(Item& dict_item, Item&& key, Item&& value, const char* op) {
    if (dict_item.kind != Item::Value || !dict_item.v.isGenericDict())
      fail(op, " on something that is not a dict");
    check_mutable(dict_item.v, op);
    const void* id = dict_item.v.containerId();
    if (key.kind != Item::Value) fail("a dict key must be a value");
    const std::string k = dict_key(key.v);
    IValue kv = adopt(std::move(key), id);
    IValue vv = adopt(std::move(value), id);
    auto& index = index_[id];
    auto& pairs = dict_item.v.mutableDict();
    auto it = index.find(k);
    if (it != index.end()) {
      pairs[it->second].second = std::move(vv);
    } else {
      index.emplace(k, pairs.size());
      pairs.emplace_back(std::move(kv), std::move(vv));
    }
  }

  void make_tuple(std::vector<Item> items) {
    bool values = true;
    for (const auto& i : items) values &= i.kind == Item::Value;
    if (!values) {
      // Only arguments (of a call, of a persistent id) hold classes and storages; keeping such a
      // tuple small keeps DUP and BINGET of it cheap.
      if (items.size() > kMaxArgs)
        fail("a tuple of ", items.size(), " items holds a class or storage");
      Item t;
      t.kind = Item::ArgTuple;
      t.args = std::move(items);
      stack_.push_back(std::move(t));
      return;
    }
    IValue tuple = IValue::tuple({});
    const void* id = tuple.containerId();
    IValue::List elems;
    elems.reserve(items.size());
    for (auto& i : items) elems.push_back(adopt(std::move(i), id));
    // A tuple is immutable: build it once with its elements, under the depth just computed.
    const int d = depth_[id];
    depth_.erase(id);
    IValue built = IValue::tuple(std::move(elems));
    depth_[built.containerId()] = std::max(d, 1);
    sealed_.insert(built.containerId());
    push_container(std::move(built));
  }

  // The elements of an argument tuple, whichever form it took. No callable takes more than
  // kMaxArgs arguments, which bounds the copying here.
  std::vector<Item> tuple_items(Item&& t, const std::string& what) {
    if (t.kind == Item::ArgTuple) return std::move(t.args);
    if (t.kind == Item::Value && t.v.isTuple()) {
      if (t.v.toTupleRef().size() > kMaxArgs)
        fail(what, " with ", t.v.toTupleRef().size(), " arguments");
      std::vector<Item> out;
      for (const auto& e : t.v.toTupleRef()) {
        Item i;
        i.v = e;
        out.push_back(std::move(i));
      }
      return out;
    }
    fail("the arguments of ", what, " are not a tuple");
  }

  void global(const std::string& module, const std::string& name);
  void reduce();
  void newobj();
  void build();
  void persistent_id();
  Tensor rebuild_tensor(std::vector<Item>& args);
  std::vector<int64_t> int_tuple(const Item& it, const char* what);

  const char* const begin_;
  const char* p_;
  const char* const end_;
  size_t pos_ = 0;
  const StorageLoader& load_;
  const std::string& origin_;
  std::vector<Item> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Item> memo_;
  std::vector<IValue> containers_;
  std::unordered_set<const void*> sealed_;
  std::unordered_set<const void*> objects_;
  std::unordered_map<const void*, int> depth_;
  std::unordered_map<const void*, std::unordered_map<std::string, size_t>> index_;
  std::map<std::string, Item> storages_;
};

void Unpickler::global(const std::string& module, const std::string& name) {
  Item g;
  g.kind = Item::GlobalRef;
  g.name = module + "." + name;
  if (module == "collections" && name == "OrderedDict") {
    g.global = Global::OrderedDict;
  } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
    g.global = Global::RebuildTensorV2;
  } else if (module == "torch._utils" && name == "_rebuild_parameter") {
    g.global = Global::RebuildParameter;
  } else if (module == "torch._utils" && name == "_rebuild_parameter_with_state") {
    g.global = Global::RebuildParameterWithState;
  } else if (module == "torch" && find_storage_type(name)) {
    g.global = Global::StorageType;
    g.storage_type = find_storage_type(name);
  } else if (module == "torch.jit._pickle" &&
             (name == "build_intlist" || name == "build_doublelist" || name == "build_boollist" ||
              name == "build_tensorlist" || name == "build_genericlist")) {
    g.global = Global::JitBuildList;
  } else if (module == "torch.jit._pickle" && name == "restore_type_tag") {
    g.global = Global::JitRestoreTag;
  } else if (module.rfind("__torch__", 0) == 0 && (module.size() == 9 || module[9] == '.')) {
    g.global = Global::TorchScriptClass;
  } else {
    fail("refusing to load the global ", quoted(g.name),
         ": only tensors, storages, containers and numbers are loaded (loading never runs code "
         "from the file)");
  }
  stack_.push_back(std::move(g));
}

std::vector<int64_t> Unpickler::int_tuple(const Item& it, const char* what) {
  if (it.kind != Item::Value || !it.v.isTuple())
    fail("_rebuild_tensor_v2: ", what, " is not a tuple");
  std::vector<int64_t> out;
  for (const auto& e : it.v.toTupleRef()) {
    if (!e.isInt()) fail("_rebuild_tensor_v2: ", what, " holds a ", e.tagKind());
    if (e.toInt() < 0) fail("_rebuild_tensor_v2: negative ", what, " ", e.toInt());
    out.push_back(e.toInt());
  }
  return out;
}

Tensor Unpickler::rebuild_tensor(std::vector<Item>& args) {
  if (args.size() < 6 || args.size() > 7)
    fail("_rebuild_tensor_v2 takes 6 or 7 arguments, got ", args.size());
  if (args[0].kind != Item::Storage)
    fail("_rebuild_tensor_v2: the first argument is not a storage");
  if (args[1].kind != Item::Value || !args[1].v.isInt())
    fail("_rebuild_tensor_v2: the storage offset is not an integer");
  const int64_t offset = args[1].v.toInt();
  const std::vector<int64_t> sizes = int_tuple(args[2], "size");
  const std::vector<int64_t> strides = int_tuple(args[3], "stride");
  if (sizes.size() != strides.size())
    fail("_rebuild_tensor_v2: ", sizes.size(), " sizes but ", strides.size(), " strides");
  if (args[4].kind != Item::Value || !args[4].v.isBool())
    fail("_rebuild_tensor_v2: requires_grad is not a bool");
  // Backward hooks are Python functions: a checkpoint never has any.
  if (args[5].kind != Item::Value || !args[5].v.isGenericDict() ||
      !args[5].v.toGenericDict().empty())
    fail("_rebuild_tensor_v2: backward hooks are not supported");
  const Tensor& base = args[0].storage;
  const ScalarType dtype = base.scalar_type();
  const size_t itemsize = element_size(dtype);
  if (offset < 0) fail("_rebuild_tensor_v2: negative storage offset ", offset);
  size_t needed;
  try {
    needed = checked::storage_bytes(sizes, strides, itemsize, offset);
  } catch (const Error& e) {
    fail("_rebuild_tensor_v2: ", e.what());
  }
  const size_t have = static_cast<size_t>(base.numel()) * itemsize;
  if (needed > have || static_cast<size_t>(offset) * itemsize > have)
    fail("_rebuild_tensor_v2: a tensor of size ", IntArrayRef(sizes), ", stride ",
         IntArrayRef(strides), " and offset ", offset, " needs ", needed,
         " bytes but its storage has ", have);
  auto impl = make_pooled<TensorImpl>();
  impl->storage = impl_of(base)->storage;
  impl->offset = offset;
  impl->sizes = IntArrayRef(sizes);
  impl->strides = IntArrayRef(strides);
  impl->dtype = dtype;
  impl->refresh();
  Tensor t(std::move(impl));
  if (args[4].v.toBool()) {
    if (!is_floating_point(dtype))
      fail("_rebuild_tensor_v2: only floating-point tensors can require gradients, not ",
           dtype_name(dtype));
    t.set_requires_grad(true);
  }
  return t;
}

void Unpickler::reduce() {
  Item args_item = pop();
  Item callable = pop();
  if (callable.kind != Item::GlobalRef) fail("REDUCE calls something that is not a known global");
  std::vector<Item> args = tuple_items(std::move(args_item), callable.name);
  switch (callable.global) {
    case Global::OrderedDict: {
      if (!args.empty()) fail("collections.OrderedDict called with arguments");
      push_container(IValue::dict({}));
      return;
    }
    case Global::RebuildTensorV2:
      push(rebuild_tensor(args));
      return;
    case Global::RebuildParameter:
    case Global::RebuildParameterWithState: {
      const size_t n = callable.global == Global::RebuildParameter ? 3 : 4;
      if (args.size() != n) fail(callable.name, " takes ", n, " arguments, got ", args.size());
      if (args[0].kind != Item::Value || !args[0].v.isTensor())
        fail(callable.name, ": the data is not a tensor");
      if (args[1].kind != Item::Value || !args[1].v.isBool())
        fail(callable.name, ": requires_grad is not a bool");
      if (args[2].kind != Item::Value || !args[2].v.isGenericDict() ||
          !args[2].v.toGenericDict().empty())
        fail(callable.name, ": backward hooks are not supported");
      Tensor t = args[0].v.toTensor();
      if (args[1].v.toBool() != t.requires_grad()) {
        if (args[1].v.toBool() && !is_floating_point(t.scalar_type()))
          fail(callable.name, ": only floating-point tensors can require gradients");
        t.set_requires_grad(args[1].v.toBool());
      }
      push(std::move(t));
      return;
    }
    case Global::JitBuildList: {
      if (args.size() != 1 || args[0].kind != Item::Value || !args[0].v.isGenericList())
        fail(callable.name, " takes one list");
      stack_.push_back(std::move(args[0]));
      return;
    }
    case Global::JitRestoreTag: {
      if (args.size() != 2 || args[0].kind != Item::Value)
        fail(callable.name, " takes 2 arguments");
      stack_.push_back(std::move(args[0]));
      return;
    }
    case Global::StorageType:
    case Global::TorchScriptClass:
      fail("the class ", quoted(callable.name), " cannot be called");
  }
}

void Unpickler::newobj() {
  Item args_item = pop();
  Item cls = pop();
  if (cls.kind != Item::GlobalRef) fail("NEWOBJ on something that is not a known class");
  std::vector<Item> args = tuple_items(std::move(args_item), cls.name);
  if (!args.empty()) fail("NEWOBJ ", quoted(cls.name), " with arguments");
  if (cls.global != Global::TorchScriptClass && cls.global != Global::OrderedDict)
    fail("NEWOBJ ", quoted(cls.name), " is not supported");
  IValue obj = IValue::dict({});
  if (cls.global == Global::TorchScriptClass) objects_.insert(obj.containerId());
  push_container(std::move(obj));
}

void Unpickler::build() {
  Item state = pop();
  Item& target = top();
  if (target.kind != Item::Value || !target.v.isGenericDict())
    fail("BUILD on something that is not an object or a dict");
  const bool object = objects_.count(target.v.containerId()) != 0;
  if (!object) {
    // An OrderedDict's own attributes (a state_dict's _metadata: versions of the modules' layouts).
    if (state.kind != Item::Value || !(state.v.isGenericDict() || state.v.isNone()))
      fail("BUILD on a dict with a state that is not a dict");
    return;
  }
  if (state.kind == Item::Value && state.v.isGenericDict()) {
    // Its items are copied into the object: a state used once keeps the copying linear in the
    // file (libtorch writes a fresh dict for every object).
    if (!sealed_.insert(state.v.containerId()).second)
      fail("the state of an object is used twice, or is inside another container");
    for (const auto& kv : state.v.toGenericDict()) {
      Item k, v;
      k.v = kv.first;
      v.v = kv.second;
      set_item(target, std::move(k), std::move(v), "BUILD");
    }
  } else {
    // An object with __setstate__: its state, whatever it is, under one key.
    Item k;
    k.v = std::string("__state__");
    set_item(target, std::move(k), std::move(state), "BUILD");
  }
}

void Unpickler::persistent_id() {
  Item pid = pop();
  if (pid.kind == Item::Value && pid.v.isTuple())
    pid = [&] {
      Item t;
      t.kind = Item::ArgTuple;
      t.args = tuple_items(std::move(pid), "a persistent id");
      return t;
    }();
  if (pid.kind != Item::ArgTuple || pid.args.size() != 5)
    fail("a persistent id that is not ('storage', type, key, location, numel)");
  auto& a = pid.args;
  if (a[0].kind != Item::Value || !a[0].v.isString() || a[0].v.toStringRef() != "storage")
    fail("a persistent id that does not name a storage");
  if (a[1].kind != Item::GlobalRef || a[1].global != Global::StorageType)
    fail("a persistent id whose storage type is not one of torch's storages");
  if (a[2].kind != Item::Value || !a[2].v.isString()) fail("a storage key that is not a string");
  if (a[3].kind != Item::Value || !a[3].v.isString())
    fail("a storage location that is not a string");
  if (a[4].kind != Item::Value || !a[4].v.isInt() || a[4].v.toInt() < 0)
    fail("a storage size that is not a non-negative integer");
  const StorageTypeInfo& type = *a[1].storage_type;
  const std::string& key = a[2].v.toStringRef();
  const int64_t numel = a[4].v.toInt();
  if (!type.supported)
    fail("storage ", quoted(key), " holds ", type.torch_dtype, " (torch.", type.name,
         "), a dtype tensorgrad does not have (it has float32, float64, int64 and bool)");
  const std::string& location = a[3].v.toStringRef();
  if (location != "cpu" && location.rfind("cuda", 0) != 0)
    fail("storage ", quoted(key), " is on device ", quoted(location));
  auto it = storages_.find(key);
  if (it != storages_.end()) {
    if (it->second.storage.scalar_type() != type.dtype || it->second.storage.numel() != numel)
      fail("storage ", quoted(key), " is named twice with different types or sizes");
    stack_.push_back(it->second);
    return;
  }
  Item s;
  s.kind = Item::Storage;
  s.name = key;
  s.storage = load_(key, type.dtype, numel);
  storages_.emplace(key, s);
  stack_.push_back(std::move(s));
}

IValue Unpickler::run() {
  for (;;) {
    pos_ = static_cast<size_t>(p_ - begin_);
    const auto op = static_cast<unsigned char>(*take(1));
    switch (op) {
      case 0x80:  // PROTO
        if (static_cast<unsigned char>(*take(1)) > 5) fail("unknown pickle protocol");
        break;
      case 0x95:  // FRAME: a length hint
        take(8);
        break;
      case '.': {  // STOP
        Item result = pop();
        if (result.kind != Item::Value) fail("the pickle's result is not a value");
        return std::move(result.v);
      }
      case '(':  // MARK
        marks_.push_back(stack_.size());
        break;
      case '0':  // POP
        pop();
        break;
      case '1':  // POP_MARK
        pop_mark();
        break;
      case '2': {  // DUP
        Item copy = top();
        stack_.push_back(std::move(copy));
        break;
      }
      case 'N':
        push(IValue());
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 'J':
        push(static_cast<int64_t>(read_le<int32_t>()));
        break;
      case 'K':
        push(static_cast<int64_t>(read_le<uint8_t>()));
        break;
      case 'M':
        push(static_cast<int64_t>(read_le<uint16_t>()));
        break;
      case 0x8a:    // LONG1
      case 0x8b: {  // LONG4
        const uint64_t n = op == 0x8a ? read_le<uint8_t>() : read_le<uint32_t>();
        if (n > 8) fail("an integer of ", n, " bytes does not fit 64 bits");
        const char* b = take(static_cast<size_t>(n));
        uint64_t u = 0;
        for (uint64_t i = 0; i < n; ++i)
          u |= static_cast<uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
        if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80))
          u |= ~uint64_t{0} << (8 * n);  // sign extension
        push(static_cast<int64_t>(u));
        break;
      }
      case 'I': {  // INT, as text ("I01\n" is True in protocol 0)
        const std::string s = read_line();
        if (s == "01" || s == "00") {
          push(s == "01");
          break;
        }
        size_t used = 0;
        int64_t v = 0;
        try {
          v = std::stoll(s, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != s.size()) fail("INT with an invalid number ", quoted(s));
        push(v);
        break;
      }
      case 'G': {  // BINFLOAT: big-endian
        const char* b = take(8);
        uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(b[i]);
        push(std::bit_cast<double>(u));
        break;
      }
      case 'X':
        push(read_string(read_le<uint32_t>()));
        break;
      case 0x8c:
        push(read_string(read_le<uint8_t>()));
        break;
      case 0x8d:
        push(read_string(read_le<uint64_t>()));
        break;
      case 'U':  // SHORT_BINSTRING
      case 'C':  // SHORT_BINBYTES
        push(read_string(read_le<uint8_t>()));
        break;
      case 'T': {  // BINSTRING
        const int32_t n = read_le<int32_t>();
        if (n < 0) fail("a string of negative length");
        push(read_string(static_cast<uint64_t>(n)));
        break;
      }
      case 'B':
        push(read_string(read_le<uint32_t>()));
        break;
      case 0x8e:
        push(read_string(read_le<uint64_t>()));
        break;
      case '}':
        push_container(IValue::dict({}));
        break;
      case ']':
        push_container(IValue::list({}));
        break;
      case ')':
        make_tuple({});
        break;
      case 't':
        make_tuple(pop_mark());
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const size_t n = op - 0x84u;
        if (stack_.size() < floor() + n) fail("stack underflow");
        std::vector<Item> items(std::make_move_iterator(stack_.end() - static_cast<ptrdiff_t>(n)),
                                std::make_move_iterator(stack_.end()));
        stack_.resize(stack_.size() - n);
        make_tuple(std::move(items));
        break;
      }
      case 'l': {  // LIST
        std::vector<Item> items = pop_mark();
        push_container(IValue::list({}));
        Item& l = stack_.back();
        for (auto& i : items) list_of(l, "LIST").push_back(adopt(std::move(i), l.v.containerId()));
        break;
      }
      case 'd': {  // DICT
        std::vector<Item> items = pop_mark();
        if (items.size() % 2) fail("DICT with an odd number of items");
        push_container(IValue::dict({}));
        for (size_t i = 0; i < items.size(); i += 2)
          set_item(stack_.back(), std::move(items[i]), std::move(items[i + 1]), "DICT");
        break;
      }
      case 'a': {  // APPEND
        Item v = pop();
        Item& l = top();
        auto& list = list_of(l, "APPEND");
        list.push_back(adopt(std::move(v), l.v.containerId()));
        break;
      }
      case 'e': {  // APPENDS
        std::vector<Item> items = pop_mark();
        Item& l = top();
        auto& list = list_of(l, "APPENDS");
        for (auto& i : items) list.push_back(adopt(std::move(i), l.v.containerId()));
        break;
      }
      case 's': {  // SETITEM
        Item v = pop();
        Item k = pop();
        set_item(top(), std::move(k), std::move(v), "SETITEM");
        break;
      }
      case 'u': {  // SETITEMS
        std::vector<Item> items = pop_mark();
        if (items.size() % 2) fail("SETITEMS with an odd number of items");
        Item& d = top();
        for (size_t i = 0; i < items.size(); i += 2)
          set_item(d, std::move(items[i]), std::move(items[i + 1]), "SETITEMS");
        break;
      }
      case 'c': {  // GLOBAL
        const std::string module = read_line();
        const std::string name = read_line();
        global(module, name);
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        Item name = pop();
        Item module = pop();
        if (name.kind != Item::Value || module.kind != Item::Value || !name.v.isString() ||
            !module.v.isString())
          fail("STACK_GLOBAL with names that are not strings");
        global(module.v.toStringRef(), name.v.toStringRef());
        break;
      }
      case 'q':
      case 'r':
      case 0x94: {  // BINPUT, LONG_BINPUT, MEMOIZE
        const uint64_t idx = op == 'q'   ? read_le<uint8_t>()
                             : op == 'r' ? read_le<uint32_t>()
                                         : memo_.size();
        memo_[idx] = top();
        break;
      }
      case 'h':
      case 'j': {  // BINGET, LONG_BINGET
        const uint64_t idx = op == 'h' ? read_le<uint8_t>() : read_le<uint32_t>();
        auto it = memo_.find(idx);
        if (it == memo_.end()) fail("memo entry ", idx, " is read before it is written");
        stack_.push_back(it->second);
        break;
      }
      case 'R':
        reduce();
        break;
      case 0x81:
        newobj();
        break;
      case 'b':
        build();
        break;
      case 'Q':
        persistent_id();
        break;
      default:
        if (op >= 0x20 && op < 0x7f)
          fail("unsupported pickle opcode '", static_cast<char>(op), "'");
        fail("unsupported pickle opcode ", static_cast<int>(op));
    }
  }
}

// ---- writing

class Pickler {
 public:
  Pickler(std::vector<PickledStorage>* storages, const std::string& origin)
      : storages_(storages), origin_(origin) {}

  std::vector<char> run(const IValue& v) {
    op(0x80);
    op(2);
    value(v, 0);
    op('.');
    return std::move(out_);
  }

 private:
  void op(int c) { out_.push_back(static_cast<char>(c)); }
  void bytes(const void* p, size_t n) {
    out_.insert(out_.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  }
  template <typename T>
  void le(T v) {
    bytes(&v, sizeof(T));
  }
  void str(const std::string& s) {
    TG_CHECK(s.size() <= UINT32_MAX, origin_, ": a string of ", s.size(), " bytes");
    op('X');
    le(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      op('K');
      le(static_cast<uint8_t>(v));
    } else if (v >= 0 && v < 65536) {
      op('M');
      le(static_cast<uint16_t>(v));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      le(static_cast<int32_t>(v));
    } else {
      op(0x8a);
      op(8);
      le(v);
    }
  }
  void global(const char* module, const char* name) {
    op('c');
    bytes(module, std::strlen(module));
    op('\n');
    bytes(name, std::strlen(name));
    op('\n');
  }
  void int_tuple(IntArrayRef v) {
    if (v.empty()) {
      op(')');
      return;
    }
    op('(');
    for (int64_t x : v) integer(x);
    op('t');
  }

  void tensor(const Tensor& t) {
    TG_CHECK(t.defined(), origin_, ": cannot save an undefined tensor");
    const TensorImpl* impl = impl_of(t);
    const ScalarType dtype = impl->dtype;
    const size_t itemsize = element_size(dtype);
    const void* sid = impl->storage.get();
    auto it = keys_.find(sid);
    if (it == keys_.end()) {
      const std::string key = std::to_string(storages_->size());
      it = keys_.emplace(sid, std::make_pair(key, dtype)).first;
      const int64_t numel = static_cast<int64_t>(impl->storage->nbytes / itemsize);
      auto whole = make_pooled<TensorImpl>();
      whole->storage = impl->storage;
      whole->dtype = dtype;
      whole->sizes = IntArrayRef({numel});
      whole->strides = IntArrayRef({int64_t{1}});
      whole->refresh();
      storages_->push_back({key, Tensor(std::move(whole))});
    }
    TG_CHECK(it->second.second == dtype, origin_,
             ": two tensors share a storage with different dtypes");
    const char* storage_type = dtype == kFloat    ? "FloatStorage"
                               : dtype == kDouble ? "DoubleStorage"
                               : dtype == kLong   ? "LongStorage"
                                                  : "BoolStorage";
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('(');
    str("storage");
    global("torch", storage_type);
    str(it->second.first);
    str("cpu");
    integer(static_cast<int64_t>(impl->storage->nbytes / itemsize));
    op('t');
    op('Q');
    integer(impl->offset);
    int_tuple(t.sizes());
    int_tuple(t.strides());
    op(t.requires_grad() ? 0x88 : 0x89);
    global("collections", "OrderedDict");
    op(')');
    op('R');
    op('t');
    op('R');
  }

  void value(const IValue& v, int depth) {
    TG_CHECK(depth <= kMaxPickleDepth, origin_, ": containers nested more than ", kMaxPickleDepth,
             " deep");
    switch (v.tag()) {
      case IValue::Tag::None:
        op('N');
        return;
      case IValue::Tag::Bool:
        op(v.toBool() ? 0x88 : 0x89);
        return;
      case IValue::Tag::Int:
        integer(v.toInt());
        return;
      case IValue::Tag::Double: {
        op('G');
        uint64_t u = std::bit_cast<uint64_t>(v.toDouble());
        for (int i = 7; i >= 0; --i) op(static_cast<int>((u >> (8 * i)) & 0xff));
        return;
      }
      case IValue::Tag::String:
        str(v.toStringRef());
        return;
      case IValue::Tag::Tensor:
        tensor(v.toTensor());
        return;
      case IValue::Tag::TensorList:
        list(v.toTensorList(), depth);
        return;
      case IValue::Tag::DoubleList:
        list(v.toDoubleList(), depth);
        return;
      case IValue::Tag::IntList:
        list(v.toIntList(), depth);
        return;
      case IValue::Tag::BoolList: {
        std::vector<IValue> l;
        for (bool b : v.toBoolList()) l.emplace_back(b);
        list(l, depth);
        return;
      }
      case IValue::Tag::GenericList:
        list(v.toList(), depth);
        return;
      case IValue::Tag::Tuple: {
        const auto& l = v.toTupleRef();
        if (l.empty()) {
          op(')');
          return;
        }
        op('(');
        for (const auto& e : l) value(e, depth + 1);
        op('t');
        return;
      }
      case IValue::Tag::GenericDict: {
        op('}');
        const auto& d = v.toGenericDict();
        if (d.empty()) return;
        op('(');
        for (const auto& kv : d) {
          value(kv.first, depth + 1);
          value(kv.second, depth + 1);
        }
        op('u');
        return;
      }
    }
  }

  template <typename T>
  void list(const std::vector<T>& l, int depth) {
    op(']');
    if (l.empty()) return;
    op('(');
    for (const auto& e : l) value(IValue(e), depth + 1);
    op('e');
  }

  std::vector<PickledStorage>* storages_;
  const std::string& origin_;
  std::unordered_map<const void*, std::pair<std::string, ScalarType>> keys_;
  std::vector<char> out_;
};

}  // namespace

IValue unpickle(const char* data, size_t size, const StorageLoader& load_storage,
                const std::string& origin) {
  Unpickler u(data, size, load_storage, origin);
  return u.run();
}

std::vector<char> pickle(const IValue& value, std::vector<PickledStorage>* storages,
                         const std::string& origin) {
  Pickler p(storages, origin);
  return p.run(value);
}

}  // namespace tg::io
