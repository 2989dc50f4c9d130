// An Axes records what it will draw, after checking it; painter.cpp draws it.
#include <algorithm>
#include <cmath>

#include "viz/plot_internal.h"

namespace tg::viz {

using detail::ContourItem;
using detail::ImageItem;
using detail::LineItem;
using detail::PathItem;
using detail::QuiverItem;
using detail::ScatterItem;
using detail::TextItem;

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

Axes& Axes::axis_off(bool off) {
  d_->axis_off = off;
  return *this;
}

namespace {

Color colormap(const std::string& name, double t) {
  t = std::clamp(t, 0.0, 1.0);
  if (name == "viridis") return viridis(t);
  if (name == "gray") return {t, t, t};
  return {1 - t, 1 - t, 1 - t};  // gray_r
}

}  // namespace

Axes& Axes::imshow(const Tensor& image, ImageStyle style) {
  TG_CHECK(image.defined(), "viz::Axes::imshow: the image is an undefined tensor");
  const bool rgb = image.dim() == 3 && image.size(2) == 3;
  TG_CHECK(image.dim() == 2 || rgb,
           "viz::Axes::imshow: expected an image of shape (H, W) or (H, W, 3), got ",
           image.sizes());
  TG_CHECK(image.numel() > 0, "viz::Axes::imshow: the image of shape ", image.sizes(), " is empty");
  const std::string& cmap = style.cmap();
  TG_CHECK(cmap == "viridis" || cmap == "gray" || cmap == "gray_r",
           "viz::Axes::imshow: unknown cmap '", cmap, "' (viridis, gray or gray_r)");
  ImageItem item;
  item.height = image.size(0);
  item.width = image.size(1);
  const std::vector<double> values = to_vector(image, "imshow", "image");
  for (size_t i = 0; i < values.size(); ++i)
    TG_CHECK(std::isfinite(values[i]), "viz::Axes::imshow: value ", i,
             " of the image is not finite");
  if (rgb) {
    for (size_t i = 0; i < values.size(); i += 3)
      item.pixels.emplace_back(std::clamp(values[i], 0.0, 1.0), std::clamp(values[i + 1], 0.0, 1.0),
                               std::clamp(values[i + 2], 0.0, 1.0));
  } else {
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    const double lo = std::isnan(style.vmin()) ? *lo_it : style.vmin();
    const double hi = std::isnan(style.vmax()) ? *hi_it : style.vmax();
    TG_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "viz::Axes::imshow: vmin (", lo,
             ") must be finite and at most vmax (", hi, ")");
    for (double v : values)
      item.pixels.push_back(colormap(cmap, hi > lo ? (v - lo) / (hi - lo) : 0.5));
  }
  if (style.extent().empty()) {
    item.right = static_cast<double>(item.width);
    item.top = static_cast<double>(item.height);
  } else {
    const auto& e = style.extent();
    TG_CHECK(e.size() == 4,
             "viz::Axes::imshow: extent needs 4 values {left, right, bottom, top}, got ", e.size());
    for (double v : e) TG_CHECK(std::isfinite(v), "viz::Axes::imshow: the extent is not finite");
    TG_CHECK(e[0] != e[1] && e[2] != e[3], "viz::Axes::imshow: the extent has no area");
    item.left = e[0];
    item.right = e[1];
    item.bottom = e[2];
    item.top = e[3];
  }
  item.style = std::move(style);
  d_->items.emplace_back(std::move(item));
  return *this;
}

Axes& Axes::text(double x, double y, std::string s, TextStyle style) {
  TG_CHECK(std::isfinite(x) && std::isfinite(y), "viz::Axes::text: the position (", x, ", ", y,
           ") is not finite");
  TG_CHECK(style.size() >= 0, "viz::Axes::text: the size must be >= 0, got ", style.size());
  d_->items.emplace_back(TextItem{x, y, std::move(s), std::move(style)});
  return *this;
}

}  // namespace tg::viz
