#include "kernels/sort.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/parallel.h"
#include "kernels/dispatch.h"

namespace tg::kernels {
namespace {

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// Orders with NaN above every number (NaNs equal to each other).
template <typename T>
bool nan_last_less(T a, T b) {
  return (!is_nan(a) && is_nan(b)) || a < b;
}
template <typename T>
bool nan_first_greater(T a, T b) {
  return (is_nan(a) && !is_nan(b)) || a > b;
}

struct Geometry {
  int64_t outer = 1, n = 1, inner = 1;
};

Geometry geometry(IntArrayRef sizes, int64_t d) {
  Geometry g;
  if (sizes.empty()) return g;
  for (int64_t i = 0; i < d; ++i) g.outer *= sizes[i];
  g.n = sizes[d];
  for (size_t i = d + 1; i < sizes.size(); ++i) g.inner *= sizes[i];
  return g;
}

// Calls fn(row, in_base, out_row_base) for every row (o, :, i), in parallel, with a scratch
// vector of (value, position) pairs per worker. out_len is the length of an output row.
template <typename T, typename F>
void for_each_row(const Geometry& g, int64_t out_len, F&& fn) {
  const int64_t rows = g.outer * g.inner;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(g.n, 1));
  parallel_for(
      0, rows, grain,
      [&](int64_t begin, int64_t end) {
        std::vector<std::pair<T, int64_t>> row(static_cast<size_t>(g.n));
        for (int64_t r = begin; r < end; ++r) {
          const int64_t o = r / g.inner, i = r % g.inner;
          fn(row, o * g.n * g.inner + i, o * out_len * g.inner + i);
        }
      },
      1);
}

// Puts the k-th smallest of a[0..n) (NaN largest) at a[k]: Sedgewick's quickselect with a
// median-of-three pivot, the one PyTorch's kthvalue runs, so that among equal values the same
// position is chosen.
template <typename T>
void quick_select(std::pair<T, int64_t>* a, int64_t n, int64_t k) {
  auto gt = [](T x, T y) { return nan_first_greater(x, y); };
  int64_t lo = 0, hi = n - 1;
  while (hi > lo) {
    if (hi == lo + 1) {
      if (gt(a[lo].first, a[hi].first)) std::swap(a[lo], a[hi]);
      return;
    }
    std::swap(a[(lo + hi) / 2], a[lo + 1]);
    if (gt(a[lo + 1].first, a[hi].first)) std::swap(a[lo + 1], a[hi]);
    if (gt(a[lo].first, a[hi].first)) std::swap(a[lo], a[hi]);
    if (gt(a[lo + 1].first, a[lo].first)) std::swap(a[lo + 1], a[lo]);
    int64_t i = lo + 1, j = hi;
    const T pivot = a[lo].first;
    for (;;) {
      do ++i;
      while (gt(pivot, a[i].first));
      do --j;
      while (gt(a[j].first, pivot));
      if (j < i) break;
      std::swap(a[i], a[j]);
    }
    std::swap(a[lo], a[j]);
    if (j <= k) lo = i;
    if (j >= k) hi = j - 1;
  }
}

}  // namespace

void sort(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d,
          bool descending) {
  const Geometry g = geometry(in.sizes(), d);
  if (in.numel() == 0) return;
  TG_DISPATCH_ALL(impl_of(in)->dtype, "sort", [&] {
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    scalar_t* vo = impl_of(values)->data_as<scalar_t>();
    int64_t* io = impl_of(indices)->data_as<int64_t>();
    for_each_row<scalar_t>(g, g.n, [&](auto& row, int64_t base, int64_t obase) {
      for (int64_t k = 0; k < g.n; ++k) row[k] = {src[base + k * g.inner], k};
      // Stable: equal values keep their order, whichever way the row is sorted.
      if (descending)
        std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) {
          return nan_first_greater(a.first, b.first);
        });
      else
        std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) {
          return nan_last_less(a.first, b.first);
        });
      for (int64_t k = 0; k < g.n; ++k) {
        vo[obase + k * g.inner] = row[k].first;
        io[obase + k * g.inner] = row[k].second;
      }
    });
  });
}

void topk(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d, int64_t k,
          bool largest, bool sorted) {
  const Geometry g = geometry(in.sizes(), d);
  if (in.numel() == 0 || k == 0) return;
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, "topk_cpu", [&] {
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    scalar_t* vo = impl_of(values)->data_as<scalar_t>();
    int64_t* io = impl_of(indices)->data_as<int64_t>();
    auto run = [&](auto cmp) {
      for_each_row<scalar_t>(g, k, [&](auto& row, int64_t base, int64_t obase) {
        for (int64_t j = 0; j < g.n; ++j) row[j] = {src[base + j * g.inner], j};
        // A short prefix of a long row: a heap is cheaper than a partition.
        if (k * 64 <= g.n) {
          std::partial_sort(row.begin(), row.begin() + k, row.end(), cmp);
        } else {
          std::nth_element(row.begin(), row.begin() + k - 1, row.end(), cmp);
          if (sorted) std::sort(row.begin(), row.begin() + k - 1, cmp);
        }
        for (int64_t j = 0; j < k; ++j) {
          vo[obase + j * g.inner] = row[j].first;
          io[obase + j * g.inner] = row[j].second;
        }
      });
    };
    if (largest)
      run([](const auto& a, const auto& b) { return nan_first_greater(a.first, b.first); });
    else
      run([](const auto& a, const auto& b) { return nan_last_less(a.first, b.first); });
  });
}

void select(SelectOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t d,
            int64_t k) {
  const Geometry g = geometry(in.sizes(), d);
  if (in.numel() == 0) return;
  const char* name = op == SelectOp::Kth      ? "kthvalue_cpu"
                     : op == SelectOp::Mode   ? "mode"
                     : op == SelectOp::Median ? "median_out"
                                              : "nanmedian_out";
  auto body = [&](auto tag) {
    using scalar_t = decltype(tag);
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    scalar_t* vo = impl_of(values)->data_as<scalar_t>();
    int64_t* io = impl_of(indices)->data_as<int64_t>();
    // (value, position) ordered by value with NaN last, then by position: a total order, so the
    // median is the element of that rank whatever the partition did (PyTorch orders the same).
    auto less = [](const auto& a, const auto& b) {
      if (nan_last_less(a.first, b.first)) return true;
      if (nan_last_less(b.first, a.first)) return false;
      return a.second < b.second;
    };
    for_each_row<scalar_t>(g, 1, [&](auto& row, int64_t base, int64_t obase) {
      int64_t m = 0, first_nan = -1;
      for (int64_t j = 0; j < g.n; ++j) {
        const scalar_t v = src[base + j * g.inner];
        if (is_nan(v)) {
          if (first_nan < 0) first_nan = j;
          if (op == SelectOp::NanMedian) continue;
        }
        row[m++] = {v, j};
      }
      std::pair<scalar_t, int64_t> pick;
      if (op == SelectOp::Median && first_nan >= 0) {
        pick = {src[base + first_nan * g.inner], first_nan};
      } else if (op == SelectOp::NanMedian && m == 0) {
        pick = {src[base], 0};
      } else if (op == SelectOp::Mode) {
        // PyTorch's mode: sort by value alone (libstdc++'s introsort, so equal values end up
        // in the same order as there), then the first longest run wins, at its last element.
        std::sort(row.begin(), row.begin() + m,
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        int64_t best = 0, run = 0;
        for (int64_t j = 0; j < m; ++j) {
          ++run;
          if (j + 1 == m || row[j].first != row[j + 1].first) {
            if (run > best) {
              best = run;
              pick = row[j];
            }
            run = 0;
          }
        }
      } else if (op == SelectOp::Kth) {
        quick_select(row.data(), m, k);
        pick = row[k];
      } else {
        const int64_t at = (m - 1) / 2;
        std::nth_element(row.begin(), row.begin() + at, row.begin() + m, less);
        pick = row[at];
      }
      vo[obase] = pick.first;
      io[obase] = pick.second;
    });
  };
  switch (impl_of(in)->dtype) {
    case kFloat:
      body(float{});
      break;
    case kDouble:
      body(double{});
      break;
    case kLong:
      body(int64_t{});
      break;
    case kBool:
      TG_CHECK(op == SelectOp::Mode, "\"", name, "\" not implemented for 'Bool'");
      body(bool{});
      break;
  }
}

UniqueResult unique(const Tensor& in, bool consecutive) {
  const int64_t n = in.numel();
  UniqueResult r;
  r.inverse = make_empty(in.sizes(), kLong);
  TG_DISPATCH_ALL(impl_of(in)->dtype, "unique", [&] {
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    int64_t* inv = impl_of(r.inverse)->data_as<int64_t>();
    std::vector<scalar_t> distinct;
    std::vector<int64_t> counts;
    if (consecutive) {
      for (int64_t j = 0; j < n; ++j) {
        if (j == 0 || !(src[j] == src[j - 1])) {
          distinct.push_back(src[j]);
          counts.push_back(0);
        }
        ++counts.back();
        inv[j] = static_cast<int64_t>(distinct.size()) - 1;
      }
    } else {
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t j = 0; j < n; ++j) order[j] = j;
      std::stable_sort(order.begin(), order.end(),
                       [src](int64_t a, int64_t b) { return nan_last_less(src[a], src[b]); });
      for (int64_t j = 0; j < n; ++j) {
        const scalar_t v = src[order[j]];
        // NaN equals nothing, itself included: each NaN is a value of its own.
        if (j == 0 || !(v == src[order[j - 1]])) {
          distinct.push_back(v);
          counts.push_back(0);
        }
        ++counts.back();
        inv[order[j]] = static_cast<int64_t>(distinct.size()) - 1;
      }
    }
    const int64_t u = static_cast<int64_t>(distinct.size());
    r.values = make_empty({u}, impl_of(in)->dtype);
    r.counts = make_empty({u}, kLong);
    scalar_t* vo = impl_of(r.values)->data_as<scalar_t>();
    int64_t* co = impl_of(r.counts)->data_as<int64_t>();
    for (int64_t j = 0; j < u; ++j) {
      vo[j] = distinct[j];
      co[j] = counts[j];
    }
  });
  return r;
}

std::vector<int64_t> lexsort_rows(const Tensor& in) {
  const int64_t n = in.size(0), m = in.size(1);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) order[j] = j;
  TG_DISPATCH_ALL(impl_of(in)->dtype, "unique_dim", [&] {
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      for (int64_t c = 0; c < m; ++c) {
        const scalar_t x = src[a * m + c], y = src[b * m + c];
        if (x < y) return true;
        if (y < x) return false;
      }
      return false;
    });
  });
  return order;
}

std::vector<bool> row_starts_group(const Tensor& in, const std::vector<int64_t>& order) {
  const int64_t n = static_cast<int64_t>(order.size()), m = in.size(1);
  std::vector<bool> starts(order.size(), true);
  TG_DISPATCH_ALL(impl_of(in)->dtype, "unique_dim", [&] {
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    for (int64_t j = 1; j < n; ++j) {
      bool same = true;
      for (int64_t c = 0; c < m && same; ++c)
        same = src[order[j] * m + c] == src[order[j - 1] * m + c];
      starts[j] = !same;
    }
  });
  return starts;
}

}  // namespace tg::kernels
