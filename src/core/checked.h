// Checked size arithmetic: every element count, byte count and stride the library derives from
// caller-supplied sizes goes through these helpers, so that a shape whose product passes 2^63 is a
// tg::Error instead of a wrapped count (a buffer smaller than its shape, then writes past its end).
// The checks run where sizes are created (factories, views, loaders), never per element; each is a
// multiply plus a branch on the overflow flag. Messages are PyTorch's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/error.h"

namespace tg {
namespace checked {

// True when a * b (a + b) does not fit an int64_t; *out then holds the wrapped value.
inline bool mul_overflows(int64_t a, int64_t b, int64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}
inline bool add_overflows(int64_t a, int64_t b, int64_t* out) {
  return __builtin_add_overflow(a, b, out);
}

// The product of non-negative sizes, or false when it does not fit an int64_t. A zero size makes
// the product 0 whatever the others are, as in c10::safe_multiplies_u64.
inline bool numel_fits(IntArrayRef sizes, int64_t* out) {
  int64_t n = 1;
  bool overflow = false, zero = false;
  for (int64_t s : sizes) {
    zero |= s == 0;
    overflow |= __builtin_mul_overflow(n, s, &n);
  }
  *out = zero ? 0 : n;
  return zero || !overflow;
}

// numel of sizes (already known to be non-negative); PyTorch's TensorImpl::safe_compute_numel.
inline int64_t compute_numel(IntArrayRef sizes) {
  int64_t n;
  TG_CHECK(numel_fits(sizes, &n), "numel: integer multiplication overflow (sizes ", sizes, ")");
  return n;
}

// Bytes of a contiguous tensor of these sizes, checked against int64_t like PyTorch's
// computeStorageNbytesContiguous (sizes already known to be non-negative).
inline size_t storage_bytes(IntArrayRef sizes, size_t itemsize) {
  int64_t n, bytes;
  const bool ok =
      numel_fits(sizes, &n) && !__builtin_mul_overflow(n, static_cast<int64_t>(itemsize), &bytes);
  TG_CHECK(ok, "Storage size calculation overflowed with sizes=", sizes);
  return static_cast<size_t>(bytes);
}

// Bytes spanned by a strided tensor (1 + sum of (size - 1) * stride elements past the offset;
// none when a size is 0), as PyTorch's computeStorageNbytes; sizes and strides non-negative.
inline size_t storage_bytes(IntArrayRef sizes, IntArrayRef strides, size_t itemsize,
                            int64_t offset = 0) {
  bool overflow = false;
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return 0;
    int64_t step;
    overflow |= __builtin_mul_overflow(sizes[i] - 1, strides[i], &step);
    overflow |= __builtin_add_overflow(extent, step, &extent);
  }
  int64_t bytes;
  overflow |= __builtin_add_overflow(extent, offset, &extent);
  overflow |= __builtin_mul_overflow(extent, static_cast<int64_t>(itemsize), &bytes);
  TG_CHECK(!overflow, "Storage size calculation overflowed with sizes=", sizes,
           " and strides=", strides);
  return static_cast<size_t>(bytes);
}

}  // namespace checked
}  // namespace tg
