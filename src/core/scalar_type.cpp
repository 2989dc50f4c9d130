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

// c10/core/Device.cpp's grammar: a type name, then optionally ':' and a decimal index.
Device::Device(const std::string& spec) : type_(kCPU), index_(-1) {
  TG_CHECK(!spec.empty(), "Device string must not be empty");
  const size_t colon = spec.find(':');
  const std::string type = spec.substr(0, colon);
  if (type == "cpu") {
    type_ = kCPU;
  } else if (type == "cuda") {
    type_ = kCUDA;
  } else {
    TG_ERROR("Expected one of cpu, cuda device type at start of device string: ", spec);
  }
  if (colon != std::string::npos) {
    const std::string index = spec.substr(colon + 1);
    const bool digits = !index.empty() && index.size() <= 3 &&
                        index.find_first_not_of("0123456789") == std::string::npos &&
                        (index.size() == 1 || index[0] != '0');
    TG_CHECK(digits && std::stoi(index) <= 127, "Invalid device string: '", spec, "'");
    index_ = static_cast<int8_t>(std::stoi(index));
  }
  TG_CHECK(!is_cpu() || index_ <= 0, "CPU device index must be -1 or zero, got ", int(index_));
}

std::string Device::str() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

namespace detail {
void check_cpu(const Device& device, const char* op) {
  TG_CHECK(device.is_cpu(), op, ": cannot place a tensor on device ", device,
           ": Torch not compiled with CUDA enabled (tensorgrad computes on the CPU only, and "
           "torch::cuda::is_available() is false)");
}
}  // namespace detail

std::ostream& operator<<(std::ostream& os, IntArrayRef a) {
  os << "[";
  for (size_t i = 0; i < a.size(); ++i) os << (i ? ", " : "") << a[i];
  return os << "]";
}

}  // namespace tg
