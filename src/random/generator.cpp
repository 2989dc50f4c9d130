// tg::Generator: PyTorch's CPUGeneratorImpl. A 32-bit MT19937 seeded with the low 32 bits of the
// 64-bit seed (at::mt19937's init_with_uint32 is std::mt19937's seeding), random64() = two
// outputs with the first in the high half, and the cached normal sample cleared on every seeding.
#include <cstdint>
#include <mutex>

#include "tensorgrad/random.h"

namespace tg {

Generator::Generator(uint64_t seed) : seed_(seed), engine_(static_cast<uint32_t>(seed)) {}

Generator::Generator(const Generator& other)
    : next_double_normal_sample(other.next_double_normal_sample),
      seed_(other.seed_),
      engine_(other.engine_) {}

Generator& Generator::operator=(const Generator& other) {
  if (this != &other) {
    next_double_normal_sample = other.next_double_normal_sample;
    seed_ = other.seed_;
    engine_ = other.engine_;
  }
  return *this;
}

void Generator::set_current_seed(uint64_t seed) {
  seed_ = seed;
  engine_.seed(static_cast<uint32_t>(seed));
  next_double_normal_sample.reset();
}

uint32_t Generator::random() { return static_cast<uint32_t>(engine_()); }

uint64_t Generator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) {
  Generator& gen = default_generator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(seed);
}

}  // namespace tg
