// Figures for the tutorial: a Figure holds one or more side-by-side panels (Axes) with lines,
// scatter points, filled contours with a colour bar, quiver arrows and descent paths, saved as PNG,
// SVG or PDF by the file extension. The vocabulary is matplotlib's (plot, scatter, contourf,
// quiver).
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensorgrad/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::viz {

// An RGBA colour with components in [0, 1]. Implicit from a matplotlib-style spec: one-letter
// colours ("r", "g", "b", "c", "m", "y", "k", "w"), the cycle "C0".."C9" (= "tab:blue", ...),
// "#rrggbb" or "#rrggbbaa", and a few names ("black", "white", "gray", "red", ...).
struct Color {
  double r = 0, g = 0, b = 0, a = 1;
  constexpr Color() = default;
  constexpr Color(double r_, double g_, double b_, double a_ = 1) : r(r_), g(g_), b(b_), a(a_) {}
  Color(const char* spec);         // NOLINT(google-explicit-constructor): Color c = "r" reads well
  Color(const std::string& spec);  // NOLINT(google-explicit-constructor)
  Color with_alpha(double alpha) const { return {r, g, b, alpha}; }
};

// The viridis colormap at t in [0, 1] (clamped): perceptually uniform, readable in grey and by
// colour-blind readers; matplotlib's default.
Color viridis(double t);

enum class Marker { None, Circle, Square, Diamond, TriangleUp, TriangleDown, Star, Plus, Cross };

enum class LegendLoc { Best, UpperRight, UpperLeft, LowerLeft, LowerRight, Hidden };

// Styles are options with chained setters, as libtorch's: `LineStyle().color("r").label("fit")`.
// Sizes and widths are in pixels of the saved PNG (points in SVG/PDF).
struct LineStyle {
  TG_ARG(Color, color) = "C0";
  TG_ARG(double, width) = 2;
  TG_ARG(bool, dashed) = false;
  TG_ARG(Marker, marker) = Marker::None;  // drawn at every point
  TG_ARG(double, marker_size) = 7;
  TG_ARG(std::string, label);  // a legend entry when not empty
};

struct ScatterStyle {
  TG_ARG(Color, color) = "C0";
  TG_ARG(Marker, marker) = Marker::Circle;
  TG_ARG(double, size) = 9;                       // marker diameter
  TG_ARG(Color, edge_color) = Color(0, 0, 0, 0);  // transparent: no edge
  TG_ARG(double, edge_width) = 1;
  TG_ARG(std::string, label);
};

struct ContourStyle {
  // About this many bands, between "nice" boundaries that cover the data, as matplotlib's
  // contourf(levels=20) (which asks MaxNLocator for levels + 1 bins); ignored when `values`
  // (explicit, increasing boundaries) is given. Values outside the levels stay unfilled.
  TG_ARG(int, levels) = 20;
  TG_ARG(std::vector<double>, values);
  TG_ARG(bool, lines) = false;          // thin lines on the band boundaries as well
  TG_ARG(bool, colorbar) = true;        // a colour bar right of the panel
  TG_ARG(std::string, colorbar_label);  // written along the colour bar
};

struct QuiverStyle {
  TG_ARG(Color, color) = "r";
  // matplotlib's quiver(scale=...): data units of (u, v) per panel width, so an arrow is
  // |(u, v)| / scale panel widths long; larger scale, shorter arrows. 0 picks one from the data.
  TG_ARG(double, scale) = 0;
  // Shaft width of the longest arrow as a fraction of the panel width; arrows keep their shape, so
  // shorter ones are thinner (PLplot's plvect). 0: 6% of each arrow's length.
  TG_ARG(double, width) = 0;
  TG_ARG(std::string, label);
};

// A line through successive points (the iterates of gradient descent), with a marker on every
// point and distinct markers on the first and the last one.
struct PathStyle {
  TG_ARG(Color, color) = "#ff3b30";
  TG_ARG(double, width) = 2;
  TG_ARG(Marker, marker) = Marker::Circle;
  TG_ARG(double, marker_size) = 6;
  TG_ARG(Marker, start_marker) = Marker::Square;
  TG_ARG(Color, start_color) = "w";
  TG_ARG(Marker, end_marker) = Marker::Star;
  TG_ARG(Color, end_color) = "#ffd60a";
  TG_ARG(double, end_marker_size) = 15;  // the start marker is 80% of it
  TG_ARG(std::string, label);            // legend entries when not empty
  TG_ARG(std::string, start_label);
  TG_ARG(std::string, end_label);
};

// An image: a (H, W) tensor of values mapped through a colormap between vmin and vmax (by
// default the data's range), or a (H, W, 3) tensor of RGB values in [0, 1]. Row 0 is drawn at the
// top, as matplotlib's imshow does (origin "upper").
struct ImageStyle {
  // {left, right, bottom, top} in data units; empty: {0, W, 0, H}.
  TG_ARG(std::vector<double>, extent);
  TG_ARG(std::string, cmap) = "viridis";  // "viridis", "gray" (low values black) or "gray_r"
  TG_ARG(double, vmin) = NAN;             // NaN: the smallest value
  TG_ARG(double, vmax) = NAN;             // NaN: the largest value
};

// Text at a point in data units, not clipped to the panel, not moving the data limits (as
// matplotlib's Axes.text).
struct TextStyle {
  TG_ARG(Color, color) = "k";
  TG_ARG(double, size) = 0;     // pixels; 0: the figure's font size
  TG_ARG(double, align) = 0.5;  // 0: the text starts at x, 0.5: centred on x, 1: ends at x
};

struct AxesData;

// One panel. Items are drawn in the order they are added; every adder returns *this to chain.
// 1-D data may be given as std::vector<double> or as any tensor (flattened, so (n, 1) works).
class Axes {
 public:
  Axes();
  ~Axes();
  Axes(const Axes&) = delete;
  Axes& operator=(const Axes&) = delete;

  Axes& set_title(std::string title);
  Axes& set_xlabel(std::string label);
  Axes& set_ylabel(std::string label);
  // Explicit limits; by default they come from the data (with a 5% margin, or the grid of a
  // contour plot exactly).
  Axes& set_xlim(double lo, double hi);
  Axes& set_ylim(double lo, double hi);
  // One unit on x as long as one unit on y (circles stay circles); the panel shrinks to fit.
  Axes& set_aspect_equal(bool equal = true);
  Axes& grid(bool on = true);
  // Where the legend goes; it is only drawn when some item has a label. Best avoids the data.
  Axes& legend(LegendLoc loc = LegendLoc::Best);
  // No frame, ticks or tick labels (matplotlib's ax.axis("off")), for panels of images.
  Axes& axis_off(bool off = true);

  Axes& plot(std::vector<double> x, std::vector<double> y, LineStyle style = {});
  Axes& plot(const Tensor& x, const Tensor& y, LineStyle style = {});
  Axes& scatter(std::vector<double> x, std::vector<double> y, ScatterStyle style = {});
  Axes& scatter(const Tensor& x, const Tensor& y, ScatterStyle style = {});
  // Filled contours of z on the grid x (nx increasing values) by y (ny increasing values): z is
  // row-major with ny rows of nx values, z[j * nx + i] = f(x[i], y[j]) (numpy's meshgrid order;
  // a tensor z has shape (ny, nx)).
  Axes& contourf(std::vector<double> x, std::vector<double> y, std::vector<double> z,
                 ContourStyle style = {});
  Axes& contourf(const Tensor& x, const Tensor& y, const Tensor& z, ContourStyle style = {});
  // Arrows from (x[k], y[k]) along (u[k], v[k]); all four of the same length (tensors flattened,
  // so meshgrid-shaped tensors work).
  Axes& quiver(std::vector<double> x, std::vector<double> y, std::vector<double> u,
               std::vector<double> v, QuiverStyle style = {});
  Axes& quiver(const Tensor& x, const Tensor& y, const Tensor& u, const Tensor& v,
               QuiverStyle style = {});
  Axes& path(std::vector<double> x, std::vector<double> y, PathStyle style = {});
  Axes& path(const Tensor& x, const Tensor& y, PathStyle style = {});
  Axes& imshow(const Tensor& image, ImageStyle style = {});
  Axes& text(double x, double y, std::string s, TextStyle style = {});

 private:
  friend class Figure;
  std::unique_ptr<AxesData> d_;
};

// A figure of `width` x `height` pixels whose panels sit side by side, left to right, in the
// order add_axes() creates them.
class Figure {
 public:
  explicit Figure(int width = 800, int height = 600);
  ~Figure();
  Figure(Figure&&) noexcept;
  Figure& operator=(Figure&&) noexcept;

  Axes& add_axes();
  Axes& axes(size_t i);
  size_t num_axes() const { return axes_.size(); }
  // Tick labels and legend text, in pixels (default 14); axis labels and titles are drawn 15% and
  // 30% larger.
  Figure& set_font_size(double pixels);

  // Renders to `path`: .png (anti-aliased, white background), .svg or .pdf. The figure is
  // drawn into a new file beside `path` and renamed over it when complete, so a failure leaves
  // any earlier file untouched. Throws tg::Error for an unknown extension, a figure without
  // panels, a panel too small for its labels, or an unwritable path.
  void save(const std::string& path) const;

 private:
  int width_, height_;
  double font_size_ = 14;
  std::vector<std::unique_ptr<Axes>> axes_;
};

// "Nice" values covering [lo, hi], as matplotlib's MaxNLocator picks them: the step is the
// smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least (hi - lo) / max_bins, and
// the values run over its multiples from the last one <= lo to the first one >= hi. Ticks and
// contour levels are chosen this way.
std::vector<double> nice_levels(double lo, double hi, int max_bins);

}  // namespace tg::viz
