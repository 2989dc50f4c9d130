// libFuzzer harness for the checkpoint reader: bytes that start like a zip archive go through
// pickle_load (libzip, the record checks, the unpickler, storage loading); any other bytes go
// straight to the unpickler with storages made up on request, so that the fuzzer explores the
// pickle machine without having to build zip archives. A tg::Error is the expected answer to bad
// input; a crash, a sanitizer report, another exception or a hang is a finding, to be kept as a
// case in tests/adversarial/test_checkpoint_files.cpp.
#include <tensorgrad/serialize.h>
#include <tensorgrad/tensorgrad.h>

#include <cstddef>
#include <cstdint>
#include <functional>

#include "io/pickle.h"

namespace {

// Walks the whole result, touching every tensor element, so that a tensor whose geometry leaves
// its storage is caught by AddressSanitizer.
void touch(const tg::IValue& v) {
  if (v.isTensor()) {
    const tg::Tensor& t = v.toTensor();
    if (t.numel() > 0 && t.numel() < (1 << 20)) (void)t.to(tg::kFloat64).sum().item<double>();
  } else if (v.isGenericList()) {
    for (const auto& e : v.toList()) touch(e);
  } else if (v.isTuple()) {
    for (const auto& e : v.toTupleRef()) touch(e);
  } else if (v.isGenericDict()) {
    for (const auto& kv : v.toGenericDict()) {
      touch(kv.first);
      touch(kv.second);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* bytes = reinterpret_cast<const char*>(data);
  try {
    if (size >= 2 && bytes[0] == 'P' && bytes[1] == 'K') {
      touch(tg::pickle_load(std::vector<char>(bytes, bytes + size)));
    } else {
      tg::io::StorageLoader load = [](const std::string&, tg::ScalarType dtype, int64_t numel) {
        TG_CHECK(numel <= (1 << 16), "fuzz: storage too large");
        return tg::zeros({numel}, tg::TensorOptions().dtype(dtype));
      };
      touch(tg::io::unpickle(bytes, size, load, "fuzz input"));
    }
  } catch (const tg::Error&) {
  }
  return 0;
}
