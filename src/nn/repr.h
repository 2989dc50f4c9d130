// How module options print: Python's repr of a float, so that a module prints as in PyTorch.
#pragma once

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

namespace tg::nn::detail {

// The shortest form that round-trips, with ".0" for whole numbers; whole numbers below 1e16
// print in full (20.0, not 2e+01), as Python prints them.
inline std::string py_float(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e16)
    return std::to_string(static_cast<int64_t>(v)) + ".0";
  std::ostringstream ss;
  for (int prec = 1; prec <= 17; ++prec) {
    ss.str("");
    ss.precision(prec);
    ss << v;
    if (std::stod(ss.str()) == v) break;
  }
  std::string s = ss.str();
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace tg::nn::detail
