// Page-pixel drawing: lines, fills and text through PLplot, markers, and arrows through plvect.
// Markers are polygons rather than plpoin/plstring glyphs, which cannot have an edge colour.
#include "viz/canvas.h"

#include <plplot.h>
#include <plstrm.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace tg::viz::detail {
namespace {

constexpr int kScratchColor = 15;  // the cmap0 entry set to each colour just before use

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

}  // namespace

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

void Canvas::page() {
  plvpor(0, 1, 0, 1);
  plwind(0, width_, 0, height_);
}
void Canvas::clip(const Rect& box) {
  plsvpa(box.x0 * kMmPerPx, box.x1 * kMmPerPx, box.y0 * kMmPerPx, box.y1 * kMmPerPx);
  plwind(box.x0, box.x1, box.y0, box.y1);
}

void Canvas::color(const Color& c) {
  auto byte = [](double v) {
    return static_cast<PLINT>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
  };
  plscol0a(kScratchColor, byte(c.r), byte(c.g), byte(c.b), std::clamp(c.a, 0.0, 1.0));
  plcol0(kScratchColor);
}

void Canvas::polyline(const std::vector<double>& x, const std::vector<double>& y, const Color& c,
                      double width, bool dashed) {
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
void Canvas::segment(double x0, double y0, double x1, double y1, const Color& c, double width) {
  polyline({x0, x1}, {y0, y1}, c, width);
}
void Canvas::fill(const std::vector<Point>& poly, const Color& c) {
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
void Canvas::outline(const std::vector<Point>& poly, const Color& c, double width) {
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

void Canvas::text(double x, double y, double angle, double just, double size, const std::string& s,
                  const Color& c) {
  if (s.empty()) return;
  color(c);
  plschr(size * kCharMmPerPx, 1.0);
  const double a = angle * std::numbers::pi / 180;
  plptex(x, y, std::cos(a), std::sin(a), just, escape(s).c_str());
}

// The cairo driver measures strings for PLplot's plstrl(), which libplplot does not export; this
// asks the driver the same way (plstrm.h is the installed header for the stream).
double Canvas::text_width(const std::string& s, double size) {
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

double Canvas::fit(const std::string& s, double size, double max_width) {
  const double w = text_width(s, size);
  return w > max_width && w > 0 ? std::max(size * max_width / w, size * 0.5) : size;
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

void arrows(Canvas& cv, const std::vector<Point>& tails, const std::vector<Point>& vectors,
            double shaft, const Color& color) {
  if (tails.empty() || color.a <= 0) return;
  // plvect's unit is half the vector, measured from the point: the tail is at 0, the tip at 2.
  const double s = shaft, head = 0.3, back = 0.27, w = 3 * shaft;
  const std::array<PLFLT, 7> ax = {
      0, 2 * (1 - back), 2 * (1 - head), 2, 2 * (1 - head), 2 * (1 - back), 0};
  const std::array<PLFLT, 7> ay = {-s, -s, -w, 0, w, s, s};
  plsvect(ax.data(), ay.data(), static_cast<PLINT>(ax.size()), 1);
  std::vector<PLFLT> u, v;
  std::vector<const PLFLT*> u_rows, v_rows;
  for (const auto& p : vectors) {
    u.push_back(p.x);
    v.push_back(p.y);
  }
  for (size_t k = 0; k < u.size(); ++k) {
    u_rows.push_back(&u[k]);
    v_rows.push_back(&v[k]);
  }
  auto at_tail = [](PLFLT i, PLFLT, PLFLT* tx, PLFLT* ty, PLPointer data) {
    const Point& p = (*static_cast<const std::vector<Point>*>(data))[static_cast<size_t>(i)];
    *tx = p.x;
    *ty = p.y;
  };
  cv.color(color);
  plwidth(1e-3);  // plvect strokes each arrow's outline too
  plvect(u_rows.data(), v_rows.data(), static_cast<PLINT>(u.size()), 1, 1.0, at_tail,
         const_cast<std::vector<Point>*>(&tails));
  plsvect(nullptr, nullptr, 0, 0);
}

}  // namespace tg::viz::detail
