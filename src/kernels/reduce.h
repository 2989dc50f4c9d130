// Reductions over dims, and the column reductions of a linear layer's backward.
#pragma once

#include <cstdint>

#include "core/tensor_impl.h"

namespace tg::kernels {

enum class ReduceOp { Sum, Prod, Max, Min, ArgMax, ArgMin, Any, All };

// Which dims of a tensor a reduction covers: one bit per dim, so that building the mask costs no
// allocation (a std::vector<bool> was a third of a small sum's time). PyTorch's reductions have the
// same bound of 64 dims and refuse more with the message checked here.
class DimMask {
 public:
  static constexpr int64_t kMaxDims = 64;
  DimMask() = default;
  DimMask(int64_t ndim, bool value, const char* op = "reduction") : size_(ndim) {
    TG_CHECK(ndim <= kMaxDims, op, ": only tensors with up to 64 dims are supported");
    if (value && ndim > 0) bits_ = ndim == kMaxDims ? ~uint64_t{0} : (uint64_t{1} << ndim) - 1;
  }
  bool operator[](int64_t d) const { return (bits_ >> d) & 1; }
  void set(int64_t d) { bits_ |= uint64_t{1} << d; }
  int64_t size() const { return size_; }
  int64_t count() const { return __builtin_popcountll(bits_); }

 private:
  uint64_t bits_ = 0;
  int64_t size_ = 0;
};

// Reduces `in` over the dims marked in `reduce_dim` (size in.dim()) into `out`, which is
// contiguous with in's shape minus (or keeping as 1) those dims. ArgMax/ArgMin want one dim and
// an int64 out.
void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const DimMask& reduce_dim);
// For a contiguous floating g of shape [m, n] and x of m elements (any stride, g's dtype), in one
// pass over g: sum[j] = sum_i g[i, j] and dot[j] = sum_i x[i] * g[i, j] (sum and dot: n contiguous
// elements). These are the bias and weight gradients of a linear layer with one input feature,
// added and rounded as the separate column sum and product do it, so with their bits.
void column_sum_and_dot(const Tensor& sum, const Tensor& dot, const Tensor& g, const Tensor& x);

}  // namespace tg::kernels
