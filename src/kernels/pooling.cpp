// Pooling kernels over contiguous stacks of planes (see pooling.h).
#include "kernels/pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "kernels/dispatch.h"

namespace tg::kernels {

namespace {

// Runs fn(first_plane, end_plane) over the planes, with about a grain's worth of elements of work
// per piece.
template <typename F>
void for_planes(int64_t planes, int64_t work_per_plane, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work_per_plane));
  parallel_for(0, planes, grain, fn, 1);
}

// Adaptive windows: [floor(i n / m), ceil((i + 1) n / m)).
inline int64_t adaptive_start(int64_t i, int64_t m, int64_t n) { return (i * n) / m; }
inline int64_t adaptive_end(int64_t i, int64_t m, int64_t n) { return ((i + 1) * n + m - 1) / m; }

}  // namespace

void max_pool_forward(const Tensor& out, const Tensor& indices, const Tensor& input,
                      const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  int64_t* ip = impl_of(indices)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(input)->dtype, "max_pool", [&] {
    const scalar_t* xp = impl_of(input)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(g.planes, out_plane * window, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const scalar_t* x = xp + p * in_plane;
        scalar_t* o = op + p * out_plane;
        int64_t* idx = ip + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          int64_t d0 = od * g.stride[0] - g.padding[0];
          const int64_t d1 = std::min(d0 + (g.kernel[0] - 1) * g.dilation[0] + 1, g.in[0]);
          while (d0 < 0) d0 += g.dilation[0];
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            int64_t h0 = oh * g.stride[1] - g.padding[1];
            const int64_t h1 = std::min(h0 + (g.kernel[1] - 1) * g.dilation[1] + 1, g.in[1]);
            while (h0 < 0) h0 += g.dilation[1];
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              int64_t w0 = ow * g.stride[2] - g.padding[2];
              const int64_t w1 = std::min(w0 + (g.kernel[2] - 1) * g.dilation[2] + 1, g.in[2]);
              while (w0 < 0) w0 += g.dilation[2];
              int64_t best = (d0 * g.in[1] + h0) * g.in[2] + w0;
              scalar_t m = -std::numeric_limits<scalar_t>::infinity();
              for (int64_t d = d0; d < d1; d += g.dilation[0]) {
                for (int64_t h = h0; h < h1; h += g.dilation[1]) {
                  const int64_t row = (d * g.in[1] + h) * g.in[2];
                  for (int64_t w = w0; w < w1; w += g.dilation[2]) {
                    // Selects rather than branches: which element wins is data-dependent.
                    const scalar_t v = x[row + w];
                    const bool take = (v > m) | (v != v);
                    m = take ? v : m;
                    best = take ? row + w : best;
                  }
                }
              }
              const int64_t j = (od * g.out[1] + oh) * g.out[2] + ow;
              o[j] = m;
              idx[j] = best;
            }
          }
        }
      }
    });
  });
}

void scatter_add_planes(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices,
                        int64_t planes) {
  const int64_t out_plane = planes ? impl_of(grad_output)->numel / planes : 0;
  const int64_t in_plane = planes ? impl_of(grad_input)->numel / planes : 0;
  const int64_t* ip = impl_of(indices)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(grad_input)->dtype, "max_pool_backward", [&] {
    const scalar_t* gp = impl_of(grad_output)->data_as<scalar_t>();
    scalar_t* xp = impl_of(grad_input)->data_as<scalar_t>();
    for_planes(planes, out_plane, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        scalar_t* x = xp + p * in_plane;
        const scalar_t* go = gp + p * out_plane;
        const int64_t* idx = ip + p * out_plane;
        for (int64_t j = 0; j < out_plane; ++j) x[idx[j]] += go[j];
      }
    });
  });
}

void gather_planes(const Tensor& out, const Tensor& src, const Tensor& indices, int64_t planes) {
  const int64_t out_plane = planes ? impl_of(out)->numel / planes : 0;
  const int64_t src_plane = planes ? impl_of(src)->numel / planes : 0;
  const int64_t* ip = impl_of(indices)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(out)->dtype, "max_pool_double_backward", [&] {
    const scalar_t* sp = impl_of(src)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(planes, out_plane, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const scalar_t* s = sp + p * src_plane;
        scalar_t* o = op + p * out_plane;
        const int64_t* idx = ip + p * out_plane;
        for (int64_t j = 0; j < out_plane; ++j) o[j] = s[idx[j]];
      }
    });
  });
}

int64_t scatter_planes(const Tensor& out, const Tensor& input, const Tensor& indices,
                       int64_t planes) {
  const int64_t in_plane = planes ? impl_of(input)->numel / planes : 0;
  const int64_t out_plane = planes ? impl_of(out)->numel / planes : 0;
  const int64_t* ip = impl_of(indices)->data_as<int64_t>();
  for (int64_t j = 0, n = planes * in_plane; j < n; ++j)
    if (ip[j] < 0 || ip[j] >= out_plane) return ip[j];
  TG_DISPATCH_FLOATING(impl_of(out)->dtype, "max_unpool", [&] {
    const scalar_t* xp = impl_of(input)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(planes, in_plane, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        scalar_t* o = op + p * out_plane;
        const scalar_t* x = xp + p * in_plane;
        const int64_t* idx = ip + p * in_plane;
        for (int64_t j = 0; j < in_plane; ++j) o[idx[j]] = x[j];
      }
    });
  });
  return -1;
}

namespace {

// The clipped window of output (od, oh, ow) and its divisor, as PyTorch's average pooling forms
// them: the divisor counts the window within the padded input unless count_include_pad is off.
struct AvgWindow {
  int64_t d0, d1, h0, h1, w0, w1;
  int64_t divisor;
  bool empty() const { return d0 >= d1 || h0 >= h1 || w0 >= w1; }
};

inline AvgWindow avg_window(const PoolGeometry& g, int64_t od, int64_t oh, int64_t ow,
                            bool count_include_pad, int64_t divisor_override) {
  AvgWindow w{};
  w.d0 = od * g.stride[0] - g.padding[0];
  w.h0 = oh * g.stride[1] - g.padding[1];
  w.w0 = ow * g.stride[2] - g.padding[2];
  w.d1 = std::min(w.d0 + g.kernel[0], g.in[0] + g.padding[0]);
  w.h1 = std::min(w.h0 + g.kernel[1], g.in[1] + g.padding[1]);
  w.w1 = std::min(w.w0 + g.kernel[2], g.in[2] + g.padding[2]);
  const int64_t pool_size = (w.d1 - w.d0) * (w.h1 - w.h0) * (w.w1 - w.w0);
  w.d0 = std::max<int64_t>(w.d0, 0);
  w.h0 = std::max<int64_t>(w.h0, 0);
  w.w0 = std::max<int64_t>(w.w0, 0);
  w.d1 = std::min(w.d1, g.in[0]);
  w.h1 = std::min(w.h1, g.in[1]);
  w.w1 = std::min(w.w1, g.in[2]);
  if (divisor_override > 0)
    w.divisor = divisor_override;
  else if (count_include_pad)
    w.divisor = pool_size;
  else
    w.divisor = (w.d1 - w.d0) * (w.h1 - w.h0) * (w.w1 - w.w0);
  return w;
}

}  // namespace

void avg_pool_forward(const Tensor& out, const Tensor& input, const PoolGeometry& g,
                      bool count_include_pad, int64_t divisor_override) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  TG_DISPATCH_FLOATING(impl_of(input)->dtype, "avg_pool", [&] {
    const scalar_t* xp = impl_of(input)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(g.planes, out_plane * window, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const scalar_t* x = xp + p * in_plane;
        scalar_t* o = op + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const AvgWindow w = avg_window(g, od, oh, ow, count_include_pad, divisor_override);
              scalar_t sum = 0;
              if (!w.empty()) {
                for (int64_t d = w.d0; d < w.d1; ++d)
                  for (int64_t h = w.h0; h < w.h1; ++h) {
                    const scalar_t* row = x + (d * g.in[1] + h) * g.in[2];
                    for (int64_t c = w.w0; c < w.w1; ++c) sum += row[c];
                  }
                sum /= static_cast<scalar_t>(w.divisor);
              }
              *o++ = sum;
            }
          }
        }
      }
    });
  });
}

void avg_pool_backward(const Tensor& grad_input, const Tensor& grad_output, const PoolGeometry& g,
                       bool count_include_pad, int64_t divisor_override) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  const int64_t window = g.kernel[0] * g.kernel[1] * g.kernel[2];
  TG_DISPATCH_FLOATING(impl_of(grad_input)->dtype, "avg_pool_backward", [&] {
    const scalar_t* gp = impl_of(grad_output)->data_as<scalar_t>();
    scalar_t* xp = impl_of(grad_input)->data_as<scalar_t>();
    for_planes(g.planes, out_plane * window, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        scalar_t* x = xp + p * in_plane;
        const scalar_t* go = gp + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const AvgWindow w = avg_window(g, od, oh, ow, count_include_pad, divisor_override);
              const scalar_t delta = *go++ / static_cast<scalar_t>(w.divisor);
              if (w.empty()) continue;
              for (int64_t d = w.d0; d < w.d1; ++d)
                for (int64_t h = w.h0; h < w.h1; ++h) {
                  scalar_t* row = x + (d * g.in[1] + h) * g.in[2];
                  for (int64_t c = w.w0; c < w.w1; ++c) row[c] += delta;
                }
            }
          }
        }
      }
    });
  });
}

void adaptive_avg_pool_forward(const Tensor& out, const Tensor& input, const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  TG_DISPATCH_FLOATING(impl_of(input)->dtype, "adaptive_avg_pool", [&] {
    const scalar_t* xp = impl_of(input)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(g.planes, std::max(in_plane, out_plane), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const scalar_t* x = xp + p * in_plane;
        scalar_t* o = op + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          const int64_t d0 = adaptive_start(od, g.out[0], g.in[0]);
          const int64_t d1 = adaptive_end(od, g.out[0], g.in[0]);
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            const int64_t h0 = adaptive_start(oh, g.out[1], g.in[1]);
            const int64_t h1 = adaptive_end(oh, g.out[1], g.in[1]);
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const int64_t w0 = adaptive_start(ow, g.out[2], g.in[2]);
              const int64_t w1 = adaptive_end(ow, g.out[2], g.in[2]);
              scalar_t sum = 0;
              for (int64_t d = d0; d < d1; ++d)
                for (int64_t h = h0; h < h1; ++h) {
                  const scalar_t* row = x + (d * g.in[1] + h) * g.in[2];
                  for (int64_t c = w0; c < w1; ++c) sum += row[c];
                }
              // Divided one extent at a time, as PyTorch rounds it.
              if (g.in[0] != 1 || g.out[0] != 1) sum /= static_cast<scalar_t>(d1 - d0);
              *o++ = sum / static_cast<scalar_t>(h1 - h0) / static_cast<scalar_t>(w1 - w0);
            }
          }
        }
      }
    });
  });
}

void adaptive_avg_pool_backward(const Tensor& grad_input, const Tensor& grad_output,
                                const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  TG_DISPATCH_FLOATING(impl_of(grad_input)->dtype, "adaptive_avg_pool_backward", [&] {
    const scalar_t* gp = impl_of(grad_output)->data_as<scalar_t>();
    scalar_t* xp = impl_of(grad_input)->data_as<scalar_t>();
    for_planes(g.planes, std::max(in_plane, out_plane), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        scalar_t* x = xp + p * in_plane;
        const scalar_t* go = gp + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          const int64_t d0 = adaptive_start(od, g.out[0], g.in[0]);
          const int64_t d1 = adaptive_end(od, g.out[0], g.in[0]);
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            const int64_t h0 = adaptive_start(oh, g.out[1], g.in[1]);
            const int64_t h1 = adaptive_end(oh, g.out[1], g.in[1]);
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const int64_t w0 = adaptive_start(ow, g.out[2], g.in[2]);
              const int64_t w1 = adaptive_end(ow, g.out[2], g.in[2]);
              scalar_t delta = *go++;
              if (g.in[0] != 1 || g.out[0] != 1) delta /= static_cast<scalar_t>(d1 - d0);
              delta = delta / static_cast<scalar_t>(h1 - h0) / static_cast<scalar_t>(w1 - w0);
              for (int64_t d = d0; d < d1; ++d)
                for (int64_t h = h0; h < h1; ++h) {
                  scalar_t* row = x + (d * g.in[1] + h) * g.in[2];
                  for (int64_t c = w0; c < w1; ++c) row[c] += delta;
                }
            }
          }
        }
      }
    });
  });
}

void adaptive_max_pool_forward(const Tensor& out, const Tensor& indices, const Tensor& input,
                               const PoolGeometry& g) {
  const int64_t in_plane = g.in_plane(), out_plane = g.out_plane();
  int64_t* ip = impl_of(indices)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(input)->dtype, "adaptive_max_pool", [&] {
    const scalar_t* xp = impl_of(input)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_planes(g.planes, std::max(in_plane, out_plane), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const scalar_t* x = xp + p * in_plane;
        scalar_t* o = op + p * out_plane;
        int64_t* idx = ip + p * out_plane;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          const int64_t d0 = adaptive_start(od, g.out[0], g.in[0]);
          const int64_t d1 = adaptive_end(od, g.out[0], g.in[0]);
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            const int64_t h0 = adaptive_start(oh, g.out[1], g.in[1]);
            const int64_t h1 = adaptive_end(oh, g.out[1], g.in[1]);
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const int64_t w0 = adaptive_start(ow, g.out[2], g.in[2]);
              const int64_t w1 = adaptive_end(ow, g.out[2], g.in[2]);
              int64_t best = (d0 * g.in[1] + h0) * g.in[2] + w0;
              scalar_t m = -std::numeric_limits<scalar_t>::infinity();
              for (int64_t d = d0; d < d1; ++d)
                for (int64_t h = h0; h < h1; ++h) {
                  const int64_t row = (d * g.in[1] + h) * g.in[2];
                  for (int64_t c = w0; c < w1; ++c) {
                    const scalar_t v = x[row + c];
                    if (v > m || std::isnan(v)) {
                      m = v;
                      best = row + c;
                    }
                  }
                }
              *o++ = m;
              *idx++ = best;
            }
          }
        }
      }
    });
  });
}

}  // namespace tg::kernels
