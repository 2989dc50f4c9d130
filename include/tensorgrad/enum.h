// libtorch's enum tags: `torch::kReflect`, `torch::kSame`, `torch::kBilinear`... Each tag is its
// own empty type so that an option can be a std::variant of exactly the tags it accepts (a padding
// mode of the convolutions accepts kZeros but an interpolation mode does not) and a wrong tag is a
// compile error, as in libtorch. `enumtype::get_enum_name(v)` gives a variant's tag as text, for
// error messages and printing.
#pragma once

#include <string>
#include <variant>

namespace tg {
namespace enumtype {

// (kLinear, kReLU, kFanIn and the other nonlinearity and fan tags of nn/init.h are plain enums,
// since no option holds them in a variant.)
#define TG_ENUM_TAGS(X)                                                                     \
  X(Constant, "kConstant")                                                                  \
  X(Reflect, "kReflect") X(Replicate, "kReplicate") X(Circular, "kCircular")                \
      X(Nearest, "kNearest") X(NearestExact, "kNearestExact") X(Bilinear, "kBilinear")      \
          X(Bicubic, "kBicubic") X(Trilinear, "kTrilinear") X(Area, "kArea") X(Max, "kMax") \
              X(Zeros, "kZeros") X(Border, "kBorder") X(Reflection, "kReflection")          \
                  X(Same, "kSame") X(Valid, "kValid")

#define TG_ENUM_TAG_TYPE(Name, text)                       \
  struct k##Name {                                         \
    static const char* name() { return text; }             \
    bool operator==(const k##Name&) const { return true; } \
  };
TG_ENUM_TAGS(TG_ENUM_TAG_TYPE)
#undef TG_ENUM_TAG_TYPE

template <typename... Tags>
std::string get_enum_name(const std::variant<Tags...>& v) {
  return std::visit([](const auto& tag) { return std::string(tag.name()); }, v);
}

}  // namespace enumtype

// The tag values, as torch::kReflect etc. (kSum, kMean and kNone are the Reduction values of
// nn/options.h.)
#define TG_ENUM_TAG_VALUE(Name, text) inline const enumtype::k##Name k##Name{};
TG_ENUM_TAGS(TG_ENUM_TAG_VALUE)
#undef TG_ENUM_TAG_VALUE

}  // namespace tg
