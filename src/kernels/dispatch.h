// Turns a runtime ScalarType into a compile-time scalar_t for a kernel body.
#pragma once

#include "tensorgrad/error.h"
#include "tensorgrad/scalar_type.h"

#define TG_DISPATCH_CASE(TYPE, CTYPE, ...) \
  case TYPE: {                             \
    using scalar_t = CTYPE;                \
    __VA_ARGS__();                         \
    break;                                 \
  }

#define TG_DISPATCH_FLOATING(DTYPE, NAME, ...)                           \
  switch (DTYPE) {                                                       \
    TG_DISPATCH_CASE(::tg::kFloat, float, __VA_ARGS__)                   \
    TG_DISPATCH_CASE(::tg::kDouble, double, __VA_ARGS__)                 \
    default:                                                             \
      TG_ERROR(NAME, ": expected a floating point tensor, got ", DTYPE); \
  }

#define TG_DISPATCH_NUMERIC(DTYPE, NAME, ...)            \
  switch (DTYPE) {                                       \
    TG_DISPATCH_CASE(::tg::kFloat, float, __VA_ARGS__)   \
    TG_DISPATCH_CASE(::tg::kDouble, double, __VA_ARGS__) \
    TG_DISPATCH_CASE(::tg::kLong, int64_t, __VA_ARGS__)  \
    default:                                             \
      TG_ERROR(NAME, ": not implemented for ", DTYPE);   \
  }

#define TG_DISPATCH_ALL(DTYPE, NAME, ...)                \
  switch (DTYPE) {                                       \
    TG_DISPATCH_CASE(::tg::kFloat, float, __VA_ARGS__)   \
    TG_DISPATCH_CASE(::tg::kDouble, double, __VA_ARGS__) \
    TG_DISPATCH_CASE(::tg::kLong, int64_t, __VA_ARGS__)  \
    TG_DISPATCH_CASE(::tg::kBool, bool, __VA_ARGS__)     \
  }
