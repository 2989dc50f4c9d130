// Flatten, Unflatten, PixelShuffle and PixelUnshuffle. The pixel shuffles are a reshape, a
// permute and a copy, computed under no-grad and recorded as one node whose backward is the
// other shuffle.
#include "tensorgrad/nn/vision.h"

#include <sstream>

#include "autograd/function.h"
#include "tensorgrad/autograd.h"

namespace tg::nn {

namespace functional {

using autograd::tensor_list;

namespace {

// Moves factor x factor blocks between the channel dim and the two spatial dims: for shuffle,
// (*, C r r, H, W) -> (*, C, H r, W r); otherwise the inverse.
Tensor shuffle_pixels(const Tensor& x, int64_t r, bool shuffle) {
  const int64_t nd = x.dim();
  const int64_t lead = nd - 3;
  std::vector<int64_t> batch(x.sizes().begin(), x.sizes().begin() + lead);
  const int64_t c = x.size(-3), h = x.size(-2), w = x.size(-1);
  std::vector<int64_t> split = batch, perm, out = batch;
  for (int64_t i = 0; i < lead; ++i) perm.push_back(i);
  if (shuffle) {
    // (*, oc, r, r, h, w) -> (*, oc, h, r, w, r)
    const int64_t oc = c / (r * r);
    split.insert(split.end(), {oc, r, r, h, w});
    for (int64_t p : {0, 3, 1, 4, 2}) perm.push_back(lead + p);
    out.insert(out.end(), {oc, h * r, w * r});
  } else {
    // (*, c, oh, r, ow, r) -> (*, c, r, r, oh, ow)
    const int64_t oh = h / r, ow = w / r;
    split.insert(split.end(), {c, oh, r, ow, r});
    for (int64_t p : {0, 2, 4, 1, 3}) perm.push_back(lead + p);
    out.insert(out.end(), {c * r * r, oh, ow});
  }
  NoGradGuard guard;
  return x.reshape(split).permute(perm).contiguous().view(out);
}

}  // namespace

Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& o) {
  TG_CHECK(input.defined(), "pixel_shuffle: undefined input");
  TG_CHECK(input.dim() >= 3, "pixel_shuffle expects input to have at least 3 dimensions, but got ",
           "input with ", input.dim(), " dimension(s)");
  const int64_t r = o.upscale_factor();
  TG_CHECK(r > 0, "pixel_shuffle expects a positive upscale_factor, but got ", r);
  TG_CHECK(input.size(-3) % (r * r) == 0,
           "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
           "of upscale_factor, but input.size(-3)=",
           input.size(-3), " is not divisible by ", r * r);
  Tensor out = shuffle_pixels(input, r, true);
  if (autograd::should_record({&input}))
    autograd::record("PixelShuffleBackward0", {&input}, {&out}, {},
                     [r](const tensor_list& g, const tensor_list&) {
                       return tensor_list{pixel_unshuffle(g[0], r)};
                     });
  return out;
}

Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& o) {
  TG_CHECK(input.defined(), "pixel_unshuffle: undefined input");
  TG_CHECK(input.dim() >= 3, "pixel_unshuffle expects input to have at least 3 dimensions, but ",
           "got input with ", input.dim(), " dimension(s)");
  const int64_t r = o.downscale_factor();
  TG_CHECK(r > 0, "pixel_unshuffle expects a positive downscale_factor, but got ", r);
  TG_CHECK(input.size(-2) % r == 0,
           "pixel_unshuffle expects height to be divisible by downscale_factor, but "
           "input.size(-2)=",
           input.size(-2), " is not divisible by ", r);
  TG_CHECK(input.size(-1) % r == 0,
           "pixel_unshuffle expects width to be divisible by downscale_factor, but "
           "input.size(-1)=",
           input.size(-1), " is not divisible by ", r);
  Tensor out = shuffle_pixels(input, r, false);
  if (autograd::should_record({&input}))
    autograd::record("PixelUnshuffleBackward0", {&input}, {&out}, {},
                     [r](const tensor_list& g, const tensor_list&) {
                       return tensor_list{pixel_shuffle(g[0], r)};
                     });
  return out;
}

}  // namespace functional

Tensor FlattenImpl::forward(const Tensor& input) {
  return input.flatten(options.start_dim(), options.end_dim());
}
std::string FlattenImpl::extra_repr() const {
  return "start_dim=" + std::to_string(options.start_dim()) +
         ", end_dim=" + std::to_string(options.end_dim());
}

Tensor UnflattenImpl::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "unflatten: undefined input");
  const std::vector<int64_t>& sizes = options.sizes();
  TG_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  const int64_t nd = input.dim();
  int64_t d = options.dim();
  TG_CHECK(d >= -std::max<int64_t>(nd, 1) && d < std::max<int64_t>(nd, 1),
           "Dimension out of range (expected to be in range of [", -std::max<int64_t>(nd, 1), ", ",
           std::max<int64_t>(nd, 1) - 1, "], but got ", d, ")");
  if (d < 0) d += nd;
  // One -1 is inferred, as view infers it; the product must be the size of dim d.
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && infer < 0) {
      infer = static_cast<int64_t>(i);
    } else {
      known *= sizes[i];
    }
  }
  std::vector<int64_t> s = sizes;
  if (infer >= 0 && known != 0 && input.size(d) % known == 0) s[infer] = input.size(d) / known;
  int64_t prod = 1;
  for (int64_t v : s) prod *= v;
  std::ostringstream given;
  given << IntArrayRef(sizes);
  TG_CHECK(prod == input.size(d) && (infer < 0 || s[infer] >= 0), "unflatten: Provided sizes ",
           given.str(), " don't multiply up to the size of dim ", d, " (", input.size(d),
           ") in the input tensor");
  std::vector<int64_t> shape(input.sizes().begin(), input.sizes().begin() + d);
  shape.insert(shape.end(), s.begin(), s.end());
  shape.insert(shape.end(), input.sizes().begin() + d + 1, input.sizes().end());
  return input.view(shape);
}
std::string UnflattenImpl::extra_repr() const {
  std::ostringstream ss;
  ss << "dim=" << options.dim() << ", unflattened_size=(";
  for (size_t i = 0; i < options.sizes().size(); ++i) ss << (i ? ", " : "") << options.sizes()[i];
  ss << (options.sizes().size() == 1 ? ",)" : ")");
  return ss.str();
}

Tensor PixelShuffleImpl::forward(const Tensor& input) {
  return functional::pixel_shuffle(input, options);
}
std::string PixelShuffleImpl::extra_repr() const {
  return "upscale_factor=" + std::to_string(options.upscale_factor());
}

Tensor PixelUnshuffleImpl::forward(const Tensor& input) {
  return functional::pixel_unshuffle(input, options);
}
std::string PixelUnshuffleImpl::extra_repr() const {
  return "downscale_factor=" + std::to_string(options.downscale_factor());
}

}  // namespace tg::nn
