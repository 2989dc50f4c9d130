#include "kernels/copy.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/dispatch.h"
#include "kernels/loops.h"

namespace tg::kernels {

namespace {
// One element of a dtype conversion. Floating to int64 goes through double_to_int64, so NaN,
// infinities and out-of-range values give INT64_MIN (as on x86 PyTorch) instead of undefined
// behaviour; every other pair is an ordinary, defined conversion.
template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, int64_t> && std::is_floating_point_v<From>)
    return detail::double_to_int64(static_cast<double>(v));
  else
    return static_cast<To>(v);
}
}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  auto* d = impl_of(dst);
  auto* s = impl_of(src);
  if (d->dtype == s->dtype && d->contiguous && s->contiguous && d->sizes.ref() == s->sizes.ref()) {
    if (d->data() == s->data()) return;
    const int64_t es = static_cast<int64_t>(element_size(d->dtype));
    char* to = d->data();
    const char* from = s->data();
    // Overlapping buffers need one memmove; distinct ones can be copied in parallel pieces.
    const bool overlap = to < from + d->numel * es && from < to + d->numel * es;
    if (overlap) {
      std::memmove(to, from, d->numel * es);
      return;
    }
    parallel_for(0, d->numel, kGrainSize, [&](int64_t b, int64_t e) {
      std::memcpy(to + b * es, from + b * es, (e - b) * es);
    });
    return;
  }
  TG_DISPATCH_ALL(d->dtype, "copy_", [&] {
    using out_t = scalar_t;
    TG_DISPATCH_ALL(s->dtype, "copy_", [&] {
      unary_loop<out_t, scalar_t>(dst, src, [](scalar_t v) { return convert<out_t>(v); });
    });
  });
}

void fill(const Tensor& dst, const Scalar& v) {
  TG_DISPATCH_ALL(impl_of(dst)->dtype, "fill_", [&] {
    // Checked like PyTorch's fill_ (Scalar::to): an integer tensor refuses a NaN, infinite or
    // out-of-range value, and a float32 one a finite value beyond float's range.
    if constexpr (std::is_same_v<scalar_t, float>) {
      const double d = v.toDouble();
      if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max())
        detail::throw_conversion_overflow("float");
    }
    const scalar_t value = v.to<scalar_t>();
    auto* impl = impl_of(dst);
    if (impl->contiguous) {
      auto* p = impl->data_as<scalar_t>();
      parallel_for(0, impl->numel, kGrainSize, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = value;
      });
    } else {
      unary_loop<scalar_t, scalar_t>(dst, dst, [value](scalar_t) { return value; });
    }
  });
}

void fill_wrapped_number(const Tensor& t, const Scalar& v) {
  TG_DISPATCH_ALL(impl_of(t)->dtype, "wrapped number", [&] {
    scalar_t value;
    if constexpr (std::is_same_v<scalar_t, float>) {
      // A double beyond float's range rounds as the CPU's conversion rounds it: to the largest
      // float below half an ulp past it, else to infinity (the conversion itself would be
      // undefined behaviour in C++). NaN converts as it is.
      const double d = v.toDouble();
      constexpr double kMax = std::numeric_limits<float>::max();
      constexpr double kHalfUlpPastMax = 0x1.ffffffp+127;
      if (!(std::fabs(d) > kMax))
        value = static_cast<float>(d);
      else
        value =
            std::copysign(std::fabs(d) < kHalfUlpPastMax ? std::numeric_limits<float>::max()
                                                         : std::numeric_limits<float>::infinity(),
                          static_cast<float>(std::signbit(d) ? -1 : 1));
    } else {
      value = v.to<scalar_t>();
    }
    *impl_of(t)->data_as<scalar_t>() = value;
  });
}

}  // namespace tg::kernels
