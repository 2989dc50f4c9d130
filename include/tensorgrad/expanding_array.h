// ExpandingArray<D>: D integers given either as one value (repeated D times) or as D values, as
// libtorch's kernel_size/stride/padding options take them: `Conv2dOptions(3, 8, 5)` and
// `Conv2dOptions(3, 8, {5, 3})` both work.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/error.h"

namespace tg {

template <size_t D, typename T = int64_t>
class ExpandingArray {
 public:
  ExpandingArray(T single) { values_.fill(single); }  // NOLINT: implicit, as in libtorch
  ExpandingArray(std::initializer_list<T> list) : ExpandingArray(std::vector<T>(list)) {}
  ExpandingArray(const std::vector<T>& values) {  // NOLINT
    if (values.size() != D) {
      throw Error("Expected " + std::to_string(D) + " values, but instead got " +
                  std::to_string(values.size()));
    }
    for (size_t i = 0; i < D; ++i) values_[i] = values[i];
  }
  ExpandingArray(const std::array<T, D>& values) : values_(values) {}  // NOLINT

  T* data() { return values_.data(); }
  const T* data() const { return values_.data(); }
  static constexpr size_t size() { return D; }
  T& operator[](size_t i) { return values_[i]; }
  const T& operator[](size_t i) const { return values_[i]; }
  T* operator->() { return values_.data(); }
  std::array<T, D>& operator*() { return values_; }
  const std::array<T, D>& operator*() const { return values_; }
  operator std::vector<T>() const { return std::vector<T>(values_.begin(), values_.end()); }
  std::vector<T> vec() const { return std::vector<T>(values_.begin(), values_.end()); }
  operator ArrayRef<T>() const { return ArrayRef<T>(values_.data(), D); }  // NOLINT
  bool operator==(const ExpandingArray& other) const { return values_ == other.values_; }
  bool operator!=(const ExpandingArray& other) const { return values_ != other.values_; }

 private:
  std::array<T, D> values_{};
};

// Like ExpandingArray, but a value may be left out (nullopt), as the output sizes of the adaptive
// pooling layers: `AdaptiveAvgPool2dOptions({std::nullopt, 7})` keeps the input's height.
template <size_t D, typename T = int64_t>
class ExpandingArrayWithOptionalElem : public ExpandingArray<D, std::optional<T>> {
 public:
  using ExpandingArray<D, std::optional<T>>::ExpandingArray;
  ExpandingArrayWithOptionalElem(T single)  // NOLINT
      : ExpandingArray<D, std::optional<T>>(std::optional<T>(single)) {}
  ExpandingArrayWithOptionalElem(std::initializer_list<T> list)
      : ExpandingArray<D, std::optional<T>>(
            std::vector<std::optional<T>>(list.begin(), list.end())) {}
};

}  // namespace tg
