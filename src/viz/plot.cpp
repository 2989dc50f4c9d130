// Figures drawn with PLplot's C API and its cairo driver (pngcairo, svgcairo, pdfcairo).
//
// PLplot only supplies the primitives here: lines, filled polygons and text. Layout (margins
// measured from the real tick-label widths), ticks, legends, markers, arrows, the colour bar and
// the contour regions (viz/contour.h) are computed in this file and its neighbours, so that no
// label is clipped and the figures look the same in every format. All drawing happens in page
// pixels (y up); data are mapped to pixels per panel, and PLplot's viewport clips what lies
// outside a panel's box.
#include "tensorgrad/viz/plot.h"

#include <fcntl.h>
#include <plplot.h>
#include <plstrm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <numbers>
#include <variant>

#include "viz/contour.h"
#include "viz/plot_internal.h"

// plexit() is PLplot's fatal-error report; libplplot exports it, its declaration is in a private
// header.
extern "C" void plexit(const char* message);

namespace tg::viz {

// ---------------------------------------------------------------------------------------------
// Colours

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

// ---------------------------------------------------------------------------------------------
// Nice numbers

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

namespace {

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

}  // namespace

// ---------------------------------------------------------------------------------------------
// What an Axes holds

namespace {

struct LineItem {
  std::vector<double> x, y;
  LineStyle style;
};
struct ScatterItem {
  std::vector<double> x, y;
  ScatterStyle style;
};
struct ContourItem {
  std::vector<double> x, y, z;
  ContourStyle style;
};
struct QuiverItem {
  std::vector<double> x, y, u, v;
  QuiverStyle style;
};
struct PathItem {
  std::vector<double> x, y;
  PathStyle style;
};

}  // namespace

struct AxesData {
  std::string title, xlabel, ylabel;
  std::optional<std::pair<double, double>> xlim, ylim;
  bool equal = false;
  bool grid = false;
  LegendLoc legend = LegendLoc::Best;
  std::vector<std::variant<LineItem, ScatterItem, ContourItem, QuiverItem, PathItem>> items;
};

namespace {

std::vector<double> to_vector(const Tensor& t, const char* op, const char* name) {
  TG_CHECK(t.defined(), "viz::Axes::", op, ": ", name, " is an undefined tensor");
  Tensor c = t.detach().to(kDouble).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

void check_xy(const std::vector<double>& x, const std::vector<double>& y, const char* op) {
  TG_CHECK(!x.empty() && !y.empty(), "viz::Axes::", op, ": empty data (x has ", x.size(),
           " values, y has ", y.size(), ")");
  TG_CHECK(x.size() == y.size(), "viz::Axes::", op, ": x has ", x.size(), " values but y has ",
           y.size());
}

void check_increasing(const std::vector<double>& v, const char* name) {
  for (size_t i = 0; i < v.size(); ++i) {
    TG_CHECK(std::isfinite(v[i]), "viz::Axes::contourf: ", name, "[", i, "] is not finite");
    TG_CHECK(i == 0 || v[i] > v[i - 1], "viz::Axes::contourf: ", name,
             " must be strictly increasing, but ", name, "[", i - 1, "] = ", v[i - 1], " and ",
             name, "[", i, "] = ", v[i]);
  }
}

}  // namespace

Axes::Axes() : d_(std::make_unique<AxesData>()) {}
Axes::~Axes() = default;

Axes& Axes::set_title(std::string title) {
  d_->title = std::move(title);
  return *this;
}
Axes& Axes::set_xlabel(std::string label) {
  d_->xlabel = std::move(label);
  return *this;
}
Axes& Axes::set_ylabel(std::string label) {
  d_->ylabel = std::move(label);
  return *this;
}
Axes& Axes::set_xlim(double lo, double hi) {
  TG_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
           "viz::Axes::set_xlim: need lo < hi, got ", lo, " and ", hi);
  d_->xlim = {lo, hi};
  return *this;
}
Axes& Axes::set_ylim(double lo, double hi) {
  TG_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
           "viz::Axes::set_ylim: need lo < hi, got ", lo, " and ", hi);
  d_->ylim = {lo, hi};
  return *this;
}
Axes& Axes::set_aspect_equal(bool equal) {
  d_->equal = equal;
  return *this;
}
Axes& Axes::grid(bool on) {
  d_->grid = on;
  return *this;
}
Axes& Axes::legend(LegendLoc loc) {
  d_->legend = loc;
  return *this;
}

Axes& Axes::plot(std::vector<double> x, std::vector<double> y, LineStyle style) {
  check_xy(x, y, "plot");
  TG_CHECK(style.width() > 0 && style.marker_size() > 0,
           "viz::Axes::plot: width and marker_size must be positive");
  d_->items.emplace_back(LineItem{std::move(x), std::move(y), std::move(style)});
  return *this;
}
Axes& Axes::plot(const Tensor& x, const Tensor& y, LineStyle style) {
  return plot(to_vector(x, "plot", "x"), to_vector(y, "plot", "y"), std::move(style));
}

Axes& Axes::scatter(std::vector<double> x, std::vector<double> y, ScatterStyle style) {
  check_xy(x, y, "scatter");
  TG_CHECK(style.marker() != Marker::None, "viz::Axes::scatter: Marker::None would draw nothing");
  TG_CHECK(style.size() > 0, "viz::Axes::scatter: size must be positive, got ", style.size());
  d_->items.emplace_back(ScatterItem{std::move(x), std::move(y), std::move(style)});
  return *this;
}
Axes& Axes::scatter(const Tensor& x, const Tensor& y, ScatterStyle style) {
  return scatter(to_vector(x, "scatter", "x"), to_vector(y, "scatter", "y"), std::move(style));
}

Axes& Axes::contourf(std::vector<double> x, std::vector<double> y, std::vector<double> z,
                     ContourStyle style) {
  TG_CHECK(x.size() >= 2 && y.size() >= 2,
           "viz::Axes::contourf: need at least 2 x and 2 y values, got ", x.size(), " and ",
           y.size());
  TG_CHECK(z.size() == x.size() * y.size(), "viz::Axes::contourf: z has ", z.size(),
           " values, expected ny * nx = ", y.size(), " * ", x.size(), " = ", x.size() * y.size());
  check_increasing(x, "x");
  check_increasing(y, "y");
  for (size_t i = 0; i < z.size(); ++i)
    TG_CHECK(std::isfinite(z[i]), "viz::Axes::contourf: z[", i, "] = ", z[i], " is not finite");
  if (style.values().empty()) {
    TG_CHECK(style.levels() >= 1, "viz::Axes::contourf: levels must be positive, got ",
             style.levels());
  } else {
    TG_CHECK(style.values().size() >= 2,
             "viz::Axes::contourf: explicit levels need at least 2 values");
    check_increasing(style.values(), "levels");
  }
  d_->items.emplace_back(ContourItem{std::move(x), std::move(y), std::move(z), std::move(style)});
  return *this;
}
Axes& Axes::contourf(const Tensor& x, const Tensor& y, const Tensor& z, ContourStyle style) {
  auto xs = to_vector(x, "contourf", "x");
  auto ys = to_vector(y, "contourf", "y");
  TG_CHECK(z.defined(), "viz::Axes::contourf: z is an undefined tensor");
  TG_CHECK(z.dim() == 2 && z.size(0) == static_cast<int64_t>(ys.size()) &&
               z.size(1) == static_cast<int64_t>(xs.size()),
           "viz::Axes::contourf: z has shape ", z.sizes(), ", expected (ny, nx) = (", ys.size(),
           ", ", xs.size(), ")");
  return contourf(std::move(xs), std::move(ys), to_vector(z, "contourf", "z"), std::move(style));
}

Axes& Axes::quiver(std::vector<double> x, std::vector<double> y, std::vector<double> u,
                   std::vector<double> v, QuiverStyle style) {
  check_xy(x, y, "quiver");
  TG_CHECK(u.size() == x.size() && v.size() == x.size(), "viz::Axes::quiver: x and y have ",
           x.size(), " values but u has ", u.size(), " and v has ", v.size());
  TG_CHECK(style.scale() >= 0 && style.width() >= 0,
           "viz::Axes::quiver: scale and width must be >= 0");
  d_->items.emplace_back(
      QuiverItem{std::move(x), std::move(y), std::move(u), std::move(v), std::move(style)});
  return *this;
}
Axes& Axes::quiver(const Tensor& x, const Tensor& y, const Tensor& u, const Tensor& v,
                   QuiverStyle style) {
  return quiver(to_vector(x, "quiver", "x"), to_vector(y, "quiver", "y"),
                to_vector(u, "quiver", "u"), to_vector(v, "quiver", "v"), std::move(style));
}

Axes& Axes::path(std::vector<double> x, std::vector<double> y, PathStyle style) {
  check_xy(x, y, "path");
  TG_CHECK(style.width() > 0 && style.marker_size() > 0 && style.end_marker_size() > 0,
           "viz::Axes::path: width and marker sizes must be positive");
  d_->items.emplace_back(PathItem{std::move(x), std::move(y), std::move(style)});
  return *this;
}
Axes& Axes::path(const Tensor& x, const Tensor& y, PathStyle style) {
  return path(to_vector(x, "path", "x"), to_vector(y, "path", "y"), std::move(style));
}

// ---------------------------------------------------------------------------------------------
// PLplot sessions

namespace {

// PLplot keeps its current stream, its error handlers and its driver tables in globals.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

std::string& plplot_abort_message() {
  static std::string message;  // guarded by plplot_mutex()
  return message;
}

// PLplot's fatal errors go through plexit(), which calls exit() once the handler returns: the only
// way to keep the process alive is not to return. The exception unwinds through PLplot's C frames
// (compiled with unwind tables, gcc's default on x86-64 and arm64) back to Figure::save, which
// ends the stream. The checks before each PLplot call are meant to make this path unreachable.
int on_plplot_exit(const char* message) {
  throw Error(std::string("viz::Figure::save: PLplot: ") + (message ? message : "fatal error"));
}

// Non-fatal errors (plabort) make PLplot skip the call; remember the first one and report it.
void on_plplot_abort(const char* message) {
  if (plplot_abort_message().empty()) plplot_abort_message() = message ? message : "error";
}

// PLplot meets a device it does not have by asking for another one on stdin, so look first.
void require_device(const char* device) {
  std::array<const char*, 256> menu{}, names{};
  const char** menu_ptr = menu.data();
  const char** names_ptr = names.data();
  int n = static_cast<int>(names.size());
  plgDevs(&menu_ptr, &names_ptr, &n);
  for (int k = 0; k < n; ++k)
    if (names[k] != nullptr && std::strcmp(names[k], device) == 0) return;
  TG_ERROR("viz::Figure::save: PLplot has no '", device,
           "' device; install its cairo driver (Debian: plplot-driver-cairo)");
}

// One PLplot stream writing one file; ending the stream (plend1) writes and closes it.
class Session {
 public:
  Session(const char* device, const std::string& file, int width, int height) {
    plsexit(on_plplot_exit);
    plsabort(on_plplot_abort);
    require_device(device);  // before a stream exists that would need ending
    plgstrm(&previous_);
    plmkstrm(&stream_);
    TG_CHECK(stream_ >= 0, "viz::Figure::save: PLplot has no free output stream");
    plsError(&error_code_, error_text_.data());  // silences PLplot's own report on stderr
    try {
      plsdev(device);
      if (!file.empty()) plsfnam(file.c_str());
      plspage(0, 0, width, height, 0, 0);
      plscolbg(255, 255, 255);
      plinit();
    } catch (...) {
      end();
      throw;
    }
  }
  ~Session() { end(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  void end() noexcept {
    if (stream_ < 0) return;
    try {
      plsstrm(stream_);
      plend1();
    } catch (...) {  // an exit during cleanup: nothing left to save
    }
    plsstrm(previous_);
    stream_ = -1;
  }

  PLINT stream_ = -1, previous_ = 0;
  PLINT error_code_ = 0;
  std::array<char, 2048> error_text_{};
};

const char* device_for(const std::string& path) {
  const auto dot = path.find_last_of('.');
  const auto slash = path.find_last_of('/');
  std::string ext;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    ext = path.substr(dot);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (ext == ".png") return "pngcairo";
  if (ext == ".svg") return "svgcairo";
  if (ext == ".pdf") return "pdfcairo";
  TG_ERROR("viz::Figure::save: unknown file extension '", ext, "' in '", path,
           "' (use .png, .svg or .pdf)");
}

// ---------------------------------------------------------------------------------------------
// Drawing in page pixels

// The cairo driver's page is one point per pixel (72 per inch), while Pango lays text out at 96
// per inch, so an em of s pixels needs a PLplot character height of s * 25.4 / 96 mm.
constexpr double kMmPerPx = 25.4 / 72.0;
constexpr double kCharMmPerPx = 25.4 / 96.0;
// Where DejaVu/Bitstream-like sans text sits around PLplot's reference point, which the cairo
// driver puts at half the cap height above the baseline (in ems).
constexpr double kTextAbove = 0.40;  // to the top of tall letters and parentheses
constexpr double kTextBelow = 0.61;  // to the bottom of descenders
constexpr double kDigitHalf = 0.37;  // half the height of digits

constexpr int kScratchColor = 15;  // the cmap0 entry set to each colour just before use

class Canvas {
 public:
  Canvas(double width, double height) : width_(width), height_(height) {}

  // World coordinates = page pixels over the whole page.
  void page() {
    plvpor(0, 1, 0, 1);
    plwind(0, width_, 0, height_);
  }
  // World coordinates = page pixels, drawing clipped to `box`.
  void clip(const Rect& box) {
    plsvpa(box.x0 * kMmPerPx, box.x1 * kMmPerPx, box.y0 * kMmPerPx, box.y1 * kMmPerPx);
    plwind(box.x0, box.x1, box.y0, box.y1);
  }

  void color(const Color& c) {
    auto byte = [](double v) {
      return static_cast<PLINT>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
    };
    plscol0a(kScratchColor, byte(c.r), byte(c.g), byte(c.b), std::clamp(c.a, 0.0, 1.0));
    plcol0(kScratchColor);
  }

  void polyline(const std::vector<double>& x, const std::vector<double>& y, const Color& c,
                double width, bool dashed = false) {
    if (x.size() < 2 || c.a <= 0) return;
    color(c);
    plwidth(width);
    if (dashed) {
      // matplotlib's dashes: 3.7 on, 1.6 off, in line widths (PLplot wants micrometres).
      const PLINT mark = static_cast<PLINT>(3.7 * width * kMmPerPx * 1000);
      const PLINT space = static_cast<PLINT>(1.6 * width * kMmPerPx * 1000);
      plstyl(1, &mark, &space);
    }
    plline(static_cast<PLINT>(x.size()), x.data(), y.data());
    if (dashed) plstyl(0, nullptr, nullptr);
  }
  void segment(double x0, double y0, double x1, double y1, const Color& c, double width) {
    polyline({x0, x1}, {y0, y1}, c, width);
  }
  void fill(const std::vector<Point>& poly, const Color& c) {
    if (poly.size() < 3 || c.a <= 0) return;
    std::vector<double> x, y;
    for (const auto& p : poly) {
      x.push_back(p.x);
      y.push_back(p.y);
    }
    color(c);
    // The cairo driver strokes the outline of every filled polygon with the current line width
    // (to hide seams between cells of its own fills); that stroke would thicken markers and draw
    // the bridges of joined polygons, so it is made vanishingly thin.
    plwidth(1e-3);
    plfill(static_cast<PLINT>(x.size()), x.data(), y.data());
  }
  void outline(const std::vector<Point>& poly, const Color& c, double width) {
    if (poly.size() < 2 || c.a <= 0 || width <= 0) return;
    std::vector<double> x, y;
    for (const auto& p : poly) {
      x.push_back(p.x);
      y.push_back(p.y);
    }
    x.push_back(poly[0].x);
    y.push_back(poly[0].y);
    polyline(x, y, c, width);
  }

  // Text with its reference point at (x, y): `just` 0 puts the point at the start of the text,
  // 0.5 in the middle, 1 at the end; vertically the point is half a cap height above the
  // baseline. `angle` in degrees, counter-clockwise.
  void text(double x, double y, double angle, double just, double size, const std::string& s,
            const Color& c) {
    if (s.empty()) return;
    color(c);
    plschr(size * kCharMmPerPx, 1.0);
    const double a = angle * std::numbers::pi / 180;
    plptex(x, y, std::cos(a), std::sin(a), just, escape(s).c_str());
  }

  // The width of `s` in pixels at font size `size`. The cairo driver measures strings for
  // PLplot's plstrl(), which libplplot does not export; this asks the driver the same way
  // (plstrm.h is the installed header for the stream). Needs a viewport, as any text does.
  double text_width(const std::string& s, double size) {
    if (s.empty()) return 0;
    plschr(size * kCharMmPerPx, 1.0);
    PLStream* stream = nullptr;
    plgpls(&stream);
    if (stream != nullptr && stream->has_string_length) {
      stream->get_string_length = 1;
      plmtex("t", 0.0, 0.0, 0.0, escape(s).c_str());
      stream->get_string_length = 0;
      return stream->string_length / kMmPerPx;
    }
    // A driver that cannot measure: a generous average sans-serif advance.
    size_t glyphs = 0;
    for (unsigned char ch : s) glyphs += (ch & 0xC0) != 0x80;
    return 0.62 * size * static_cast<double>(glyphs);
  }

  // The font size, at most `size` and at least half of it, at which `s` fits in `max_width`.
  double fit(const std::string& s, double size, double max_width) {
    const double w = text_width(s, size);
    return w > max_width && w > 0 ? std::max(size * max_width / w, size * 0.5) : size;
  }

 private:
  // '#' starts PLplot's text escapes; text here is literal UTF-8.
  static std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      out += c;
      if (c == '#') out += '#';
    }
    return out;
  }

  double width_, height_;
};

std::vector<Point> marker_polygon(Marker m, double cx, double cy, double size) {
  const double r = size / 2;
  std::vector<Point> p;
  auto regular = [&](int n, double radius, double phase) {
    for (int k = 0; k < n; ++k) {
      const double a = phase + 2 * std::numbers::pi * k / n;
      p.push_back({cx + radius * std::cos(a), cy + radius * std::sin(a)});
    }
  };
  switch (m) {
    case Marker::Circle:
      regular(std::clamp(static_cast<int>(size * 2), 12, 48), r, 0);
      break;
    case Marker::Square:
      regular(4, r * 1.1, std::numbers::pi / 4);
      break;
    case Marker::Diamond:
      regular(4, r * 1.15, 0);
      break;
    case Marker::TriangleUp:
      regular(3, r * 1.2, std::numbers::pi / 2);
      break;
    case Marker::TriangleDown:
      regular(3, r * 1.2, -std::numbers::pi / 2);
      break;
    case Marker::Star:
      for (int k = 0; k < 10; ++k) {
        const double a = std::numbers::pi / 2 + std::numbers::pi * k / 5;
        const double radius = k % 2 ? r * 0.42 : r;
        p.push_back({cx + radius * std::cos(a), cy + radius * std::sin(a)});
      }
      break;
    default:
      break;
  }
  return p;
}

void draw_marker(Canvas& cv, Marker m, double cx, double cy, double size, const Color& face,
                 const Color& edge, double edge_width) {
  if (m == Marker::None) return;
  if (m == Marker::Plus || m == Marker::Cross) {
    const double r = size / 2;
    const double w = std::max(1.5, size / 5);
    if (m == Marker::Plus) {
      cv.segment(cx - r, cy, cx + r, cy, face, w);
      cv.segment(cx, cy - r, cx, cy + r, face, w);
    } else {
      const double d = r * 0.8;
      cv.segment(cx - d, cy - d, cx + d, cy + d, face, w);
      cv.segment(cx - d, cy + d, cx + d, cy - d, face, w);
    }
    return;
  }
  const auto poly = marker_polygon(m, cx, cy, size);
  cv.fill(poly, face);
  if (edge.a > 0 && edge_width > 0) cv.outline(poly, edge, edge_width);
}

// An arrow from (x, y) pointing along the unit vector (dx, dy), `length` pixels long, with
// matplotlib quiver's proportions in units of the shaft width: head 3 wide and 5 long, its
// back 4.5 from the tip. Arrows shorter than their head shrink as a whole; shorter than a shaft
// width they become a dot, as in matplotlib.
std::vector<Point> arrow_polygon(double x, double y, double dx, double dy, double length,
                                 double shaft) {
  std::vector<Point> local;
  const double head_len = 5 * shaft, head_back = 4.5 * shaft, head_w = 3 * shaft;
  if (length < shaft) {
    for (int k = 0; k < 6; ++k) {
      const double a = std::numbers::pi / 3 * k;
      local.push_back({shaft / 2 * std::cos(a), shaft / 2 * std::sin(a)});
    }
    dx = 1;
    dy = 0;
  } else if (length < head_len) {
    const double k = length / head_len;
    local = {
        {0, -head_w / 2 * k}, {length, 0}, {0, head_w / 2 * k}, {(head_len - head_back) * k, 0}};
  } else {
    local = {{0, -shaft / 2}, {length - head_back, -shaft / 2}, {length - head_len, -head_w / 2},
             {length, 0},     {length - head_len, head_w / 2},  {length - head_back, shaft / 2},
             {0, shaft / 2}};
  }
  std::vector<Point> out;
  for (const auto& p : local) out.push_back({x + p.x * dx - p.y * dy, y + p.x * dy + p.y * dx});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Panels

struct Fonts {
  double tick, label, title;
};

// Maps data to page pixels inside a panel's box.
struct Mapping {
  Rect box;
  double x0, x1, y0, y1;  // data limits
  double px(double x) const { return box.x0 + (x - x0) / (x1 - x0) * box.w(); }
  double py(double y) const { return box.y0 + (y - y0) / (y1 - y0) * box.h(); }
};

struct Limits {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};

struct Bounds {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool empty() const { return !(lo <= hi); }
};

// Data limits: explicit ones, else the contour grids exactly, else the data with 5% margins.
Limits data_limits(const AxesData& d) {
  Bounds bx, by, cx, cy;
  for (const auto& item : d.items) {
    std::visit(
        [&](const auto& it) {
          using T = std::decay_t<decltype(it)>;
          if constexpr (std::is_same_v<T, ContourItem>) {
            cx.add(it.x.front());
            cx.add(it.x.back());
            cy.add(it.y.front());
            cy.add(it.y.back());
          } else {
            for (double v : it.x) bx.add(v);
            for (double v : it.y) by.add(v);
          }
        },
        item);
  }
  auto resolve =
      [](const Bounds& contour, const Bounds& data,
         const std::optional<std::pair<double, double>>& fixed) -> std::pair<double, double> {
    if (fixed) return *fixed;
    if (!contour.empty()) return {contour.lo, contour.hi};
    if (data.empty()) return {0, 1};
    double lo = data.lo, hi = data.hi;
    if (hi == lo) {
      const double d = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
      return {lo - d, hi + d};
    }
    const double m = 0.05 * (hi - lo);
    return {lo - m, hi + m};
  };
  const auto [x0, x1] = resolve(cx, bx, d.xlim);
  const auto [y0, y1] = resolve(cy, by, d.ylim);
  return {x0, x1, y0, y1};
}

std::vector<double> ticks_within(double lo, double hi, int bins) {
  std::vector<double> out;
  const double eps = (hi - lo) * 1e-9;
  for (double v : nice_levels(lo, hi, bins))
    if (v >= lo - eps && v <= hi + eps) out.push_back(v);
  return out;
}

int bins_for(double length, double per_bin) {
  return std::clamp(static_cast<int>(length / per_bin), 2, 9);
}

const ContourItem* first_contour(const AxesData& d) {
  for (const auto& item : d.items)
    if (const auto* c = std::get_if<ContourItem>(&item)) return c;
  return nullptr;
}

std::vector<double> contour_levels(const ContourItem& c) {
  if (!c.style.values().empty()) return c.style.values();
  const auto [lo, hi] = std::minmax_element(c.z.begin(), c.z.end());
  return nice_levels(*lo, *hi, c.style.levels() + 1);  // as contourf's MaxNLocator(levels + 1)
}

Color band_color(size_t k, size_t bands) {
  return viridis(bands <= 1 ? 0.5 : static_cast<double>(k) / static_cast<double>(bands - 1));
}

const Color kInk(0.15, 0.15, 0.15);
const Color kGrid(0.88, 0.88, 0.88);

// A legend entry: what its handle shows.
struct LegendEntry {
  std::string label;
  Color line_color = Color(0, 0, 0, 0);
  double line_width = 0;
  bool dashed = false;
  Marker marker = Marker::None;
  Color marker_color, marker_edge = Color(0, 0, 0, 0);
  double marker_size = 0;
  bool arrow = false;
};

std::vector<LegendEntry> legend_entries(const AxesData& d) {
  std::vector<LegendEntry> out;
  for (const auto& item : d.items) {
    std::visit(
        [&](const auto& it) {
          using T = std::decay_t<decltype(it)>;
          const auto& s = it.style;
          if constexpr (std::is_same_v<T, LineItem>) {
            if (!s.label().empty())
              out.push_back({s.label(), s.color(), s.width(), s.dashed(), s.marker(), s.color(),
                             Color(0, 0, 0, 0), s.marker_size(), false});
          } else if constexpr (std::is_same_v<T, ScatterItem>) {
            if (!s.label().empty())
              out.push_back({s.label(), Color(0, 0, 0, 0), 0, false, s.marker(), s.color(),
                             s.edge_color(), s.size(), false});
          } else if constexpr (std::is_same_v<T, QuiverItem>) {
            if (!s.label().empty()) {
              LegendEntry e;
              e.label = s.label();
              e.line_color = s.color();
              e.arrow = true;
              out.push_back(e);
            }
          } else if constexpr (std::is_same_v<T, PathItem>) {
            if (!s.label().empty())
              out.push_back({s.label(), s.color(), s.width(), false, s.marker(), s.color(),
                             Color(1, 1, 1), s.marker_size(), false});
            if (!s.start_label().empty())
              out.push_back({s.start_label(), Color(0, 0, 0, 0), 0, false, s.start_marker(),
                             s.start_color(), kInk, s.end_marker_size() * 0.8, false});
            if (!s.end_label().empty())
              out.push_back({s.end_label(), Color(0, 0, 0, 0), 0, false, s.end_marker(),
                             s.end_color(), kInk, s.end_marker_size(), false});
          }
        },
        item);
  }
  return out;
}

// Data points in page pixels, for placing the legend where it hides the least. Lines are
// sampled along their segments so that a two-point line still counts.
std::vector<Point> occupied_points(const AxesData& d, const Mapping& m) {
  std::vector<Point> pts;
  auto add_polyline = [&](const std::vector<double>& x, const std::vector<double>& y) {
    for (size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
      const Point p{m.px(x[i]), m.py(y[i])};
      pts.push_back(p);
      if (i + 1 < x.size() && std::isfinite(x[i + 1]) && std::isfinite(y[i + 1])) {
        const Point q{m.px(x[i + 1]), m.py(y[i + 1])};
        const int n = std::min(200, static_cast<int>(std::hypot(q.x - p.x, q.y - p.y) / 6));
        for (int k = 1; k < n; ++k)
          pts.push_back({p.x + (q.x - p.x) * k / n, p.y + (q.y - p.y) * k / n});
      }
    }
  };
  for (const auto& item : d.items) {
    std::visit(
        [&](const auto& it) {
          using T = std::decay_t<decltype(it)>;
          if constexpr (std::is_same_v<T, LineItem> || std::is_same_v<T, PathItem>) {
            add_polyline(it.x, it.y);
          } else if constexpr (std::is_same_v<T, ScatterItem> || std::is_same_v<T, QuiverItem>) {
            for (size_t i = 0; i < it.x.size(); ++i)
              if (std::isfinite(it.x[i]) && std::isfinite(it.y[i]))
                pts.push_back({m.px(it.x[i]), m.py(it.y[i])});
          }
        },
        item);
  }
  return pts;
}

class PanelPainter {
 public:
  PanelPainter(Canvas& cv, const AxesData& d, const Fonts& f) : cv_(cv), d_(d), f_(f) {}

  void paint(const Rect& cell) {
    const Limits lim = data_limits(d_);
    const ContourItem* contour = first_contour(d_);
    const bool colorbar = contour != nullptr && contour->style.colorbar();
    std::vector<double> levels;
    if (contour) levels = contour_levels(*contour);

    // Layout: margins from the measured tick labels, in a few rounds, since the ticks depend on
    // the box's size and the margins on the ticks' labels (widths only ever grow, so it settles).
    const double fs = f_.tick;
    const double edge = 0.6 * fs, tick = 0.35 * fs, tick_pad = 0.35 * fs;
    const double label_h = (kTextAbove + kTextBelow) * f_.label;
    double ytick_w = 2 * fs, cbtick_w = 2 * fs, overhang = 0;
    Rect box;
    double cb_gap = 0.7 * fs, cb_w = 0;
    std::vector<double> xt, yt, ct;
    std::vector<std::string> xl, yl, cl;
    for (int round = 0; round < 3; ++round) {
      const double left =
          edge + (d_.ylabel.empty() ? 0 : label_h + 0.45 * fs) + ytick_w + tick_pad + tick;
      const double bottom = edge + (d_.xlabel.empty() ? 0 : label_h + 0.35 * fs) +
                            2 * kDigitHalf * fs + tick_pad + tick;
      const double top =
          edge +
          (d_.title.empty() ? kDigitHalf * fs : (kTextAbove + kTextBelow) * f_.title + 0.6 * fs);
      // Right of the box: the colour bar (5% of the box wide, as make_axes_locatable's "5%"),
      // or at least room for the half of the last x tick label that sticks out.
      const double avail = cell.w() - left - edge;
      double box_w = avail - overhang;
      if (colorbar) {
        const double fixed = cb_gap + tick + tick_pad + cbtick_w +
                             (contour->style.colorbar_label().empty() ? 0 : 0.5 * fs + label_h);
        cb_w = std::max(0.05 * (avail - fixed) / 1.05, 0.8 * fs);
        box_w = std::min(box_w, avail - fixed - cb_w);
      }
      box = {cell.x0 + left, cell.y0 + bottom, cell.x0 + left + box_w, cell.y1 - top};
      TG_CHECK(box.w() > 20 && box.h() > 20, "viz::Figure::save: a panel of ", cell.w(), " x ",
               cell.h(), " pixels is too small for its labels; make the figure larger");
      if (d_.equal) {
        const double ratio = (lim.y1 - lim.y0) / (lim.x1 - lim.x0);
        if (box.h() > box.w() * ratio) {
          const double h = box.w() * ratio, dy = (box.h() - h) / 2;
          box.y0 += dy;
          box.y1 -= dy;
        } else {
          const double w = box.h() / ratio, dx = (box.w() - w) / 2;
          box.x0 += dx;
          box.x1 -= dx;
        }
      }
      xt = ticks_within(lim.x0, lim.x1, bins_for(box.w(), 3 * fs));
      yt = ticks_within(lim.y0, lim.y1, bins_for(box.h(), 2 * fs));
      xl = tick_labels(xt);
      yl = tick_labels(yt);
      double w = 0;
      for (const auto& s : yl) w = std::max(w, cv_.text_width(s, fs));
      ytick_w = round == 0 ? w : std::max(ytick_w, w);
      if (!xl.empty()) {
        const Mapping m{box, lim.x0, lim.x1, lim.y0, lim.y1};
        const double right_of_box = cell.x1 - edge - box.x1;
        const double out = m.px(xt.back()) + cv_.text_width(xl.back(), fs) / 2 - box.x1;
        if (out > right_of_box) overhang = std::max(overhang, out);
      }
      if (colorbar) {
        ct = ticks_within(levels.front(), levels.back(), bins_for(box.h(), 2.5 * fs));
        cl = tick_labels(ct);
        double cw = 0;
        for (const auto& s : cl) cw = std::max(cw, cv_.text_width(s, fs));
        cbtick_w = round == 0 ? cw : std::max(cbtick_w, cw);
      }
    }
    const Mapping m{box, lim.x0, lim.x1, lim.y0, lim.y1};

    // Grid, then the items in the order they were added, clipped to the box.
    cv_.clip(box);
    if (d_.grid) {
      for (double v : xt) cv_.segment(m.px(v), box.y0, m.px(v), box.y1, kGrid, 0.8);
      for (double v : yt) cv_.segment(box.x0, m.py(v), box.x1, m.py(v), kGrid, 0.8);
    }
    for (const auto& item : d_.items) std::visit([&](const auto& it) { draw(it, m); }, item);

    // Frame, ticks and labels on the page.
    cv_.page();
    cv_.outline({{box.x0, box.y0}, {box.x1, box.y0}, {box.x1, box.y1}, {box.x0, box.y1}}, kInk, 1);
    for (size_t i = 0; i < xt.size(); ++i) {
      const double x = m.px(xt[i]);
      cv_.segment(x, box.y0, x, box.y0 - tick, kInk, 1);
      cv_.text(x, box.y0 - tick - tick_pad - kDigitHalf * fs, 0, 0.5, fs, xl[i], kInk);
    }
    for (size_t i = 0; i < yt.size(); ++i) {
      const double y = m.py(yt[i]);
      cv_.segment(box.x0, y, box.x0 - tick, y, kInk, 1);
      cv_.text(box.x0 - tick - tick_pad, y, 0, 1, fs, yl[i], kInk);
    }
    if (!d_.xlabel.empty()) {
      const double size = cv_.fit(d_.xlabel, f_.label, cell.w() - 2 * edge);
      const double y =
          box.y0 - tick - tick_pad - 2 * kDigitHalf * fs - 0.35 * fs - kTextAbove * size;
      cv_.text((box.x0 + box.x1) / 2, y, 0, 0.5, size, d_.xlabel, kInk);
    }
    if (!d_.ylabel.empty()) {
      const double size = cv_.fit(d_.ylabel, f_.label, box.h() + 2 * tick);
      const double x = box.x0 - tick - tick_pad - ytick_w - 0.45 * fs - kTextBelow * size;
      cv_.text(x, (box.y0 + box.y1) / 2, 90, 0.5, size, d_.ylabel, kInk);
    }
    if (!d_.title.empty()) {
      const double size = cv_.fit(d_.title, f_.title, cell.w() - 2 * edge);
      // Centred over the box, but pushed inwards rather than clipped at the cell's edges.
      const double half = cv_.text_width(d_.title, size) / 2;
      double center = (box.x0 + box.x1) / 2;
      if (cell.x0 + edge + half <= cell.x1 - edge - half)
        center = std::clamp(center, cell.x0 + edge + half, cell.x1 - edge - half);
      cv_.text(center, box.y1 + 0.6 * fs + kTextBelow * size, 0, 0.5, size, d_.title, kInk);
    }
    if (colorbar) {
      const Rect bar{box.x1 + cb_gap, box.y0, box.x1 + cb_gap + cb_w, box.y1};
      paint_colorbar(bar, levels, ct, cl, contour->style.colorbar_label(), tick, tick_pad,
                     cbtick_w);
    }
    paint_legend(m);
  }

 private:
  std::vector<double> px(const std::vector<double>& v, const Mapping& m, bool x_axis) {
    std::vector<double> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = x_axis ? m.px(v[i]) : m.py(v[i]);
    return out;
  }

  // A polyline broken wherever a value is not finite (as matplotlib does with NaN).
  void polyline(const std::vector<double>& x, const std::vector<double>& y, const Mapping& m,
                const Color& c, double width, bool dashed) {
    std::vector<double> rx, ry;
    auto flush = [&] {
      if (rx.size() >= 2) cv_.polyline(rx, ry, c, width, dashed);
      rx.clear();
      ry.clear();
    };
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isfinite(x[i]) && std::isfinite(y[i])) {
        rx.push_back(m.px(x[i]));
        ry.push_back(m.py(y[i]));
      } else {
        flush();
      }
    }
    flush();
  }

  void markers(const std::vector<double>& x, const std::vector<double>& y, const Mapping& m,
               Marker mk, double size, const Color& face, const Color& edge, double edge_width) {
    for (size_t i = 0; i < x.size(); ++i)
      if (std::isfinite(x[i]) && std::isfinite(y[i]))
        draw_marker(cv_, mk, m.px(x[i]), m.py(y[i]), size, face, edge, edge_width);
  }

  void draw(const LineItem& it, const Mapping& m) {
    const auto& s = it.style;
    polyline(it.x, it.y, m, s.color(), s.width(), s.dashed());
    markers(it.x, it.y, m, s.marker(), s.marker_size(), s.color(), Color(0, 0, 0, 0), 0);
  }

  void draw(const ScatterItem& it, const Mapping& m) {
    const auto& s = it.style;
    markers(it.x, it.y, m, s.marker(), s.size(), s.color(), s.edge_color(), s.edge_width());
  }

  // Each band is painted as the whole region {z >= its lower level} over the bands below it (a
  // painter's algorithm), so neighbouring bands never show a seam of white page between their
  // anti-aliased edges, and each region is one polygon however many pieces and holes it has.
  // (PLplot's plshade fills every grid cell separately: seams, and a 60 MB SVG for 300 x 300.)
  void draw(const ContourItem& it, const Mapping& m) {
    const std::vector<double> xg = px(it.x, m, true), yg = px(it.y, m, false);
    const ContourGrid grid(xg, yg, it.z);
    const auto levels = contour_levels(it);
    const size_t bands = levels.size() - 1;
    // Regions are clipped here rather than by PLplot, whose clipper is not meant for polygons
    // with bridges; the page is the clip window while they are drawn.
    const Rect visible = m.box;
    const bool inside = xg.front() >= visible.x0 && xg.back() <= visible.x1 &&
                        yg.front() >= visible.y0 && yg.back() <= visible.y1;
    cv_.page();
    // Values above the top level stay unfilled, as in matplotlib: every region gets the one above
    // the top level as holes (its rings reversed, so that their winding cancels).
    std::vector<std::vector<Point>> above;
    if (*std::max_element(it.z.begin(), it.z.end()) > levels.back()) {
      above = grid.region(levels.back());
      for (auto& r : above) std::reverse(r.begin(), r.end());
    }
    // A tenth of a pixel is below what anti-aliasing can show.
    auto simplified = [](std::vector<std::vector<Point>> rings) {
      for (auto& r : rings) r = simplify_ring(r, 0.1);
      return rings;
    };
    above = simplified(std::move(above));
    for (size_t k = 0; k < bands; ++k) {
      auto rings = simplified(grid.region(levels[k]));
      rings.insert(rings.end(), above.begin(), above.end());
      auto poly = join_rings(rings);
      if (!inside) poly = clip_polygon(std::move(poly), visible);
      cv_.fill(poly, band_color(k, bands));
    }
    cv_.clip(m.box);
    if (it.style.lines()) {
      for (double level : levels) {
        const Isolines iso = grid.isolines(level);
        for (const auto* chains : {&iso.open, &iso.closed}) {
          for (const auto& c : *chains) {
            std::vector<double> x, y;
            for (const auto& p : c.points) {
              x.push_back(p.x);
              y.push_back(p.y);
            }
            if (chains == &iso.closed && !c.points.empty()) {
              x.push_back(c.points.front().x);
              y.push_back(c.points.front().y);
            }
            cv_.polyline(x, y, Color(0, 0, 0, 0.35), 0.7);
          }
        }
      }
    }
  }

  void draw(const QuiverItem& it, const Mapping& m) {
    const auto& s = it.style;
    const size_t n = it.x.size();
    double scale = s.scale();
    if (scale == 0) {  // matplotlib's autoscale: the mean arrow is 1 / (1.8 max(10, sqrt n)) wide
      double sum = 0;
      size_t count = 0;
      for (size_t k = 0; k < n; ++k) {
        const double a = std::hypot(it.u[k], it.v[k]);
        if (std::isfinite(a)) {
          sum += a;
          ++count;
        }
      }
      const double mean = count ? sum / count : 0;
      scale = mean > 0 ? 1.8 * mean * std::max(10.0, std::sqrt(static_cast<double>(n))) : 1;
    }
    const double width =
        s.width() > 0 ? s.width() : 0.06 / std::clamp(std::sqrt(static_cast<double>(n)), 8.0, 25.0);
    const double shaft = width * m.box.w();
    for (size_t k = 0; k < n; ++k) {
      const double a = std::hypot(it.u[k], it.v[k]);
      if (!std::isfinite(a) || !std::isfinite(it.x[k]) || !std::isfinite(it.y[k]) || a == 0)
        continue;
      const double length = a / scale * m.box.w();
      cv_.fill(arrow_polygon(m.px(it.x[k]), m.py(it.y[k]), it.u[k] / a, it.v[k] / a, length, shaft),
               s.color());
    }
  }

  void draw(const PathItem& it, const Mapping& m) {
    const auto& s = it.style;
    const Color halo(1, 1, 1, 0.85);
    polyline(it.x, it.y, m, s.color(), s.width(), false);
    markers(it.x, it.y, m, s.marker(), s.marker_size(), s.color(), halo, 0.8);
    // First and last finite points.
    std::optional<size_t> first, last;
    for (size_t i = 0; i < it.x.size(); ++i) {
      if (std::isfinite(it.x[i]) && std::isfinite(it.y[i])) {
        if (!first) first = i;
        last = i;
      }
    }
    if (first) {
      draw_marker(cv_, s.start_marker(), m.px(it.x[*first]), m.py(it.y[*first]),
                  s.end_marker_size() * 0.8, s.start_color(), kInk, 1.2);
      draw_marker(cv_, s.end_marker(), m.px(it.x[*last]), m.py(it.y[*last]), s.end_marker_size(),
                  s.end_color(), kInk, 1.2);
    }
  }

  void paint_colorbar(const Rect& bar, const std::vector<double>& levels,
                      const std::vector<double>& ticks, const std::vector<std::string>& labels,
                      const std::string& label, double tick, double tick_pad, double tick_w) {
    const double lo = levels.front(), hi = levels.back();
    auto y_of = [&](double v) { return bar.y0 + (v - lo) / (hi - lo) * bar.h(); };
    cv_.clip(bar);
    const size_t bands = levels.size() - 1;
    for (size_t k = 0; k < bands; ++k) {
      // Overlap the next band by a pixel so that no seam shows between them.
      const double y0 = y_of(levels[k]), y1 = k + 1 < bands ? y_of(levels[k + 1]) + 1 : bar.y1;
      cv_.fill({{bar.x0, y0}, {bar.x1, y0}, {bar.x1, y1}, {bar.x0, y1}}, band_color(k, bands));
    }
    cv_.page();
    cv_.outline({{bar.x0, bar.y0}, {bar.x1, bar.y0}, {bar.x1, bar.y1}, {bar.x0, bar.y1}}, kInk, 1);
    for (size_t i = 0; i < ticks.size(); ++i) {
      const double y = y_of(ticks[i]);
      cv_.segment(bar.x1, y, bar.x1 + tick, y, kInk, 1);
      cv_.text(bar.x1 + tick + tick_pad, y, 0, 0, f_.tick, labels[i], kInk);
    }
    if (!label.empty()) {
      const double size = cv_.fit(label, f_.label, bar.h());
      const double x = bar.x1 + tick + tick_pad + tick_w + 0.5 * f_.tick + kTextAbove * size;
      cv_.text(x, (bar.y0 + bar.y1) / 2, 90, 0.5, size, label, kInk);
    }
  }

  void paint_legend(const Mapping& m) {
    if (d_.legend == LegendLoc::Hidden) return;
    const auto entries = legend_entries(d_);
    if (entries.empty()) return;
    const double fs = f_.tick;
    const double pad = 0.5 * fs, row = 1.45 * fs, handle = 2.2 * fs, gap = 0.7 * fs;
    const double inset = 0.6 * fs;
    double text_w = 0;
    for (const auto& e : entries) text_w = std::max(text_w, cv_.text_width(e.label, fs));
    const double w = 2 * pad + handle + gap + text_w;
    const double h = 2 * pad + row * static_cast<double>(entries.size()) - (row - fs);
    const Rect& b = m.box;
    auto place = [&](LegendLoc loc) -> Rect {
      const bool right = loc == LegendLoc::UpperRight || loc == LegendLoc::LowerRight;
      const bool upper = loc == LegendLoc::UpperRight || loc == LegendLoc::UpperLeft;
      const double x0 = right ? b.x1 - inset - w : b.x0 + inset;
      const double y0 = upper ? b.y1 - inset - h : b.y0 + inset;
      return {x0, y0, x0 + w, y0 + h};
    };
    LegendLoc loc = d_.legend;
    if (loc == LegendLoc::Best) {
      // matplotlib's order of preference; the first corner hiding the fewest points wins.
      const auto pts = occupied_points(d_, m);
      size_t best = SIZE_MAX;
      for (LegendLoc c : {LegendLoc::UpperRight, LegendLoc::UpperLeft, LegendLoc::LowerLeft,
                          LegendLoc::LowerRight}) {
        const Rect r = place(c);
        size_t hidden = 0;
        for (const auto& p : pts)
          hidden += p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1;
        if (hidden < best) {
          best = hidden;
          loc = c;
        }
      }
    }
    const Rect r = place(loc);
    const auto frame = rounded_rect(r, 0.3 * fs);
    cv_.fill(frame, Color(1, 1, 1, 0.85));
    cv_.outline(frame, Color(0.8, 0.8, 0.8), 1);
    double y = r.y1 - pad - fs / 2;
    for (const auto& e : entries) {
      const double hx = r.x0 + pad;
      if (e.arrow) {
        cv_.fill(arrow_polygon(hx, y, 1, 0, handle, 0.12 * fs), e.line_color);
      } else {
        if (e.line_width > 0) {
          cv_.polyline({hx, hx + handle}, {y, y}, e.line_color, e.line_width, e.dashed);
        }
        draw_marker(cv_, e.marker, hx + handle / 2, y, std::min(e.marker_size, 1.2 * fs),
                    e.marker_color, e.marker_edge, 1);
      }
      cv_.text(hx + handle + gap, y, 0, 0, fs, e.label, kInk);
      y -= row;
    }
  }

  static std::vector<Point> rounded_rect(const Rect& r, double radius) {
    std::vector<Point> p;
    const std::array<Point, 4> centers = {{{r.x1 - radius, r.y0 + radius},
                                           {r.x1 - radius, r.y1 - radius},
                                           {r.x0 + radius, r.y1 - radius},
                                           {r.x0 + radius, r.y0 + radius}}};
    for (int c = 0; c < 4; ++c) {
      for (int k = 0; k <= 4; ++k) {
        const double a = std::numbers::pi / 2 * (c - 1 + k / 4.0);
        p.push_back({centers[c].x + radius * std::cos(a), centers[c].y + radius * std::sin(a)});
      }
    }
    return p;
  }

  Canvas& cv_;
  const AxesData& d_;
  Fonts f_;
};

}  // namespace

void detail::raise_plplot_fatal_error(const std::string& message) {
  std::lock_guard<std::mutex> lock(plplot_mutex());
  Session session("null", "", 64, 64);
  plexit(message.c_str());
}

// ---------------------------------------------------------------------------------------------
// Figure

Figure::Figure(int width, int height) : width_(width), height_(height) {
  TG_CHECK(width >= 64 && height >= 64 && width <= 16384 && height <= 16384,
           "viz::Figure: size must be between 64 and 16384 pixels, got ", width, " x ", height);
}
Figure::~Figure() = default;
Figure::Figure(Figure&&) noexcept = default;
Figure& Figure::operator=(Figure&&) noexcept = default;

Axes& Figure::add_axes() {
  axes_.push_back(std::make_unique<Axes>());
  return *axes_.back();
}

Axes& Figure::axes(size_t i) {
  TG_CHECK(i < axes_.size(), "viz::Figure::axes: index ", i, " out of range for ", axes_.size(),
           " axes");
  return *axes_[i];
}

Figure& Figure::set_font_size(double pixels) {
  TG_CHECK(pixels > 0 && pixels < 200, "viz::Figure::set_font_size: bad size ", pixels);
  font_size_ = pixels;
  return *this;
}

void Figure::save(const std::string& path) const {
  const char* device = device_for(path);
  TG_CHECK(!axes_.empty(), "viz::Figure::save: the figure has no axes (call add_axes() first)");
  // Draw into a new file next to `path` and rename it over `path` when complete, so that a failed
  // save leaves any earlier file alone. Creating it here also proves the directory writable:
  // PLplot reacts to a file it cannot open by asking for another name on stdin. (open() rather
  // than mkstemp(), whose mode 0600 would stay on the figure.)
  static std::atomic<unsigned> counter{0};
  const std::string part =
      path + ".part-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  TG_CHECK(fd >= 0, "viz::Figure::save: cannot write '", path, "': ", std::strerror(errno));
  ::close(fd);
  try {
    {
      std::lock_guard<std::mutex> lock(plplot_mutex());
      plplot_abort_message().clear();
      {
        Session session(device, part, width_, height_);
        pladv(0);
        Canvas cv(width_, height_);
        cv.page();
        const Fonts fonts{font_size_, font_size_ * 1.15, font_size_ * 1.3};
        const double cell_w = static_cast<double>(width_) / static_cast<double>(axes_.size());
        for (size_t i = 0; i < axes_.size(); ++i) {
          const Rect cell{cell_w * static_cast<double>(i), 0, cell_w * static_cast<double>(i + 1),
                          static_cast<double>(height_)};
          PanelPainter(cv, *axes_[i]->d_, fonts).paint(cell);
          cv.page();
        }
      }  // ending the session writes the file
      TG_CHECK(plplot_abort_message().empty(),
               "viz::Figure::save: PLplot: ", plplot_abort_message());
    }
    struct stat st {};
    TG_CHECK(::stat(part.c_str(), &st) == 0 && st.st_size > 0,
             "viz::Figure::save: PLplot wrote nothing for '", path, "'");
    TG_CHECK(std::rename(part.c_str(), path.c_str()) == 0, "viz::Figure::save: cannot write '",
             path, "': ", std::strerror(errno));
  } catch (...) {
    std::remove(part.c_str());
    throw;
  }
}

}  // namespace tg::viz
