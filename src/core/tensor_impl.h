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
// The same idea for the small objects every op creates (tensor headers, autograd nodes).
void* small_alloc(size_t nbytes);
void small_free(void* p, size_t nbytes);

template <typename T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT
  T* allocate(size_t n) { return static_cast<T*>(small_alloc(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { small_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const PoolAllocator<U>&) const {
    return false;
  }
};

// make_shared through the pool.
template <typename T, typename... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

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
  // Allocated under InferenceMode: every tensor on this storage is an inference tensor. (A view
  // shares its base's storage, so views of inference tensors are inference tensors and views of
  // normal tensors are normal, as in PyTorch.)
  bool inference = false;
};

// This thread's InferenceMode flag (see tensorgrad/autograd.h).
extern __thread bool inference_mode_enabled;
// The error of an in-place write to an inference tensor outside InferenceMode.
[[noreturn]] void throw_inplace_on_inference_tensor();

// The storage of a small tensor: its bytes live in the same pooled block as the Storage and its
// shared_ptr control block, which saves a buffer allocation and free per tensor. (16-byte
// aligned, like the pool's blocks; no kernel depends on more.)
struct InlineStorage final : Storage {
  static constexpr size_t kCapacity = 64;
  explicit InlineStorage(size_t nbytes) : Storage(bytes, nbytes) {}
  alignas(16) unsigned char bytes[kCapacity];
};

struct AutogradMeta {
  static void* operator new(size_t n) { return small_alloc(n); }
  static void operator delete(void* p, size_t n) { small_free(p, n); }
  AutogradMeta() {}  // NOLINT: user-provided, so `new AutogradMeta()` does not zero it first
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;
  std::weak_ptr<autograd::Node> grad_accumulator;
  uint32_t output_nr = 0;
  bool requires_grad = false;
  bool retains_grad = false;
  // Hooks on a leaf's gradient, run before it is accumulated.
  std::vector<std::pair<unsigned, std::function<Tensor(const Tensor&)>>> leaf_hooks;
  // How many hooks were ever registered on this tensor: the next hook's handle.
  unsigned num_hooks = 0;
};

// TensorImpl itself is defined in tensorgrad/tensor.h (so that its accessors inline); these are
// the members that need Storage and AutogradMeta.
inline TensorImpl::TensorImpl() {}  // NOLINT(modernize-use-equals-default): see the declaration
inline TensorImpl::~TensorImpl() = default;
inline char* TensorImpl::data() const {
  return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(element_size(dtype));
}
inline AutogradMeta& TensorImpl::meta() {
  if (!autograd) autograd.reset(new AutogradMeta());
  return *autograd;
}
namespace autograd {
// Makes a view's history again from its base's after the storage was written (see view_base).
// Cold: most tensors are no views, and the check must not keep the ops' inline paths from being
// inlined.
[[gnu::cold]] void refresh_view_history(TensorImpl* view);
// Brings a tracked view's history up to date before it is read: by requires_grad(), grad_fn(),
// is_leaf() and the edges an op records.
inline void sync_view_history(const TensorImpl* t) {
  if (__builtin_expect(t->view_base != nullptr, 0) && t->view_version != t->storage->version)
    refresh_view_history(const_cast<TensorImpl*>(t));
}
}  // namespace autograd
inline bool TensorImpl::requires_grad() const {
  autograd::sync_view_history(this);
  return autograd && autograd->requires_grad;
}
inline void TensorImpl::bump_version() {
  if (__builtin_expect(storage->inference, 0) && !inference_mode_enabled)
    throw_inplace_on_inference_tensor();
  ++storage->version;
}

DimVector contiguous_strides(IntArrayRef sizes);
int64_t numel_of(IntArrayRef sizes);
// Wraps a possibly negative dim into [0, ndim), or a tg::Error naming the op.
int64_t wrap_dim(int64_t d, int64_t ndim, const char* op);

// A new contiguous tensor; its elements are uninitialised.
Tensor make_empty(IntArrayRef sizes, ScalarType dtype);
// A new tensor that shares t's storage with the given geometry (no autograd information).
Tensor make_view(const Tensor& t, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
// make_view with t's own geometry (what detach() and saved variables hold): numel and contiguity
// are copied rather than recomputed.
Tensor make_alias(const Tensor& t);

inline TensorImpl* impl_of(const Tensor& t) { return t.unsafeGetTensorImpl(); }

}  // namespace tg
