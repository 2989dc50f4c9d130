// Painting one panel with PLplot's cairo driver. PLplot draws the axes (plbox), the colour bar
// (plcolorbar) and the quiver arrows (plvect); the rest is drawn in page pixels (y up), data
// mapped to pixels per panel and clipped by PLplot's viewport to the panel's box. Margins are
// measured from the real tick-label widths, so that no label is clipped.
//
// Filled contours are not plshades': it fills every grid cell on its own, which on the
// tutorial's 301 x 301 grid writes a 46 MB SVG; with these polygons the whole figure is 0.4 MB.
#include <plplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "tensorgrad/error.h"
#include "viz/canvas.h"

namespace tg::viz::detail {
namespace {

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
          } else if constexpr (std::is_same_v<T, ImageItem>) {
            // Images fill their extent exactly, as contour grids do (matplotlib's imshow too).
            cx.add(it.left);
            cx.add(it.right);
            cy.add(it.bottom);
            cy.add(it.top);
          } else if constexpr (std::is_same_v<T, TextItem>) {
            // Text does not move the limits (as in matplotlib).
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

constexpr Color kGrid(0.88, 0.88, 0.88);

// PLplot's axes (plbox, plcolorbar) ask here for each tick label, so that labels read as
// tick_labels() writes them; `data` points to the x and the y ticks.
void label_tick(PLINT axis, PLFLT value, char* out, PLINT length, PLPointer data) {
  const Ticks& t =
      *static_cast<const std::array<const Ticks*, 2>*>(data)->at(axis == PL_X_AXIS ? 0 : 1);
  std::string s;
  for (size_t i = 0; i < t.values.size() && s.empty(); ++i)
    if (std::abs(t.values[i] - value) < 1e-6 * t.step) s = t.labels[i];
  if (s.empty()) s = tick_labels({value}).front();
  std::snprintf(out, static_cast<size_t>(length), "%s", s.c_str());
}

// Sets PLplot's viewport to `box` and its window to the data limits. The window reaches a hair
// beyond them: plbox starts its ticks one step above the lower limit rounded down to a step, so
// a tick on the lower limit would otherwise be left out while one on the upper limit is drawn.
void data_viewport(const Rect& box, const Limits& lim) {
  const double ex = (lim.x1 - lim.x0) * 1e-9, ey = (lim.y1 - lim.y0) * 1e-9;
  plsvpa(box.x0 * kMmPerPx, box.x1 * kMmPerPx, box.y0 * kMmPerPx, box.y1 * kMmPerPx);
  plwind(lim.x0 - ex, lim.x1 + ex, lim.y0 - ey, lim.y1 + ey);
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
    // PLplot writes x tick labels centred 1.75 character heights below the box, y tick labels
    // ending 1 character height left of it, and colour-bar labels starting half a character
    // height right of the bar (plbox with outward ticks; a character height is 0.75 ems).
    const double fs = f_.tick;
    const double edge = 0.6 * fs, tick = 0.35 * fs;
    const double xtick_below = (1.75 * 0.75 + kDigitHalf) * fs, ytick_gap = 0.75 * fs;
    const double cbtick_gap = 0.375 * fs;
    const double label_h = (kTextAbove + kTextBelow) * f_.label;
    double ytick_w = 2 * fs, cbtick_w = 2 * fs, overhang = 0;
    const bool axis = !d_.axis_off;
    Rect box;
    double cb_gap = 0.7 * fs, cb_w = 0;
    Ticks xt, yt, ct;
    for (int round = 0; round < 3; ++round) {
      const double left =
          edge + (d_.ylabel.empty() ? 0 : label_h + 0.45 * fs) + (axis ? ytick_w + ytick_gap : 0);
      const double bottom =
          edge + (d_.xlabel.empty() ? 0 : label_h + 0.35 * fs) + (axis ? xtick_below : 0);
      const double top =
          edge +
          (d_.title.empty() ? kDigitHalf * fs : (kTextAbove + kTextBelow) * f_.title + 0.6 * fs);
      // Right of the box: the colour bar (5% of the box wide, as make_axes_locatable's "5%"),
      // or at least room for the half of the last x tick label that sticks out. plcolorbar
      // writes its label 1.2 character heights right of the tick labels, at their size.
      const double avail = cell.w() - left - edge;
      double box_w = avail - overhang;
      if (colorbar) {
        const double fixed =
            cb_gap + cbtick_gap + cbtick_w +
            (contour->style.colorbar_label().empty() ? 0 : (1.2 * 0.75 + kTextBelow) * fs);
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
      xt = ticks_within(lim.x0, lim.x1, box.w(), 3 * fs);
      yt = ticks_within(lim.y0, lim.y1, box.h(), 2 * fs);
      double w = 0;
      for (const auto& s : yt.labels) w = std::max(w, cv_.text_width(s, fs));
      ytick_w = round == 0 ? w : std::max(ytick_w, w);
      if (axis && !xt.values.empty()) {
        const Mapping m{box, lim.x0, lim.x1, lim.y0, lim.y1};
        const double right_of_box = cell.x1 - edge - box.x1;
        const double out =
            m.px(xt.values.back()) + cv_.text_width(xt.labels.back(), fs) / 2 - box.x1;
        if (out > right_of_box) overhang = std::max(overhang, out);
      }
      if (colorbar) {
        ct = ticks_within(levels.front(), levels.back(), box.h(), 2.5 * fs);
        double cw = 0;
        for (const auto& s : ct.labels) cw = std::max(cw, cv_.text_width(s, fs));
        cbtick_w = round == 0 ? cw : std::max(cbtick_w, cw);
      }
    }
    const Mapping m{box, lim.x0, lim.x1, lim.y0, lim.y1};

    // The grid under the items, which are drawn in the order they were added, clipped to the box;
    // the frame, ticks and tick labels over them.
    std::array<const Ticks*, 2> axis_ticks = {&xt, &yt};
    plslabelfunc(label_tick, &axis_ticks);
    plschr(fs * kCharMmPerPx, 1.0);
    plsmaj(tick * kMmPerPx, 1.0);
    if (d_.grid && axis) {
      data_viewport(box, lim);
      cv_.color(kGrid);
      plwidth(0.8);
      plbox("g", xt.step, 0, "g", yt.step, 0);
    }
    cv_.clip(box);
    for (const auto& item : d_.items) std::visit([&](const auto& it) { draw(it, m); }, item);
    data_viewport(box, lim);
    cv_.color(kInk);
    plwidth(1);
    plschr(fs * kCharMmPerPx, 1.0);
    if (axis) {
      plbox("binot", xt.step, 0, "binotv", yt.step, 0);  // ticks out, on the bottom and left only
      plbox("c", 0, 0, "c", 0, 0);
    }
    if (colorbar) {
      std::array<const Ticks*, 2> bar_ticks = {&ct, &ct};
      plslabelfunc(label_tick, &bar_ticks);
      paint_colorbar(box, cb_gap, cb_w, levels, ct, contour->style.colorbar_label());
    }
    plslabelfunc(nullptr, nullptr);

    cv_.page();
    for (const auto& item : d_.items)
      if (const auto* t = std::get_if<TextItem>(&item)) draw_text(*t, m);
    if (!d_.xlabel.empty()) {
      const double size = cv_.fit(d_.xlabel, f_.label, cell.w() - 2 * edge);
      const double y = box.y0 - (axis ? xtick_below : 0) - 0.35 * fs - kTextAbove * size;
      cv_.text((box.x0 + box.x1) / 2, y, 0, 0.5, size, d_.xlabel, kInk);
    }
    if (!d_.ylabel.empty()) {
      const double size = cv_.fit(d_.ylabel, f_.label, box.h() + 2 * tick);
      const double x = box.x0 - (axis ? ytick_gap + ytick_w : 0) - 0.45 * fs - kTextBelow * size;
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
    paint_legend(cv_, d_, m, fs);
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
    std::vector<Point> tails, vectors;
    double longest = 0;
    for (size_t k = 0; k < n; ++k) {
      const double a = std::hypot(it.u[k], it.v[k]);
      if (!std::isfinite(a) || !std::isfinite(it.x[k]) || !std::isfinite(it.y[k]) || a == 0)
        continue;
      tails.push_back({m.px(it.x[k]), m.py(it.y[k])});
      vectors.push_back({it.u[k] / scale * m.box.w(), it.v[k] / scale * m.box.w()});
      longest = std::max(longest, a / scale * m.box.w());
    }
    if (tails.empty()) return;
    const double shaft =
        s.width() > 0 ? std::clamp(s.width() * m.box.w() / longest, 0.01, 0.2) : kArrowShaft;
    arrows(cv_, tails, vectors, shaft, s.color());
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

  // One rectangle per run of equal pixels in a row. Each reaches 0.6 pixels into its right
  // and upper neighbours, so that anti-aliased edges leave no seams of page between them.
  void draw(const ImageItem& it, const Mapping& m) {
    const double dx = (it.right - it.left) / static_cast<double>(it.width);
    const double dy = (it.top - it.bottom) / static_cast<double>(it.height);
    const double grow_x = (m.px(it.right) > m.px(it.left) ? 1 : -1) * 0.6;
    const double grow_y = (m.py(it.top) > m.py(it.bottom) ? 1 : -1) * 0.6;
    const auto same = [](const Color& a, const Color& b) {
      return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
    };
    for (int64_t row = 0; row < it.height; ++row) {
      const double y_top = it.top - dy * static_cast<double>(row);
      const double py0 = m.py(y_top - dy), py1 = m.py(y_top) + grow_y;
      for (int64_t col = 0; col < it.width;) {
        const Color& c = it.pixels[static_cast<size_t>(row * it.width + col)];
        int64_t end = col + 1;
        while (end < it.width && same(it.pixels[static_cast<size_t>(row * it.width + end)], c))
          ++end;
        const double px0 = m.px(it.left + dx * static_cast<double>(col));
        const double px1 = m.px(it.left + dx * static_cast<double>(end)) + grow_x;
        cv_.fill({{px0, py0}, {px1, py0}, {px1, py1}, {px0, py1}}, c);
        col = end;
      }
    }
  }

  // Text is drawn after the frame, unclipped (draw_text, from paint()).
  void draw(const TextItem&, const Mapping&) {}
  void draw_text(const TextItem& it, const Mapping& m) {
    const double size = it.style.size() > 0 ? it.style.size() : f_.tick;
    cv_.text(m.px(it.x), m.py(it.y), 0, it.style.align(), size, it.text, it.style.color());
  }

  // plcolorbar right of `box`, `gap` pixels away and `width` wide: the bands in the colours of
  // the contours (cmap1 set to viridis, which plshades samples as band_color does).
  void paint_colorbar(const Rect& box, double gap, double width, std::vector<double> levels,
                      const Ticks& ticks, const std::string& label) {
    std::array<PLINT, 256> r, g, b;
    for (size_t i = 0; i < r.size(); ++i) {
      // One band has the middle colour; plshades would divide by zero to find it, warn on stderr
      // and take the lowest.
      const Color c = levels.size() == 2 ? viridis(0.5) : viridis(static_cast<double>(i) / 255);
      r[i] = static_cast<PLINT>(std::lround(c.r * 255));
      g[i] = static_cast<PLINT>(std::lround(c.g * 255));
      b[i] = static_cast<PLINT>(std::lround(c.b * 255));
    }
    plscmap1(r.data(), g.data(), b.data(), static_cast<PLINT>(r.size()));
    if (levels.size() == 2) levels = {levels[0], (levels[0] + levels[1]) / 2, levels[1]};
    // As data_viewport's window: a tick on the lowest level must be drawn.
    levels.front() -= (levels.back() - levels.front()) * 1e-9;
    const std::string text = escape(label);
    const char* labels[] = {text.c_str()};
    const PLINT label_opts[] = {PL_COLORBAR_LABEL_RIGHT};
    const char* axis_opts[] = {"bcmotv"};
    const PLFLT tick_steps[] = {ticks.step};
    const PLINT sub_ticks[] = {0};
    const PLINT n_values[] = {static_cast<PLINT>(levels.size())};
    const PLFLT* values[] = {levels.data()};
    PLFLT bar_w = 0, bar_h = 0;
    plwidth(1);
    plcolorbar(&bar_w, &bar_h, PL_COLORBAR_SHADE,
               PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, gap / box.w(), 0,
               width / box.w(), 1, 0, 0, 0, 0, 0, 0, 0, label.empty() ? 0 : 1, label_opts, labels,
               1, axis_opts, tick_steps, sub_ticks, n_values, values);
  }

  Canvas& cv_;
  const AxesData& d_;
  Fonts f_;
};

}  // namespace

void paint_panel(const AxesData& d, const Rect& cell, const Fonts& fonts, double page_w,
                 double page_h) {
  Canvas cv(page_w, page_h);
  cv.page();
  PanelPainter(cv, d, fonts).paint(cell);
}

}  // namespace tg::viz::detail
