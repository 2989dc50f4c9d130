// c10's errors and check macros over tensorgrad's: c10::Error *is* tg::Error, so a libtorch
// program's `catch (const c10::Error& e)` catches what tensorgrad throws, and TORCH_CHECK throws
// what tensorgrad code catches. Messages follow libtorch's wording.
#pragma once

#include <tensorgrad/error.h>

#include <iostream>
#include <string>

namespace c10 {

using Error = ::tg::Error;
// The typed errors of TORCH_CHECK_INDEX and friends (IndexError, ValueError, ... in Python).
class IndexError : public Error {
 public:
  using Error::Error;
};
class ValueError : public Error {
 public:
  using Error::Error;
};
class TypeError : public Error {
 public:
  using Error::Error;
};
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

// c10::str: its arguments written one after the other to a string, with their operator<<.
template <typename... Args>
std::string str(const Args&... args) {
  if constexpr (sizeof...(Args) == 0)
    return "";
  else
    return ::tg::detail::concat(args...);
}

namespace detail {
// TORCH_CHECK's message: the caller's words, or libtorch's stock sentence when there are none.
inline std::string check_msg(const char* condition) {
  return str("Expected ", condition,
             " to be true, but got false.  (Could this error message be improved?  If so, please "
             "report an enhancement request to PyTorch.)");
}
template <typename... Args>
std::string check_msg(const char* /*condition*/, const Args&... args) {
  return str(args...);
}
inline const char* base_name(const char* path) {
  const char* name = path;
  for (const char* p = path; *p; ++p)
    if (*p == '/') name = p + 1;
  return name;
}
}  // namespace detail

}  // namespace c10

// Throws c10::Error (that is, tg::Error) with the message when cond is false; the message is built
// only then.
#define TORCH_CHECK(cond, ...)                                                        \
  do {                                                                                \
    if (__builtin_expect(!(cond), 0))                                                 \
      throw ::c10::Error(::c10::detail::check_msg(#cond __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)

#define TORCH_CHECK_WITH(error_t, cond, ...)                                            \
  do {                                                                                  \
    if (__builtin_expect(!(cond), 0))                                                   \
      throw ::c10::error_t(::c10::detail::check_msg(#cond __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)
#define TORCH_CHECK_INDEX(cond, ...) TORCH_CHECK_WITH(IndexError, cond __VA_OPT__(, ) __VA_ARGS__)
#define TORCH_CHECK_VALUE(cond, ...) TORCH_CHECK_WITH(ValueError, cond __VA_OPT__(, ) __VA_ARGS__)
#define TORCH_CHECK_TYPE(cond, ...) TORCH_CHECK_WITH(TypeError, cond __VA_OPT__(, ) __VA_ARGS__)
#define TORCH_CHECK_NOT_IMPLEMENTED(cond, ...) \
  TORCH_CHECK_WITH(NotImplementedError, cond __VA_OPT__(, ) __VA_ARGS__)

// An invariant of the program itself; the message says where it broke.
#define TORCH_INTERNAL_ASSERT(cond, ...)                                                   \
  do {                                                                                     \
    if (__builtin_expect(!(cond), 0))                                                      \
      throw ::c10::Error(::c10::str(#cond, " INTERNAL ASSERT FAILED at \"", __FILE__,      \
                                    "\":", __LINE__, ", please report a bug to PyTorch. ", \
                                    ##__VA_ARGS__));                                       \
  } while (0)
#define AT_ASSERT(cond, ...) TORCH_INTERNAL_ASSERT(cond __VA_OPT__(, ) __VA_ARGS__)
#define AT_ERROR(...) throw ::c10::Error(::c10::str(__VA_ARGS__))

// A warning on stderr in libtorch's layout: "[W file.cpp:12] Warning: message (function f)".
#define TORCH_WARN(...)                                                          \
  (::std::cerr << "[W " << ::c10::detail::base_name(__FILE__) << ':' << __LINE__ \
               << "] Warning: " << ::c10::str(__VA_ARGS__) << " (function " << __func__ << ")\n")
#define TORCH_WARN_ONCE(...)                                                \
  do {                                                                      \
    static const bool torch_warned_once_ = (TORCH_WARN(__VA_ARGS__), true); \
    (void)torch_warned_once_;                                               \
  } while (0)
