// Buffer pool. Small models allocate and free the same few sizes thousands of times per second;
// keeping freed buffers in per-thread free lists by power-of-two size class turns that into a
// vector push/pop. Buffers above kMaxPooled go straight to the system.
#include <cstdlib>
#include <new>
#include <vector>

#include "core/tensor_impl.h"

namespace tg {
namespace {

constexpr size_t kAlign = 64;
constexpr int kMinClass = 6;                       // 64 bytes
constexpr int kMaxClass = 26;                      // 64 MiB
constexpr size_t kMaxPooled = size_t(1) << kMaxClass;
constexpr size_t kMaxPerClass = 32;

int size_class(size_t nbytes) {
  int c = kMinClass;
  while ((size_t(1) << c) < nbytes) ++c;
  return c;
}

struct Pool {
  std::vector<void*> free_lists[kMaxClass + 1];
  ~Pool() {
    for (auto& l : free_lists)
      for (void* p : l) std::free(p);
  }
};

Pool& pool() {
  thread_local Pool p;
  return p;
}

}  // namespace

void* alloc_buffer(size_t nbytes) {
  if (nbytes == 0) nbytes = 1;
  if (nbytes > kMaxPooled) {
    void* p = std::aligned_alloc(kAlign, (nbytes + kAlign - 1) / kAlign * kAlign);
    if (!p) throw std::bad_alloc();
    return p;
  }
  int c = size_class(nbytes);
  auto& list = pool().free_lists[c];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    return p;
  }
  void* p = std::aligned_alloc(kAlign, size_t(1) << c);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_buffer(void* p, size_t nbytes) {
  if (!p) return;
  if (nbytes == 0) nbytes = 1;
  if (nbytes > kMaxPooled) {
    std::free(p);
    return;
  }
  auto& list = pool().free_lists[size_class(nbytes)];
  if (list.size() < kMaxPerClass) {
    list.push_back(p);
  } else {
    std::free(p);
  }
}

namespace {

// Small objects (tensor headers, storages, autograd nodes and their shared_ptr control blocks), by
// 16-byte size class. A training step frees dozens of objects of each size; glibc's per-thread
// cache holds only 7 per size, so the rest would take malloc's slow path.
constexpr size_t kSmallGranule = 16;
constexpr size_t kSmallClasses = 64;  // up to 1 KiB
constexpr size_t kSmallPerClass = 1024;

struct SmallPool {
  std::vector<void*> free_lists[kSmallClasses];
  ~SmallPool() {
    for (auto& l : free_lists)
      for (void* p : l) ::operator delete(p);
  }
};

SmallPool& small_pool() {
  thread_local SmallPool p;
  return p;
}

}  // namespace

void* small_alloc(size_t nbytes) {
  const size_t c = (nbytes + kSmallGranule - 1) / kSmallGranule;
  if (c == 0 || c > kSmallClasses) return ::operator new(nbytes);
  auto& list = small_pool().free_lists[c - 1];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    return p;
  }
  return ::operator new(c * kSmallGranule);
}

void small_free(void* p, size_t nbytes) {
  const size_t c = (nbytes + kSmallGranule - 1) / kSmallGranule;
  if (c == 0 || c > kSmallClasses) {
    ::operator delete(p);
    return;
  }
  auto& list = small_pool().free_lists[c - 1];
  if (list.size() < kSmallPerClass) {
    list.push_back(p);
  } else {
    ::operator delete(p);
  }
}

}  // namespace tg
