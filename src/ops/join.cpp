// Joining tensors: cat and stack, each recorded as one node with an edge per input.
#include "ops/internal.h"

namespace tg {

using autograd::tensor_list;

Tensor cat(TensorList tensors, int64_t d) {
  TG_CHECK(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  // 1-d empty tensors are skipped, as in PyTorch.
  std::vector<const Tensor*> parts;
  for (const Tensor& t : tensors) {
    TG_CHECK(t.defined(), "cat: undefined tensor in list");
    if (!(t.dim() == 1 && t.size(0) == 0)) parts.push_back(&t);
  }
  if (parts.empty()) return tensors[0].clone();
  const Tensor& ref = *parts[0];
  TG_CHECK(ref.dim() > 0, "cat: zero-dimensional tensor cannot be concatenated");
  d = wrap_dim(d, ref.dim(), "cat");
  ScalarType dt = ref.scalar_type();
  int64_t total = 0;
  for (const Tensor* t : parts) {
    TG_CHECK(t->dim() == ref.dim(), "cat: Tensors must have same number of dimensions: got ",
             ref.dim(), " and ", t->dim(), " (shapes ", ref.sizes(), " and ", t->sizes(), ")");
    for (int64_t i = 0; i < ref.dim(); ++i)
      TG_CHECK(i == d || t->size(i) == ref.size(i),
               "cat: Sizes of tensors must match except in dimension ", d, ". Expected size ",
               ref.size(i), " but got size ", t->size(i), " for tensor number ",
               t - tensors.begin(), " in the list (shapes ", ref.sizes(), " and ", t->sizes(), ")");
    total += t->size(d);
    dt = promote_types(dt, t->scalar_type());
  }
  DimVector os(ref.sizes());
  os[d] = total;
  Tensor out = make_empty(os, dt);
  std::vector<int64_t> lengths;
  int64_t off = 0;
  {
    NoGradGuard guard;
    for (const Tensor* t : parts) {
      kernels::copy(out.narrow(d, off, t->size(d)), *t);
      off += t->size(d);
      lengths.push_back(t->size(d));
    }
  }
  if (autograd::should_record(ArrayRef<const Tensor*>(parts))) {
    autograd::record("CatBackward0", ArrayRef<const Tensor*>(parts), {&out}, {},
                     [d, lengths](const tensor_list& g, const tensor_list&) {
                       tensor_list r;
                       int64_t o = 0;
                       for (int64_t len : lengths) {
                         r.push_back(g[0].narrow(d, o, len));
                         o += len;
                       }
                       return r;
                     });
  }
  return out;
}

Tensor stack(TensorList tensors, int64_t d) {
  TG_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  d = wrap_dim(d, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  Tensor out;
  {
    // Recorded below as one StackBackward0 node, as in PyTorch, not as unsqueezes and a cat.
    NoGradGuard guard;
    for (const Tensor& t : tensors) {
      TG_CHECK(t.sizes().equals(tensors[0].sizes()),
               "stack expects each tensor to be equal size, but got ", tensors[0].sizes(),
               " at entry 0 and ", t.sizes(), " at another entry");
      parts.push_back(t.unsqueeze(d));
    }
    out = cat(parts, d);
  }
  if (autograd::should_record(tensors)) {
    autograd::record("StackBackward0", tensors, {&out}, {},
                     [d, n = tensors.size()](const tensor_list& g, const tensor_list&) {
                       tensor_list r;
                       for (size_t i = 0; i < n; ++i)
                         r.push_back(g[0].select(d, static_cast<int64_t>(i)));
                       return r;
                     });
  }
  return out;
}

}  // namespace tg
