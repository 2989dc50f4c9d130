// Fused optimizer updates: one pass over a parameter instead of one op (and one pass) per term
// of the update. Each term is rounded exactly as the separate tensor ops round it, so a fused
// step and the op-by-op step give the same bits.
#include "core/parallel.h"
#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/mul_add.h"

namespace tg::kernels {

void sgd_momentum_step(const Tensor& param, const Tensor& grad, const Tensor& buf, double lr,
                       double momentum, double dampening, double weight_decay) {
  TG_DISPATCH_FLOATING(impl_of(param)->dtype, "SGD", [&] {
    scalar_t* p = impl_of(param)->data_as<scalar_t>();
    const scalar_t* g = impl_of(grad)->data_as<scalar_t>();
    scalar_t* b = impl_of(buf)->data_as<scalar_t>();
    // The scalars as the tensor ops see them: converted to the tensor's dtype first.
    const scalar_t wd = static_cast<scalar_t>(weight_decay), m = static_cast<scalar_t>(momentum);
    const scalar_t keep = static_cast<scalar_t>(1 - dampening), step = static_cast<scalar_t>(-lr);
    parallel_for(0, impl_of(param)->numel, kGrainSize, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const scalar_t d = weight_decay != 0 ? mul_add(wd, p[i], g[i]) : g[i];  // grad.add(p, wd)
        scalar_t v = b[i] * m;                                  // buf.mul_(momentum)
        v = keep == scalar_t(1) ? v + d : mul_add(keep, d, v);  // .add_(d, 1 - dampening)
        b[i] = v;
        p[i] = mul_add(step, v, p[i]);  // p.add_(buf, -lr)
      }
    });
  });
}

}  // namespace tg::kernels
