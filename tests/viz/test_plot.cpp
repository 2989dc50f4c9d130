// Figures: every kind of panel writes a well-formed PNG (chunk CRCs, IHDR size, enough image
// data to hold a drawing rather than a blank page), SVG and PDF; bad input and bad paths throw
// tg::Error and leave no file behind; PLplot never takes the process down.
#include <gtest/gtest.h>
#include <tensorgrad/tensorgrad.h>
#include <tensorgrad/viz/plot.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "viz/plot_internal.h"

// Under LeakSanitizer (make test-sanitize): fontconfig, which the cairo driver's text goes
// through, keeps a process-wide cache it never frees. It is allocated once, not per figure.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

namespace fs = std::filesystem;
using tg::viz::Color;
using tg::viz::ContourStyle;
using tg::viz::Figure;
using tg::viz::LineStyle;
using tg::viz::PathStyle;
using tg::viz::QuiverStyle;
using tg::viz::ScatterStyle;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

uint32_t crc32(const std::string& bytes, size_t begin, size_t end) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = begin; i < end; ++i)
    c = table[(c ^ static_cast<uint8_t>(bytes[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t be32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

struct Png {
  bool signature = false, crcs_ok = true, ends_with_iend = false;
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = -1;
  size_t idat_bytes = 0;
};

// Walks the chunks of a PNG file; the image data is not decompressed, its size is what we check.
Png parse_png(const std::string& b) {
  Png p;
  p.signature = b.size() > 8 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
  if (!p.signature) return p;
  size_t at = 8;
  while (at + 12 <= b.size()) {
    const uint32_t len = be32(b, at);
    const std::string type = b.substr(at + 4, 4);
    if (at + 12 + len > b.size()) {
      p.crcs_ok = false;
      break;
    }
    p.crcs_ok = p.crcs_ok && crc32(b, at + 4, at + 8 + len) == be32(b, at + 8 + len);
    if (type == "IHDR") {
      p.width = be32(b, at + 8);
      p.height = be32(b, at + 12);
      p.bit_depth = static_cast<uint8_t>(b[at + 16]);
      p.color_type = static_cast<uint8_t>(b[at + 17]);
    } else if (type == "IDAT") {
      p.idat_bytes += len;
    }
    at += 12 + len;
    if (type == "IEND") {
      p.ends_with_iend = at == b.size();
      break;
    }
  }
  return p;
}

class VizPlot : public ::testing::Test {
 protected:
  void SetUp() override {
    // The process id keeps concurrent runs of the suite (ctest -j, several build trees) apart.
    dir_ = fs::temp_directory_path() /
           ("tg_viz_plot_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Saves as PNG, SVG and PDF and checks each file; returns the PNG's image data size.
  size_t save_all(const Figure& fig, const std::string& stem, int width, int height) {
    fig.save(path(stem + ".png"));
    const Png png = parse_png(read_file(path(stem + ".png")));
    EXPECT_TRUE(png.signature) << stem;
    EXPECT_TRUE(png.crcs_ok) << stem;
    EXPECT_TRUE(png.ends_with_iend) << stem;
    EXPECT_EQ(png.width, static_cast<uint32_t>(width)) << stem;
    EXPECT_EQ(png.height, static_cast<uint32_t>(height)) << stem;
    EXPECT_EQ(png.bit_depth, 8) << stem;

    fig.save(path(stem + ".svg"));
    const std::string svg = read_file(path(stem + ".svg"));
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u) << stem;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << stem;
    EXPECT_NE(svg.find("width=\"" + std::to_string(width) + "pt\""), std::string::npos) << stem;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << stem;
    EXPECT_GT(svg.size(), 20000u) << stem;

    fig.save(path(stem + ".pdf"));
    const std::string pdf = read_file(path(stem + ".pdf"));
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u) << stem;
    EXPECT_NE(pdf.find("%%EOF", pdf.size() - 16), std::string::npos) << stem;
    return png.idat_bytes;
  }

  fs::path dir_;
};

std::vector<double> arange(double start, double stop, double step) {
  std::vector<double> v;
  for (int i = 0; start + i * step < stop; ++i) v.push_back(start + i * step);
  return v;
}

// A panel with a frame, ticks and labels but no data.
size_t empty_panel_bytes(const std::string& file) {
  Figure fig(800, 600);
  fig.add_axes().set_xlabel("x").set_ylabel("y").set_xlim(-1, 1).set_ylim(-1, 1);
  fig.save(file);
  return parse_png(read_file(file)).idat_bytes;
}

}  // namespace

TEST_F(VizPlot, EmptyPanelIsSmallButValid) {
  const size_t bytes = empty_panel_bytes(path("empty.png"));
  const Png png = parse_png(read_file(path("empty.png")));
  EXPECT_TRUE(png.signature && png.crcs_ok && png.ends_with_iend);
  EXPECT_EQ(png.width, 800u);
  EXPECT_EQ(png.height, 600u);
  // A white page compresses to a few kilobytes; the frame and the anti-aliased tick labels add
  // several more, data would add many more.
  EXPECT_GT(bytes, 5000u);
  EXPECT_LT(bytes, 20000u);
}

TEST_F(VizPlot, ScatterOfTheDataset) {
  tg::manual_seed(2021);
  tg::Tensor inputs = tg::linspace(-1.0, 1.0, 32).reshape({32, 1});
  tg::Tensor targets = tg::sin(std::numbers::pi * inputs) + tg::randn({32, 1}) / 4;
  auto frame = [](Figure& fig) -> tg::viz::Axes& {
    return fig.add_axes()
        .set_xlabel("x (inputs)")
        .set_ylabel("y (targets)")
        .set_xlim(-1.1, 1.1)
        .set_ylim(-2, 2);
  };
  Figure fig(800, 500), bare(800, 500);
  frame(fig).scatter(inputs, targets, ScatterStyle().color("c"));
  frame(bare);
  const size_t with_points = save_all(fig, "dataset", 800, 500);
  bare.save(path("bare.png"));
  // The same frame without the points: the 32 anti-aliased discs must add image data.
  EXPECT_GT(with_points, parse_png(read_file(path("bare.png"))).idat_bytes + 3000);
}

TEST_F(VizPlot, LinesLegendAndTwoPanels) {
  std::vector<double> x = arange(-1, 1.001, 0.0625), y, epochs, loss;
  for (double v : x) y.push_back(std::sin(std::numbers::pi * v));
  for (int e = 1; e <= 1847; ++e) {
    epochs.push_back(e);
    loss.push_back(0.06 + 0.5 * std::exp(-e / 150.0));
  }
  Figure fig(1200, 400);
  fig.add_axes()
      .set_title("Regression")
      .set_xlabel("x")
      .set_ylabel("y")
      .plot(x, y, LineStyle().color("r").label("prediction"))
      .scatter(x, y, ScatterStyle().color("c").label("targets"));
  fig.add_axes()
      .set_title("Training loss")
      .set_xlabel("Epoch")
      .set_ylabel("MSE")
      .grid()
      .plot(epochs, loss, LineStyle().color("y").dashed(true).label("train"))
      .legend(tg::viz::LegendLoc::UpperRight);
  EXPECT_EQ(fig.num_axes(), 2u);
  EXPECT_GT(save_all(fig, "training", 1200, 400), 15000u);
}

TEST_F(VizPlot, FilledContoursWithQuiverAndColorbar) {
  const auto x = arange(-3, 3.01, 0.05), y = x;
  std::vector<double> z;
  for (double b : y)
    for (double a : x) z.push_back(std::sin(a * a + b * b));
  std::vector<double> gx, gy, gu, gv;
  for (double b : arange(-2.5, 2.6, 0.5)) {
    for (double a : arange(-2.5, 2.6, 0.5)) {
      gx.push_back(a);
      gy.push_back(b);
      gu.push_back(2 * a * std::cos(a * a + b * b));
      gv.push_back(2 * b * std::cos(a * a + b * b));
    }
  }
  Figure fig(800, 700);
  fig.add_axes()
      .set_title("Gradient vectors point towards steepest ascent")
      .set_xlabel("x")
      .set_ylabel("y")
      .set_aspect_equal()
      .contourf(x, y, z, ContourStyle().lines(true).colorbar_label("z = h(x, y)"))
      .quiver(gx, gy, gu, gv, QuiverStyle().color("r").scale(50).label("gradient"));
  // Twenty viridis bands over most of the page.
  EXPECT_GT(save_all(fig, "gradient", 800, 700), 100000u);
}

TEST_F(VizPlot, ContoursFromTensorsAndDescentPath) {
  tg::Tensor x = tg::linspace(-3.0, 3.0, 61), y = tg::linspace(-2.5, 2.5, 51);
  // z[j][i] = f(x[i], y[j]): rows follow y.
  tg::Tensor z = (x.reshape({1, 61}) - 1).pow(2) + 4 * (y.reshape({51, 1}) + 0.5).pow(2);
  std::vector<double> px, py;
  double w0 = -2, w1 = 1.5;
  for (int t = 0; t <= 60; ++t) {
    px.push_back(w0);
    py.push_back(w1);
    w0 -= 0.1 * 2 * (w0 - 1);
    w1 -= 0.1 * 8 * (w1 + 0.5);
  }
  Figure fig(800, 650);
  fig.add_axes()
      .set_title("Gradient descent")
      .set_xlabel("w₀")
      .set_ylabel("w₁")
      .set_aspect_equal()
      .contourf(x, y, z, ContourStyle().levels(12).colorbar_label("f(w)"))
      .path(px, py, PathStyle().label("iterates").start_label("start").end_label("end"));
  EXPECT_GT(save_all(fig, "descent", 800, 650), 30000u);
}

TEST_F(VizPlot, ExplicitLevelsLimitsAndEveryMarker) {
  const auto x = arange(0, 1.001, 0.05), y = x;
  std::vector<double> z;
  for (double b : y)
    for (double a : x) z.push_back(a + b);
  Figure fig(900, 500);
  auto& ax = fig.add_axes();
  // Levels that do not cover the data and limits that cut the grid: both must still draw.
  ax.contourf(x, y, z, ContourStyle().values({0.5, 1.0, 1.5}).colorbar(false))
      .set_xlim(0.2, 0.8)
      .set_ylim(-0.5, 1.5);
  using tg::viz::Marker;
  const char* cycle[] = {"C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7"};
  int k = 0;
  for (Marker m : {Marker::Circle, Marker::Square, Marker::Diamond, Marker::TriangleUp,
                   Marker::TriangleDown, Marker::Star, Marker::Plus, Marker::Cross}) {
    ax.scatter({0.3 + 0.05 * k}, {1.2},
               ScatterStyle().color(cycle[k]).marker(m).size(14).label(cycle[k]));
    ++k;
  }
  ax.plot({0.2, 0.8}, {-0.4, 1.4}, LineStyle().color("#1f77b480").width(3).marker(Marker::Diamond));
  EXPECT_GT(save_all(fig, "markers", 900, 500), 15000u);
}

// PLplot's colour bar (plshades inside plcolorbar) divides by the number of bands less one to
// pick colours, so a single band takes another path; it must still draw, as must arrows of a
// given width, zero arrows and arrows at non-finite points (which plvect must never see).
TEST_F(VizPlot, SingleBandColourBarAndArrowEdgeCases) {
  const auto x = arange(0, 1.001, 0.1), y = x;
  std::vector<double> z;
  for (double b : y)
    for (double a : x) z.push_back(a * 1e-5 + b * 2e-5);
  Figure fig(700, 400);
  fig.add_axes()
      .set_title("One band")
      .contourf(x, y, z, ContourStyle().values({0, 3e-5}).colorbar_label("one band"))
      .quiver({0.2, 0.5, 0.8, NAN}, {0.2, 0.5, 0.8, 0.5}, {1, 0, -1, 1}, {1, 0, 0.5, 1},
              QuiverStyle().width(0.01).label("arrows"));
  fig.add_axes()
      .contourf(x, y, z, ContourStyle().levels(5))
      .quiver({0.5}, {0.5}, {0.0}, {0.0}, QuiverStyle().label("no arrow"));
  EXPECT_GT(save_all(fig, "one_band", 700, 400), 10000u);
}

TEST(VizTicks, InsideTheRangeWithSharedDecimalsAndRealMinusSigns) {
  // 600 pixels at 42 per bin: up to 14 bins, clamped to 9, so a step of 1 over [-3, 3].
  const auto t = tg::viz::detail::ticks_within(-3, 3, 600, 42);
  EXPECT_DOUBLE_EQ(t.step, 1);
  ASSERT_EQ(t.values.size(), 7u);
  EXPECT_DOUBLE_EQ(t.values.front(), -3);
  EXPECT_DOUBLE_EQ(t.values.back(), 3);
  EXPECT_EQ(t.labels.front(), "\u22123");
  EXPECT_EQ(t.labels[3], "0");
  // Limits between nice values: only the ticks inside, labelled with the decimals they share.
  const auto u = tg::viz::detail::ticks_within(-0.07, 1.07, 300, 60);
  EXPECT_DOUBLE_EQ(u.step, 0.25);
  EXPECT_EQ(u.labels, (std::vector<std::string>{"0.00", "0.25", "0.50", "0.75", "1.00"}));
}

TEST_F(VizPlot, NonFiniteValuesBreakLinesInsteadOfFailing) {
  Figure fig(640, 480);
  const double nan = std::nan("");
  fig.add_axes()
      .plot({0, 1, 2, 3, 4}, {0, 1, nan, 3, 4})
      .scatter({0, 1, INFINITY}, {1, 2, 3})
      .path({0, nan, 2}, {0, 1, 2});
  fig.save(path("nan.png"));
  EXPECT_TRUE(parse_png(read_file(path("nan.png"))).crcs_ok);
}

TEST_F(VizPlot, SavingReplacesAnExistingFile) {
  { std::ofstream(path("old.png")) << "not a png"; }
  Figure fig(300, 200);
  fig.add_axes().plot({0, 1}, {1, 0});
  fig.save(path("old.png"));
  EXPECT_TRUE(parse_png(read_file(path("old.png"))).signature);
}

TEST_F(VizPlot, ExtensionDecidesTheFormatCaseInsensitively) {
  Figure fig(300, 200);
  fig.add_axes().plot({0, 1}, {1, 0});
  fig.save(path("upper.PNG"));
  EXPECT_TRUE(parse_png(read_file(path("upper.PNG"))).signature);
  fig.save(path("upper.Svg"));
  EXPECT_NE(read_file(path("upper.Svg")).find("<svg"), std::string::npos);
}

TEST_F(VizPlot, BadPathsThrowAndLeaveNoFile) {
  Figure fig(300, 200);
  fig.add_axes().plot({0, 1}, {1, 0});
  for (const std::string name : {"figure.jpg", "figure", "figure.png.txt", "dir.png/figure"}) {
    EXPECT_THROW(fig.save(path(name)), tg::Error) << name;
    EXPECT_FALSE(fs::exists(path(name))) << name;
  }
  EXPECT_THROW(fig.save(path("missing/dir/figure.png")), tg::Error);
  fs::create_directories(path("a_directory.png"));
  EXPECT_THROW(fig.save(path("a_directory.png")), tg::Error);
  try {
    fig.save(path("figure.gif"));
    FAIL() << "no error";
  } catch (const tg::Error& e) {
    EXPECT_NE(std::string(e.what()).find(".gif"), std::string::npos) << e.what();
  }
  // Nothing half-written stays behind.
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename(), "a_directory.png") << entry.path();
}

TEST_F(VizPlot, FailedSaveKeepsTheEarlierFile) {
  Figure good(300, 200);
  good.add_axes().plot({0, 1}, {1, 0});
  good.save(path("figure.png"));
  const std::string before = read_file(path("figure.png"));
  // Too small for its labels: the save fails after drawing has started.
  Figure bad(64, 64);
  bad.add_axes().set_title("A title").set_xlabel("x label").set_ylabel("y label").plot({0, 1},
                                                                                       {0, 1});
  EXPECT_THROW(bad.save(path("figure.png")), tg::Error);
  EXPECT_EQ(read_file(path("figure.png")), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(VizPlot, FigureErrors) {
  Figure empty(300, 200);
  EXPECT_THROW(empty.save(path("empty.png")), tg::Error);
  EXPECT_FALSE(fs::exists(path("empty.png")));
  EXPECT_THROW(empty.axes(0), tg::Error);
  EXPECT_THROW(Figure(0, 100), tg::Error);
  EXPECT_THROW(Figure(100, 100000), tg::Error);
  EXPECT_THROW(empty.set_font_size(0), tg::Error);
  // Labels that cannot fit: an error, not a clipped figure, and no half-written file.
  Figure tiny(64, 64);
  tiny.add_axes().set_title("A title").set_xlabel("x label").set_ylabel("y label").plot({0, 1},
                                                                                        {0, 1});
  EXPECT_THROW(tiny.save(path("tiny.png")), tg::Error);
  EXPECT_FALSE(fs::exists(path("tiny.png")));
}

TEST_F(VizPlot, DataErrors) {
  Figure fig(300, 200);
  auto& ax = fig.add_axes();
  const std::vector<double> none;
  EXPECT_THROW(ax.plot(none, none), tg::Error);
  EXPECT_THROW(ax.plot({0, 1}, {0}), tg::Error);
  EXPECT_THROW(ax.scatter(none, none), tg::Error);
  EXPECT_THROW(ax.scatter(std::vector<double>{0}, std::vector<double>{0},
                          ScatterStyle().marker(tg::viz::Marker::None)),
               tg::Error);
  EXPECT_THROW(ax.path({0, 1, 2}, {0, 1}), tg::Error);
  EXPECT_THROW(ax.quiver({0, 1}, {0, 1}, {1}, {1, 1}), tg::Error);
  EXPECT_THROW(ax.quiver({0.0}, {0.0}, {1.0}, {1.0}, QuiverStyle().scale(-1)), tg::Error);
  EXPECT_THROW(ax.set_xlim(1, 0), tg::Error);
  EXPECT_THROW(ax.set_ylim(0, NAN), tg::Error);
  // Contours: grid sizes, order, finiteness and levels.
  EXPECT_THROW(ax.contourf({0, 1}, {0, 1}, {0, 1, 2}), tg::Error);
  EXPECT_THROW(ax.contourf({0}, {0, 1}, {0, 1}), tg::Error);
  EXPECT_THROW(ax.contourf({1, 0}, {0, 1}, {0, 1, 2, 3}), tg::Error);
  EXPECT_THROW(ax.contourf({0, 1}, {0, 1}, {0, 1, NAN, 3}), tg::Error);
  EXPECT_THROW(ax.contourf({0, 1}, {0, 1}, {0, 1, 2, 3}, ContourStyle().levels(0)), tg::Error);
  EXPECT_THROW(ax.contourf({0, 1}, {0, 1}, {0, 1, 2, 3}, ContourStyle().values({2, 1})), tg::Error);
  // A tensor z must be (ny, nx).
  tg::Tensor x = tg::linspace(0.0, 1.0, 3), y = tg::linspace(0.0, 1.0, 4);
  EXPECT_THROW(ax.contourf(x, y, tg::zeros({3, 4})), tg::Error);
  EXPECT_NO_THROW(ax.contourf(x, y, tg::zeros({4, 3})));
  EXPECT_THROW(ax.plot(tg::Tensor(), x), tg::Error);
  try {
    ax.plot({0, 1, 2}, {0, 1});
    ADD_FAILURE() << "no tg::Error was thrown";
  } catch (const tg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("3"), std::string::npos) << e.what();
  }
}

TEST_F(VizPlot, ImagesWithCaptionsAndNoAxes) {
  // A 2 x 3 grid of 8 x 8 gradient images in one panel, each with a caption above it, as an
  // example program shows test digits with their predicted labels.
  Figure fig(600, 420), bare(600, 420);
  auto& ax = fig.add_axes().set_title("images").axis_off();
  bare.add_axes().set_title("images").axis_off().set_xlim(0, 3).set_ylim(0, 2.4);
  for (int k = 0; k < 6; ++k) {
    const double left = k % 3, bottom = k / 3 * 1.2;
    const tg::Tensor image = tg::arange(64).reshape({8, 8}).to(tg::kFloat) * (k + 1);
    ax.imshow(image, tg::viz::ImageStyle()
                         .cmap(k % 2 ? "gray" : "gray_r")
                         .extent({left + 0.05, left + 0.95, bottom, bottom + 0.9}));
    ax.text(left + 0.5, bottom + 1.05, "label " + std::to_string(k),
            tg::viz::TextStyle().color(k == 4 ? "r" : "g"));
  }
  const size_t with_images = save_all(fig, "images", 600, 420);
  bare.save(path("bare_images.png"));
  EXPECT_GT(with_images, parse_png(read_file(path("bare_images.png"))).idat_bytes + 3000);
  // An RGB image, and a constant one (mapped to the middle of the colormap).
  Figure rgb(300, 300);
  rgb.add_axes()
      .imshow(tg::rand({5, 7, 3}))
      .imshow(tg::ones({2, 2}), tg::viz::ImageStyle().extent({0, 1, 0, 1}));
  save_all(rgb, "rgb", 300, 300);
}

TEST_F(VizPlot, ImageErrors) {
  Figure fig(300, 200);
  auto& ax = fig.add_axes();
  EXPECT_THROW(ax.imshow(tg::Tensor()), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({2, 2, 2})), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({0, 2})), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({2, 2}), tg::viz::ImageStyle().cmap("jet")), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({2, 2}), tg::viz::ImageStyle().extent({0, 1, 0})), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({2, 2}), tg::viz::ImageStyle().extent({0, 0, 0, 1})), tg::Error);
  EXPECT_THROW(ax.imshow(tg::zeros({2, 2}), tg::viz::ImageStyle().vmin(1).vmax(0)), tg::Error);
  EXPECT_THROW(ax.imshow(tg::full({2, 2}, NAN)), tg::Error);
  EXPECT_THROW(ax.text(NAN, 0, "x"), tg::Error);
  EXPECT_THROW(ax.text(0, 0, "x", tg::viz::TextStyle().size(-1)), tg::Error);
}

TEST(VizColor, ParsesMatplotlibSpecs) {
  const Color r = "r";
  EXPECT_DOUBLE_EQ(r.r, 1);
  EXPECT_DOUBLE_EQ(r.g, 0);
  const Color c = "c";  // matplotlib's cyan is (0, 0.75, 0.75)
  EXPECT_NEAR(c.g, 0.75, 0.005);
  EXPECT_NEAR(c.b, 0.75, 0.005);
  const Color c0 = "C0", tab = "tab:blue", hex = "#1f77b4";
  EXPECT_DOUBLE_EQ(c0.b, hex.b);
  EXPECT_DOUBLE_EQ(tab.r, hex.r);
  const Color half = "#ff000080";
  EXPECT_NEAR(half.a, 128 / 255.0, 1e-12);
  EXPECT_DOUBLE_EQ(Color("none").a, 0);
  EXPECT_THROW(Color("nope"), tg::Error);
  EXPECT_THROW(Color("#12345"), tg::Error);
  EXPECT_THROW(Color("#gg0000"), tg::Error);
  EXPECT_THROW(Color(""), tg::Error);
}

TEST(VizColor, ViridisMatchesMatplotlibAndBrightensMonotonically) {
  // matplotlib's _viridis_data[0], [128] and [255].
  const Color lo = tg::viz::viridis(0), mid = tg::viz::viridis(128 / 255.0),
              hi = tg::viz::viridis(1);
  EXPECT_NEAR(lo.r, 0.267004, 2e-3);
  EXPECT_NEAR(lo.g, 0.004874, 2e-3);
  EXPECT_NEAR(lo.b, 0.329415, 2e-3);
  EXPECT_NEAR(mid.r, 0.127568, 3e-3);
  EXPECT_NEAR(mid.g, 0.566949, 3e-3);
  EXPECT_NEAR(mid.b, 0.550556, 3e-3);
  EXPECT_NEAR(hi.r, 0.993248, 2e-3);
  EXPECT_NEAR(hi.g, 0.906157, 2e-3);
  EXPECT_NEAR(hi.b, 0.143936, 2e-3);
  // Clamped outside [0, 1].
  EXPECT_DOUBLE_EQ(tg::viz::viridis(-3).r, lo.r);
  EXPECT_DOUBLE_EQ(tg::viz::viridis(7).g, hi.g);
  // Perceptual uniformity implies a steadily rising luminance.
  double previous = -1;
  for (int k = 0; k <= 200; ++k) {
    const Color v = tg::viz::viridis(k / 200.0);
    const double luminance = 0.2126 * v.r + 0.7152 * v.g + 0.0722 * v.b;
    EXPECT_GT(luminance, previous) << k;
    previous = luminance;
  }
}

TEST(VizNiceLevels, MatplotlibMaxNLocator) {
  // contourf(levels=20) on sin: MaxNLocator(21) gives -1.0, -0.9, ..., 1.0.
  const auto sin_levels = tg::viz::nice_levels(-0.99999, 0.99998, 21);
  ASSERT_EQ(sin_levels.size(), 21u);
  EXPECT_DOUBLE_EQ(sin_levels.front(), -1.0);
  EXPECT_DOUBLE_EQ(sin_levels.back(), 1.0);
  EXPECT_EQ(sin_levels[10], 0.0);
  EXPECT_NEAR(sin_levels[11], 0.1, 1e-12);
  // Step 2.5 for a range of 52 in 21 bins.
  const auto bowl = tg::viz::nice_levels(0, 52, 21);
  EXPECT_DOUBLE_EQ(bowl.front(), 0);
  EXPECT_NEAR(bowl[1], 2.5, 1e-12);
  EXPECT_NEAR(bowl.back(), 52.5, 1e-12);
  // Epoch axis ticks: step 250.
  const auto epochs = tg::viz::nice_levels(-91, 1939, 9);
  EXPECT_NEAR(epochs[1] - epochs[0], 250, 1e-9);
  // A constant still gets a band around it; bad input throws.
  const auto constant = tg::viz::nice_levels(3, 3, 10);
  EXPECT_LT(constant.front(), 3);
  EXPECT_GT(constant.back(), 3);
  EXPECT_THROW(tg::viz::nice_levels(1, 0, 10), tg::Error);
  EXPECT_THROW(tg::viz::nice_levels(0, 1, 0), tg::Error);
  EXPECT_THROW(tg::viz::nice_levels(0, INFINITY, 5), tg::Error);
}

TEST_F(VizPlot, ConcurrentSavesAreSerialised) {
  auto draw = [&](int k) {
    Figure fig(400, 300);
    std::vector<double> x = arange(0, 1, 0.01), y;
    for (double v : x) y.push_back(std::sin(6 * v + k));
    const std::string name = std::to_string(k);
    fig.add_axes().set_title(name).plot(x, y);
    fig.save(path(name + ".png"));
  };
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) threads.emplace_back(draw, k);
  for (auto& t : threads) t.join();
  for (int k = 0; k < 4; ++k) {
    const Png png = parse_png(read_file(path(std::to_string(k) + ".png")));
    EXPECT_TRUE(png.signature && png.crcs_ok && png.ends_with_iend) << k;
    EXPECT_EQ(png.width, 400u);
  }
}

TEST_F(VizPlot, PlplotFatalErrorsThrowInsteadOfExiting) {
  try {
    tg::viz::detail::raise_plplot_fatal_error("simulated PLplot failure");
    FAIL() << "no error";
  } catch (const tg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("simulated PLplot failure"), std::string::npos)
        << e.what();
  }
  // The process is alive and PLplot still draws.
  Figure fig(300, 200);
  fig.add_axes().plot({0, 1}, {1, 0});
  fig.save(path("after.png"));
  EXPECT_TRUE(parse_png(read_file(path("after.png"))).crcs_ok);
}
