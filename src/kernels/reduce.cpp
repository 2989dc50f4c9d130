// Reductions. The input is brought to a layout where the reduced elements are either the
// innermost run of each output (rows) or the outermost one (columns); the general case permutes
// the reduced dims to the end first.
#include "kernels/reduce.h"

#include <cmath>
#include <limits>
#include <utility>

#include "core/parallel.h"
#include "kernels/dispatch.h"
#include "kernels/vec_math.h"

namespace tg::kernels {
namespace {

template <typename T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return false;
}

// Reduce `rows` rows of length k each (contiguous) into out[row].
template <typename T, typename To>
void reduce_rows(ReduceOp op, To* out, const T* in, int64_t rows, int64_t k) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* x = in + r * k;
    switch (op) {
      case ReduceOp::Sum: {
        acc_t<T> s = 0;
        for (int64_t i = 0; i < k; ++i) s += x[i];
        out[r] = static_cast<To>(s);
        break;
      }
      case ReduceOp::Prod: {
        acc_t<T> s = 1;
        for (int64_t i = 0; i < k; ++i) s *= x[i];
        out[r] = static_cast<To>(s);
        break;
      }
      case ReduceOp::Max:
      case ReduceOp::Min:
      case ReduceOp::ArgMax:
      case ReduceOp::ArgMin: {
        const bool want_max = op == ReduceOp::Max || op == ReduceOp::ArgMax;
        T best = x[0];
        int64_t idx = 0;
        for (int64_t i = 1; i < k && !is_nan(best); ++i) {
          T v = x[i];
          if (is_nan(v) || (want_max ? v > best : v < best)) {
            best = v;
            idx = i;
          }
        }
        if (op == ReduceOp::ArgMax || op == ReduceOp::ArgMin)
          out[r] = static_cast<To>(idx);
        else
          out[r] = static_cast<To>(best);
        break;
      }
      case ReduceOp::Any: {
        bool a = false;
        for (int64_t i = 0; i < k; ++i) a = a || bool(x[i]);
        out[r] = static_cast<To>(a);
        break;
      }
      case ReduceOp::All: {
        bool a = true;
        for (int64_t i = 0; i < k; ++i) a = a && bool(x[i]);
        out[r] = static_cast<To>(a);
        break;
      }
    }
  }
}

// Columns [b, e) of sum_columns, one row after the other.
template <typename T>
void sum_column_range(T* out, const T* in, int64_t k, int64_t m, int64_t b, int64_t e) {
  for (int64_t j = b; j < e; ++j) out[j] = 0;
  for (int64_t i = 0; i < k; ++i) {
    const T* x = in + i * m;
    for (int64_t j = b; j < e; ++j) out[j] += x[j];
  }
}

// The float case with vector registers: 8 * W column sums stay in registers over all k rows (the
// loop above loads and stores them once per row). Written over GCC vector types of W floats and
// compiled for AVX2 (W = 8) and AVX-512 (W = 16); the same order of additions, so the same bits.
template <int W>
inline void sum_column_range_vec(float* out, const float* in, int64_t k, int64_t m, int64_t b,
                                 int64_t e) {
  typedef float V __attribute__((vector_size(W * 4), aligned(4), may_alias));
  int64_t j = b;
  for (; j + 8 * W <= e; j += 8 * W) {
    // Eight independent chains of adds, one per register.
    V acc[8];
    for (int q = 0; q < 8; ++q) acc[q] = V{};
    for (int64_t i = 0; i < k; ++i) {
      const V* x = reinterpret_cast<const V*>(in + i * m + j);
      for (int q = 0; q < 8; ++q) acc[q] += x[q];
    }
    for (int q = 0; q < 8; ++q) reinterpret_cast<V*>(out + j)[q] = acc[q];
  }
  sum_column_range<float>(out, in, k, m, j, e);
}
__attribute__((target("avx2"), flatten)) void sum_column_range_avx2(float* out, const float* in,
                                                                    int64_t k, int64_t m, int64_t b,
                                                                    int64_t e) {
  sum_column_range_vec<8>(out, in, k, m, b, e);
}
__attribute__((target("avx512f"), flatten)) void sum_column_range_avx512(float* out,
                                                                         const float* in, int64_t k,
                                                                         int64_t m, int64_t b,
                                                                         int64_t e) {
  sum_column_range_vec<16>(out, in, k, m, b, e);
}

// Runs fn(b, e) on ranges of the m columns of a k-row reduction. Threads take disjoint column
// ranges, so every column is summed in the same order on any number of threads.
template <typename F>
void for_column_ranges(int64_t m, int64_t k, F&& fn) {
  parallel_for(0, m, std::max<int64_t>(16, kGrainSize / std::max<int64_t>(k, 1)),
               std::forward<F>(fn), 32);
}

// out[j] = sum_i in[i * m + j].
template <typename T>
void sum_columns(T* out, const T* in, int64_t k, int64_t m) {
  for_column_ranges(m, k, [&](int64_t b, int64_t e) {
    if constexpr (std::is_same_v<T, float>) {
      if (has_avx512()) return sum_column_range_avx512(out, in, k, m, b, e);
      if (has_avx2()) return sum_column_range_avx2(out, in, k, m, b, e);
    }
    sum_column_range<T>(out, in, k, m, b, e);
  });
}

// Columns [b, e) of column_sum_and_dot without vector registers (double, or float without AVX2),
// compiled for the baseline instruction set: the additions of sum_column_range and the multiply
// then add of the portable product loops (small_gemm, small_gemv), in their order.
template <typename T>
void column_sum_and_dot_range(T* sum, T* dot, const T* g, const T* x, int64_t xs, int64_t m,
                              int64_t n, int64_t b, int64_t e) {
  for (int64_t j = b; j < e; ++j) sum[j] = dot[j] = 0;
  for (int64_t i = 0; i < m; ++i) {
    const T* row = g + i * n;
    const T xi = x[i * xs];
    for (int64_t j = b; j < e; ++j) {
      sum[j] += row[j];
      dot[j] += xi * row[j];
    }
  }
}

// Columns [b, e) of column_sum_and_dot: 4 * W sums and 4 * W dots in registers over all m rows,
// each added row after row as sum_column_range_vec and the product's fused multiply-adds are.
template <int W>
inline void column_sum_and_dot_vec(float* sum, float* dot, const float* g, const float* x,
                                   int64_t xs, int64_t m, int64_t n, int64_t b, int64_t e) {
  typedef float V __attribute__((vector_size(W * 4), aligned(4), may_alias));
  int64_t j = b;
  for (; j + 4 * W <= e; j += 4 * W) {
    V s[4], d[4];
    for (int q = 0; q < 4; ++q) s[q] = d[q] = V{};
    for (int64_t i = 0; i < m; ++i) {
      const V* row = reinterpret_cast<const V*>(g + i * n + j);
      const float xi = x[i * xs];
      for (int q = 0; q < 4; ++q) {
        s[q] += row[q];
        d[q] += xi * row[q];  // contracted to a fused multiply-add (the wrappers enable FMA)
      }
    }
    for (int q = 0; q < 4; ++q) {
      reinterpret_cast<V*>(sum + j)[q] = s[q];
      reinterpret_cast<V*>(dot + j)[q] = d[q];
    }
  }
  for (; j < e; ++j) {
    float s = 0, d = 0;
    for (int64_t i = 0; i < m; ++i) {
      s += g[i * n + j];
      d = std::fma(x[i * xs], g[i * n + j], d);
    }
    sum[j] = s;
    dot[j] = d;
  }
}
__attribute__((target("avx2,fma"), flatten)) void column_sum_and_dot_avx2(
    float* sum, float* dot, const float* g, const float* x, int64_t xs, int64_t m, int64_t n,
    int64_t b, int64_t e) {
  column_sum_and_dot_vec<8>(sum, dot, g, x, xs, m, n, b, e);
}
__attribute__((target("avx512f,fma"), flatten)) void column_sum_and_dot_avx512(
    float* sum, float* dot, const float* g, const float* x, int64_t xs, int64_t m, int64_t n,
    int64_t b, int64_t e) {
  column_sum_and_dot_vec<16>(sum, dot, g, x, xs, m, n, b, e);
}

template <typename T>
void column_sums_and_dots(T* sum, T* dot, const T* g, const T* x, int64_t xs, int64_t m,
                          int64_t n) {
  for_column_ranges(n, m, [&](int64_t b, int64_t e) {
    if constexpr (std::is_same_v<T, float>) {
      if (has_avx512()) return column_sum_and_dot_avx512(sum, dot, g, x, xs, m, n, b, e);
      if (has_avx2()) return column_sum_and_dot_avx2(sum, dot, g, x, xs, m, n, b, e);
    }
    column_sum_and_dot_range<T>(sum, dot, g, x, xs, m, n, b, e);
  });
}

}  // namespace

void column_sum_and_dot(const Tensor& sum, const Tensor& dot, const Tensor& g, const Tensor& x) {
  auto* gi = impl_of(g);
  TG_DISPATCH_FLOATING(gi->dtype, "column_sum_and_dot", [&] {
    column_sums_and_dots(impl_of(sum)->data_as<scalar_t>(), impl_of(dot)->data_as<scalar_t>(),
                         gi->data_as<scalar_t>(), impl_of(x)->data_as<scalar_t>(),
                         impl_of(x)->strides[0], gi->sizes[0], gi->sizes[1]);
  });
}

void reduce(ReduceOp op, const Tensor& out, const Tensor& in, const DimMask& reduce_dim) {
  auto* ii = impl_of(in);
  const int64_t nd = static_cast<int64_t>(ii->sizes.size());
  int64_t outer = 1, inner = 1;
  bool trailing = true, leading = true;
  // trailing: all reduced dims come after all kept dims; leading: the reverse. Dims of size 1
  // do not change the layout and count as neither, so a [n, 1] summed over dim 0 is one
  // contiguous run (a row), not n rows of one column.
  bool seen_reduced = false, seen_kept = false;
  for (int64_t d = 0; d < nd; ++d) {
    if (ii->sizes[d] == 1) continue;
    if (reduce_dim[d]) {
      inner *= ii->sizes[d];
      seen_reduced = true;
      if (seen_kept) leading = false;
    } else {
      outer *= ii->sizes[d];
      seen_kept = true;
      if (seen_reduced) trailing = false;
    }
  }
  if (ii->sizes.size() == 0) trailing = true;
  const ScalarType out_t = impl_of(out)->dtype;
  TG_CHECK(inner > 0 || op == ReduceOp::Sum || op == ReduceOp::Prod || op == ReduceOp::Any ||
               op == ReduceOp::All,
           "max/min/argmax/argmin: cannot reduce over a dimension of size 0 (input shape ",
           ii->sizes.ref(), ")");

  Tensor src = in;
  if (ii->contiguous && leading && !trailing && op == ReduceOp::Sum && ii->dtype == out_t &&
      is_floating_point(out_t)) {
    TG_DISPATCH_FLOATING(ii->dtype, "sum", [&] {
      sum_columns(impl_of(out)->data_as<scalar_t>(), ii->data_as<scalar_t>(), inner, outer);
    });
    return;
  }
  if (!trailing) {
    // Move the reduced dims to the end.
    DimVector perm;
    for (int64_t d = 0; d < nd; ++d)
      if (!reduce_dim[d]) perm.push_back(d);
    for (int64_t d = 0; d < nd; ++d)
      if (reduce_dim[d]) perm.push_back(d);
    src = in.permute(perm).contiguous();
  } else if (!ii->contiguous) {
    src = in.contiguous();
  }
  auto* si = impl_of(src);
  TG_DISPATCH_ALL(si->dtype, "reduce", [&] {
    using in_t = scalar_t;
    TG_DISPATCH_ALL(out_t, "reduce", [&] {
      if (inner == 0) {
        auto* o = impl_of(out)->data_as<scalar_t>();
        const scalar_t v =
            (op == ReduceOp::Prod || op == ReduceOp::All) ? scalar_t(1) : scalar_t(0);
        for (int64_t r = 0; r < outer; ++r) o[r] = v;
      } else {
        // Threads take whole rows, so every result is summed in the same order as on one.
        auto* o = impl_of(out)->data_as<scalar_t>();
        const in_t* x = si->data_as<in_t>();
        parallel_for(
            0, outer, std::max<int64_t>(1, kGrainSize / inner),
            [&](int64_t b, int64_t e) {
              reduce_rows<in_t, scalar_t>(op, o + b, x + b * inner, e - b, inner);
            },
            1);
      }
    });
  });
}

}  // namespace tg::kernels
