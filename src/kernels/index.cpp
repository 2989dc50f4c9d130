#include "kernels/index.h"

#include <cstring>

#include "kernels/dispatch.h"

namespace tg::kernels {
namespace {

struct Geometry {
  int64_t outer = 1, n = 1, inner = 1;
};

// in viewed as [outer, n, inner] around dim d (a 0-dim tensor is one slice of one element).
Geometry around(IntArrayRef sizes, int64_t d) {
  Geometry g;
  if (sizes.empty()) return g;
  for (int64_t i = 0; i < d; ++i) g.outer *= sizes[i];
  g.n = sizes[d];
  for (size_t i = d + 1; i < sizes.size(); ++i) g.inner *= sizes[i];
  return g;
}

}  // namespace

void check_indices(const Tensor& index, int64_t n, int64_t d, const char* op) {
  const int64_t* ip = impl_of(index)->data_as<int64_t>();
  for (int64_t k = 0, m = impl_of(index)->numel; k < m; ++k)
    TG_CHECK(ip[k] >= 0 && ip[k] < n, op, "(): index out of range in self: index ", ip[k],
             " is out of bounds for dimension ", d, " with size ", n);
}

void wrap_indices(const Tensor& index, int64_t n, int64_t d, const char* prefix, bool negative) {
  int64_t* ip = impl_of(index)->data_as<int64_t>();
  const int64_t m = impl_of(index)->numel;
  const int64_t lo = negative ? -n : 0;
  for (int64_t k = 0; k < m; ++k)
    TG_CHECK(ip[k] >= lo && ip[k] < n, prefix, "index ", ip[k], " is out of bounds for dimension ",
             d, " with size ", n);
  for (int64_t k = 0; k < m; ++k)
    if (ip[k] < 0) ip[k] += n;
}

void wrap_flat_indices(const Tensor& index, int64_t n) {
  int64_t* ip = impl_of(index)->data_as<int64_t>();
  const int64_t m = impl_of(index)->numel;
  for (int64_t k = 0; k < m; ++k)
    TG_CHECK(ip[k] >= -n && ip[k] < n, "out of range: tried to access index ", ip[k],
             " on a tensor of ", n, " elements.");
  for (int64_t k = 0; k < m; ++k)
    if (ip[k] < 0) ip[k] += n;
}

Tensor nonzero(const Tensor& in) {
  const int64_t nd = in.dim();
  const int64_t n = impl_of(in)->numel;
  std::vector<int64_t> flat;
  TG_DISPATCH_ALL(impl_of(in)->dtype, "nonzero", [&] {
    const scalar_t* p = impl_of(in)->data_as<scalar_t>();
    for (int64_t i = 0; i < n; ++i)
      if (p[i] != scalar_t(0)) flat.push_back(i);
  });
  const int64_t count = static_cast<int64_t>(flat.size());
  Tensor out = make_empty({count, nd}, kLong);
  int64_t* o = impl_of(out)->data_as<int64_t>();
  auto sizes = in.sizes();
  for (int64_t k = 0; k < count; ++k) {
    int64_t rest = flat[k];
    for (int64_t j = nd - 1; j >= 0; --j) {
      o[k * nd + j] = rest % sizes[j];
      rest /= sizes[j];
    }
  }
  return out;
}

std::vector<int64_t> repeat_positions(const Tensor& repeats) {
  const int64_t* rp = impl_of(repeats)->data_as<int64_t>();
  std::vector<int64_t> pos;
  for (int64_t k = 0, m = impl_of(repeats)->numel; k < m; ++k) pos.insert(pos.end(), rp[k], k);
  return pos;
}

void put(const Tensor& out, const Tensor& index, const Tensor& src) {
  const int64_t m = impl_of(index)->numel;
  const int64_t* ip = impl_of(index)->data_as<int64_t>();
  TG_DISPATCH_ALL(impl_of(out)->dtype, "put_", [&] {
    scalar_t* o = impl_of(out)->data_as<scalar_t>();
    const scalar_t* s = impl_of(src)->data_as<scalar_t>();
    for (int64_t k = 0; k < m; ++k) o[ip[k]] = s[k];
  });
}

void index_select(const Tensor& out, const Tensor& in, int64_t d, const Tensor& index) {
  const Geometry g = around(in.sizes(), d);
  const int64_t m = impl_of(index)->numel;
  const int64_t* ip = impl_of(index)->data_as<int64_t>();
  const size_t es = element_size(impl_of(in)->dtype);
  const size_t run = static_cast<size_t>(g.inner) * es;
  const char* src = impl_of(in)->data();
  char* dst = impl_of(out)->data();
  if (in.dim() == 0) {  // one element, selected by every index
    if (m > 0) std::memcpy(dst, src, es);
    return;
  }
  if (run == 0) return;
  for (int64_t o = 0; o < g.outer; ++o)
    for (int64_t k = 0; k < m; ++k) {
      const int64_t i = ip[k];
      std::memcpy(dst + ((o * m + k) * g.inner) * es, src + ((o * g.n + i) * g.inner) * es, run);
    }
}

void index_add(const Tensor& out, int64_t d, const Tensor& index, const Tensor& src) {
  const Geometry g = around(out.sizes(), d);
  const int64_t m = impl_of(index)->numel;
  const int64_t* ip = impl_of(index)->data_as<int64_t>();
  TG_DISPATCH_NUMERIC(impl_of(out)->dtype, "index_add", [&] {
    scalar_t* o = impl_of(out)->data_as<scalar_t>();
    const scalar_t* s = impl_of(src)->data_as<scalar_t>();
    for (int64_t b = 0; b < g.outer; ++b)
      for (int64_t k = 0; k < m; ++k) {
        const int64_t i = ip[k];
        scalar_t* dst = o + (b * g.n + i) * g.inner;
        const scalar_t* from = s + (b * m + k) * g.inner;
        for (int64_t j = 0; j < g.inner; ++j) dst[j] += from[j];
      }
  });
}

std::vector<int64_t> nonzero_flat(const Tensor& mask) {
  std::vector<int64_t> pos;
  const bool* mp = impl_of(mask)->data_as<bool>();
  for (int64_t i = 0, n = impl_of(mask)->numel; i < n; ++i)
    if (mp[i]) pos.push_back(i);
  return pos;
}

}  // namespace tg::kernels
