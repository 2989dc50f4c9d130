// The message of the tg::Error a statement throws, for tests that check what an error says.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "tensorgrad/error.h"

namespace tg_test {

// The message of the tg::Error that f() throws. Throwing nothing, or something other than a
// tg::Error, is a test failure (and gives ""), so that no check of a message passes by accident.
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

}  // namespace tg_test
