// libFuzzer harness for the safetensors reader: any bytes through load_from_buffer. A tg::Error
// is the expected answer to bad input; anything else (a crash, a sanitizer report, another
// exception, a hang) is a finding, to be kept as a case in tests/adversarial/test_loader.cpp.
#include <tensorgrad/io.h>
#include <tensorgrad/tensorgrad.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto tensors = tg::load_from_buffer(data, size);
    // Touch every element, so that a tensor whose buffer is smaller than its shape is caught.
    for (const auto& item : tensors) {
      const tg::Tensor& t = item.value();
      if (t.numel() > 0 && t.numel() < (1 << 20)) (void)t.to(tg::kFloat64).sum().item<double>();
    }
  } catch (const tg::Error&) {
  }
  return 0;
}
