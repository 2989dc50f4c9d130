#include "tensorgrad/scalar_type.h"

#include "tensorgrad/array_ref.h"

namespace tg {

namespace detail {
void throw_conversion_overflow(const char* type) {
  TG_ERROR("value cannot be converted to type ", type, " without overflow");
}
}  // namespace detail

bool is_integral(ScalarType t, bool include_bool) {
  return t == kLong || (include_bool && t == kBool);
}

const char* dtype_name(ScalarType t) {
  switch (t) {
    case kBool: return "torch.bool";
    case kLong: return "torch.int64";
    case kFloat: return "torch.float32";
    case kDouble: return "torch.float64";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, ScalarType t) {
  switch (t) {
    case kBool: return os << "Bool";
    case kLong: return os << "Long";
    case kFloat: return os << "Float";
    case kDouble: return os << "Double";
  }
  return os;
}

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool: return os << (s.toBool() ? "true" : "false");
    case Scalar::Kind::Int: return os << s.toLong();
    case Scalar::Kind::Float: return os << s.toDouble();
  }
  return os;
}

std::ostream& operator<<(std::ostream& os, const Device& d) {
  os << (d.is_cpu() ? "cpu" : "cuda");
  if (d.index() >= 0) os << ":" << int(d.index());
  return os;
}

std::ostream& operator<<(std::ostream& os, IntArrayRef a) {
  os << "[";
  for (size_t i = 0; i < a.size(); ++i) os << (i ? ", " : "") << a[i];
  return os << "]";
}

}  // namespace tg
