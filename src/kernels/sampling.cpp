#include "kernels/sampling.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "kernels/dispatch.h"

namespace tg::kernels {

void top_indices(const Tensor& out, const Tensor& keys, int64_t k) {
  const int64_t rows = keys.size(0), n = keys.size(1);
  int64_t* o = impl_of(out)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(keys)->dtype, "multinomial", [&] {
    const scalar_t* in = impl_of(keys)->data_as<scalar_t>();
    using elem_t = std::pair<scalar_t, int64_t>;
    // PyTorch's topk: the same comparator and the same standard algorithms on (value, index)
    // pairs, so that ties between equal keys (zero probabilities) resolve as they do there.
    auto larger = [](const elem_t& x, const elem_t& y) {
      return (std::isnan(x.first) && !std::isnan(y.first)) || x.first > y.first;
    };
    std::vector<elem_t> queue(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < n; ++j) queue[j] = {in[r * n + j], j};
      if (k * 64 <= n) {
        std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), larger);
      } else {
        std::nth_element(queue.begin(), queue.begin() + k - 1, queue.end(), larger);
        std::sort(queue.begin(), queue.begin() + k - 1, larger);
      }
      for (int64_t j = 0; j < k; ++j) o[r * k + j] = queue[j].second;
    }
  });
}

void sample_categories(const Tensor& out, const Tensor& probs, int64_t samples,
                       const std::function<double()>& uniform) {
  const int64_t rows = probs.size(0), n = probs.size(1);
  int64_t* o = impl_of(out)->data_as<int64_t>();
  TG_DISPATCH_FLOATING(impl_of(probs)->dtype, "multinomial", [&] {
    const scalar_t* in = impl_of(probs)->data_as<scalar_t>();
    std::vector<scalar_t> cum(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      // Cumulative sums in the input's type, normalised so that the last is 1.
      scalar_t sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        const scalar_t v = in[r * n + j];
        TG_CHECK(v >= 0, "invalid multinomial distribution (encountering probability entry < 0)");
        TG_CHECK(std::isfinite(v),
                 "invalid multinomial distribution (encountering probability entry = infinity "
                 "or NaN)");
        sum += v;
        cum[j] = sum;
      }
      TG_CHECK(sum > 0, "invalid multinomial distribution (sum of probabilities <= 0)");
      for (int64_t j = 0; j < n; ++j) cum[j] /= sum;
      for (int64_t s = 0; s < samples; ++s) {
        const double u = uniform();
        // The first category whose cumulative probability is not below u.
        int64_t left = 0, right = n;
        while (right - left > 0) {
          const int64_t mid = left + (right - left) / 2;
          if (cum[mid] < u)
            left = mid + 1;
          else
            right = mid;
        }
        o[r * samples + s] = left;
      }
    }
  });
}

}  // namespace tg::kernels
