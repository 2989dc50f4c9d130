// Contour geometry (src/viz/contour.h): regions {z >= level} come back as rings with the region on
// their left, so their signed areas add up to the region's area; holes, border stretches, saddles
// and clipping keep that true.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "viz/contour.h"

namespace {

using tg::viz::ContourGrid;
using tg::viz::Point;

// Twice the signed area of a closed polygon (positive when counter-clockwise).
double signed_area2(const std::vector<Point>& poly) {
  double a = 0;
  for (size_t k = 0; k < poly.size(); ++k) {
    const Point& p = poly[k];
    const Point& q = poly[(k + 1) % poly.size()];
    a += p.x * q.y - q.x * p.y;
  }
  return a;
}

struct Field {
  std::vector<double> x, y, z;
};

Field sample(double lo, double hi, int n, const std::function<double(double, double)>& f) {
  Field g;
  for (int k = 0; k < n; ++k) g.x.push_back(lo + (hi - lo) * k / (n - 1));
  g.y = g.x;
  for (double b : g.y)
    for (double a : g.x) g.z.push_back(f(a, b));
  return g;
}

double area(const std::vector<std::vector<Point>>& rings) {
  double a = 0;
  for (const auto& r : rings) a += signed_area2(r) / 2;
  return a;
}

}  // namespace

TEST(VizContour, DiskIsOneCounterClockwiseRing) {
  const Field g = sample(-2, 2, 201, [](double x, double y) { return -(x * x + y * y); });
  const auto rings = ContourGrid(g.x, g.y, g.z).region(-1);
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_NEAR(area(rings), std::numbers::pi, 2e-3);
}

TEST(VizContour, AnnulusHasAClockwiseHole) {
  const Field g = sample(-3, 3, 301, [](double x, double y) {
    const double r = std::hypot(x, y);
    return -(r - 1.5) * (r - 1.5);
  });
  const auto rings = ContourGrid(g.x, g.y, g.z).region(-0.25);  // 1 <= r <= 2
  ASSERT_EQ(rings.size(), 2u);
  const double a0 = signed_area2(rings[0]), a1 = signed_area2(rings[1]);
  EXPECT_LT(a0 * a1, 0) << "one outer ring, one hole";
  EXPECT_NEAR(area(rings), 3 * std::numbers::pi, 1e-2);
}

TEST(VizContour, RegionsTouchingTheBorderFollowIt) {
  // Linear interpolation is exact for a linear field.
  Field g;
  for (int k = 0; k <= 10; ++k) g.x.push_back(k / 10.0);
  for (int k = 0; k <= 5; ++k) g.y.push_back(k / 5.0);
  for (double b : g.y)
    for (double a : g.x) g.z.push_back(a + 0 * b);
  const ContourGrid grid(g.x, g.y, g.z);
  EXPECT_NEAR(area(grid.region(0.35)), 0.65, 1e-12);
  EXPECT_NEAR(area(grid.region(-1)), 1.0, 1e-12);  // everything: the border itself
  EXPECT_TRUE(grid.region(2).empty());             // nothing
  // The isoline has the region on its left: x >= 0.35 lies east, so it runs southwards.
  const auto iso = grid.isolines(0.35);
  ASSERT_EQ(iso.open.size(), 1u);
  EXPECT_TRUE(iso.closed.empty());
  EXPECT_NEAR(iso.open[0].points.front().y, 1.0, 1e-12);
  EXPECT_NEAR(iso.open[0].points.back().y, 0.0, 1e-12);
  EXPECT_NEAR(iso.open[0].points.front().x, 0.35, 1e-12);
  // Two strips on opposite sides: two rings, each along its own stretch of border.
  Field v = g;
  for (size_t k = 0; k < v.z.size(); ++k) v.z[k] = std::abs(v.x[k % v.x.size()] - 0.5);
  const auto strips = ContourGrid(v.x, v.y, v.z).region(0.3);  // x <= 0.2 or x >= 0.8
  EXPECT_EQ(strips.size(), 2u);
  EXPECT_NEAR(area(strips), 0.4, 1e-12);
}

TEST(VizContour, SaddlesFollowTheCellMean) {
  const std::vector<double> x = {0, 1}, y = {0, 1};
  const std::vector<double> z = {1, 0, 0, 1};  // high on one diagonal, mean 0.5
  const ContourGrid grid(x, y, z);
  // At 0.5 the mean is inside: one band along the diagonal, the two low corners cut off.
  const auto joined = grid.region(0.5);
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_NEAR(area(joined), 0.75, 1e-12);
  // At 0.6 it is not: two corner triangles with legs of 0.4.
  const auto apart = grid.region(0.6);
  ASSERT_EQ(apart.size(), 2u);
  EXPECT_NEAR(area(apart), 2 * 0.4 * 0.4 / 2, 1e-12);
}

TEST(VizContour, JoinedAndClippedPolygonsKeepTheirArea) {
  // A square annulus: outer [0, 4]^2 counter-clockwise, inner [1, 3]^2 clockwise.
  const std::vector<std::vector<Point>> rings = {{{0, 0}, {4, 0}, {4, 4}, {0, 4}},
                                                 {{1, 1}, {1, 3}, {3, 3}, {3, 1}}};
  const auto joined = tg::viz::join_rings(rings);
  EXPECT_NEAR(signed_area2(joined) / 2, 16 - 4, 1e-12);
  // The left half: 8 minus the hole's half, 2.
  const auto left = tg::viz::clip_polygon(joined, {0, 0, 2, 4});
  EXPECT_NEAR(signed_area2(left) / 2, 6, 1e-12);
  // A window inside the hole keeps nothing.
  const auto hole = tg::viz::clip_polygon(joined, {1.5, 1.5, 2.5, 2.5});
  EXPECT_NEAR(signed_area2(hole), 0, 1e-12);
  // Rings too small to have an area are dropped.
  EXPECT_TRUE(tg::viz::join_rings({{{0, 0}, {1, 1}}}).empty());
}

TEST(VizContour, ManyLevelsOfARealFieldNestAndShrink) {
  const Field g = sample(-3, 3, 151, [](double x, double y) { return std::sin(x * x + y * y); });
  const ContourGrid grid(g.x, g.y, g.z);
  double previous = 37;  // the whole square
  for (double level = -1.0; level <= 0.95; level += 0.1) {
    const double a = area(grid.region(level));
    EXPECT_GT(a, 0) << level;
    EXPECT_LE(a, previous + 1e-9) << level;
    previous = a;
  }
}

TEST(VizContour, SimplifiedRingsStayWithinTolerance) {
  std::vector<Point> circle;
  for (int k = 0; k < 2000; ++k) {
    const double a = 2 * std::numbers::pi * k / 2000;
    circle.push_back({100 * std::cos(a), 100 * std::sin(a)});
  }
  const auto fewer = tg::viz::simplify_ring(circle, 0.1);
  EXPECT_LT(fewer.size(), circle.size() / 4);
  EXPECT_GT(fewer.size(), 20u);
  // Each dropped point is within 0.1 of the kept outline: the area moves by less than 0.1 times
  // the perimeter.
  const double a0 = signed_area2(circle) / 2, a1 = signed_area2(fewer) / 2;
  EXPECT_LT(std::abs(a0 - a1), 0.1 * 2 * std::numbers::pi * 100);
  EXPECT_GT(a1, 0);
  // Straight runs collapse to their corners.
  std::vector<Point> square;
  for (int k = 0; k < 10; ++k) square.push_back({k / 10.0, 0});
  for (int k = 0; k < 10; ++k) square.push_back({1, k / 10.0});
  for (int k = 0; k < 10; ++k) square.push_back({1 - k / 10.0, 1});
  for (int k = 0; k < 10; ++k) square.push_back({0, 1 - k / 10.0});
  const auto corners = tg::viz::simplify_ring(square, 1e-9);
  EXPECT_EQ(corners.size(), 4u);
  EXPECT_NEAR(signed_area2(corners), 2, 1e-12);
}
