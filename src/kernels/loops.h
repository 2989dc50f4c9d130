// The one strided N-d loop that every elementwise kernel runs on. Operands are given by data
// pointer and byte strides over a common (broadcast) shape; dimensions that can be merged are
// merged first, so contiguous and simply broadcast cases reach the inner loop as one long run.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/parallel.h"
#include "core/tensor_impl.h"

namespace tg::kernels {

template <size_t N>
struct StridedOperands {
  std::array<char*, N> data;
  // strides[k][d]: byte stride of operand k along dim d (0 where broadcast).
  std::array<DimVector, N> strides;
};

// Byte strides of t as seen from a broadcast shape `out_sizes` (t's trailing dims aligned).
inline DimVector broadcast_byte_strides(const Tensor& t, IntArrayRef out_sizes) {
  auto* impl = impl_of(t);
  const int64_t nd = static_cast<int64_t>(out_sizes.size());
  const int64_t td = static_cast<int64_t>(impl->sizes.size());
  const int64_t es = static_cast<int64_t>(element_size(impl->dtype));
  DimVector s(nd, 0);
  for (int64_t i = 0; i < td; ++i) {
    int64_t od = nd - td + i;
    s[od] = impl->sizes[i] == 1 ? 0 : impl->strides[i] * es;
  }
  return s;
}

// The iteration space of a strided loop after merging: dims of size 1 dropped, and d-1, d fused
// wherever every operand is linear across them, so contiguous and simply broadcast cases become
// one long run.
template <size_t N>
struct MergedDims {
  DimVector sizes;
  std::array<DimVector, N> strides;
  int64_t numel = 1;

  MergedDims(IntArrayRef sizes_in, const StridedOperands<N>& ops) {
    for (size_t d = 0; d < sizes_in.size(); ++d) {
      if (sizes_in[d] == 1) continue;
      numel *= sizes_in[d];
      if (!sizes.empty()) {
        const size_t last = sizes.size() - 1;
        bool mergeable = true;
        for (size_t k = 0; k < N; ++k)
          if (strides[k][last] != ops.strides[k][d] * sizes_in[d]) mergeable = false;
        if (mergeable) {
          sizes[last] *= sizes_in[d];
          for (size_t k = 0; k < N; ++k) strides[k][last] = ops.strides[k][d];
          continue;
        }
      }
      sizes.push_back(sizes_in[d]);
      for (size_t k = 0; k < N; ++k) strides[k].push_back(ops.strides[k][d]);
    }
  }

  // Calls fn(ptrs, n, inner_strides) for the runs covering linear positions [begin, end).
  template <typename F>
  void runs(const std::array<char*, N>& base, int64_t begin, int64_t end, F& fn) const {
    std::array<char*, N> ptrs = base;
    std::array<int64_t, N> inner{};
    if (sizes.empty()) {
      fn(ptrs, int64_t(1), inner);
      return;
    }
    const size_t nd = sizes.size();
    for (size_t k = 0; k < N; ++k) inner[k] = strides[k][nd - 1];
    // The multi-index of `begin`, innermost dim last.
    DimVector counter(nd, 0);
    for (int64_t d = static_cast<int64_t>(nd) - 1, rest = begin; d >= 0; --d) {
      counter[d] = rest % sizes[d];
      rest /= sizes[d];
      for (size_t k = 0; k < N; ++k) ptrs[k] += counter[d] * strides[k][d];
    }
    const int64_t n_inner = sizes[nd - 1];
    for (int64_t pos = begin; pos < end;) {
      const int64_t n = std::min(n_inner - counter[nd - 1], end - pos);
      fn(ptrs, n, inner);
      pos += n;
      if (pos >= end) return;
      // Back to the start of the run, then advance the outer dims like an odometer.
      for (size_t k = 0; k < N; ++k) ptrs[k] -= counter[nd - 1] * inner[k];
      counter[nd - 1] = 0;
      for (int64_t d = static_cast<int64_t>(nd) - 2; d >= 0; --d) {
        for (size_t k = 0; k < N; ++k) ptrs[k] += strides[k][d];
        if (++counter[d] < sizes[d]) break;
        for (size_t k = 0; k < N; ++k) ptrs[k] -= strides[k][d] * sizes[d];
        counter[d] = 0;
      }
    }
  }
};

// True when an input's bytes [in, in + in_span) meet the output's [out, out + out_span) other
// than as the output's own elements at the same positions (`identical`).
inline bool reads_what_it_writes(const char* out, int64_t out_span, const char* in, int64_t in_span,
                                 bool identical) {
  return in < out + out_span && out < in + in_span && !identical;
}

// True when operand 0 (the output) shares memory with another operand without being the very
// same elements (same address, same strides): an in-place op on overlapping views, such as
// x[1:].add_(x[:-1]). Such an op must run in order, on one thread, as it always did.
template <size_t N>
bool partial_overlap(const MergedDims<N>& dims, const std::array<char*, N>& base) {
  auto span = [&](size_t k) {
    int64_t s = 16;  // at least one element of any dtype
    for (size_t d = 0; d < dims.sizes.size(); ++d) s += (dims.sizes[d] - 1) * dims.strides[k][d];
    return s;
  };
  const int64_t out_span = span(0);
  for (size_t k = 1; k < N; ++k) {
    bool same = base[k] == base[0];
    for (size_t d = 0; same && d < dims.sizes.size(); ++d)
      same = dims.strides[k][d] == dims.strides[0][d];
    if (reads_what_it_writes(base[0], out_span, base[k], span(k), same)) return true;
  }
  return false;
}

// Calls fn(ptrs, n, inner_strides) for each innermost run of the iteration; large iterations are
// split over the thread pool (fn must only write what its own elements own).
template <size_t N, typename F>
void for_each_run(IntArrayRef sizes_in, StridedOperands<N>& ops, F&& fn) {
  for (int64_t s : sizes_in)
    if (s == 0) return;
  const MergedDims<N> dims(sizes_in, ops);
  auto part = [&](int64_t b, int64_t e) { dims.runs(ops.data, b, e, fn); };
  if (dims.numel >= 2 * kGrainSize && partial_overlap(dims, ops.data))
    part(0, dims.numel);
  else
    parallel_for(0, dims.numel, kGrainSize, part);
}

// The common shapes need no iteration space: when out is contiguous and every input is either
// contiguous with out's shape or a single element (a broadcast scalar), all elements form one
// run. Returns false, doing nothing, for anything else.
template <size_t N, typename Run>
bool run_flat(const std::array<TensorImpl*, N>& t, const std::array<int64_t, N>& es, Run& run) {
  TensorImpl* o = t[0];
  if (!o->contiguous) return false;
  std::array<int64_t, N> st{};
  st[0] = es[0];
  for (size_t k = 1; k < N; ++k) {
    if (t[k]->numel == 1 && o->numel != 1) {
      st[k] = 0;
    } else if (t[k]->contiguous && t[k]->sizes.ref() == o->sizes.ref()) {
      st[k] = es[k];
    } else {
      return false;
    }
  }
  std::array<char*, N> base;
  for (size_t k = 0; k < N; ++k) base[k] = t[k]->data();
  auto part = [&](int64_t b, int64_t e) {
    std::array<char*, N> p;
    for (size_t k = 0; k < N; ++k) p[k] = base[k] + b * st[k];
    run(p, e - b, st);
  };
  if (o->numel < 2 * kGrainSize) {
    part(0, o->numel);
    return true;
  }
  // An input inside the output's memory, other than the output itself (a broadcast element of
  // it, or another view of it), is read while being written: in order, on one thread.
  for (size_t k = 1; k < N; ++k) {
    const int64_t in_span = st[k] ? t[k]->numel * es[k] : es[k];
    if (reads_what_it_writes(base[0], o->numel * es[0], base[k], in_span,
                             base[k] == base[0] && st[k] == st[0])) {
      part(0, o->numel);
      return true;
    }
  }
  parallel_for(0, o->numel, kGrainSize, part);
  return true;
}

// Elementwise map out = f(a) over arbitrary strides.
template <typename To, typename Ta, typename F>
void unary_loop(const Tensor& out, const Tensor& a, F&& f) {
  auto run = [&](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) {
    auto* o = reinterpret_cast<To*>(p[0]);
    auto* x = reinterpret_cast<const Ta*>(p[1]);
    if (s[0] == sizeof(To) && s[1] == sizeof(Ta)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    } else if (s[0] == sizeof(To) && s[1] == 0) {
      const To v = f(x[0]);
      for (int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<To*>(p[0] + i * s[0]) = f(*reinterpret_cast<const Ta*>(p[1] + i * s[1]));
    }
  };
  if (run_flat<2>({impl_of(out), impl_of(a)}, {int64_t(sizeof(To)), int64_t(sizeof(Ta))}, run))
    return;
  StridedOperands<2> ops{
      {impl_of(out)->data(), impl_of(a)->data()},
      {broadcast_byte_strides(out, out.sizes()), broadcast_byte_strides(a, out.sizes())}};
  for_each_run<2>(out.sizes(), ops, run);
}

// Elementwise map out = f(a, b) with broadcasting; out has the broadcast shape.
template <typename To, typename T, typename F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F&& f) {
  auto run = [&](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) {
    auto* o = reinterpret_cast<To*>(p[0]);
    auto* x = reinterpret_cast<const T*>(p[1]);
    auto* y = reinterpret_cast<const T*>(p[2]);
    constexpr int64_t es = sizeof(T);
    if (s[0] == sizeof(To) && s[1] == es && s[2] == es) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(To) && s[1] == es && s[2] == 0) {
      const T yv = y[0];
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (s[0] == sizeof(To) && s[1] == 0 && s[2] == es) {
      const T xv = x[0];
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<To*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                    *reinterpret_cast<const T*>(p[2] + i * s[2]));
    }
  };
  if (run_flat<3>({impl_of(out), impl_of(a), impl_of(b)},
                  {int64_t(sizeof(To)), int64_t(sizeof(T)), int64_t(sizeof(T))}, run))
    return;
  StridedOperands<3> ops{
      {impl_of(out)->data(), impl_of(a)->data(), impl_of(b)->data()},
      {broadcast_byte_strides(out, out.sizes()), broadcast_byte_strides(a, out.sizes()),
       broadcast_byte_strides(b, out.sizes())}};
  for_each_run<3>(out.sizes(), ops, run);
}

}  // namespace tg::kernels
