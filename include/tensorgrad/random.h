// Random numbers that match PyTorch 1.13 on x86-64 bit for bit for the same seed: a 32-bit MT19937
// stream per generator, one global default generator, and PyTorch's transforms to uniform and
// normal values (see docs for the exact rules).
//
// Threads: as in PyTorch, every op that draws from the default generator (the ops called without a
// Generator, module construction, manual_seed) holds default_generator().mutex() while it draws, so
// such calls may come from several threads at once; the values each call gets then depend on the
// order in which the threads take the lock. A Generator passed explicitly is used without a lock,
// which costs nothing in a loop that owns its generator: to share one Generator object between
// threads, hold its mutex() around every call that uses it, as PyTorch's C++ API requires. Calling
// default_generator()'s own members (random(), set_current_seed()) directly takes no lock either.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

namespace tg {

class Generator {
 public:
  // PyTorch's default seed for a fresh generator.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;
  explicit Generator(uint64_t seed = kDefaultSeed);
  // Copies the stream's state (seed, engine, cached normal sample); the copy has its own mutex.
  Generator(const Generator& other);
  Generator& operator=(const Generator& other);

  // The lock that guards this generator's state (PyTorch's Generator::mutex()). The library takes
  // it for the default generator only; see the note at the top of this file.
  std::mutex& mutex() const { return mutex_; }

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
  mutable std::mutex mutex_;
};

// The generator used when none is passed.
Generator& default_generator();
// Seeds the default generator, under its mutex.
void manual_seed(uint64_t seed);

}  // namespace tg
