// Drawing in page pixels (y up) with PLplot: what painter.cpp and legend.cpp share.
#pragma once

#include <string>
#include <vector>

#include "viz/plot_internal.h"

namespace tg::viz::detail {

// The cairo driver's page is one point per pixel (72 per inch), while Pango lays text out at 96
// per inch, so an em of s pixels needs a PLplot character height of s * 25.4 / 96 mm.
constexpr double kMmPerPx = 25.4 / 72.0;
constexpr double kCharMmPerPx = 25.4 / 96.0;
// Where DejaVu/Bitstream-like sans text sits around PLplot's reference point, which the cairo
// driver puts at half the cap height above the baseline (in ems).
constexpr double kTextAbove = 0.40;  // to the top of tall letters and parentheses
constexpr double kTextBelow = 0.61;  // to the bottom of descenders
constexpr double kDigitHalf = 0.37;  // half the height of digits

// With this shaft (in arrow lengths), arrows() draws an arrow 17 shafts long, in matplotlib
// quiver's proportions.
constexpr double kArrowShaft = 0.06;

inline constexpr Color kInk(0.15, 0.15, 0.15);

// Maps data to page pixels inside a panel's box.
struct Mapping {
  Rect box;
  double x0, x1, y0, y1;  // data limits
  double px(double x) const { return box.x0 + (x - x0) / (x1 - x0) * box.w(); }
  double py(double y) const { return box.y0 + (y - y0) / (y1 - y0) * box.h(); }
};

class Canvas {
 public:
  Canvas(double width, double height) : width_(width), height_(height) {}

  // World coordinates = page pixels over the whole page.
  void page();
  // World coordinates = page pixels, drawing clipped to `box`.
  void clip(const Rect& box);

  void color(const Color& c);
  void polyline(const std::vector<double>& x, const std::vector<double>& y, const Color& c,
                double width, bool dashed = false);
  void segment(double x0, double y0, double x1, double y1, const Color& c, double width);
  void fill(const std::vector<Point>& poly, const Color& c);
  void outline(const std::vector<Point>& poly, const Color& c, double width);

  // Text with its reference point at (x, y): `just` 0 puts the point at the start of the text,
  // 0.5 in the middle, 1 at the end; vertically the point is half a cap height above the
  // baseline. `angle` in degrees, counter-clockwise.
  void text(double x, double y, double angle, double just, double size, const std::string& s,
            const Color& c);
  // The width of `s` in pixels at font size `size`. Needs a viewport, as any text does.
  double text_width(const std::string& s, double size);
  // The font size, at most `size` and at least half of it, at which `s` fits in `max_width`.
  double fit(const std::string& s, double size, double max_width);

 private:
  double width_, height_;
};

// `s` with PLplot's escape character doubled: text here is literal UTF-8.
std::string escape(const std::string& s);

void draw_marker(Canvas& cv, Marker m, double cx, double cy, double size, const Color& face,
                 const Color& edge, double edge_width);

// Filled arrows from `tails` along `vectors` (page pixels), drawn by plvect over the points as a
// 1 x n grid whose coordinates come from `tails`. Its arrow shape scales with each arrow: the
// shaft is `shaft` arrow lengths wide, the head 3 shafts wide and 0.3 lengths long.
void arrows(Canvas& cv, const std::vector<Point>& tails, const std::vector<Point>& vectors,
            double shaft, const Color& color);

// legend.cpp: the legend of the panel's labelled items, where d.legend puts it (Best: the corner
// that hides the fewest data points).
void paint_legend(Canvas& cv, const AxesData& d, const Mapping& m, double font_size);

}  // namespace tg::viz::detail
