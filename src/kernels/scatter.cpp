#include "kernels/scatter.h"

#include "kernels/dispatch.h"

namespace tg::kernels {
namespace {

// Calls f(k, offset) for every element k (row-major) of index, where offset is the element of a
// contiguous tensor of shape `target` that it addresses along d. Every index is checked first, so
// that nothing is written when one is out of range.
template <typename F>
void for_each_target(const Tensor& index, IntArrayRef target, int64_t d, const char* op, F&& f) {
  const int64_t nd = index.dim();
  const int64_t* ip = impl_of(index)->data_as<int64_t>();
  const int64_t m = impl_of(index)->numel;
  const int64_t n = nd == 0 ? 1 : target[d];
  for (int64_t k = 0; k < m; ++k)
    TG_CHECK(ip[k] >= 0 && ip[k] < n, op, "(): index ", ip[k], " is out of bounds for dimension ",
             d, " with size ", n);
  if (nd == 0) {
    if (m > 0) f(0, ip[0]);
    return;
  }
  DimVector stride(static_cast<size_t>(nd), 1);
  for (int64_t i = nd - 2; i >= 0; --i) stride[i] = stride[i + 1] * target[i + 1];
  DimVector pos(static_cast<size_t>(nd), 0);
  auto sizes = index.sizes();
  for (int64_t k = 0; k < m; ++k) {
    int64_t off = 0;
    for (int64_t i = 0; i < nd; ++i) off += (i == d ? ip[k] : pos[i]) * stride[i];
    f(k, off);
    for (int64_t i = nd - 1; i >= 0; --i) {
      if (++pos[i] < sizes[i]) break;
      pos[i] = 0;
    }
  }
}

}  // namespace

void gather(const Tensor& out, const Tensor& self, int64_t d, const Tensor& index, const char* op) {
  TG_DISPATCH_ALL(impl_of(out)->dtype, op, [&] {
    const scalar_t* s = impl_of(self)->data_as<scalar_t>();
    scalar_t* o = impl_of(out)->data_as<scalar_t>();
    for_each_target(index, self.sizes(), d, op, [&](int64_t k, int64_t off) { o[k] = s[off]; });
  });
}

void scatter(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src, bool accumulate,
             const char* op) {
  TG_DISPATCH_ALL(impl_of(self)->dtype, op, [&] {
    scalar_t* s = impl_of(self)->data_as<scalar_t>();
    const scalar_t* from = impl_of(src)->data_as<scalar_t>();
    for_each_target(index, self.sizes(), d, op, [&](int64_t k, int64_t off) {
      if constexpr (std::is_same_v<scalar_t, bool>)
        s[off] = accumulate ? (s[off] || from[k]) : from[k];
      else
        s[off] = accumulate ? s[off] + from[k] : from[k];
    });
  });
}

}  // namespace tg::kernels
