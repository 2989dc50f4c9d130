// Random numbers that match PyTorch 1.13 on x86-64 bit for bit for the same seed: a 32-bit MT19937
// stream per generator, one global default generator, and PyTorch's transforms to uniform and
// normal values (see docs for the exact rules).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>

namespace tg {

class Generator {
 public:
  // PyTorch's default seed for a fresh generator.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;
  explicit Generator(uint64_t seed = kDefaultSeed);

  void set_current_seed(uint64_t seed);
  uint64_t current_seed() const { return seed_; }
  // One 32-bit MT19937 output.
  uint32_t random();
  // Two outputs, the first in the high half.
  uint64_t random64();

  // The cached second sample of the scalar Box-Muller path, shared across calls as in PyTorch.
  std::optional<double> next_double_normal_sample;

 private:
  uint64_t seed_;
  std::mt19937 engine_;
};

// The generator used when none is passed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tg
