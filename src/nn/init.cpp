#include "tensorgrad/nn/init.h"

#include <cmath>

#include "tensorgrad/autograd.h"

namespace tg::nn::init {

double calculate_gain(Nonlinearity nl, double param) {
  switch (nl) {
    case kLinear:
    case kConv1D:
    case kConv2D:
    case kConv3D:
    case kSigmoid: return 1.0;
    case kTanh: return 5.0 / 3;
    case kReLU: return std::sqrt(2.0);
    case kLeakyReLU: return std::sqrt(2.0 / (1 + param * param));
  }
  return 1.0;
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& t) {
  TG_CHECK(t.dim() >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ",
           t.sizes(), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

namespace {
int64_t fan_of(const Tensor& t, FanMode mode) {
  auto [in, out] = _calculate_fan_in_and_fan_out(t);
  return mode == kFanIn ? in : out;
}
}  // namespace

Tensor uniform_(Tensor t, double low, double high) {
  NoGradGuard g;
  return t.uniform_(low, high);
}
Tensor normal_(Tensor t, double mean, double std) {
  NoGradGuard g;
  return t.normal_(mean, std);
}
Tensor constant_(Tensor t, Scalar v) {
  NoGradGuard g;
  return t.fill_(v);
}
Tensor zeros_(Tensor t) { return constant_(t, 0); }
Tensor ones_(Tensor t) { return constant_(t, 1); }
Tensor eye_(Tensor m) {
  TG_CHECK(m.dim() == 2, "eye_: only tensors with 2 dimensions are supported (shape ", m.sizes(), ")");
  NoGradGuard g;
  return m.copy_(eye(m.size(0), m.size(1), m.scalar_type()));
}

Tensor xavier_uniform_(Tensor t, double gain) {
  auto [in, out] = _calculate_fan_in_and_fan_out(t);
  double std = gain * std::sqrt(2.0 / static_cast<double>(in + out));
  double a = std::sqrt(3.0) * std;
  return uniform_(t, -a, a);
}
Tensor xavier_normal_(Tensor t, double gain) {
  auto [in, out] = _calculate_fan_in_and_fan_out(t);
  double std = gain * std::sqrt(2.0 / static_cast<double>(in + out));
  return normal_(t, 0, std);
}
Tensor kaiming_uniform_(Tensor t, double a, FanMode mode, Nonlinearity nl) {
  if (t.numel() == 0) return t;
  double gain = calculate_gain(nl, a);
  double std = gain / std::sqrt(static_cast<double>(fan_of(t, mode)));
  double bound = std::sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}
Tensor kaiming_normal_(Tensor t, double a, FanMode mode, Nonlinearity nl) {
  if (t.numel() == 0) return t;
  double gain = calculate_gain(nl, a);
  double std = gain / std::sqrt(static_cast<double>(fan_of(t, mode)));
  return normal_(t, 0, std);
}

}  // namespace tg::nn::init
