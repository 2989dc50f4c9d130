// Normalization kernels (see normalization.h). Reductions keep eight partial sums so that the
// compiler can vectorise them without reassociating a single chain.
#include "kernels/normalization.h"

#include "core/parallel.h"
#include "kernels/dispatch.h"

namespace tg::kernels {

namespace {

template <typename F>
void for_channels(int64_t channels, int64_t work, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work));
  parallel_for(0, channels, grain, fn, 1);
}

template <typename T>
double sum_of(const T* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += static_cast<double>(x[i + k]);
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += static_cast<double>(x[i]);
  return s;
}

template <typename T>
double squared_deviations(const T* x, int64_t n, T mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) {
      const T d = x[i + k] - mean;
      acc[k] += static_cast<double>(d * d);
    }
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) {
    const T d = x[i] - mean;
    s += static_cast<double>(d * d);
  }
  return s;
}

template <typename T>
void sums_with_dot(const T* gy, const T* x, int64_t n, T mean, double& sum, double& dot) {
  double as[8] = {0, 0, 0, 0, 0, 0, 0, 0}, ad[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) {
      as[k] += static_cast<double>(gy[i + k]);
      ad[k] += static_cast<double>((x[i + k] - mean) * gy[i + k]);
    }
  double s = ((as[0] + as[1]) + (as[2] + as[3])) + ((as[4] + as[5]) + (as[6] + as[7]));
  double d = ((ad[0] + ad[1]) + (ad[2] + ad[3])) + ((ad[4] + ad[5]) + (ad[6] + ad[7]));
  for (; i < n; ++i) {
    s += static_cast<double>(gy[i]);
    d += static_cast<double>((x[i] - mean) * gy[i]);
  }
  sum += s;
  dot += d;
}

}  // namespace

void channel_moments(const Tensor& x, int64_t outer, int64_t channels, int64_t inner, double* mean,
                     double* var_sum) {
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "batch_norm", [&] {
    const scalar_t* xp = impl_of(x)->data_as<scalar_t>();
    const double n = static_cast<double>(outer * inner);
    for_channels(channels, outer * inner, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double s = 0;
        for (int64_t o = 0; o < outer; ++o) s += sum_of(xp + (o * channels + c) * inner, inner);
        // The mean is rounded to the dtype before the deviations are formed, as in ATen.
        const scalar_t m = static_cast<scalar_t>(n > 0 ? s / n : 0.0);
        double v = 0;
        for (int64_t o = 0; o < outer; ++o)
          v += squared_deviations(xp + (o * channels + c) * inner, inner, m);
        mean[c] = static_cast<double>(m);
        var_sum[c] = v;
      }
    });
  });
}

void channel_affine(const Tensor& out, const Tensor& x, int64_t outer, int64_t channels,
                    int64_t inner, const double* alpha, const double* beta) {
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "batch_norm", [&] {
    const scalar_t* xp = impl_of(x)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_channels(outer * channels, inner, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t c = r % channels;
        const scalar_t a = static_cast<scalar_t>(alpha[c]), b = static_cast<scalar_t>(beta[c]);
        const scalar_t* xr = xp + r * inner;
        scalar_t* orow = op + r * inner;
        for (int64_t i = 0; i < inner; ++i) orow[i] = xr[i] * a + b;
      }
    });
  });
}

void channel_grad_sums(const Tensor& gy, const Tensor& x, int64_t outer, int64_t channels,
                       int64_t inner, const double* mean, double* sum, double* dot) {
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "batch_norm_backward", [&] {
    const scalar_t* xp = impl_of(x)->data_as<scalar_t>();
    const scalar_t* gp = impl_of(gy)->data_as<scalar_t>();
    for_channels(channels, 2 * outer * inner, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double s = 0, d = 0;
        const scalar_t m = static_cast<scalar_t>(mean[c]);
        for (int64_t o = 0; o < outer; ++o) {
          const int64_t off = (o * channels + c) * inner;
          sums_with_dot(gp + off, xp + off, inner, m, s, d);
        }
        sum[c] = s;
        dot[c] = d;
      }
    });
  });
}

void channel_linear2(const Tensor& out, const Tensor& gy, const Tensor& x, int64_t outer,
                     int64_t channels, int64_t inner, const double* a, const double* b,
                     const double* d) {
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "batch_norm_backward", [&] {
    const scalar_t* xp = impl_of(x)->data_as<scalar_t>();
    const scalar_t* gp = impl_of(gy)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    for_channels(outer * channels, 2 * inner, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t c = r % channels;
        const scalar_t ca = static_cast<scalar_t>(a[c]), cb = static_cast<scalar_t>(b[c]),
                       cd = static_cast<scalar_t>(d[c]);
        const scalar_t* xr = xp + r * inner;
        const scalar_t* gr = gp + r * inner;
        scalar_t* orow = op + r * inner;
        for (int64_t i = 0; i < inner; ++i) orow[i] = gr[i] * ca + xr[i] * cb + cd;
      }
    });
  });
}

void row_normalize(const Tensor& out, const Tensor& x, int64_t rows, int64_t cols,
                   const double* mean, const double* rstd, const Tensor& weight,
                   const Tensor& bias) {
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "layer_norm", [&] {
    const scalar_t* xp = impl_of(x)->data_as<scalar_t>();
    scalar_t* op = impl_of(out)->data_as<scalar_t>();
    const scalar_t* wp = weight.defined() ? impl_of(weight)->data_as<scalar_t>() : nullptr;
    const scalar_t* bp = bias.defined() ? impl_of(bias)->data_as<scalar_t>() : nullptr;
    for_channels(rows, cols, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const scalar_t s = static_cast<scalar_t>(rstd[r]);
        const scalar_t sh = static_cast<scalar_t>(-rstd[r] * mean[r]);
        const scalar_t* xr = xp + r * cols;
        scalar_t* orow = op + r * cols;
        if (wp && bp) {
          for (int64_t j = 0; j < cols; ++j) orow[j] = (xr[j] * s + sh) * wp[j] + bp[j];
        } else if (wp) {
          for (int64_t j = 0; j < cols; ++j) orow[j] = (xr[j] * s + sh) * wp[j];
        } else if (bp) {
          for (int64_t j = 0; j < cols; ++j) orow[j] = (xr[j] * s + sh) + bp[j];
        } else {
          for (int64_t j = 0; j < cols; ++j) orow[j] = xr[j] * s + sh;
        }
      }
    });
  });
}

}  // namespace tg::kernels
