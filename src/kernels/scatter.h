// gather and scatter along one dim, addressed by an index tensor of the same number of dims.
#pragma once

#include "core/tensor_impl.h"

namespace tg::kernels {

// out[p] = self[p with p[d] replaced by index[p]] for every position p of index. out and index
// contiguous with index's shape; self contiguous, of out's dtype. Indices are checked against
// self.size(d) (an error names `op`).
void gather(const Tensor& out, const Tensor& self, int64_t d, const Tensor& index, const char* op);
// self[p with p[d] replaced by index[p]] = src[p] (or += with accumulate) for every position p of
// index. self contiguous; index and src contiguous with index's shape, src of self's dtype.
void scatter(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src, bool accumulate,
             const char* op);

// The reductions of scatter(reduce=) and scatter_reduce.
enum class ScatterReduce { Sum, Prod, Mean, Amax, Amin };
// self[p with p[d] replaced by index[p]] combined with src[p] by `op` for every position p of
// index, as scatter; without include_self the positions written to start from the reduction's
// identity instead of self's value. Mean divides by the number of values combined (rounding down
// for int64).
void scatter_reduce(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src,
                    ScatterReduce op, bool include_self, const char* name);

}  // namespace tg::kernels
