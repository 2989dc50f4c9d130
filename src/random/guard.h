// The generator a random op draws from, and the lock it holds meanwhile. PyTorch locks the
// generator's mutex for the whole of each draw op (so one op's values stay one contiguous run of
// the stream); tensorgrad does so for the shared default generator, while a Generator the caller
// passes is theirs to lock (see tensorgrad/random.h), so that a loop owning one pays nothing.
#pragma once

#include <mutex>

#include "tensorgrad/random.h"

namespace tg::rng {

class GeneratorGuard {
 public:
  // gen == nullptr: the default generator, locked until the guard goes.
  explicit GeneratorGuard(Generator* gen)
      : gen_(gen != nullptr ? *gen : default_generator()), lock_(gen_.mutex(), std::defer_lock) {
    if (gen == nullptr) lock_.lock();
  }
  GeneratorGuard(const GeneratorGuard&) = delete;
  GeneratorGuard& operator=(const GeneratorGuard&) = delete;
  Generator& get() const { return gen_; }

 private:
  Generator& gen_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace tg::rng
