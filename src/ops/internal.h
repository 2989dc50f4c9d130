// Helpers the ops share with each other and with the autograd engine. Internal.
#pragma once

#include "core/tensor_impl.h"
#include "tensorgrad/tensor.h"

namespace tg {

// Sums g over broadcast dims so that the result has `shape` (the inverse of expand).
Tensor sum_to(const Tensor& g, IntArrayRef shape);
// True when `from` broadcasts to `to`.
bool is_expandable_to(IntArrayRef from, IntArrayRef to);
// A 0-dim tensor holding a number passed as an operand ("wrapped number": it does not raise the
// result dtype of a float32 tensor to float64, as in PyTorch).
Tensor wrap_scalar(const Scalar& s, ScalarType dtype);
// The result dtype of a binary op between a and b, following PyTorch's rules for dimensioned
// tensors, zero-dim tensors and plain numbers.
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
Tensor make_contiguous_copy(const Tensor& t);
// Formats a shape for messages: [2, 3].
std::string shape_str(IntArrayRef s);

}  // namespace tg
