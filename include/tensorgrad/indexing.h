// Indexing as libtorch spells it: `x.index({Slice(1, None, 2), None, "...", idx})` and
// `x.index_put_({mask}, 0)`, the C++ forms of Python's `x[1::2, None, ..., idx]` and
// `x[mask] = 0`. Integers, slices, None and Ellipsis give views; tensor and bool indices copy.
// Included by tensorgrad/tensor.h.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <type_traits>
#include <utility>

#include "tensorgrad/tensor.h"

namespace tg::indexing {

// Python's `None` inside an index: a new dim of size 1.
inline constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
// Python's `...`: as many full slices as the dims the other indices leave.
inline constexpr EllipsisIndexType Ellipsis{};

// `start:stop:step` with Python's defaults for the absent bounds; a step of 0 is refused here, a
// negative one when the slice is applied (as in PyTorch, which has no negative-step views).
class Slice {
 public:
  Slice(std::optional<int64_t> start = std::nullopt,  // NOLINT: Slice() is `:`
        std::optional<int64_t> stop = std::nullopt, std::optional<int64_t> step = std::nullopt);
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

 private:
  int64_t start_, stop_, step_;
};
std::ostream& operator<<(std::ostream& os, const Slice& s);

enum class TensorIndexType { None, Ellipsis, Integer, Boolean, Slice, Tensor };

// One entry of an index list; converts implicitly from each thing an index may be.
class TensorIndex {
 public:
  TensorIndex(std::nullopt_t) : type_(TensorIndexType::None) {}              // NOLINT
  TensorIndex(EllipsisIndexType) : type_(TensorIndexType::Ellipsis) {}       // NOLINT
  TensorIndex(const char* str);                                              // NOLINT: "..."
  TensorIndex(int64_t i) : integer_(i), type_(TensorIndexType::Integer) {}   // NOLINT
  TensorIndex(int i) : TensorIndex(static_cast<int64_t>(i)) {}               // NOLINT
  template <typename T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>  // NOLINT
  TensorIndex(T b) : boolean_(b), type_(TensorIndexType::Boolean) {}
  TensorIndex(Slice s) : slice_(s), type_(TensorIndexType::Slice) {}                // NOLINT
  TensorIndex(Tensor t) : tensor_(std::move(t)), type_(TensorIndexType::Tensor) {}  // NOLINT

  TensorIndexType type() const { return type_; }
  bool is_none() const { return type_ == TensorIndexType::None; }
  bool is_ellipsis() const { return type_ == TensorIndexType::Ellipsis; }
  bool is_integer() const { return type_ == TensorIndexType::Integer; }
  bool is_boolean() const { return type_ == TensorIndexType::Boolean; }
  bool is_slice() const { return type_ == TensorIndexType::Slice; }
  bool is_tensor() const { return type_ == TensorIndexType::Tensor; }
  int64_t integer() const { return integer_; }
  bool boolean() const { return boolean_; }
  const Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  int64_t integer_ = 0;
  bool boolean_ = false;
  Slice slice_;
  Tensor tensor_;
  TensorIndexType type_;
};
std::ostream& operator<<(std::ostream& os, const TensorIndex& i);

}  // namespace tg::indexing
