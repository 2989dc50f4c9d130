// c10::irange(n) and c10::irange(begin, end): the integers of [begin, end) for range-for loops.
#pragma once

#include <iterator>
#include <type_traits>

namespace c10 {

template <typename I>
class integer_range {
  static_assert(std::is_integral_v<I>, "irange takes integers");

 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = I;
    using difference_type = std::ptrdiff_t;
    using pointer = const I*;
    using reference = const I&;
    explicit iterator(I v) : v_(v) {}
    const I& operator*() const { return v_; }
    iterator& operator++() {
      ++v_;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++v_;
      return old;
    }
    bool operator==(const iterator& o) const { return v_ == o.v_; }
    bool operator!=(const iterator& o) const { return v_ != o.v_; }

   private:
    I v_;
  };
  integer_range(I begin, I end) : begin_(begin), end_(end < begin ? begin : end) {}
  iterator begin() const { return iterator(begin_); }
  iterator end() const { return iterator(end_); }

 private:
  I begin_, end_;
};

template <typename B, typename E,
          std::enable_if_t<std::is_integral_v<B> && std::is_integral_v<E>, int> = 0>
integer_range<E> irange(B begin, E end) {
  return integer_range<E>(static_cast<E>(begin), end);
}
template <typename E, std::enable_if_t<std::is_integral_v<E>, int> = 0>
integer_range<E> irange(E end) {
  return integer_range<E>(E(0), end);
}

}  // namespace c10
