// Helpers for the adversarial tests: the exact message of the tg::Error a statement throws, and
// sizes at the int64 overflow boundaries.
#pragma once

#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>

#include <cstdint>
#include <string>

#include "error_of.h"

namespace tg_adv {

constexpr int64_t kMax = INT64_MAX;
constexpr int64_t p2(int n) { return int64_t{1} << n; }

using tg_test::error_of;

}  // namespace tg_adv

#define EXPECT_TG_MESSAGE(statement, message) \
  EXPECT_EQ(::tg_adv::error_of([&] { (void)(statement); }), std::string(message))
