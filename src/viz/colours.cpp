// Colours from matplotlib's specs, and the viridis colour map.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "tensorgrad/error.h"
#include "tensorgrad/viz/plot.h"

namespace tg::viz {

namespace {

Color from_hex(std::string_view hex, std::string_view spec) {
  TG_CHECK(hex.size() == 6 || hex.size() == 8, "viz::Color: '", spec,
           "' is not #rrggbb or #rrggbbaa");
  auto nibble = [&](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    TG_CHECK(c >= 'a' && c <= 'f', "viz::Color: '", spec, "' has a non-hex digit");
    return c - 'a' + 10;
  };
  auto byte = [&](size_t i) { return (nibble(hex[i]) * 16 + nibble(hex[i + 1])) / 255.0; };
  return Color(byte(0), byte(2), byte(4), hex.size() == 8 ? byte(6) : 1.0);
}

Color parse_color(std::string_view spec) {
  struct Named {
    std::string_view name;
    std::string_view hex;
  };
  // matplotlib's base colours and its default cycle ("tab10").
  static constexpr Named kNamed[] = {
      {"r", "ff0000"},          {"g", "008000"},         {"b", "0000ff"},
      {"c", "00bfbf"},          {"m", "bf00bf"},         {"y", "bfbf00"},
      {"k", "000000"},          {"w", "ffffff"},         {"black", "000000"},
      {"white", "ffffff"},      {"red", "ff0000"},       {"green", "008000"},
      {"blue", "0000ff"},       {"cyan", "00ffff"},      {"magenta", "ff00ff"},
      {"yellow", "ffff00"},     {"orange", "ffa500"},    {"gray", "808080"},
      {"grey", "808080"},       {"C0", "1f77b4"},        {"C1", "ff7f0e"},
      {"C2", "2ca02c"},         {"C3", "d62728"},        {"C4", "9467bd"},
      {"C5", "8c564b"},         {"C6", "e377c2"},        {"C7", "7f7f7f"},
      {"C8", "bcbd22"},         {"C9", "17becf"},        {"tab:blue", "1f77b4"},
      {"tab:orange", "ff7f0e"}, {"tab:green", "2ca02c"}, {"tab:red", "d62728"},
      {"tab:purple", "9467bd"}, {"tab:brown", "8c564b"}, {"tab:pink", "e377c2"},
      {"tab:gray", "7f7f7f"},   {"tab:olive", "bcbd22"}, {"tab:cyan", "17becf"},
  };
  TG_CHECK(!spec.empty(), "viz::Color: empty colour");
  if (spec == "none") return Color(0, 0, 0, 0);
  if (spec[0] == '#') return from_hex(spec.substr(1), spec);
  for (const auto& n : kNamed)
    if (n.name == spec) return from_hex(n.hex, spec);
  TG_ERROR("viz::Color: unknown colour '", spec,
           "' (use r g b c m y k w, C0..C9, tab:blue, ..., or #rrggbb)");
}

}  // namespace

Color::Color(const char* spec) : Color(parse_color(spec ? std::string_view(spec) : "")) {}
Color::Color(const std::string& spec) : Color(parse_color(spec)) {}

// viridis, tabulated at every 5th of matplotlib's 256 entries (0, 5, ..., 255), so that linear
// interpolation between these 52 anchors reproduces the full table within 0.7/255 per channel:
// a colour bar of any length stays smooth, and bands are as far apart in lightness as the
// perceptually uniform original puts them. (Fewer anchors visibly bend the lightness ramp: every
// 16th entry is off by 5/255 in the green-to-blue turn.)
Color viridis(double t) {
  static constexpr std::array<std::array<double, 3>, 52> kAnchors = {{
      {0.2670, 0.0049, 0.3294}, {0.2738, 0.0315, 0.3589}, {0.2788, 0.0621, 0.3866},
      {0.2819, 0.0897, 0.4124}, {0.2832, 0.1157, 0.4361}, {0.2826, 0.1409, 0.4575},
      {0.2803, 0.1657, 0.4765}, {0.2762, 0.1901, 0.4930}, {0.2706, 0.2141, 0.5071},
      {0.2637, 0.2376, 0.5188}, {0.2556, 0.2607, 0.5283}, {0.2468, 0.2832, 0.5359},
      {0.2374, 0.3052, 0.5419}, {0.2278, 0.3266, 0.5465}, {0.2181, 0.3474, 0.5500},
      {0.2086, 0.3678, 0.5527}, {0.1994, 0.3876, 0.5546}, {0.1906, 0.4071, 0.5561},
      {0.1823, 0.4262, 0.5571}, {0.1743, 0.4450, 0.5578}, {0.1666, 0.4637, 0.5581},
      {0.1592, 0.4822, 0.5581}, {0.1519, 0.5007, 0.5576}, {0.1448, 0.5191, 0.5566},
      {0.1378, 0.5375, 0.5549}, {0.1312, 0.5559, 0.5525}, {0.1254, 0.5743, 0.5491},
      {0.1211, 0.5927, 0.5446}, {0.1194, 0.6111, 0.5390}, {0.1214, 0.6295, 0.5320},
      {0.1281, 0.6477, 0.5235}, {0.1402, 0.6659, 0.5134}, {0.1579, 0.6838, 0.5017},
      {0.1807, 0.7014, 0.4882}, {0.2080, 0.7187, 0.4729}, {0.2394, 0.7356, 0.4557},
      {0.2741, 0.7520, 0.4366}, {0.3119, 0.7678, 0.4156}, {0.3524, 0.7830, 0.3926},
      {0.3952, 0.7975, 0.3678}, {0.4401, 0.8111, 0.3410}, {0.4870, 0.8239, 0.3123},
      {0.5356, 0.8358, 0.2819}, {0.5857, 0.8467, 0.2499}, {0.6369, 0.8565, 0.2166},
      {0.6889, 0.8654, 0.1827}, {0.7414, 0.8734, 0.1496}, {0.7938, 0.8807, 0.1200},
      {0.8456, 0.8873, 0.0997}, {0.8963, 0.8936, 0.0963}, {0.9456, 0.8998, 0.1128},
      {0.9932, 0.9062, 0.1439},
  }};
  if (!(t > 0)) t = 0;  // also maps NaN to the low end
  if (t > 1) t = 1;
  const double pos = t * (kAnchors.size() - 1);
  const size_t i = std::min(static_cast<size_t>(pos), kAnchors.size() - 2);
  const double f = pos - static_cast<double>(i);
  const auto& a = kAnchors[i];
  const auto& b = kAnchors[i + 1];
  return Color(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]));
}

}  // namespace tg::viz
