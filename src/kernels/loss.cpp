// Loss kernels: the one-pass mean squared error and its backward, and nll_loss's class mask.
#include "kernels/loss.h"

#include "kernels/dispatch.h"
#include "kernels/loops.h"

namespace tg::kernels {

double sum_squared_difference(const Tensor& x, const Tensor& y) {
  double total = 0;
  TG_DISPATCH_FLOATING(impl_of(x)->dtype, "mse_loss", [&] {
    const scalar_t* a = impl_of(x)->data_as<scalar_t>();
    const scalar_t* b = impl_of(y)->data_as<scalar_t>();
    // Accumulated in double, as sum() accumulates a floating tensor.
    double s = 0;
    for (int64_t i = 0, n = impl_of(x)->numel; i < n; ++i) {
      const scalar_t d = a[i] - b[i];
      s += static_cast<scalar_t>(d * d);
    }
    total = s;
  });
  return total;
}

void mse_loss_store(const Tensor& out, double sum, int64_t count) {
  TG_DISPATCH_FLOATING(impl_of(out)->dtype, "mse_loss", [&] {
    scalar_t v = static_cast<scalar_t>(sum);
    if (count != 1) v /= static_cast<scalar_t>(count);
    *impl_of(out)->data_as<scalar_t>() = v;
  });
}

void mse_loss_backward(const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& g,
                       double norm) {
  IntArrayRef sizes = out.sizes();
  StridedOperands<4> ops{
      {impl_of(out)->data(), impl_of(x)->data(), impl_of(y)->data(), impl_of(g)->data()},
      {broadcast_byte_strides(out, sizes), broadcast_byte_strides(x, sizes),
       broadcast_byte_strides(y, sizes), broadcast_byte_strides(g, sizes)}};
  TG_DISPATCH_FLOATING(impl_of(out)->dtype, "mse_loss_backward", [&] {
    const scalar_t nm = static_cast<scalar_t>(norm);
    for_each_run<4>(sizes, ops, [nm](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
      for (int64_t i = 0; i < n; ++i) {
        const scalar_t d = *reinterpret_cast<const scalar_t*>(p[1] + i * s[1]) -
                           *reinterpret_cast<const scalar_t*>(p[2] + i * s[2]);
        *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) =
            d * nm * *reinterpret_cast<const scalar_t*>(p[3] + i * s[3]);
      }
    });
  });
}

void nll_loss_mask(const Tensor& mask, const Tensor& target, const Tensor& weight,
                   int64_t ignore_index) {
  const int64_t n = mask.size(0), c = mask.size(1);
  double* mp = impl_of(mask)->data_as<double>();
  const auto* ti = impl_of(target);
  const int64_t* tp = ti->data_as<int64_t>();
  const int64_t ts = ti->sizes.size() == 0 ? 0 : ti->strides[0];
  const double* wp = weight.defined() ? impl_of(weight)->data_as<double>() : nullptr;
  const int64_t ws = weight.defined() ? impl_of(weight)->strides[0] : 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = tp[i * ts];
    if (k == ignore_index) continue;
    TG_CHECK(k >= 0 && k < c, "nll_loss: Target ", k, " is out of bounds (", c, " classes)");
    mp[i * c + k] = wp ? wp[k * ws] : 1.0;
  }
}

void multilabel_margin_counts(const Tensor& counts, const Tensor& is_target, const Tensor& target) {
  const int64_t n = counts.size(0), c = counts.size(1);
  double* cp = impl_of(counts)->data_as<double>();
  double* ip = impl_of(is_target)->data_as<double>();
  const int64_t* tp = impl_of(target)->data_as<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      const int64_t k = tp[i * c + j];
      if (k < 0) break;
      TG_CHECK(k < c, "multilabel_margin_loss: argument #2 'target' is out of range");
      cp[i * c + k] += 1;
      ip[i * c + k] = 1;
    }
  }
}

}  // namespace tg::kernels
