#include "kernels/factory.h"

#include "kernels/dispatch.h"

namespace tg::kernels {

void eye_diagonal(const Tensor& t) {
  const int64_t n = t.size(0), m = t.size(1);
  TG_DISPATCH_ALL(impl_of(t)->dtype, "eye", [&] {
    auto* p = impl_of(t)->data_as<scalar_t>();
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = scalar_t(1);
  });
}

void arange_fill(const Tensor& t, const Scalar& start, const Scalar& step) {
  const int64_t n = impl_of(t)->numel;
  TG_DISPATCH_NUMERIC(impl_of(t)->dtype, "arange", [&] {
    auto* p = impl_of(t)->data_as<scalar_t>();
    if constexpr (std::is_integral_v<scalar_t>) {
      for (int64_t i = 0; i < n; ++i) p[i] = start.toLong() + i * step.toLong();
    } else {
      const double s = start.toDouble(), st = step.toDouble();
      // Computed in the accumulation type and rounded once, as PyTorch does.
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(s + static_cast<double>(i) * st);
    }
  });
}

void fill_values(const Tensor& t, const std::vector<Scalar>& values) {
  TG_DISPATCH_ALL(impl_of(t)->dtype, "tensor", [&] {
    auto* p = impl_of(t)->data_as<scalar_t>();
    // As libtorch converts (a double tensor, then to(dtype)): floating values become int64 the
    // way to(kLong) makes them, defined for NaN and out-of-range values too.
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_same_v<scalar_t, int64_t>)
        p[i] = values[i].isFloatingPoint() ? detail::double_to_int64(values[i].toDouble())
                                           : values[i].toLong();
      else
        p[i] = values[i].to<scalar_t>();
    }
  });
}

void exclusive_row_products(const Tensor& out, const Tensor& rows) {
  const int64_t r = rows.size(0), k = rows.size(1);
  const double* in = impl_of(rows)->data_as<double>();
  double* o = impl_of(out)->data_as<double>();
  for (int64_t i = 0; i < r; ++i) {
    double acc = 1;
    for (int64_t j = 0; j < k; ++j) {
      o[i * k + j] = acc;
      acc *= in[i * k + j];
    }
    acc = 1;
    for (int64_t j = k - 1; j >= 0; --j) {
      o[i * k + j] *= acc;
      acc *= in[i * k + j];
    }
  }
}

}  // namespace tg::kernels
