// The state behind a Tensor handle. Internal: not installed, not part of the API.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/scalar_type.h"
#include "tensorgrad/tensor.h"

namespace tg {

// Reusable, 64-byte aligned buffers; freed buffers go back to a per-thread pool by size class, so
// the many short-lived temporaries of a training step cost no malloc/free.
void* alloc_buffer(size_t nbytes);
void free_buffer(void* p, size_t nbytes);

struct Storage {
  Storage(size_t nbytes) : data(alloc_buffer(nbytes)), nbytes(nbytes), owned(true) {}
  Storage(void* external, size_t nbytes) : data(external), nbytes(nbytes), owned(false) {}
  ~Storage() {
    if (owned) free_buffer(data, nbytes);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data;
  size_t nbytes;
  bool owned;
  // Bumped by every in-place write; shared by all views of this storage, which is how a node that
  // saved a tensor notices that it was changed before backward.
  uint32_t version = 0;
};

struct AutogradMeta {
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;
  std::weak_ptr<autograd::Node> grad_accumulator;
  uint32_t output_nr = 0;
  bool requires_grad = false;
  bool retains_grad = false;
  // Hooks on a leaf's gradient, run before it is accumulated.
  std::vector<std::pair<unsigned, std::function<Tensor(const Tensor&)>>> leaf_hooks;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  DimVector sizes;
  DimVector strides;
  int64_t numel = 1;
  ScalarType dtype = kFloat;
  bool contiguous = true;
  bool is_view = false;
  std::unique_ptr<AutogradMeta> autograd;

  char* data() const {
    return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(element_size(dtype));
  }
  template <typename T>
  T* data_as() const {
    return reinterpret_cast<T*>(data());
  }
  // Recomputes numel and contiguity after sizes/strides change.
  void refresh();
  AutogradMeta& meta() {
    if (!autograd) autograd = std::make_unique<AutogradMeta>();
    return *autograd;
  }
  bool requires_grad() const { return autograd && autograd->requires_grad; }
  void bump_version() { ++storage->version; }
};

DimVector contiguous_strides(IntArrayRef sizes);
int64_t numel_of(IntArrayRef sizes);
// Wraps a possibly negative dim into [0, ndim), or a tg::Error naming the op.
int64_t wrap_dim(int64_t d, int64_t ndim, const char* op);

// A new contiguous tensor; its elements are uninitialised.
Tensor make_empty(IntArrayRef sizes, ScalarType dtype);
// A new tensor that shares t's storage with the given geometry (no autograd information).
Tensor make_view(const Tensor& t, IntArrayRef sizes, IntArrayRef strides, int64_t offset);

inline TensorImpl* impl_of(const Tensor& t) { return t.unsafeGetTensorImpl(); }

}  // namespace tg
