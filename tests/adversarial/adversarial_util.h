// Helpers for the adversarial tests: the exact message of the tg::Error a statement throws, and
// sizes at the int64 overflow boundaries.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cstdint>
#include <string>

namespace tg_adv {

constexpr int64_t kMax = INT64_MAX;
constexpr int64_t p2(int n) { return int64_t{1} << n; }

// The message of the tg::Error that f() throws; a test failure (and "") when it throws nothing or
// something else, so no case passes when nothing throws.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tg::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than tg::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no tg::Error was thrown";
  return "";
}

}  // namespace tg_adv

#define EXPECT_TG_MESSAGE(statement, message) \
  EXPECT_EQ(::tg_adv::error_of([&] { (void)(statement); }), std::string(message))
