// Tick and contour-level values, and the labels of ticks.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/plot_internal.h"

namespace tg::viz {

std::vector<double> nice_levels(double lo, double hi, int max_bins) {
  TG_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "viz::nice_levels: bad range [", lo,
           ", ", hi, "]");
  TG_CHECK(max_bins >= 1, "viz::nice_levels: max_bins must be positive, got ", max_bins);
  if (hi == lo) {  // a constant: widen symmetrically so that it sits inside one band
    const double d = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
    lo -= d;
    hi += d;
  }
  // matplotlib's MaxNLocator: the smallest nice step of at least (hi - lo) / max_bins, then all
  // its multiples from the last one at or below lo to the first one at or above hi.
  const double raw = (hi - lo) / max_bins;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * mag >= raw * (1 - 1e-9)) {
      step = m * mag;
      break;
    }
  }
  const double first = std::floor(lo / step + 1e-9) * step;
  const double last = std::ceil(hi / step - 1e-9) * step;
  const int n = static_cast<int>(std::lround((last - first) / step));
  std::vector<double> out(n + 1);
  for (int k = 0; k <= n; ++k) {
    const double v = first + k * step;
    out[k] = std::abs(v) < step * 1e-9 ? 0.0 : v;  // no -0 and no 1e-17 instead of 0
  }
  return out;
}

namespace detail {

Ticks ticks_within(double lo, double hi, double length, double per_bin) {
  const auto nice = nice_levels(lo, hi, std::clamp(static_cast<int>(length / per_bin), 2, 9));
  Ticks out;
  out.step = nice[1] - nice[0];
  const double eps = (hi - lo) * 1e-9;
  for (double v : nice)
    if (v >= lo - eps && v <= hi + eps) out.values.push_back(v);
  out.labels = tick_labels(out.values);
  return out;
}

// The fewest decimals that print every value exactly; %g for very large or very small values.
std::vector<std::string> tick_labels(const std::vector<double>& values) {
  double biggest = 0;
  for (double v : values) biggest = std::max(biggest, std::abs(v));
  int decimals = 0;
  for (; decimals < 8; ++decimals) {
    const double scale = std::pow(10.0, decimals);
    bool exact = true;
    for (double v : values)
      exact = exact && std::abs(v * scale - std::round(v * scale)) <
                           1e-6 * std::max(1.0, std::abs(v * scale));
    if (exact) break;
  }
  const bool general = biggest >= 1e6 || (biggest > 0 && biggest < 1e-4) || decimals >= 8;
  std::vector<std::string> out;
  for (double v : values) {
    char buf[64];
    if (general) {
      std::snprintf(buf, sizeof buf, "%.3g", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    }
    std::string s = buf;
    // Exponents as matplotlib writes them: 1e7 and 2.5e-7, not 1e+07 and 2.5e-07.
    if (const auto e = s.find('e'); e != std::string::npos) {
      std::string exponent = s.substr(e + 1);
      const bool negative = exponent[0] == '-';
      exponent = exponent.substr(exponent.find_first_not_of("+-0") == std::string::npos
                                     ? exponent.size() - 1
                                     : exponent.find_first_not_of("+-0"));
      s = s.substr(0, e + 1) + (negative ? "-" : "") + exponent;
    }
    // "-0.00" is zero; otherwise typeset real minus signs (U+2212), as matplotlib does.
    if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s = s.substr(1);
    std::string typeset;
    for (char c : s) typeset += c == '-' ? std::string("\u2212") : std::string(1, c);
    out.push_back(typeset);
  }
  return out;
}

}  // namespace detail
}  // namespace tg::viz
