// Python's pickle format, restricted to what checkpoints hold. The unpickler is an interpreter of
// pickle's stack machine that builds only numbers, strings, lists, tuples, dicts, tensors and the
// storages behind them: a GLOBAL is looked up in a fixed table of the names PyTorch and libtorch
// write (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage, ...), and
// any other name is an error naming it, so loading a file never runs code. Objects of TorchScript
// classes (libtorch's archives, "__torch__.*") become dicts of their attributes.
//
// Bounds: the stack, the memo and every string are bounded by the bytes of the pickle; containers
// nest at most kMaxPickleDepth deep and cannot contain themselves (a container may not change once
// it is inside another), so every later walk of the result is bounded too. Internal to src/io.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tensorgrad/ivalue.h"
#include "tensorgrad/tensor.h"

namespace tg::io {

constexpr int kMaxPickleDepth = 256;

// Returns the storage with this key as a 1-D tensor of `numel` elements of `dtype`; called once per
// key (the unpickler shares the result between the tensors that name it).
using StorageLoader =
    std::function<Tensor(const std::string& key, ScalarType dtype, int64_t numel)>;

// `origin` names the file in errors.
IValue unpickle(const char* data, size_t size, const StorageLoader& load_storage,
                const std::string& origin);

// A storage referenced by a pickle: its key ("0", "1", ...) and the tensor whose whole storage it
// is (a 1-D contiguous tensor over the storage's bytes).
struct PickledStorage {
  std::string key;
  Tensor data;
};

// Pickles a value (protocol 2, as torch.save writes it): tensors as _rebuild_tensor_v2 calls whose
// storages are persistent ids, one per distinct storage, listed in `storages` in order.
std::vector<char> pickle(const IValue& value, std::vector<PickledStorage>* storages,
                         const std::string& origin);

}  // namespace tg::io
