// libFuzzer harness for the IDX reader behind datasets::MNIST: any bytes, plain or (when they
// start like gzip) inflated, as an images file (3 dimensions) and as a targets file (1). A
// tg::Error is the expected answer to bad input; a crash, a sanitizer report, another exception,
// an allocation beyond what the input justifies or a hang is a finding, to be kept as a case in
// tests/data/test_mnist_files.cpp.
#include <tensorgrad/error.h>

#include <cstddef>
#include <cstdint>

#include "data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (size_t ndims : {3, 1}) {
    try {
      const auto idx = tg::data::detail::parse_idx(data, size, ndims, "fuzz input");
      size_t product = 1;
      for (size_t d : idx.dims) product *= d;
      if (product != idx.data.size()) __builtin_trap();
    } catch (const tg::Error&) {
    }
  }
  return 0;
}
