// Errors: every bad input the library sees becomes a tg::Error whose message names the op and the
// shapes involved. TG_CHECK builds that message only when the check fails, so it costs nothing on
// the fast path.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace tg {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
  // c10::Error's accessors, so that libtorch code that catches errors reads them unchanged (there
  // is no backtrace to leave out).
  std::string msg() const { return what(); }
  const char* what_without_backtrace() const noexcept { return what(); }
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream ss;
  (ss << ... << args);
  return ss.str();
}
}  // namespace detail

}  // namespace tg

#define TG_CHECK(cond, ...)                                   \
  do {                                                        \
    if (__builtin_expect(!(cond), 0)) {                       \
      throw ::tg::Error(::tg::detail::concat(__VA_ARGS__));   \
    }                                                         \
  } while (0)

#define TG_ERROR(...) throw ::tg::Error(::tg::detail::concat(__VA_ARGS__))
