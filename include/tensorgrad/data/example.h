// libtorch's Example: what a dataset of libtorch's data API yields for one index, a data value and
// its target, or data alone when the target type is NoTarget (then it converts to its data).
#pragma once

#include <utility>

#include "tensorgrad/tensor.h"

namespace tg::data {

template <typename Data = Tensor, typename Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;

  Example() = default;
  Example(Data d, Target t) : data(std::move(d)), target(std::move(t)) {}

  Data data;
  Target target;
};

namespace example {
using NoTarget = void;
}  // namespace example

template <typename Data>
struct Example<Data, example::NoTarget> {
  using DataType = Data;
  using TargetType = example::NoTarget;

  Example() = default;
  Example(Data d) : data(std::move(d)) {}  // NOLINT: implicit, as libtorch's

  // So that code written for a loader of plain tensors reads a batch as its tensor.
  operator Data&() { return data; }
  operator const Data&() const { return data; }

  Data data;
};

using TensorExample = Example<Tensor, example::NoTarget>;

}  // namespace tg::data
