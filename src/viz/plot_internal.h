// What the files behind tensorgrad/viz/plot.h share: the items an Axes holds, tick values and
// their labels, the PLplot session, and the painter of one panel.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tensorgrad/viz/plot.h"
#include "viz/contour.h"

namespace tg::viz {

namespace detail {

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
// Pixels as colours, row-major from the top row, and where they go in data units.
struct ImageItem {
  int64_t height = 0, width = 0;
  std::vector<Color> pixels;
  double left = 0, right = 0, bottom = 0, top = 0;
  ImageStyle style;
};
struct TextItem {
  double x = 0, y = 0;
  std::string text;
  TextStyle style;
};

}  // namespace detail

struct AxesData {
  std::string title, xlabel, ylabel;
  std::optional<std::pair<double, double>> xlim, ylim;
  bool equal = false;
  bool grid = false;
  bool axis_off = false;
  LegendLoc legend = LegendLoc::Best;
  std::vector<
      std::variant<detail::LineItem, detail::ScatterItem, detail::ContourItem, detail::QuiverItem,
                   detail::PathItem, detail::ImageItem, detail::TextItem>>
      items;
};

namespace detail {

// ticks.cpp: the nice values of [lo, hi] that lie inside it, about `length / per_bin` of them
// (2 to 9), with their labels as matplotlib writes them and the step between them.
struct Ticks {
  std::vector<double> values;
  std::vector<std::string> labels;
  double step = 1;
};
Ticks ticks_within(double lo, double hi, double length, double per_bin);
std::vector<std::string> tick_labels(const std::vector<double>& values);

// session.cpp. PLplot keeps its current stream, its error handlers and its driver tables in
// globals: every use holds this mutex.
std::mutex& plplot_mutex();

// The PLplot device for the file's extension (.png, .svg, .pdf, in any case).
const char* device_for(const std::string& path);

// One PLplot stream writing one file of width x height pixels; ending the stream (the destructor)
// writes and closes it. A fatal PLplot error inside comes back as tg::Error; finish() reports the
// first non-fatal one.
class Session {
 public:
  Session(const char* device, const std::string& file, int width, int height);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  void finish();

 private:
  void end() noexcept;

  int stream_ = -1, previous_ = 0;
  int error_code_ = 0;
  char error_text_[2048] = {};
};

// Takes PLplot's fatal-error path (plexit) inside an open stream of its null device. It must come
// back as a tg::Error that carries `message`, end the stream and leave PLplot usable, instead of
// calling exit() as PLplot does by default.
void raise_plplot_fatal_error(const std::string& message);

// painter.cpp: one panel inside `cell` (page pixels, y up) of a page `page_w` x `page_h`.
struct Fonts {
  double tick, label, title;
};
void paint_panel(const AxesData& d, const Rect& cell, const Fonts& fonts, double page_w,
                 double page_h);

}  // namespace detail
}  // namespace tg::viz
