// tg::IValue: one value of a small set of types (none, a tensor, a double, an int64, a bool, a
// string, or a list of tensors, doubles, int64s or bools), as libtorch's c10::IValue holds them.
// Custom autograd functions keep their non-tensor arguments in a map of these (saved_data).
// Checkpoints (tensorgrad/serialize.h) also use the generic containers: a list or a tuple of
// IValues, and a dict with IValue keys in insertion order (Python's dict and OrderedDict).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/scalar_type.h"
#include "tensorgrad/tensor.h"

namespace tg {

class IValue {
 public:
  // The alternatives, in the order of the variant below.
  enum class Tag : uint8_t {
    None,
    Tensor,
    Double,
    Int,
    Bool,
    String,
    TensorList,
    DoubleList,
    IntList,
    BoolList,
    GenericList,
    Tuple,
    GenericDict
  };
  using List = std::vector<IValue>;
  // Key-value pairs in insertion order; keys are unique (the makers of dicts check it).
  using Dict = std::vector<std::pair<IValue, IValue>>;

  IValue() = default;
  // Implicit, as in libtorch: `ctx->saved_data["n"] = n;`.
  IValue(Tensor t) : v_(std::move(t)) {}                                   // NOLINT
  IValue(double d) : v_(d) {}                                              // NOLINT
  IValue(int64_t i) : v_(i) {}                                             // NOLINT
  IValue(int32_t i) : v_(static_cast<int64_t>(i)) {}                       // NOLINT
  IValue(bool b) : v_(b) {}                                                // NOLINT
  IValue(std::string s) : v_(std::move(s)) {}                              // NOLINT
  IValue(const char* s) : v_(std::string(s)) {}                            // NOLINT
  IValue(std::vector<Tensor> l) : v_(std::move(l)) {}                      // NOLINT
  IValue(TensorList l) : v_(std::vector<Tensor>(l.begin(), l.end())) {}    // NOLINT
  IValue(std::vector<double> l) : v_(std::move(l)) {}                      // NOLINT
  IValue(std::vector<int64_t> l) : v_(std::move(l)) {}                     // NOLINT
  IValue(IntArrayRef l) : v_(std::vector<int64_t>(l.begin(), l.end())) {}  // NOLINT
  IValue(std::vector<bool> l) : v_(std::move(l)) {}                        // NOLINT
  IValue(const Scalar& s);                                                 // NOLINT

  // Containers: named makers rather than constructors, so that a braced list of numbers still
  // means a DoubleList or an IntList.
  static IValue list(List items);
  static IValue tuple(List items);
  static IValue dict(Dict items);

  Tag tag() const { return static_cast<Tag>(v_.index()); }
  // The type's name as libtorch spells it in messages: "Double", "TensorList", ...
  std::string tagKind() const;

  bool isNone() const { return tag() == Tag::None; }
  bool isTensor() const { return tag() == Tag::Tensor; }
  bool isDouble() const { return tag() == Tag::Double; }
  bool isInt() const { return tag() == Tag::Int; }
  bool isBool() const { return tag() == Tag::Bool; }
  bool isString() const { return tag() == Tag::String; }
  bool isTensorList() const { return tag() == Tag::TensorList; }
  bool isDoubleList() const { return tag() == Tag::DoubleList; }
  bool isIntList() const { return tag() == Tag::IntList; }
  bool isBoolList() const { return tag() == Tag::BoolList; }
  bool isList() const { return tag() >= Tag::TensorList && tag() <= Tag::GenericList; }
  bool isGenericList() const { return tag() == Tag::GenericList; }
  bool isTuple() const { return tag() == Tag::Tuple; }
  bool isGenericDict() const { return tag() == Tag::GenericDict; }
  bool isScalar() const { return isDouble() || isInt() || isBool(); }

  // Each throws a tg::Error naming the expected and the held type on a mismatch.
  const Tensor& toTensor() const& { return get<Tensor>(Tag::Tensor); }
  Tensor& toTensor() & { return get<Tensor>(Tag::Tensor); }
  double toDouble() const { return get<double>(Tag::Double); }
  int64_t toInt() const { return get<int64_t>(Tag::Int); }
  bool toBool() const { return get<bool>(Tag::Bool); }
  const std::string& toStringRef() const { return get<std::string>(Tag::String); }
  const std::vector<Tensor>& toTensorList() const {
    return get<std::vector<Tensor>>(Tag::TensorList);
  }
  std::vector<Tensor> toTensorVector() const { return toTensorList(); }
  const std::vector<double>& toDoubleList() const {
    return get<std::vector<double>>(Tag::DoubleList);
  }
  std::vector<double> toDoubleVector() const { return toDoubleList(); }
  const std::vector<int64_t>& toIntList() const { return get<std::vector<int64_t>>(Tag::IntList); }
  std::vector<int64_t> toIntVector() const { return toIntList(); }
  const std::vector<bool>& toBoolList() const { return get<std::vector<bool>>(Tag::BoolList); }
  Scalar toScalar() const;
  // The elements of a GenericList (toList) or a Tuple (toTupleRef), the pairs of a GenericDict.
  const List& toList() const { return *get<std::shared_ptr<List>>(Tag::GenericList); }
  const List& toTupleRef() const { return *get<std::shared_ptr<const List>>(Tag::Tuple); }
  const Dict& toGenericDict() const { return *get<std::shared_ptr<Dict>>(Tag::GenericDict); }
  // The value under a string key of a GenericDict, or null.
  const IValue* find(const std::string& key) const;
  // Mutable access to a list or dict that this IValue shares with its copies (for builders).
  List& mutableList() { return *get<std::shared_ptr<List>>(Tag::GenericList); }
  Dict& mutableDict() { return *get<std::shared_ptr<Dict>>(Tag::GenericDict); }
  // The address of the container a list, tuple or dict shares with its copies; null otherwise.
  const void* containerId() const;

 private:
  template <typename T>
  const T& get(Tag want) const {
    if (const T* p = std::get_if<T>(&v_)) return *p;
    throw_type_mismatch(want);
  }
  template <typename T>
  T& get(Tag want) {
    if (T* p = std::get_if<T>(&v_)) return *p;
    throw_type_mismatch(want);
  }
  [[noreturn]] void throw_type_mismatch(Tag want) const;

  std::variant<std::monostate, Tensor, double, int64_t, bool, std::string, std::vector<Tensor>,
               std::vector<double>, std::vector<int64_t>, std::vector<bool>, std::shared_ptr<List>,
               std::shared_ptr<const List>, std::shared_ptr<Dict>>
      v_;
};

std::ostream& operator<<(std::ostream& os, const IValue& v);

}  // namespace tg
