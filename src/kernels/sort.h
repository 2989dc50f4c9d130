// Sorting and selection along one dim: sort, topk, kthvalue, median, mode, and the sorted
// distinct values of unique. Every kernel sees its input (contiguous) as [outer, n, inner] around
// dim d and works on one row (o, :, i) at a time; rows run in parallel.
#pragma once

#include <vector>

#include "core/tensor_impl.h"

namespace tg::kernels {

// values/indices: contiguous [outer, n, inner], like in. NaN orders above every number.
void sort(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d,
          bool descending);
// values/indices: contiguous [outer, k, inner]. Ties are split as libstdc++'s partial_sort or
// nth_element split them on (value, position) pairs, which is what PyTorch's CPU kernel calls.
void topk(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d, int64_t k,
          bool largest, bool sorted);

enum class SelectOp {
  Kth,        // the k-th smallest (k counted from 0), NaN largest
  Median,     // the lower median; a row with a NaN gives its first NaN
  NanMedian,  // the lower median of the numbers; an all-NaN row gives its first element
  Mode,       // the most frequent value (the smallest of those tied)
};
// values/indices: contiguous [outer, 1, inner]. Which of several equal values is reported is
// PyTorch's choice in each case: the rank's element in (value, position) order for the medians,
// the same quickselect for Kth and the same sort for Mode.
void select(SelectOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d,
            int64_t k = 0);

// The distinct values of a contiguous tensor in ascending order (NaNs each distinct, last), with
// the position of each input element in that list and each value's count. With `consecutive`,
// only runs of equal neighbours are merged and the order is the input's.
struct UniqueResult {
  Tensor values;
  Tensor inverse;  // int64, same numel as the input
  Tensor counts;   // int64
};
UniqueResult unique(const Tensor& in, bool consecutive);

// Rows of a contiguous [n, m] tensor: the order that sorts them lexicographically (stable),
// and for each row of `order`, whether it differs from the row before it in that order.
std::vector<int64_t> lexsort_rows(const Tensor& in);
std::vector<bool> row_starts_group(const Tensor& in, const std::vector<int64_t>& order);

}  // namespace tg::kernels
