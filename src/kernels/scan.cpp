#include "kernels/scan.h"

#include <type_traits>

#include "kernels/dispatch.h"

namespace tg::kernels {
namespace {

// Integer scans wrap around on overflow as PyTorch's do (two's complement), without the undefined
// behaviour of signed overflow.
template <typename T>
T wrapping_add(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else
    return a + b;
}
template <typename T>
T wrapping_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else
    return a * b;
}

}  // namespace

void scan(ScanOp op, const Tensor& out, const Tensor& in, int64_t d) {
  const auto sizes = in.sizes();
  int64_t outer = 1, n = 1, inner = 1;
  if (!sizes.empty()) {
    for (int64_t i = 0; i < d; ++i) outer *= sizes[i];
    n = sizes[d];
    for (size_t i = d + 1; i < sizes.size(); ++i) inner *= sizes[i];
  }
  TG_DISPATCH_NUMERIC(impl_of(in)->dtype, op == ScanOp::Sum ? "cumsum" : "cumprod", [&] {
    using acc_t = std::conditional_t<std::is_floating_point_v<scalar_t>, double, scalar_t>;
    const scalar_t* src = impl_of(in)->data_as<scalar_t>();
    scalar_t* dst = impl_of(out)->data_as<scalar_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        acc_t acc = op == ScanOp::Sum ? acc_t(0) : acc_t(1);
        for (int64_t k = 0; k < n; ++k) {
          const acc_t v = static_cast<acc_t>(src[base + k * inner]);
          acc = op == ScanOp::Sum ? wrapping_add(acc, v) : wrapping_mul(acc, v);
          dst[base + k * inner] = static_cast<scalar_t>(acc);
        }
      }
  });
}

}  // namespace tg::kernels
