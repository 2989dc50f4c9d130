// Shapes: IntArrayRef is a non-owning view of int64 values (sizes, strides, dims), as in libtorch;
// SmallVector keeps up to N values inline so that a tensor's shape costs no heap allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <vector>

namespace tg {

template <typename T>
class ArrayRef {
 public:
  using value_type = T;
  using const_iterator = const T*;
  using iterator = const T*;
  constexpr ArrayRef() = default;
  constexpr ArrayRef(const T* data, size_t n) : data_(data), size_(n) {}
  ArrayRef(const T& one) : data_(&one), size_(1) {}  // NOLINT: a single value, as libtorch
  ArrayRef(const std::vector<T>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT
// A braced list lives until the end of the full expression, which is as long as an argument needs.
// (GCC's warning only: clang has no -Winit-list-lifetime and would warn about the pragma.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  constexpr ArrayRef(const std::initializer_list<T>& l)  // NOLINT
      : data_(l.begin() == l.end() ? nullptr : l.begin()), size_(l.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T& front() const { return data_[0]; }
  const T& back() const { return data_[size_ - 1]; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  bool equals(ArrayRef other) const {
    if (size_ != other.size_) return false;
    for (size_t i = 0; i < size_; ++i)
      if (data_[i] != other.data_[i]) return false;
    return true;
  }
  ArrayRef slice(size_t start, size_t n) const { return ArrayRef(data_ + start, n); }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

template <typename T>
bool operator==(ArrayRef<T> a, ArrayRef<T> b) {
  return a.equals(b);
}
template <typename T>
bool operator!=(ArrayRef<T> a, ArrayRef<T> b) {
  return !a.equals(b);
}
template <typename T>
bool operator==(ArrayRef<T> a, const std::vector<T>& b) {
  return a.equals(ArrayRef<T>(b));
}
template <typename T>
bool operator==(const std::vector<T>& a, ArrayRef<T> b) {
  return b.equals(ArrayRef<T>(a));
}

using IntArrayRef = ArrayRef<int64_t>;

// Prints like a Python list, the way shapes appear in messages: [2, 3].
std::ostream& operator<<(std::ostream& os, IntArrayRef a);

// A vector of int64 that stores up to N elements inline.
template <size_t N>
class SmallVector {
 public:
  SmallVector() = default;
  explicit SmallVector(size_t n, int64_t value = 0) { assign(n, value); }
  SmallVector(IntArrayRef a) { assign(a.begin(), a.end()); }  // NOLINT
  SmallVector(std::initializer_list<int64_t> l) { assign(l.begin(), l.end()); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  // Straight into the elements (converting to a SmallVector first would copy them twice).
  SmallVector& operator=(IntArrayRef a) {
    assign(a.begin(), a.end());
    return *this;
  }
  SmallVector(SmallVector&& o) noexcept { move_from(o); }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      release();
      move_from(o);
    }
    return *this;
  }
  ~SmallVector() { release(); }

  void assign(size_t n, int64_t value) {
    reserve(n);
    for (size_t i = 0; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void assign(const int64_t* b, const int64_t* e) {
    size_t n = static_cast<size_t>(e - b);
    reserve(n);
    // An element loop, not memmove: shapes have a handful of elements, and a library call costs
    // more than copying them. Copying forward is right even for a suffix of this vector.
    for (size_t i = 0; i < n; ++i) data_[i] = b[i];
    size_ = n;
  }
  // Sets the size to n without writing the elements (the caller writes every one of them).
  void resize_for_overwrite(size_t n) {
    reserve(n);
    size_ = n;
  }
  void resize(size_t n, int64_t value = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data_[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    reserve(size_ + 1);
    for (size_t i = size_; i > pos; --i) data_[i] = data_[i - 1];
    data_[pos] = v;
    ++size_;
  }
  void erase(size_t pos) {
    for (size_t i = pos; i + 1 < size_; ++i) data_[i] = data_[i + 1];
    --size_;
  }
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return data_; }
  const int64_t* data() const { return data_; }
  int64_t* begin() { return data_; }
  int64_t* end() { return data_ + size_; }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  int64_t& operator[](size_t i) { return data_[i]; }
  const int64_t& operator[](size_t i) const { return data_[i]; }
  int64_t& back() { return data_[size_ - 1]; }
  operator IntArrayRef() const { return IntArrayRef(data_, size_); }  // NOLINT
  IntArrayRef ref() const { return IntArrayRef(data_, size_); }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

 private:
  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = capacity_ * 2 > n ? capacity_ * 2 : n;
    auto* heap = new int64_t[cap];
    if (size_) std::memcpy(heap, data_, size_ * sizeof(int64_t));
    release();
    data_ = heap;
    capacity_ = cap;
  }
  void release() {
    if (data_ != inline_) delete[] data_;
    data_ = inline_;
    capacity_ = N;
  }
  void move_from(SmallVector& o) {
    if (o.data_ == o.inline_) {
      data_ = inline_;
      capacity_ = N;
      // All N slots, a fixed-size copy the compiler does inline (a copy of size_ elements
      // becomes a memcpy call); that is why the slots start zeroed.
      for (size_t i = 0; i < N; ++i) inline_[i] = o.inline_[i];
    } else {
      data_ = o.data_;
      capacity_ = o.capacity_;
      o.data_ = o.inline_;
      o.capacity_ = N;
    }
    size_ = o.size_;
    o.size_ = 0;
  }

  int64_t inline_[N] = {};
  int64_t* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = N;
};

using DimVector = SmallVector<6>;

}  // namespace tg
