// Fused optimizer updates: one pass over a parameter instead of one op (and one pass) per term
// of the update. Each term is rounded exactly as the separate tensor ops round it, so a fused
// step and the op-by-op step give the same bits.
#include "kernels/optim.h"

#include <cmath>

#include "core/parallel.h"
#include "kernels/dispatch.h"
#include "kernels/scalar_math.h"
#include "kernels/vec_math.h"

namespace tg::kernels {

namespace {

// One range of the update; the scalars are already in the tensor's dtype.
template <typename T, typename MulAdd>
inline void sgd_range(T* p, const T* g, T* b, int64_t begin, int64_t end, T wd, bool decay, T m,
                      T keep, T step, MulAdd fma) {
  for (int64_t i = begin; i < end; ++i) {
    const T d = decay ? fma(wd, p[i], g[i]) : g[i];  // grad.add(p, wd)
    T v = b[i] * m;                                  // buf.mul_(momentum)
    v = keep == T(1) ? v + d : fma(keep, d, v);      // .add_(d, 1 - dampening)
    b[i] = v;
    p[i] = fma(step, v, p[i]);  // p.add_(buf, -lr)
  }
}

#if defined(__clang__)
// clang has no optimize attribute; it builds this file with -ffp-contract=off instead
// (CMakeLists.txt).
#define TG_FP_CONTRACT_OFF_ATTR
#else
#define TG_FP_CONTRACT_OFF_ATTR , optimize("fp-contract=off")
#endif

// float with AVX2 and a true fused multiply-add, which is what mul_add's double arithmetic
// computes (and what PyTorch's vectorised add with alpha does).
// fp-contract=off: the compiler must not fuse buf * momentum + d into one rounding, which the
// separate ops do not do.
__attribute__((target("avx2,fma") TG_FP_CONTRACT_OFF_ATTR, flatten)) void sgd_range_avx2(
    float* p, const float* g, float* b, int64_t begin, int64_t end, float wd, bool decay, float m,
    float keep, float step) {
  sgd_range<float>(p, g, b, begin, end, wd, decay, m, keep, step,
                   [](float x, float y, float z) { return std::fma(x, y, z); });
}

}  // namespace

void sgd_momentum_step(const Tensor& param, const Tensor& grad, const Tensor& buf, double lr,
                       double momentum, double dampening, double weight_decay) {
  TG_DISPATCH_FLOATING(impl_of(param)->dtype, "SGD", [&] {
    scalar_t* p = impl_of(param)->data_as<scalar_t>();
    const scalar_t* g = impl_of(grad)->data_as<scalar_t>();
    scalar_t* b = impl_of(buf)->data_as<scalar_t>();
    // The scalars as the tensor ops see them: converted to the tensor's dtype first.
    const scalar_t wd = static_cast<scalar_t>(weight_decay), m = static_cast<scalar_t>(momentum);
    const scalar_t keep = static_cast<scalar_t>(1 - dampening), step = static_cast<scalar_t>(-lr);
    const bool decay = weight_decay != 0;
    parallel_for(0, impl_of(param)->numel, kGrainSize, [&](int64_t begin, int64_t end) {
      if constexpr (std::is_same_v<scalar_t, float>) {
        if (has_avx2())
          return sgd_range_avx2(reinterpret_cast<float*>(p), reinterpret_cast<const float*>(g),
                                reinterpret_cast<float*>(b), begin, end, wd, decay, m, keep, step);
      }
      sgd_range<scalar_t>(p, g, b, begin, end, wd, decay, m, keep, step,
                          [](scalar_t x, scalar_t y, scalar_t z) { return mul_add(x, y, z); });
    });
  });
}

}  // namespace tg::kernels
