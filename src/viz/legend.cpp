// The legend: one row per labelled item, its handle drawn as the item is, in the corner that
// hides the fewest data points unless told where.
//
// Not pllegend: its symbols are font glyphs without an edge colour (a path's white start square
// would vanish on the white legend), and its dashes are pllsty's, not those of the plotted line.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <variant>

#include "viz/canvas.h"

namespace tg::viz::detail {
namespace {

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

std::vector<Point> rounded_rect(const Rect& r, double radius) {
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

}  // namespace

void paint_legend(Canvas& cv, const AxesData& d, const Mapping& m, double font_size) {
  if (d.legend == LegendLoc::Hidden) return;
  const auto entries = legend_entries(d);
  if (entries.empty()) return;
  const double fs = font_size;
  const double pad = 0.5 * fs, row = 1.45 * fs, handle = 2.2 * fs, gap = 0.7 * fs;
  const double inset = 0.6 * fs;
  double text_w = 0;
  for (const auto& e : entries) text_w = std::max(text_w, cv.text_width(e.label, fs));
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
  LegendLoc loc = d.legend;
  if (loc == LegendLoc::Best) {
    // matplotlib's order of preference; the first corner hiding the fewest points wins.
    const auto pts = occupied_points(d, m);
    size_t best = SIZE_MAX;
    for (LegendLoc c : {LegendLoc::UpperRight, LegendLoc::UpperLeft, LegendLoc::LowerLeft,
                        LegendLoc::LowerRight}) {
      const Rect r = place(c);
      size_t hidden = 0;
      for (const auto& p : pts) hidden += p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1;
      if (hidden < best) {
        best = hidden;
        loc = c;
      }
    }
  }
  const Rect r = place(loc);
  const auto frame = rounded_rect(r, 0.3 * fs);
  cv.fill(frame, Color(1, 1, 1, 0.85));
  cv.outline(frame, Color(0.8, 0.8, 0.8), 1);
  double y = r.y1 - pad - fs / 2;
  for (const auto& e : entries) {
    const double hx = r.x0 + pad;
    if (e.arrow) {
      arrows(cv, {{hx, y}}, {{handle, 0}}, kArrowShaft, e.line_color);
    } else {
      if (e.line_width > 0) {
        cv.polyline({hx, hx + handle}, {y, y}, e.line_color, e.line_width, e.dashed);
      }
      draw_marker(cv, e.marker, hx + handle / 2, y, std::min(e.marker_size, 1.2 * fs),
                  e.marker_color, e.marker_edge, 1);
    }
    cv.text(hx + handle + gap, y, 0, 0, fs, e.label, kInk);
    y -= row;
  }
}

}  // namespace tg::viz::detail
