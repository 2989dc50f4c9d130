// TG_ARG declares an option with a chained setter and a getter, as libtorch's TORCH_ARG:
// `LinearOptions(1, 2).bias(false)` sets, `options.bias()` reads.
#pragma once

#define TG_ARG(T, name)                                       \
 public:                                                      \
  inline auto name(const T& new_##name)->decltype(*this) {    \
    this->name##_ = new_##name;                               \
    return *this;                                             \
  }                                                           \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }         \
                                                              \
 private:                                                     \
  T name##_
