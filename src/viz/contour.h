// Geometry for filled contours, free of any plotting library: marching squares on a rectilinear
// grid give the isolines of a level and the region {z >= level} as oriented rings, which
// join_rings() turns into one polygon that a single fill call can paint.
#pragma once

#include <cstddef>
#include <vector>

namespace tg::viz {

struct Point {
  double x, y;
};

struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double w() const { return x1 - x0; }
  double h() const { return y1 - y0; }
};

// Isolines of one level: chains of points whose left side is the region {z >= level}. Open chains
// run from the grid's border to its border; the others are closed loops (last point != first).
struct Isolines {
  struct Chain {
    std::vector<Point> points;
    size_t first_edge, last_edge;
  };
  std::vector<Chain> open, closed;
};

// z[j * nx + i] = f(x[i], y[j]) on increasing x (nx >= 2) and y (ny >= 2); the vectors are
// referenced, not copied.
class ContourGrid {
 public:
  ContourGrid(const std::vector<double>& x, const std::vector<double>& y,
              const std::vector<double>& z);

  Isolines isolines(double level) const;
  // The boundary of {z >= level} as rings with the region on their left: outer boundaries run
  // counter-clockwise, holes clockwise. Closed isolines, and open ones joined by the stretches of
  // the grid's border between them.
  std::vector<std::vector<Point>> region(double level) const;

 private:
  double at(size_t i, size_t j) const { return z_[j * nx_ + i]; }
  size_t h_edge(size_t i, size_t j) const { return j * (nx_ - 1) + i; }  // (i, j) to (i + 1, j)
  size_t v_edge(size_t i, size_t j) const { return n_horizontal_ + j * nx_ + i; }  // to (i, j + 1)
  size_t num_edges() const { return n_horizontal_ + nx_ * (ny_ - 1); }
  double border_length() const { return 2.0 * static_cast<double>(nx_ - 1 + ny_ - 1); }
  double fraction(size_t e, double level, size_t* i, size_t* j, bool* horizontal) const;
  Point crossing(size_t e, double level) const;
  double border_position(size_t e, double level) const;
  Point border_node(size_t k) const;

  const std::vector<double>& x_;
  const std::vector<double>& y_;
  const std::vector<double>& z_;
  size_t nx_, ny_, n_horizontal_;
};

// Rings joined into one polygon: ring 1, back to its start, over to ring 2, ..., then back along
// the same bridges. Each bridge is crossed once each way, so it adds no area and every point keeps
// the nonzero winding number the rings give it.
std::vector<Point> join_rings(const std::vector<std::vector<Point>>& rings);

// Sutherland-Hodgman clipping to a rectangle; it keeps the winding number of every point inside
// the rectangle, so it is safe for joined polygons.
std::vector<Point> clip_polygon(std::vector<Point> poly, const Rect& r);

// The ring with the points dropped that lie within `tolerance` of the line through their kept
// neighbours (Douglas-Peucker); contours on fine grids shrink several times over.
std::vector<Point> simplify_ring(const std::vector<Point>& ring, double tolerance);

}  // namespace tg::viz
