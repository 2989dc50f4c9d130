// Decoding raw bytes read from dataset files into tensors.
#pragma once

#include <cstdint>

#include "core/tensor_impl.h"

namespace tg::kernels {

// Contiguous float32 out[i] = float(bytes[i]) / divisor, rounded once: what PyTorch's
// x.to(torch.float32).div_(divisor) gives for a uint8 tensor x.
void bytes_to_float(const Tensor& out, const uint8_t* bytes, float divisor);
// Contiguous int64 out[i] = bytes[i].
void bytes_to_long(const Tensor& out, const uint8_t* bytes);

}  // namespace tg::kernels
