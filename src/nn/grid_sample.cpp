// F::grid_sample (4-d input, bilinear and nearest, zeros/border/reflection padding) and
// F::affine_grid, written with differentiable ops so that input, grid and theta get gradients:
// the grid is unnormalised and padded as ATen's GridSampler.h does, and each corner's values are
// gathered from the flattened image with out-of-range corners weighted zero.
#include <sstream>

#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/vision.h"

namespace tg::nn::functional {

namespace {

std::string sizes_of(const Tensor& t) {
  std::ostringstream ss;
  ss << t.sizes();
  return ss.str();
}

Tensor unnormalize(const Tensor& g, int64_t size, bool align) {
  const double s = static_cast<double>(size);
  return align ? (g + 1) / 2 * (s - 1) : ((g + 1) * s - 1) / 2;
}

// Folds coord into [twice_low / 2, twice_high / 2] by reflection; the number of flips is
// constant almost everywhere, so the result's gradient is +-1.
Tensor reflect(const Tensor& coord, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return coord * 0;
  const double lo = static_cast<double>(twice_low) / 2;
  const double span = static_cast<double>(twice_high - twice_low) / 2;
  Tensor a = (coord - lo).abs();
  Tensor flips = (a.detach() / span).floor();
  Tensor extra = a - flips * span;
  Tensor even = (flips - (flips / 2).floor() * 2).eq(0);
  return tg::where(even, extra + lo, (extra * -1) + (span + lo));
}

Tensor source_coord(const Tensor& g, int64_t size, bool align, int padding) {
  Tensor c = unnormalize(g, size, align);
  if (padding == 2) c = align ? reflect(c, 0, 2 * (size - 1)) : reflect(c, -1, 2 * size - 1);
  if (padding >= 1) c = c.clamp(0.0, static_cast<double>(size - 1));
  return c;
}

}  // namespace

Tensor grid_sample(const Tensor& input, const Tensor& grid, const GridSampleFuncOptions& o) {
  TG_CHECK(input.defined() && grid.defined(), "grid_sampler(): undefined input or grid");
  TG_CHECK(input.dim() == grid.dim() && (input.dim() == 4 || input.dim() == 5),
           "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
           "but got input with sizes ",
           sizes_of(input), " and grid with sizes ", sizes_of(grid));
  TG_CHECK(input.dim() == 4, "grid_sample: only 4-D inputs (N, C, H, W) are supported, got ",
           sizes_of(input));
  TG_CHECK(input.size(0) == grid.size(0),
           "grid_sampler(): expected grid and input to have same batch size, but got input with "
           "sizes ",
           sizes_of(input), " and grid with sizes ", sizes_of(grid));
  TG_CHECK(grid.size(-1) == 2,
           "grid_sampler(): expected grid to have size 2 in last dimension, but got grid with "
           "sizes ",
           sizes_of(grid));
  TG_CHECK(input.size(2) > 0 && input.size(3) > 0,
           "grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
           "sizes ",
           sizes_of(input), " with dimension 2 being empty");
  TG_CHECK(input.scalar_type() == grid.scalar_type(),
           "grid_sampler(): expected input and grid to have same dtype, but input has ",
           input.scalar_type(), " and grid has ", grid.scalar_type());
  const bool align = o.align_corners().value_or(false);
  const int padding = std::holds_alternative<enumtype::kZeros>(o.padding_mode())    ? 0
                      : std::holds_alternative<enumtype::kBorder>(o.padding_mode()) ? 1
                                                                                    : 2;
  const bool nearest = std::holds_alternative<enumtype::kNearest>(o.mode());
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
  const int64_t ho = grid.size(1), wo = grid.size(2), l = ho * wo;
  Tensor ix = source_coord(grid.select(-1, 0), w, align, padding);
  Tensor iy = source_coord(grid.select(-1, 1), h, align, padding);
  const Tensor flat = input.reshape({n, c, h * w});
  // The value of corner (x, y) (integral float tensors of ix's shape), zero outside the image.
  auto corner = [&](const Tensor& x, const Tensor& y, const Tensor& weight) {
    Tensor inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1);
    Tensor pos = (y.clamp(0.0, static_cast<double>(h - 1)) * static_cast<double>(w) +
                  x.clamp(0.0, static_cast<double>(w - 1)))
                     .to(kLong)
                     .reshape({n, 1, l})
                     .expand({n, c, l});
    Tensor wt = tg::where(inside, weight, 0.0).reshape({n, 1, l});
    return flat.gather(2, pos) * wt;
  };
  Tensor out;
  if (nearest) {
    Tensor x = ix.detach().round(), y = iy.detach().round();
    // A weight of one that keeps the grid in the graph: its gradient is zero, as PyTorch's.
    out = corner(x, y, ix * 0 + iy * 0 + 1);
  } else {
    Tensor x0 = ix.detach().floor(), y0 = iy.detach().floor();
    Tensor x1 = x0 + 1, y1 = y0 + 1;
    // ATen's corner weights: nw = (x_se - x)(y_se - y), ne = (x - x_sw)(y_sw - y), ...
    out = corner(x0, y0, (x1 - ix) * (y1 - iy)) + corner(x1, y0, (ix - x0) * (y1 - iy)) +
          corner(x0, y1, (x1 - ix) * (iy - y0)) + corner(x1, y1, (ix - x0) * (iy - y0));
  }
  return out.reshape({n, c, ho, wo});
}

Tensor affine_grid(const Tensor& theta, const std::vector<int64_t>& size, bool align_corners) {
  TG_CHECK(theta.defined() && theta.is_floating_point(),
           "Expected theta to have floating point type, but got ",
           theta.defined() ? theta.scalar_type() : kFloat);
  TG_CHECK(size.size() == 4,
           "affine_grid only supports 4D sizes, for 2D affine transforms "
           "(5D sizes are not supported here), got size ",
           IntArrayRef(size));
  TG_CHECK(theta.dim() == 3 && theta.size(1) == 2 && theta.size(2) == 3,
           "Expected a batch of 2D affine matrices of shape Nx2x3 for size ", IntArrayRef(size),
           ". Got ", theta.sizes(), ".");
  TG_CHECK(theta.size(0) == size[0],
           "Expected a batch of 2D affine matrices of shape Nx2x3 for "
           "size ",
           IntArrayRef(size), ". Got ", theta.sizes(), ".");
  const int64_t n = size[0], h = size[2], w = size[3];
  const ScalarType dt = theta.scalar_type();
  auto steps = [&](int64_t k) {
    if (k <= 1) return zeros({1}, dt);
    Tensor r = linspace(-1, 1, k, dt);
    return align_corners ? r : r * (static_cast<double>(k - 1) / static_cast<double>(k));
  };
  Tensor xs = steps(w).view({1, w, 1}).expand({h, w, 1});
  Tensor ys = steps(h).view({h, 1, 1}).expand({h, w, 1});
  Tensor base = tg::cat({xs, ys, ones({h, w, 1}, dt)}, 2);
  return base.reshape({1, h * w, 3})
      .expand({n, h * w, 3})
      .bmm(theta.transpose(1, 2))
      .view({n, h, w, 2});
}

}  // namespace tg::nn::functional
