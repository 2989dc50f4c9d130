// Marching squares, oriented so that the region {z >= level} is always on the left of an isoline;
// a saddle cell (high and low corners alternating) is resolved by the mean of its corners.
#include "viz/contour.h"

#include <cmath>
#include <cstdint>

namespace tg::viz {

ContourGrid::ContourGrid(const std::vector<double>& x, const std::vector<double>& y,
                         const std::vector<double>& z)
    : x_(x), y_(y), z_(z), nx_(x.size()), ny_(y.size()), n_horizontal_((nx_ - 1) * ny_) {}

Isolines ContourGrid::isolines(double level) const {
  const size_t n_edges = num_edges();
  std::vector<int64_t> next(n_edges, -1);
  std::vector<char> has_prev(n_edges, 0);
  for (size_t j = 0; j + 1 < ny_; ++j) {
    for (size_t i = 0; i + 1 < nx_; ++i) {
      // Corners and edges counter-clockwise; edge k runs from corner k to corner k + 1.
      const double zc[4] = {at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)};
      const size_t edges[4] = {h_edge(i, j), v_edge(i + 1, j), h_edge(i, j + 1), v_edge(i, j)};
      bool in[4];
      for (int k = 0; k < 4; ++k) in[k] = zc[k] >= level;
      size_t ids[4];
      bool leaving[4];  // the region's border leaves the cell's inside here (in -> out)
      int n = 0;
      for (int k = 0; k < 4; ++k) {
        if (in[k] != in[(k + 1) % 4]) {
          ids[n] = edges[k];
          leaving[n] = in[k];
          ++n;
        }
      }
      auto link = [&](size_t from, size_t to) {
        next[from] = static_cast<int64_t>(to);
        has_prev[to] = 1;
      };
      if (n == 2) {
        link(leaving[0] ? ids[0] : ids[1], leaving[0] ? ids[1] : ids[0]);
      } else if (n == 4) {
        // A saddle: the cell's mean decides whether the inside corners connect through the
        // centre (each crossing pairs with the next one) or are cut off (with the previous).
        const bool centre_in = (zc[0] + zc[1] + zc[2] + zc[3]) / 4 >= level;
        for (int m = 0; m < 4; ++m)
          if (leaving[m]) link(ids[m], ids[centre_in ? (m + 1) % 4 : (m + 3) % 4]);
      }
    }
  }
  Isolines out;
  std::vector<char> used(n_edges, 0);
  auto trace = [&](size_t start) {
    Isolines::Chain c{{crossing(start, level)}, start, start};
    size_t e = start;
    while (next[e] >= 0 && !used[e]) {
      used[e] = 1;
      e = static_cast<size_t>(next[e]);
      c.points.push_back(crossing(e, level));
    }
    c.last_edge = e;
    return c;
  };
  for (size_t e = 0; e < n_edges; ++e)
    if (next[e] >= 0 && !has_prev[e]) out.open.push_back(trace(e));
  for (size_t e = 0; e < n_edges; ++e) {
    if (next[e] >= 0 && !used[e]) {
      auto c = trace(e);
      c.points.pop_back();  // back at the start
      out.closed.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<std::vector<Point>> ContourGrid::region(double level) const {
  Isolines iso = isolines(level);
  std::vector<std::vector<Point>> rings;
  for (auto& c : iso.closed) rings.push_back(std::move(c.points));
  const double length = border_length();
  if (iso.open.empty()) {
    if (at(0, 0) >= level) {  // no crossing on the border: all of it is inside, or none
      std::vector<Point> ring;
      for (size_t k = 0; k < static_cast<size_t>(length); ++k) ring.push_back(border_node(k));
      rings.push_back(std::move(ring));
    }
    return rings;
  }
  // Along the border (counter-clockwise) an open chain ends where the border enters the
  // region, and the next chain starts where it leaves it.
  std::vector<double> start_pos, end_pos;
  for (const auto& c : iso.open) {
    start_pos.push_back(border_position(c.first_edge, level));
    end_pos.push_back(border_position(c.last_edge, level));
  }
  std::vector<char> done(iso.open.size(), 0);
  for (size_t first = 0; first < iso.open.size(); ++first) {
    if (done[first]) continue;
    std::vector<Point> ring;
    size_t cur = first;
    while (!done[cur]) {
      done[cur] = 1;
      const auto& pts = iso.open[cur].points;
      ring.insert(ring.end(), pts.begin(), pts.end());
      const double from = end_pos[cur];
      size_t best = cur;
      double best_d = INFINITY;
      for (size_t c = 0; c < iso.open.size(); ++c) {
        const double d = std::fmod(start_pos[c] - from + length, length);
        if (d < best_d) {
          best_d = d;
          best = c;
        }
      }
      for (double k = std::floor(from) + 1; k - from < best_d; k += 1)
        ring.push_back(border_node(static_cast<size_t>(std::fmod(k, length))));
      cur = best;
    }
    rings.push_back(std::move(ring));
  }
  return rings;
}

// Where `level` crosses an edge, and how far along it (from its lower-index node), so that the
// two cells sharing the edge compute the same point.
double ContourGrid::fraction(size_t e, double level, size_t* i, size_t* j, bool* horizontal) const {
  *horizontal = e < n_horizontal_;
  double a, b;
  if (*horizontal) {
    *i = e % (nx_ - 1);
    *j = e / (nx_ - 1);
    a = at(*i, *j);
    b = at(*i + 1, *j);
  } else {
    *i = (e - n_horizontal_) % nx_;
    *j = (e - n_horizontal_) / nx_;
    a = at(*i, *j);
    b = at(*i, *j + 1);
  }
  return (level - a) / (b - a);
}

Point ContourGrid::crossing(size_t e, double level) const {
  size_t i, j;
  bool horizontal;
  const double t = fraction(e, level, &i, &j, &horizontal);
  if (horizontal) return {x_[i] + t * (x_[i + 1] - x_[i]), y_[j]};
  return {x_[i], y_[j] + t * (y_[j + 1] - y_[j])};
}

double ContourGrid::border_position(size_t e, double level) const {
  size_t i, j;
  bool horizontal;
  const double t = fraction(e, level, &i, &j, &horizontal);
  const double w = static_cast<double>(nx_ - 1), h = static_cast<double>(ny_ - 1);
  if (horizontal && j == 0) return static_cast<double>(i) + t;
  if (!horizontal && i == nx_ - 1) return w + static_cast<double>(j) + t;
  if (horizontal) return w + h + (w - 1 - static_cast<double>(i)) + (1 - t);
  return 2 * w + h + (h - 1 - static_cast<double>(j)) + (1 - t);
}

Point ContourGrid::border_node(size_t k) const {
  const size_t w = nx_ - 1, h = ny_ - 1;
  if (k <= w) return {x_[k], y_.front()};
  if (k <= w + h) return {x_.back(), y_[k - w]};
  if (k <= 2 * w + h) return {x_[w - (k - w - h)], y_.back()};
  return {x_.front(), y_[h - (k - 2 * w - h)]};
}

std::vector<Point> join_rings(const std::vector<std::vector<Point>>& rings) {
  std::vector<Point> out;
  std::vector<Point> anchors;
  for (const auto& r : rings) {
    if (r.size() < 3) continue;
    out.insert(out.end(), r.begin(), r.end());
    out.push_back(r.front());
    anchors.push_back(r.front());
  }
  for (size_t k = anchors.size(); k-- > 1;) out.push_back(anchors[k - 1]);
  return out;
}

std::vector<Point> clip_polygon(std::vector<Point> poly, const Rect& r) {
  auto clip_side = [&](auto inside, auto cross) {
    std::vector<Point> out;
    for (size_t k = 0; k < poly.size(); ++k) {
      const Point& s = poly[k];
      const Point& e = poly[(k + 1) % poly.size()];
      if (inside(e)) {
        if (!inside(s)) out.push_back(cross(s, e));
        out.push_back(e);
      } else if (inside(s)) {
        out.push_back(cross(s, e));
      }
    }
    poly = std::move(out);
  };
  auto at_x = [](double x) {
    return [x](const Point& s, const Point& e) {
      return Point{x, s.y + (e.y - s.y) * (x - s.x) / (e.x - s.x)};
    };
  };
  auto at_y = [](double y) {
    return [y](const Point& s, const Point& e) {
      return Point{s.x + (e.x - s.x) * (y - s.y) / (e.y - s.y), y};
    };
  };
  clip_side([&](const Point& p) { return p.x >= r.x0; }, at_x(r.x0));
  clip_side([&](const Point& p) { return p.x <= r.x1; }, at_x(r.x1));
  clip_side([&](const Point& p) { return p.y >= r.y0; }, at_y(r.y0));
  clip_side([&](const Point& p) { return p.y <= r.y1; }, at_y(r.y1));
  return poly;
}

std::vector<Point> simplify_ring(const std::vector<Point>& ring, double tolerance) {
  const size_t n = ring.size();
  if (n < 8) return ring;
  // Close the ring at its first point and simplify the path 0 -> ... -> n - 1 -> 0, keeping the
  // point farthest from the first so that the ring cannot collapse.
  size_t far = 0;
  double far_d = -1;
  for (size_t k = 1; k < n; ++k) {
    const double d = std::hypot(ring[k].x - ring[0].x, ring[k].y - ring[0].y);
    if (d > far_d) {
      far_d = d;
      far = k;
    }
  }
  std::vector<char> keep(n + 1, 0);
  keep[0] = keep[far] = keep[n] = 1;
  auto point = [&](size_t k) -> const Point& { return ring[k % n]; };
  std::vector<std::pair<size_t, size_t>> todo = {{0, far}, {far, n}};
  while (!todo.empty()) {
    const auto [a, b] = todo.back();
    todo.pop_back();
    const Point& p = point(a);
    const Point& q = point(b);
    const double len = std::hypot(q.x - p.x, q.y - p.y);
    size_t worst = a;
    double worst_d = tolerance;
    for (size_t k = a + 1; k < b; ++k) {
      const Point& r = point(k);
      const double d = len > 0
                           ? std::abs((q.x - p.x) * (p.y - r.y) - (p.x - r.x) * (q.y - p.y)) / len
                           : std::hypot(r.x - p.x, r.y - p.y);
      if (d > worst_d) {
        worst_d = d;
        worst = k;
      }
    }
    if (worst != a) {
      keep[worst] = 1;
      todo.push_back({a, worst});
      todo.push_back({worst, b});
    }
  }
  std::vector<Point> out;
  for (size_t k = 0; k < n; ++k)
    if (keep[k]) out.push_back(ring[k]);
  return out;
}

}  // namespace tg::viz
