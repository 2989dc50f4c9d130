#include "kernels/decode.h"

#include "core/parallel.h"

namespace tg::kernels {

void bytes_to_float(const Tensor& out, const uint8_t* bytes, float divisor) {
  auto* o = reinterpret_cast<float*>(impl_of(out)->data());
  parallel_for(0, impl_of(out)->numel, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) o[i] = static_cast<float>(bytes[i]) / divisor;
  });
}

void bytes_to_long(const Tensor& out, const uint8_t* bytes) {
  auto* o = reinterpret_cast<int64_t*>(impl_of(out)->data());
  const int64_t n = impl_of(out)->numel;
  for (int64_t i = 0; i < n; ++i) o[i] = bytes[i];
}

}  // namespace tg::kernels
