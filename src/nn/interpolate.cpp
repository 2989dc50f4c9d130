// F::interpolate and Upsample. Every mode is separable: along each spatial dim an output index
// reads a few input indices with weights (nearest: 1, linear: 2, cubic: 4, area: the pooling
// window), computed once per call exactly as ATen computes its source indices and lambdas, in
// float for float32 inputs. The last spatial dim is resampled first, as ATen nests its sums; the
// gradient applies the transposed tables in the opposite order. Both directions are ops with
// nodes, so gradients of gradients follow.
#include <cmath>
#include <memory>
#include <sstream>

#include "autograd/function.h"
#include "kernels/resample.h"
#include "nn/repr.h"
#include "ops/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/vision.h"

namespace tg::nn {

InterpolateMode::InterpolateMode(Nonlinearity n) : kind_(Linear) {
  TG_CHECK(n == Nonlinearity::Linear,
           "interpolate: the only nonlinearity tag that is a mode is "
           "kLinear");
}

const char* InterpolateMode::name() const {
  switch (kind_) {
    case Nearest:
      return "nearest";
    case NearestExact:
      return "nearest-exact";
    case Linear:
      return "linear";
    case Bilinear:
      return "bilinear";
    case Bicubic:
      return "bicubic";
    case Trilinear:
      return "trilinear";
    case Area:
      return "area";
  }
  return "";
}

namespace functional {

using autograd::tensor_list;
using kernels::ResampleTaps;

namespace {

// The tables of one call, one per spatial dim, and the names of the two nodes.
struct Plan {
  std::vector<ResampleTaps> dims;
  const char* name = "";
  const char* backward_name = "";
};
using PlanPtr = std::shared_ptr<const Plan>;

// ATen's scale for a dim: 1 / scale_factor when given, else in / out.
template <typename T>
T scales_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale)
                             : static_cast<T>(in) / static_cast<T>(out);
}

template <typename T>
T linear_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scales_value<T>(scale, in, out);
}

template <typename T>
T source_index(T scale, int64_t dst, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<T>(dst);
  const T src = static_cast<T>(scale * (static_cast<double>(dst) + 0.5) - 0.5);
  return (!cubic && src < 0) ? T(0) : src;
}

template <typename T>
T cubic1(T x, T a) {
  return ((a + 2) * x - (a + 3)) * x * x + 1;
}
template <typename T>
T cubic2(T x, T a) {
  return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
}

// Fills idx and the weights of precision T (wf for float, wd for double).
template <typename T>
void fill_taps(ResampleTaps& t, InterpolateMode::Kind kind, bool align_corners,
               std::optional<double> scale, std::vector<T>& w, bool set_idx) {
  const int64_t in = t.in_size, out = t.out_size;
  using K = InterpolateMode;
  w.assign(static_cast<size_t>(out * t.k), T(0));
  auto put = [&](int64_t o, int64_t j, int64_t i, T v) {
    if (set_idx) t.idx[o * t.k + j] = i;
    w[o * t.k + j] = v;
  };
  for (int64_t o = 0; o < out; ++o) {
    switch (kind) {
      case K::Nearest: {
        int64_t i = 0;
        if (out == in) {
          i = o;
        } else if (out == 2 * in) {
          i = o >> 1;
        } else {
          const float s = scales_value<float>(scale, in, out);
          i = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
        }
        put(o, 0, i, T(1));
        break;
      }
      case K::NearestExact: {
        const float s = scales_value<float>(scale, in, out);
        const float src = static_cast<float>((static_cast<double>(o) + 0.5) * s);
        put(o, 0, std::min(static_cast<int64_t>(std::floor(src)), in - 1), T(1));
        break;
      }
      case K::Linear:
      case K::Bilinear:
      case K::Trilinear: {
        if (out == in) {
          put(o, 0, o, T(1));
          put(o, 1, o, T(0));
          break;
        }
        const T s = linear_scale<T>(in, out, align_corners, scale);
        const T src = source_index<T>(s, o, align_corners, false);
        const int64_t i0 = static_cast<int64_t>(src);
        const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
        const T l1 = std::min(std::max(src - static_cast<T>(i0), T(0)), T(1));
        put(o, 0, i0, T(1) - l1);
        put(o, 1, i1, l1);
        break;
      }
      case K::Bicubic: {
        const T s = linear_scale<T>(in, out, align_corners, scale);
        const T src = source_index<T>(s, o, align_corners, true);
        const int64_t i = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
        const T tt = std::min(std::max(src - static_cast<T>(i), T(0)), T(1));
        const T a = T(-0.75);
        const T c[4] = {cubic2<T>(tt + T(1), a), cubic1<T>(tt, a), cubic1<T>(T(1) - tt, a),
                        cubic2<T>((T(1) - tt) + T(1), a)};
        for (int64_t j = 0; j < 4; ++j)
          put(o, j, std::max<int64_t>(std::min<int64_t>(i - 1 + j, in - 1), 0), c[j]);
        break;
      }
      case K::Area: {
        const int64_t start = (o / out) * in + ((o % out) * in) / out;
        const int64_t end = 1 + ((o + 1) * in - 1) / out;
        const T inv = T(1) / static_cast<T>(end - start);
        for (int64_t j = 0; j < t.k; ++j)
          put(o, j, start + j < end ? start + j : start, start + j < end ? inv : T(0));
        break;
      }
    }
  }
}

ResampleTaps make_taps(InterpolateMode::Kind kind, int64_t in, int64_t out, bool align_corners,
                       std::optional<double> scale) {
  ResampleTaps t;
  t.in_size = in;
  t.out_size = out;
  using K = InterpolateMode;
  switch (kind) {
    case K::Nearest:
    case K::NearestExact:
      t.k = 1;
      break;
    case K::Bicubic:
      t.k = 4;
      break;
    case K::Area: {
      int64_t widest = 1;
      for (int64_t o = 0; o < out; ++o) {
        const int64_t start = (o / out) * in + ((o % out) * in) / out;
        const int64_t end = 1 + ((o + 1) * in - 1) / out;
        widest = std::max(widest, end - start);
      }
      t.k = widest;
      break;
    }
    default:
      t.k = 2;
  }
  t.idx.assign(static_cast<size_t>(out * t.k), 0);
  fill_taps<float>(t, kind, align_corners, scale, t.wf, true);
  fill_taps<double>(t, kind, align_corners, scale, t.wd, false);
  return t;
}

Tensor resample_transposed(const Tensor& g, const PlanPtr& plan);

// Applies the plan to x (spatial dims from 2 on), last dim first.
Tensor resample(const Tensor& x, const PlanPtr& plan) {
  Tensor cur = x.is_contiguous() ? x : make_contiguous_copy(x);
  const int64_t nd = static_cast<int64_t>(plan->dims.size());
  for (int64_t d = nd - 1; d >= 0; --d) {
    const ResampleTaps& t = plan->dims[d];
    DimVector shape(cur.sizes());
    shape[2 + d] = t.out_size;
    Tensor next = make_empty(shape, cur.scalar_type());
    if (next.numel() > 0) kernels::resample_dim(next, cur, 2 + d, t);
    cur = next;
  }
  if (autograd::should_record({&x}))
    autograd::record(plan->name, {&x}, {&cur}, {},
                     [plan](const tensor_list& g, const tensor_list&) {
                       return tensor_list{resample_transposed(g[0], plan)};
                     });
  return cur;
}

// The adjoint of resample: the transposed tables, first dim first.
Tensor resample_transposed(const Tensor& g, const PlanPtr& plan) {
  Tensor cur = g.is_contiguous() ? g : make_contiguous_copy(g);
  const int64_t nd = static_cast<int64_t>(plan->dims.size());
  for (int64_t d = 0; d < nd; ++d) {
    const ResampleTaps& t = plan->dims[d];
    DimVector shape(cur.sizes());
    shape[2 + d] = t.in_size;
    Tensor next = zeros(shape, cur.scalar_type());
    if (cur.numel() > 0) kernels::resample_dim_transposed(next, cur, 2 + d, t);
    cur = next;
  }
  if (autograd::should_record({&g}))
    autograd::record(plan->backward_name, {&g}, {&cur}, {},
                     [plan](const tensor_list& gg, const tensor_list&) {
                       return tensor_list{resample(gg[0], plan)};
                     });
  return cur;
}

std::string sizes_text(IntArrayRef s) {
  std::ostringstream ss;
  ss << s;
  return ss.str();
}

// Node names by mode and spatial rank (1, 2, 3); null where the mode does not take that rank.
const char* node_name(InterpolateMode::Kind k, int64_t rank, bool backward) {
  static const char* const names[7][3][2] = {
      {{"UpsampleNearest1DBackward1", "UpsampleNearest1DBackwardBackward1"},
       {"UpsampleNearest2DBackward1", "UpsampleNearest2DBackwardBackward1"},
       {"UpsampleNearest3DBackward1", "UpsampleNearest3DBackwardBackward1"}},
      {{"UpsampleNearestExact1DBackward1", "UpsampleNearestExact1DBackwardBackward1"},
       {"UpsampleNearestExact2DBackward1", "UpsampleNearestExact2DBackwardBackward1"},
       {"UpsampleNearestExact3DBackward1", "UpsampleNearestExact3DBackwardBackward1"}},
      {{"UpsampleLinear1DBackward1", "UpsampleLinear1DBackwardBackward1"}, {}, {}},
      {{}, {"UpsampleBilinear2DBackward1", "UpsampleBilinear2DBackwardBackward1"}, {}},
      {{}, {"UpsampleBicubic2DBackward1", "UpsampleBicubic2DBackwardBackward1"}, {}},
      {{}, {}, {"UpsampleTrilinear3DBackward1", "UpsampleTrilinear3DBackwardBackward1"}},
      {{},
       {"AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool2DBackwardBackward0"},
       {"AdaptiveAvgPool3DBackward0", "AdaptiveAvgPool3DBackwardBackward0"}},
  };
  return names[k][rank - 1][backward ? 1 : 0];
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  using K = InterpolateMode;
  TG_CHECK(input.defined(), "interpolate: undefined input");
  const K::Kind kind = o.mode().kind();
  const bool linear_family =
      kind == K::Linear || kind == K::Bilinear || kind == K::Bicubic || kind == K::Trilinear;
  TG_CHECK(linear_family || !o.align_corners(),
           "align_corners option can only be set with the interpolating modes: linear | bilinear "
           "| bicubic | trilinear");
  const bool align = o.align_corners().value_or(false);
  const int64_t nd = input.dim();
  const int64_t rank = nd - 2;
  const int64_t wanted = kind == K::Linear                           ? 1
                         : kind == K::Bilinear || kind == K::Bicubic ? 2
                         : kind == K::Trilinear                      ? 3
                                                                     : rank;
  if (nd >= 3 && nd <= 5 && kind != K::Bicubic && wanted != rank)
    TG_ERROR("Got ", nd, "D input, but ", o.mode().name(), " mode needs ", wanted + 2, "D input");
  TG_CHECK(nd >= 3 && nd <= 5 && wanted == rank,
           "Input Error: Only 3D, 4D and 5D input Tensors supported (got ", nd,
           "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
           "nearest-exact (got ",
           o.mode().name(), ")");
  TG_CHECK(input.is_floating_point(), "interpolate: expected a floating point input, got ",
           input.scalar_type());

  // The output size and the scales handed to the sampling, as functional.interpolate sets them.
  TG_CHECK(o.size() || o.scale_factor(), "either size or scale_factor should be defined");
  TG_CHECK(!(o.size() && o.scale_factor()), "only one of size or scale_factor should be defined");
  std::vector<int64_t> out_size;
  std::vector<std::optional<double>> scales(static_cast<size_t>(rank));
  const std::vector<int64_t> spatial(input.sizes().begin() + 2, input.sizes().end());
  if (o.size()) {
    out_size = *o.size();
    TG_CHECK(static_cast<int64_t>(out_size.size()) == rank,
             "Input and output must have the same number of spatial dimensions, but got input "
             "with spatial dimensions of ",
             sizes_text(spatial), " and output size of ", sizes_text(out_size),
             ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
             "(o1, o2, ...,oK) format.");
  } else {
    const std::vector<double>& sf = *o.scale_factor();
    std::ostringstream given;
    given << "(";
    for (size_t i = 0; i < sf.size(); ++i)
      given << (i ? ", " : "") << detail::py_float(sf[i]) << (sf.size() == 1 ? "," : "");
    given << ")";
    TG_CHECK(static_cast<int64_t>(sf.size()) == rank,
             "Input and scale_factor must have the same number of spatial dimensions, but got "
             "input with spatial dimensions of ",
             sizes_text(spatial), " and scale_factor of shape ", given.str(),
             ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
             "(s1, s2, ...,sK) format.");
    const bool recompute = o.recompute_scale_factor().value_or(false);
    for (int64_t i = 0; i < rank; ++i) {
      out_size.push_back(static_cast<int64_t>(
          std::floor(static_cast<double>(spatial[static_cast<size_t>(i)]) * sf[i])));
      if (!recompute) scales[static_cast<size_t>(i)] = sf[i];
    }
  }
  {
    bool ok = true;
    for (int64_t i = 0; i < rank; ++i) ok = ok && spatial[i] > 0 && out_size[i] > 0;
    static const char* const labels[3] = {"D", "H", "W"};
    std::ostringstream in_s, out_s;
    for (int64_t i = 0; i < rank; ++i) {
      const char* l = labels[3 - rank + i];
      in_s << (i ? ", " : "") << l << ": " << spatial[i];
      out_s << (i ? ", " : "") << l << ": " << out_size[i];
    }
    TG_CHECK(ok, "Input and output sizes should be greater than 0, but got input (", in_s.str(),
             ") output (", out_s.str(), ")");
  }

  if (kind == K::Area && rank == 1) {
    // As adaptive_avg_pool1d: a 2-d pool over an added unit dim, then that dim squeezed away.
    return interpolate(
               input.unsqueeze(-2),
               InterpolateFuncOptions().size(std::vector<int64_t>{1, out_size[0]}).mode(kArea))
        .squeeze(-2);
  }
  auto plan = std::make_shared<Plan>();
  for (int64_t i = 0; i < rank; ++i)
    plan->dims.push_back(make_taps(kind, spatial[i], out_size[i], align, scales[i]));
  plan->name = node_name(kind, rank, false);
  plan->backward_name = node_name(kind, rank, true);
  return resample(input, plan);
}

}  // namespace functional

Tensor UpsampleImpl::forward(const Tensor& input) {
  return functional::interpolate(input, functional::InterpolateFuncOptions()
                                            .size(options.size())
                                            .scale_factor(options.scale_factor())
                                            .mode(options.mode())
                                            .align_corners(options.align_corners()));
}

std::string UpsampleImpl::extra_repr() const {
  std::ostringstream ss;
  if (options.scale_factor()) {
    const auto& s = *options.scale_factor();
    ss << "scale_factor=";
    if (s.size() == 1) {
      ss << detail::py_float(s[0]);
    } else {
      ss << "(";
      for (size_t i = 0; i < s.size(); ++i) ss << (i ? ", " : "") << detail::py_float(s[i]);
      ss << ")";
    }
  } else if (options.size()) {
    const auto& s = *options.size();
    ss << "size=";
    if (s.size() == 1) {
      ss << s[0];
    } else {
      ss << "(";
      for (size_t i = 0; i < s.size(); ++i) ss << (i ? ", " : "") << s[i];
      ss << ")";
    }
  } else {
    ss << "size=None";
  }
  ss << ", mode=" << options.mode().name();
  return ss.str();
}

}  // namespace tg::nn
