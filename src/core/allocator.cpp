// Buffer and small-object pools. Small models allocate and free the same few sizes thousands of
// times per second; keeping freed blocks in per-thread free lists by size class turns that into a
// couple of loads and stores. Buffers above kMaxPooled go straight to the system.
//
// The small-object free lists are intrusive (a free block holds the pointer to the next one) and
// live in trivially destructible thread-locals, so the fast path is a few instructions with no TLS
// initialisation guard. A separate thread-local, set up on the thread's first free, returns the
// cached blocks when its thread exits; blocks freed after that (by other thread-local or static
// destructors) go straight back to the system.
#include <cstdlib>
#include <limits>
#include <new>
#include <vector>

#include "core/tensor_impl.h"

namespace tg {
namespace {

struct FreeList {
  void* head;
  uint32_t count;
};

inline void* pop(FreeList& l) {
  void* p = l.head;
  if (p) {
    l.head = *static_cast<void**>(p);
    --l.count;
  }
  return p;
}

inline void push(FreeList& l, void* p) {
  *static_cast<void**>(p) = l.head;
  l.head = p;
  ++l.count;
}

constexpr size_t kAlign = 64;
constexpr int kMinClass = 6;                       // 64 bytes
constexpr int kMaxClass = 26;                      // 64 MiB
constexpr size_t kMaxPooled = size_t(1) << kMaxClass;
constexpr size_t kMaxPerClass = 32;

// Small objects (tensor headers, storages, autograd nodes and their shared_ptr control blocks), by
// 16-byte size class. A training step frees dozens of objects of each size; glibc's per-thread
// cache holds only 7 per size, so the rest would take malloc's slow path.
constexpr size_t kSmallGranule = 16;
constexpr size_t kSmallClasses = 64;  // up to 1 KiB
constexpr uint32_t kSmallPerClass = 1024;

thread_local FreeList small_lists[kSmallClasses];
// This thread's pool: not yet set up, open, or closed (its reaper has run; from then on every
// block goes to the system). One trivially destructible byte, so the fast paths test it inline.
enum class PoolState : uint8_t { Unregistered, Open, Closed };
thread_local PoolState pool_state = PoolState::Unregistered;

struct Reaper {
  ~Reaper() {
    for (auto& l : small_lists)
      while (void* p = pop(l)) ::operator delete(p);
    pool_state = PoolState::Closed;
  }
};

// First use on this thread: construct the reaper, which registers its destructor.
void open_pool() {
  thread_local Reaper reaper;
  (void)reaper;
  pool_state = PoolState::Open;
}

int size_class(size_t nbytes) {
  if (nbytes <= (size_t(1) << kMinClass)) return kMinClass;
  return 64 - __builtin_clzll(static_cast<unsigned long long>(nbytes - 1));
}

// Buffers keep their free lists outside the blocks, so a freed buffer's contents stay as they were
// until it is handed out again.
struct BufferPool {
  std::vector<void*> free_lists[kMaxClass + 1];
  ~BufferPool() {
    for (auto& l : free_lists)
      for (void* p : l) std::free(p);
  }
};

BufferPool& buffer_pool() {
  thread_local BufferPool p;
  return p;
}

// A failed allocation is a tg::Error naming the size (PyTorch's message), not std::bad_alloc: a
// caller that sized a tensor from untrusted input gets the same kind of error as for a bad shape.
[[noreturn]] void out_of_memory(size_t nbytes) {
  TG_ERROR("DefaultCPUAllocator: not enough memory: you tried to allocate ", nbytes, " bytes.");
}

}  // namespace

void* alloc_buffer(size_t nbytes) {
  if (nbytes == 0) nbytes = 1;
  if (nbytes > kMaxPooled) {
    // Sizes come checked against int64_t (core/checked.h), so rounding up cannot wrap.
    void* p = nbytes <= std::numeric_limits<size_t>::max() - kAlign
                  ? std::aligned_alloc(kAlign, (nbytes + kAlign - 1) / kAlign * kAlign)
                  : nullptr;
    if (!p) out_of_memory(nbytes);
    return p;
  }
  const int c = size_class(nbytes);
  auto& list = buffer_pool().free_lists[c];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    return p;
  }
  void* p = std::aligned_alloc(kAlign, size_t(1) << c);
  if (!p) out_of_memory(nbytes);
  return p;
}

void free_buffer(void* p, size_t nbytes) {
  if (!p) return;
  if (nbytes == 0) nbytes = 1;
  if (nbytes > kMaxPooled) {
    std::free(p);
    return;
  }
  auto& list = buffer_pool().free_lists[size_class(nbytes)];
  if (list.size() < kMaxPerClass) {
    list.push_back(p);
  } else {
    std::free(p);
  }
}

void* small_alloc(size_t nbytes) {
  const size_t c = (nbytes + kSmallGranule - 1) / kSmallGranule;
  if (c == 0 || c > kSmallClasses) return ::operator new(nbytes);
  if (void* p = pop(small_lists[c - 1])) return p;
  return ::operator new(c * kSmallGranule);
}

void small_free(void* p, size_t nbytes) {
  const size_t c = (nbytes + kSmallGranule - 1) / kSmallGranule;
  if (c == 0 || c > kSmallClasses) {
    ::operator delete(p);
    return;
  }
  // A thread may only ever free what others allocated, so the pool opens on the first free.
  if (__builtin_expect(pool_state == PoolState::Unregistered, 0)) open_pool();
  FreeList& l = small_lists[c - 1];
  if (l.count < kSmallPerClass && pool_state == PoolState::Open) {
    push(l, p);
  } else {
    ::operator delete(p);
  }
}

}  // namespace tg
