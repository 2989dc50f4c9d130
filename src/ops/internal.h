// Helpers the ops share with each other and with the autograd engine. Internal.
#pragma once

#include "autograd/function.h"
#include "core/tensor_impl.h"
#include "kernels/copy.h"
#include "ops/promotion.h"
#include "tensorgrad/tensor.h"

namespace tg {

// Sums g over broadcast dims so that the result has `shape` (the inverse of expand).
Tensor sum_to(const Tensor& g, IntArrayRef shape);
Tensor make_contiguous_copy(const Tensor& t);
// t converted to dtype dt (t itself when it has it already). No autograd.
Tensor cast_to(const Tensor& t, ScalarType dt);

// The one way an op writes into its input: self = f(self) for an op computed in dtype `ct` with
// result shape `result_shape`. Checks as PyTorch does (the result dtype and shape must fit self;
// leaves and views of tensors that require grad are refused) and bumps self's version. Without a
// graph to record, fast() writes into self directly when ct is self's dtype; otherwise, and
// whenever a graph is recorded, self takes the value and the history of the out-of-place
// slow(self) (computed from a copy when recording, since backward may need the old value).
template <typename Fast, typename Slow>
Tensor& inplace(Tensor& self, std::initializer_list<const Tensor*> others, ScalarType ct,
                IntArrayRef result_shape, const char* name, Fast&& fast, Slow&& slow) {
  TG_CHECK(self.defined(), name, ": called on an undefined tensor");
  TG_CHECK(type_category(ct) <= type_category(self.scalar_type()), name, ": result type ", ct,
           " can't be cast to the desired output type ", self.scalar_type());
  TG_CHECK(result_shape.equals(self.sizes()), name, ": output with shape ", self.sizes(),
           " doesn't match the broadcast shape ", result_shape);
  autograd::check_inplace(self, others, name);
  bool rec = false;
  if (autograd::grad_mode()) {
    rec = autograd::needs_grad(self);
    for (const Tensor* t : others) rec = rec || autograd::needs_grad(*t);
  }
  if (!rec) {
    if (ct == self.scalar_type()) {
      fast();
    } else {
      Tensor r = slow(self);
      kernels::copy(self, r);
    }
    impl_of(self)->bump_version();
    return self;
  }
  Tensor r = slow(self.clone());
  kernels::copy(self, r);
  impl_of(self)->bump_version();
  autograd::rebase_history(self, impl_of(r)->autograd->grad_fn, impl_of(r)->autograd->output_nr);
  return self;
}

}  // namespace tg
