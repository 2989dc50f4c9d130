#include "kernels/scatter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

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

// amax and amin propagate NaN, as PyTorch's do.
template <typename T>
bool nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}
template <typename T>
T nan_max(T a, T b) {
  return nan(a) ? a : nan(b) ? b : std::max(a, b);
}
template <typename T>
T nan_min(T a, T b) {
  return nan(a) ? a : nan(b) ? b : std::min(a, b);
}

// A mean of n values from their sum: rounded down for integers, as PyTorch's floor division.
template <typename T>
T mean_of(T sum, int64_t n) {
  if constexpr (std::is_integral_v<T>) {
    const T q = sum / n, r = sum % n;
    return (r != 0 && (r < 0) != (n < 0)) ? q - 1 : q;
  } else {
    return sum / static_cast<T>(n);
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

void scatter_reduce(const Tensor& self, int64_t d, const Tensor& index, const Tensor& src,
                    ScatterReduce op, bool include_self, const char* name) {
  TG_DISPATCH_NUMERIC(impl_of(self)->dtype, name, [&] {
    scalar_t* s = impl_of(self)->data_as<scalar_t>();
    const scalar_t* from = impl_of(src)->data_as<scalar_t>();
    std::vector<int64_t> count;
    if (op == ScatterReduce::Mean) count.assign(static_cast<size_t>(impl_of(self)->numel), 0);
    if (!include_self) {
      scalar_t identity = 0;
      if (op == ScatterReduce::Prod) identity = 1;
      if (op == ScatterReduce::Amax) identity = std::numeric_limits<scalar_t>::lowest();
      if (op == ScatterReduce::Amin) identity = std::numeric_limits<scalar_t>::max();
      if constexpr (std::is_floating_point_v<scalar_t>) {
        if (op == ScatterReduce::Amax) identity = -std::numeric_limits<scalar_t>::infinity();
        if (op == ScatterReduce::Amin) identity = std::numeric_limits<scalar_t>::infinity();
      }
      for_each_target(index, self.sizes(), d, name,
                      [&](int64_t, int64_t off) { s[off] = identity; });
    }
    for_each_target(index, self.sizes(), d, name, [&](int64_t k, int64_t off) {
      const scalar_t a = s[off], b = from[k];
      switch (op) {
        case ScatterReduce::Sum:
        case ScatterReduce::Mean:
          s[off] = a + b;
          break;
        case ScatterReduce::Prod:
          s[off] = a * b;
          break;
        case ScatterReduce::Amax:
          s[off] = nan_max(a, b);
          break;
        case ScatterReduce::Amin:
          s[off] = nan_min(a, b);
          break;
      }
      if (!count.empty()) ++count[off];
    });
    if (op != ScatterReduce::Mean) return;
    for (size_t off = 0; off < count.size(); ++off) {
      const int64_t n = count[off] + (include_self ? 1 : 0);
      if (count[off] == 0 || n <= 1) continue;
      s[off] = mean_of(s[off], n);
    }
  });
}

}  // namespace tg::kernels
