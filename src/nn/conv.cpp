// The convolution modules and the functional forms that take libtorch's options.
#include "tensorgrad/nn/conv.h"

#include <cmath>
#include <sstream>

#include "tensorgrad/nn/init.h"

namespace tg::nn {

namespace {

// Module text: Python's tuples and mode names ("(3, 3)", "reflect"), or libtorch's under its
// dialect ("[3, 3]", "kReflect").
bool libtorch_dialect() { return get_dialect() == Dialect::Libtorch; }

template <size_t D>
std::string tuple(const ExpandingArray<D>& a) {
  const bool lt = libtorch_dialect();
  std::ostringstream ss;
  ss << (lt ? "[" : "(");
  for (size_t i = 0; i < D; ++i) ss << (i ? ", " : "") << a[i];
  ss << (lt ? "]" : D == 1 ? ",)" : ")");
  return ss.str();
}

template <size_t D>
bool all_equal(const ExpandingArray<D>& a, int64_t v) {
  for (size_t i = 0; i < D; ++i)
    if (a[i] != v) return false;
  return true;
}

std::string mode_name(const detail::conv_padding_mode_t& m) {
  if (libtorch_dialect()) return enumtype::get_enum_name(m);
  std::string s = enumtype::get_enum_name(m).substr(1);
  s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

template <typename Padding>
std::string padding_name(const Padding& p) {
  const bool same = std::holds_alternative<enumtype::kSame>(p);
  if (libtorch_dialect()) return same ? "kSame" : "kValid";
  return same ? "same" : "valid";
}

Tensor conv_dispatch(size_t D, const Tensor& x, const Tensor& w, const Tensor& b,
                     IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                     int64_t groups) {
  switch (D) {
    case 1:
      return tg::conv1d(x, w, b, stride, padding, dilation, groups);
    case 2:
      return tg::conv2d(x, w, b, stride, padding, dilation, groups);
    default:
      return tg::conv3d(x, w, b, stride, padding, dilation, groups);
  }
}
Tensor conv_dispatch(size_t D, const Tensor& x, const Tensor& w, const Tensor& b,
                     IntArrayRef stride, const std::string& padding, IntArrayRef dilation,
                     int64_t groups) {
  switch (D) {
    case 1:
      return tg::conv1d(x, w, b, stride, padding, dilation, groups);
    case 2:
      return tg::conv2d(x, w, b, stride, padding, dilation, groups);
    default:
      return tg::conv3d(x, w, b, stride, padding, dilation, groups);
  }
}

template <size_t D>
Tensor conv_with(const Tensor& x, const Tensor& w, const Tensor& b, const ExpandingArray<D>& stride,
                 const detail::conv_padding_t<D>& padding, const ExpandingArray<D>& dilation,
                 int64_t groups) {
  if (const auto* p = std::get_if<ExpandingArray<D>>(&padding))
    return conv_dispatch(D, x, w, b, stride, *p, dilation, groups);
  const bool same = std::holds_alternative<enumtype::kSame>(padding);
  return conv_dispatch(D, x, w, b, stride, std::string(same ? "same" : "valid"), dilation, groups);
}

Tensor conv_transpose_dispatch(size_t D, const Tensor& x, const Tensor& w, const Tensor& b,
                               IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                               int64_t groups, IntArrayRef dilation) {
  switch (D) {
    case 1:
      return tg::conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation);
    case 2:
      return tg::conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation);
    default:
      return tg::conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation);
  }
}

void check_channels(int64_t in, int64_t out, int64_t groups) {
  TG_CHECK(groups > 0, "groups must be a positive integer");
  TG_CHECK(in >= 0 && out >= 0, "in_channels and out_channels must be non-negative");
  TG_CHECK(in % groups == 0, "in_channels must be divisible by groups");
  TG_CHECK(out % groups == 0, "out_channels must be divisible by groups");
}

// kaiming_uniform_(weight, a = sqrt(5)), then the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// as torch.nn's _ConvNd.reset_parameters draws them.
void init_conv(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = std::get<0>(init::_calculate_fan_in_and_fan_out(weight));
    if (fan_in != 0) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      init::uniform_(bias, -bound, bound);
    }
  }
}

}  // namespace

template <size_t D>
ConvNdImpl<D>::ConvNdImpl(const ConvOptions<D>& o) : options(o) {
  check_channels(o.in_channels(), o.out_channels(), o.groups());
  if (std::holds_alternative<enumtype::kSame>(o.padding()))
    TG_CHECK(all_equal(o.stride(), 1), "padding='same' is not supported for strided convolutions");
  DimVector shape{o.out_channels(), o.in_channels() / o.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(o.kernel_size()[i]);
  weight = register_parameter("weight", empty(shape));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  reset_parameters();
}

template <size_t D>
void ConvNdImpl<D>::reset_parameters() {
  init_conv(weight, bias);
}

template <size_t D>
Tensor ConvNdImpl<D>::forward(const Tensor& input) {
  const auto& o = options;
  if (std::holds_alternative<enumtype::kZeros>(o.padding_mode()))
    return conv_with<D>(input, weight, bias, o.stride(), o.padding(), o.dilation(), o.groups());
  // Other modes pad explicitly first ((left, right) pairs, last dim first), then convolve
  // without padding.
  std::vector<int64_t> pad(2 * D);
  for (size_t i = 0; i < D; ++i) {
    int64_t l = 0, r = 0;
    if (const auto* p = std::get_if<ExpandingArray<D>>(&o.padding())) {
      l = r = (*p)[i];
    } else if (std::holds_alternative<enumtype::kSame>(o.padding())) {
      const int64_t total = o.dilation()[i] * (o.kernel_size()[i] - 1);
      l = total / 2;
      r = total - l;
    }
    pad[2 * (D - 1 - i)] = l;
    pad[2 * (D - 1 - i) + 1] = r;
  }
  functional::PadFuncOptions::mode_t mode;
  if (std::holds_alternative<enumtype::kReflect>(o.padding_mode()))
    mode = enumtype::kReflect{};
  else if (std::holds_alternative<enumtype::kReplicate>(o.padding_mode()))
    mode = enumtype::kReplicate{};
  else
    mode = enumtype::kCircular{};
  Tensor x = functional::pad(input, functional::PadFuncOptions(pad).mode(mode));
  const int64_t zero = 0;
  return conv_dispatch(D, x, weight, bias, o.stride(), IntArrayRef(zero), o.dilation(), o.groups());
}

template <size_t D>
std::string ConvNdImpl<D>::extra_repr() const {
  const auto& o = options;
  std::ostringstream ss;
  ss << o.in_channels() << ", " << o.out_channels() << ", kernel_size=" << tuple(o.kernel_size())
     << ", stride=" << tuple(o.stride());
  if (const auto* p = std::get_if<ExpandingArray<D>>(&o.padding())) {
    if (!all_equal(*p, 0)) ss << ", padding=" << tuple(*p);
  } else {
    ss << ", padding=" << padding_name(o.padding());
  }
  if (!all_equal(o.dilation(), 1)) ss << ", dilation=" << tuple(o.dilation());
  if (o.groups() != 1) ss << ", groups=" << o.groups();
  if (!bias.defined()) ss << ", bias=False";
  if (!std::holds_alternative<enumtype::kZeros>(o.padding_mode()))
    ss << ", padding_mode=" << mode_name(o.padding_mode());
  return ss.str();
}

template <size_t D>
ConvTransposeNdImpl<D>::ConvTransposeNdImpl(const ConvTransposeOptions<D>& o) : options(o) {
  check_channels(o.in_channels(), o.out_channels(), o.groups());
  TG_CHECK(std::holds_alternative<enumtype::kZeros>(o.padding_mode()),
           "Only \"zeros\" padding mode is supported for ConvTranspose", D, "d");
  DimVector shape{o.in_channels(), o.out_channels() / o.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(o.kernel_size()[i]);
  weight = register_parameter("weight", empty(shape));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  reset_parameters();
}

template <size_t D>
void ConvTransposeNdImpl<D>::reset_parameters() {
  init_conv(weight, bias);
}

template <size_t D>
Tensor ConvTransposeNdImpl<D>::forward(const Tensor& input,
                                       const std::optional<std::vector<int64_t>>& output_size) {
  const auto& o = options;
  std::vector<int64_t> output_padding = o.output_padding().vec();
  if (output_size) {
    const int64_t non_spatial = input.dim() == static_cast<int64_t>(D) + 2 ? 2 : 1;
    std::vector<int64_t> size = *output_size;
    if (static_cast<int64_t>(size.size()) == non_spatial + static_cast<int64_t>(D))
      size.erase(size.begin(), size.begin() + non_spatial);
    TG_CHECK(size.size() == D, "ConvTranspose", D, "D: for ", input.dim(),
             "D input, output_size must have ", D, " or ", non_spatial + D, " elements (got ",
             output_size->size(), ")");
    std::vector<int64_t> lo(D), hi(D);
    for (size_t d = 0; d < D; ++d) {
      lo[d] = (input.size(static_cast<int64_t>(d) + non_spatial) - 1) * o.stride()[d] -
              2 * o.padding()[d] + o.dilation()[d] * (o.kernel_size()[d] - 1) + 1;
      hi[d] = lo[d] + o.stride()[d] - 1;
    }
    for (size_t d = 0; d < D; ++d)
      TG_CHECK(size[d] >= lo[d] && size[d] <= hi[d], "requested an output size of ",
               IntArrayRef(size), ", but valid sizes range from ", IntArrayRef(lo), " to ",
               IntArrayRef(hi), " (for an input of ",
               input.sizes().slice(static_cast<size_t>(non_spatial), D), ")");
    for (size_t d = 0; d < D; ++d) output_padding[d] = size[d] - lo[d];
  }
  return conv_transpose_dispatch(D, input, weight, bias, o.stride(), o.padding(), output_padding,
                                 o.groups(), o.dilation());
}

template <size_t D>
std::string ConvTransposeNdImpl<D>::extra_repr() const {
  const auto& o = options;
  std::ostringstream ss;
  ss << o.in_channels() << ", " << o.out_channels() << ", kernel_size=" << tuple(o.kernel_size())
     << ", stride=" << tuple(o.stride());
  if (!all_equal(o.padding(), 0)) ss << ", padding=" << tuple(o.padding());
  if (!all_equal(o.dilation(), 1)) ss << ", dilation=" << tuple(o.dilation());
  if (!all_equal(o.output_padding(), 0)) ss << ", output_padding=" << tuple(o.output_padding());
  if (o.groups() != 1) ss << ", groups=" << o.groups();
  if (!bias.defined()) ss << ", bias=False";
  return ss.str();
}

template class ConvNdImpl<1>;
template class ConvNdImpl<2>;
template class ConvNdImpl<3>;
template class ConvTransposeNdImpl<1>;
template class ConvTransposeNdImpl<2>;
template class ConvTransposeNdImpl<3>;

namespace functional {

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o) {
  return conv_with<1>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o) {
  return conv_with<2>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv3d(const Tensor& input, const Tensor& weight, const Conv3dFuncOptions& o) {
  return conv_with<3>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& o) {
  return tg::conv_transpose1d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(),
                              o.groups(), o.dilation());
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& o) {
  return tg::conv_transpose2d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(),
                              o.groups(), o.dilation());
}
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose3dFuncOptions& o) {
  return tg::conv_transpose3d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(),
                              o.groups(), o.dilation());
}

}  // namespace functional

}  // namespace tg::nn
