// PyTorch's rules for the dtype and shape of an op's result: type promotion between tensors,
// zero-dim tensors and plain numbers, and broadcasting. Internal.
#pragma once

#include "core/tensor_impl.h"
#include "tensorgrad/tensor.h"

namespace tg {

// bool < integer < floating: a zero-dim tensor or a number raises the result dtype only when it
// is of a higher category than the dimensioned operands.
inline int type_category(ScalarType t) { return t == kBool ? 0 : (t == kLong ? 1 : 2); }
// The result dtype of a binary op between a and b, following PyTorch's rules for dimensioned
// tensors, zero-dim tensors and plain numbers.
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
// A 0-dim tensor holding a number passed as an operand ("wrapped number": it does not raise the
// result dtype of a float32 tensor to float64, as in PyTorch).
Tensor wrap_scalar(const Scalar& s, ScalarType dtype);
// True when `from` broadcasts to `to`.
bool is_expandable_to(IntArrayRef from, IntArrayRef to);
// infer_size (the broadcast shape of two shapes) is public: tensor.h.

}  // namespace tg
