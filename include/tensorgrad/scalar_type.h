// Element types, scalars, devices and tensor options, with libtorch's names and PyTorch's type
// promotion rules.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>

#include "tensorgrad/error.h"

namespace tg {

enum class ScalarType : int8_t { Bool = 0, Long = 1, Float = 2, Double = 3 };

constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat64 = ScalarType::Double;
constexpr ScalarType kDouble = ScalarType::Double;

// Inline: every op asks these several times.
inline size_t element_size(ScalarType t) {
  switch (t) {
    case ScalarType::Bool:
      return 1;
    case ScalarType::Long:
      return 8;
    case ScalarType::Float:
      return 4;
    case ScalarType::Double:
      return 8;
  }
  return 0;
}
inline bool is_floating_point(ScalarType t) { return t == kFloat || t == kDouble; }
bool is_integral(ScalarType t, bool include_bool = false);
// PyTorch's name of the dtype: "torch.float32", as printed in tensor repr and messages.
const char* dtype_name(ScalarType t);
std::ostream& operator<<(std::ostream& os, ScalarType t);
// The smallest type that holds both (bool < int64 < float32 < float64).
inline ScalarType promote_types(ScalarType a, ScalarType b) {
  // The enum is ordered bool < int64 < float32 < float64, which is exactly the lattice we need.
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

template <typename T>
struct CppTypeToScalarType;
template <>
struct CppTypeToScalarType<bool> {
  static constexpr ScalarType value = kBool;
};
template <>
struct CppTypeToScalarType<int64_t> {
  static constexpr ScalarType value = kInt64;
};
template <>
struct CppTypeToScalarType<float> {
  static constexpr ScalarType value = kFloat;
};
template <>
struct CppTypeToScalarType<double> {
  static constexpr ScalarType value = kDouble;
};

namespace detail {
// The int64 range as doubles: [-2^63, 2^63). 2^63 itself is exactly representable and does not fit.
constexpr double kInt64LowAsDouble = -9223372036854775808.0;
constexpr double kInt64EndAsDouble = 9223372036854775808.0;

// A double converted to int64 as a tensor conversion (to(kLong), copy_) does it: truncation toward
// zero, and for NaN, infinities and values outside int64's range INT64_MIN, which is what x86-64's
// cvttsd2si (and so PyTorch's CPU kernels on x86) gives. Defined for every input, where
// static_cast is undefined behaviour for those.
inline int64_t double_to_int64(double v) {
  return v >= kInt64LowAsDouble && v < kInt64EndAsDouble ? static_cast<int64_t>(v) : INT64_MIN;
}

// PyTorch's report_overflow: "value cannot be converted to type <type> without overflow".
[[noreturn]] void throw_conversion_overflow(const char* type);

// A double converted to int64 as PyTorch's Scalar::toLong does it (c10::checked_convert): NaN,
// infinities and values outside int64's range are errors.
inline int64_t checked_double_to_int64(double v) {
  if (!(v >= kInt64LowAsDouble && v < kInt64EndAsDouble)) throw_conversion_overflow("int64_t");
  return static_cast<int64_t>(v);
}
}  // namespace detail

// A number passed where a tensor could be: keeps whether it was a bool, an integer or a floating
// value, since that decides the result type of `int_tensor * 2.5`.
class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };
  Scalar() : Scalar(int64_t(0)) {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v) {  // NOLINT: numbers convert implicitly, as in libtorch
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      i_ = v ? 1 : 0;
      d_ = i_;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Int;
      i_ = static_cast<int64_t>(v);
      d_ = static_cast<double>(v);
    } else {
      // Only d_ is read for a floating value; converting it to i_ here would be undefined for NaN,
      // infinities and magnitudes of 2^63 and more (a diverged loss's item()).
      kind_ = Kind::Float;
      d_ = static_cast<double>(v);
    }
  }
  Kind kind() const { return kind_; }
  bool isFloatingPoint() const { return kind_ == Kind::Float; }
  bool isIntegral(bool include_bool) const {
    return kind_ == Kind::Int || (include_bool && kind_ == Kind::Bool);
  }
  bool isBoolean() const { return kind_ == Kind::Bool; }
  double toDouble() const { return d_; }
  float toFloat() const { return static_cast<float>(d_); }
  // Checked as in PyTorch: a floating value that is NaN, infinite or outside int64's range throws
  // "value cannot be converted to type int64_t without overflow"; others are truncated.
  int64_t toLong() const { return kind_ == Kind::Float ? detail::checked_double_to_int64(d_) : i_; }
  bool toBool() const { return kind_ == Kind::Float ? d_ != 0.0 : i_ != 0; }
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) return toBool();
    else if constexpr (std::is_integral_v<T>) return static_cast<T>(toLong());
    else return static_cast<T>(d_);
  }
  // The dtype a tensor made from this number gets: bool, int64, or the default float32.
  ScalarType type() const {
    return kind_ == Kind::Bool ? kBool : kind_ == Kind::Int ? kInt64 : kFloat;
  }

 private:
  Kind kind_;
  int64_t i_ = 0;
  double d_ = 0;
};
std::ostream& operator<<(std::ostream& os, const Scalar& s);

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;

class Device {
 public:
  Device(DeviceType type = kCPU, int8_t index = -1) : type_(type), index_(index) {}  // NOLINT
  // "cpu", "cuda", "cuda:1", as libtorch parses them (implicit, as there).
  Device(const std::string& spec);                         // NOLINT
  Device(const char* spec) : Device(std::string(spec)) {}  // NOLINT
  bool has_index() const { return index_ != -1; }
  std::string str() const;
  DeviceType type() const { return type_; }
  int8_t index() const { return index_; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }
  bool operator==(const Device& o) const { return type_ == o.type_ && index_ == o.index_; }
  bool operator!=(const Device& o) const { return !(*this == o); }

 private:
  DeviceType type_;
  int8_t index_;
};
std::ostream& operator<<(std::ostream& os, const Device& d);
namespace detail {
// tensorgrad computes on the CPU only: a tensor asked to live on another device is an error, as in
// a libtorch built without CUDA. `op` names the call in the message.
void check_cpu(const Device& device, const char* op);
}  // namespace detail

// The optional settings of a new tensor, with chained setters as in libtorch.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType t) : dtype_(t) {}  // NOLINT: kFloat64 works where options are taken
  TensorOptions(DeviceType d) : device_(d) {}  // NOLINT
  TensorOptions(Device d) : device_(d) {}      // NOLINT

  TensorOptions dtype(ScalarType t) const {
    TensorOptions o = *this;
    o.dtype_ = t;
    return o;
  }
  TensorOptions dtype(std::optional<ScalarType> t) const {
    TensorOptions o = *this;
    o.dtype_ = t;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    TensorOptions o = *this;
    o.requires_grad_ = r;
    return o;
  }
  TensorOptions device(Device d) const {
    TensorOptions o = *this;
    o.device_ = d;
    return o;
  }

  ScalarType dtype() const { return dtype_.value_or(kFloat); }
  bool has_dtype() const { return dtype_.has_value(); }
  std::optional<ScalarType> dtype_opt() const { return dtype_; }
  bool requires_grad() const { return requires_grad_; }
  Device device() const { return device_; }

 private:
  std::optional<ScalarType> dtype_;
  bool requires_grad_ = false;
  Device device_;
};

inline TensorOptions dtype(ScalarType t) { return TensorOptions().dtype(t); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }
inline TensorOptions device(Device d) { return TensorOptions().device(d); }

}  // namespace tg
