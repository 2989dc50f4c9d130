#include "tensorgrad/ivalue.h"

#include <ostream>
#include <sstream>

namespace tg {

namespace {
const char* tag_name(IValue::Tag t) {
  switch (t) {
    case IValue::Tag::None:
      return "None";
    case IValue::Tag::Tensor:
      return "Tensor";
    case IValue::Tag::Double:
      return "Double";
    case IValue::Tag::Int:
      return "Int";
    case IValue::Tag::Bool:
      return "Bool";
    case IValue::Tag::String:
      return "String";
    case IValue::Tag::TensorList:
      return "TensorList";
    case IValue::Tag::DoubleList:
      return "DoubleList";
    case IValue::Tag::IntList:
      return "IntList";
    case IValue::Tag::BoolList:
      return "BoolList";
    case IValue::Tag::GenericList:
      return "GenericList";
    case IValue::Tag::Tuple:
      return "Tuple";
    case IValue::Tag::GenericDict:
      return "GenericDict";
  }
  return "Unknown";
}

template <typename T>
void print_list(std::ostream& os, const std::vector<T>& l) {
  os << "[";
  for (size_t i = 0; i < l.size(); ++i) os << (i ? ", " : "") << l[i];
  os << "]";
}
}  // namespace

IValue::IValue(const Scalar& s) {
  switch (s.type()) {
    case kBool:
      v_ = s.to<bool>();
      break;
    case kLong:
      v_ = s.to<int64_t>();
      break;
    default:
      v_ = s.to<double>();
  }
}

IValue IValue::list(List items) {
  IValue v;
  v.v_ = std::make_shared<List>(std::move(items));
  return v;
}

IValue IValue::tuple(List items) {
  IValue v;
  v.v_ = std::shared_ptr<const List>(std::make_shared<List>(std::move(items)));
  return v;
}

IValue IValue::dict(Dict items) {
  IValue v;
  v.v_ = std::make_shared<Dict>(std::move(items));
  return v;
}

const IValue* IValue::find(const std::string& key) const {
  for (const auto& kv : toGenericDict())
    if (kv.first.isString() && kv.first.toStringRef() == key) return &kv.second;
  return nullptr;
}

const void* IValue::containerId() const {
  switch (tag()) {
    case Tag::GenericList:
      return std::get<std::shared_ptr<List>>(v_).get();
    case Tag::Tuple:
      return std::get<std::shared_ptr<const List>>(v_).get();
    case Tag::GenericDict:
      return std::get<std::shared_ptr<Dict>>(v_).get();
    default:
      return nullptr;
  }
}

// libtorch keeps every list under one tag whatever its elements, and names that.
std::string IValue::tagKind() const { return isList() ? "GenericList" : tag_name(tag()); }

void IValue::throw_type_mismatch(Tag want) const {
  TG_ERROR("Expected ", tag_name(want), " but got ", tagKind());
}

Scalar IValue::toScalar() const {
  if (isDouble()) return toDouble();
  if (isInt()) return toInt();
  if (isBool()) return toBool();
  TG_ERROR("IValue is not a Scalar");
}

std::ostream& operator<<(std::ostream& os, const IValue& v) {
  switch (v.tag()) {
    case IValue::Tag::None:
      return os << "None";
    case IValue::Tag::Tensor:
      return os << v.toTensor();
    case IValue::Tag::Double: {
      // As libtorch prints it: a whole number keeps its point ("3.").
      const double d = v.toDouble();
      std::ostringstream ss;
      ss << d;
      const std::string s = ss.str();
      const bool plain = s.find_first_of(".einEIN") == std::string::npos;
      return os << s << (plain ? "." : "");
    }
    case IValue::Tag::Int:
      return os << v.toInt();
    case IValue::Tag::Bool:
      return os << (v.toBool() ? "True" : "False");
    case IValue::Tag::String:
      return os << v.toStringRef();
    case IValue::Tag::TensorList:
      print_list(os, v.toTensorList());
      return os;
    case IValue::Tag::DoubleList:
      print_list(os, v.toDoubleList());
      return os;
    case IValue::Tag::IntList:
      print_list(os, v.toIntList());
      return os;
    case IValue::Tag::BoolList: {
      const auto& l = v.toBoolList();
      os << "[";
      for (size_t i = 0; i < l.size(); ++i) os << (i ? ", " : "") << (l[i] ? "True" : "False");
      return os << "]";
    }
    case IValue::Tag::GenericList:
    case IValue::Tag::Tuple: {
      const bool tuple = v.isTuple();
      const auto& l = tuple ? v.toTupleRef() : v.toList();
      os << (tuple ? "(" : "[");
      for (size_t i = 0; i < l.size(); ++i) os << (i ? ", " : "") << l[i];
      return os << (tuple && l.size() == 1 ? ",)" : tuple ? ")" : "]");
    }
    case IValue::Tag::GenericDict: {
      os << "{";
      bool first = true;
      for (const auto& kv : v.toGenericDict()) {
        os << (first ? "" : ", ") << kv.first << ": " << kv.second;
        first = false;
      }
      return os << "}";
    }
  }
  return os;
}

}  // namespace tg
