// Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, and the
// unique family (_unique, _unique2, unique_dim, unique_consecutive). The values each op selects
// get the gradient of their position (PyTorch's value_selecting_reduction_backward); median()
// and nanmedian() over all elements spread it over the elements equal to the result.
#include <limits>

#include "autograd/function.h"
#include "kernels/sort.h"
#include "ops/internal.h"

namespace tg {

using autograd::save;
using autograd::save_output;
using autograd::tensor_list;
using kernels::SelectOp;

namespace {

void check_defined(const Tensor& x, const char* op) {
  TG_CHECK(x.defined(), op, ": called on an undefined tensor");
}

// The gradient of values picked along dim d at `indices` (shaped like the result, with d kept
// when keepdim): zeros of the input's shape with g scattered to the picked positions.
Tensor value_selecting_backward(const Tensor& g, int64_t d, const Tensor& indices,
                                IntArrayRef in_sizes, bool keepdim) {
  if (in_sizes.empty()) return g.reshape({});
  Tensor gk = keepdim ? g : g.unsqueeze(d);
  Tensor ik = keepdim ? indices : indices.unsqueeze(d);
  return zeros(in_sizes, g.scalar_type()).scatter(d, ik, gk);
}

void record_selection(const char* name, const Tensor& x, const Tensor& values,
                      const Tensor& indices, int64_t d, bool keepdim) {
  if (!autograd::should_record({&x})) return;
  DimVector in(x.sizes());
  autograd::record(name, {&x}, {&values}, {save(indices)},
                   [in, d, keepdim](const tensor_list& g, const tensor_list& s) {
                     return tensor_list{value_selecting_backward(g[0], d, s[0], in, keepdim)};
                   });
}

DimVector with_size(IntArrayRef sizes, int64_t d, int64_t n) {
  DimVector out(sizes);
  if (!out.empty()) out[d] = n;
  return out;
}

// One value per row along d: kthvalue, median(dim), nanmedian(dim), mode.
std::tuple<Tensor, Tensor> select_along(SelectOp op, const Tensor& x, int64_t d, bool keepdim,
                                        int64_t k, const char* name, const char* node) {
  check_defined(x, name);
  d = wrap_dim(d, x.dim(), name);
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  TG_CHECK(n > 0, name, "(): Expected reduction dim ", d, " to have non-zero size (shape ",
           x.sizes(), ")");
  if (op == SelectOp::Kth)
    TG_CHECK(k >= 1 && k <= n, "kthvalue(): selected number k out of range for dimension ", d,
             " (k = ", k, ", shape ", x.sizes(), ")");
  Tensor c = x.contiguous();
  DimVector kept = with_size(x.sizes(), d, 1);
  Tensor values = make_empty(kept, x.scalar_type());
  Tensor indices = make_empty(kept, kLong);
  kernels::select(op, values, indices, c, d, k - 1);
  if (!keepdim && x.dim() > 0) {
    DimVector out(x.sizes());
    out.erase(d);
    values = values.reshape(out);
    indices = indices.reshape(out);
  }
  record_selection(node, x, values, indices, d, keepdim);
  return {values, indices};
}

// median() and nanmedian() of all elements: the value alone, its gradient shared by the
// elements equal to it (NaN counting as equal to NaN).
Tensor median_all(const Tensor& x, bool ignore_nan) {
  const char* name = ignore_nan ? "nanmedian" : "median";
  check_defined(x, name);
  Tensor out;
  if (x.numel() == 0) {
    TG_CHECK(x.scalar_type() != kBool, "\"", name, "_cpu\" not implemented for 'Bool'");
    // An empty tensor has no median: NaN, or the lowest integer for int64 (PyTorch's fill).
    out = x.is_floating_point()
              ? full({}, std::numeric_limits<double>::quiet_NaN(), x.scalar_type())
              : full({}, std::numeric_limits<int64_t>::min(), x.scalar_type());
  } else {
    TG_CHECK(x.scalar_type() != kBool, "\"", name, "_cpu\" not implemented for 'Bool'");
    Tensor flat = x.contiguous().reshape({-1});
    Tensor values = make_empty({1}, x.scalar_type());
    Tensor indices = make_empty({1}, kLong);
    kernels::select(ignore_nan ? SelectOp::NanMedian : SelectOp::Median, values, indices, flat, 0);
    out = values.reshape({});
  }
  if (autograd::should_record({&x}))
    autograd::record(ignore_nan ? "NanmedianBackward0" : "MedianBackward0", {&x}, {&out},
                     {save(x), save_output(out)}, [](const tensor_list& g, const tensor_list& s) {
                       const Tensor& in = s[0];
                       const Tensor& y = s[1];
                       Tensor mask = y.isnan().item<bool>() ? in.isnan() : (in == y);
                       Tensor m = mask.to(g[0].scalar_type());
                       return tensor_list{m * (g[0] / m.sum())};
                     });
  return out;
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& self, std::optional<bool> stable, int64_t dim,
                                bool descending) {
  check_defined(self, "sort");
  const int64_t d = wrap_dim(dim, self.dim(), "sort");
  Tensor values = make_empty(self.sizes(), self.scalar_type());
  Tensor indices = make_empty(self.sizes(), kLong);
  kernels::sort(values, indices, self.contiguous(), d, descending);
  record_selection(stable.has_value() ? "SortBackward1" : "SortBackward0", self, values, indices, d,
                   true);
  return {values, indices};
}
std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending) {
  return sort(self, std::optional<bool>(), dim, descending);
}
Tensor argsort(const Tensor& self, int64_t dim, bool descending) {
  NoGradGuard guard;
  return std::get<1>(sort(self, std::optional<bool>(), dim, descending));
}
Tensor argsort(const Tensor& self, bool stable, int64_t dim, bool descending) {
  NoGradGuard guard;
  return std::get<1>(sort(self, stable, dim, descending));
}
Tensor msort(const Tensor& self) { return std::get<0>(sort(self, 0, false)); }

std::tuple<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest,
                                bool sorted) {
  check_defined(self, "topk");
  const int64_t d = wrap_dim(dim, self.dim(), "topk");
  const int64_t n = self.dim() == 0 ? 1 : self.size(d);
  TG_CHECK(k >= 0 && k <= n, "selected index k out of range (k = ", k, ", dim ", d, " of shape ",
           self.sizes(), ")");
  TG_CHECK(self.scalar_type() != kBool, "\"topk_cpu\" not implemented for 'Bool'");
  DimVector shape = with_size(self.sizes(), d, k);
  Tensor values = make_empty(shape, self.scalar_type());
  Tensor indices = make_empty(shape, kLong);
  kernels::topk(values, indices, self.contiguous(), d, k, largest, sorted);
  record_selection("TopkBackward0", self, values, indices, d, true);
  return {values, indices};
}

std::tuple<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim, bool keepdim) {
  check_defined(self, "kthvalue");
  TG_CHECK(self.scalar_type() != kBool, "\"kthvalue_cpu\" not implemented for 'Bool'");
  return select_along(SelectOp::Kth, self, dim, keepdim, k, "kthvalue", "KthvalueBackward0");
}

Tensor median(const Tensor& self) { return median_all(self, false); }
Tensor nanmedian(const Tensor& self) { return median_all(self, true); }
std::tuple<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim) {
  check_defined(self, "median");
  TG_CHECK(self.scalar_type() != kBool, "\"median_out\" not implemented for 'Bool'");
  return select_along(SelectOp::Median, self, dim, keepdim, 0, "median", "MedianBackward1");
}
std::tuple<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim, bool keepdim) {
  check_defined(self, "nanmedian");
  TG_CHECK(self.scalar_type() != kBool, "\"nanmedian_out\" not implemented for 'Bool'");
  return select_along(SelectOp::NanMedian, self, dim, keepdim, 0, "nanmedian",
                      "NanmedianBackward1");
}
std::tuple<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim) {
  return select_along(SelectOp::Mode, self, dim, keepdim, 0, "mode", "ModeBackward0");
}

std::tuple<Tensor, Tensor, Tensor> _unique2(const Tensor& self, bool sorted, bool return_inverse,
                                            bool return_counts) {
  check_defined(self, "_unique2");
  // The distinct values come out sorted either way: PyTorch leaves the order of sorted=false
  // unspecified (its CPU kernel returns a hash set's order).
  (void)sorted;
  kernels::UniqueResult r = kernels::unique(self.contiguous(), false);
  Tensor inverse = return_inverse ? r.inverse : make_empty({0}, kLong);
  Tensor counts = return_counts ? r.counts : make_empty({0}, kLong);
  return {r.values, inverse, counts};
}
std::tuple<Tensor, Tensor> _unique(const Tensor& self, bool sorted, bool return_inverse) {
  auto [values, inverse, counts] = _unique2(self, sorted, return_inverse, false);
  (void)counts;
  return {values, inverse};
}

namespace {

// unique_dim and unique_consecutive over dim d: the slices along d compared as rows.
std::tuple<Tensor, Tensor, Tensor> unique_slices(const Tensor& self, int64_t d, bool consecutive,
                                                 bool return_inverse, bool return_counts,
                                                 const char* name) {
  d = wrap_dim(d, self.dim(), name);
  TG_CHECK(self.dim() > 0, name, ": the dim of a 0-dim tensor cannot be unique'd");
  const int64_t n = self.size(d);
  DimVector perm{d};
  for (int64_t i = 0; i < self.dim(); ++i)
    if (i != d) perm.push_back(i);
  Tensor rows = self.permute(perm);
  Tensor flat = rows.contiguous().reshape({n, n == 0 ? 0 : -1});
  std::vector<int64_t> order(static_cast<size_t>(n));
  if (consecutive) {
    for (int64_t j = 0; j < n; ++j) order[j] = j;
  } else if (flat.size(1) > 0) {
    order = kernels::lexsort_rows(flat);
  } else {
    for (int64_t j = 0; j < n; ++j) order[j] = j;
  }
  std::vector<bool> starts = flat.size(1) > 0 ? kernels::row_starts_group(flat, order)
                                              : std::vector<bool>(order.size(), false);
  if (!starts.empty()) starts[0] = true;
  std::vector<int64_t> keep, counts, inverse(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    if (starts[j]) {
      keep.push_back(order[j]);
      counts.push_back(0);
    }
    ++counts.back();
    inverse[order[j]] = static_cast<int64_t>(keep.size()) - 1;
  }
  Tensor picked = self.index_select(d, tensor(keep, kLong).reshape({-1}));
  Tensor inv = return_inverse ? tensor(inverse, kLong).reshape({n}) : make_empty({0}, kLong);
  Tensor cnt = return_counts ? tensor(counts, kLong).reshape({-1}) : make_empty({0}, kLong);
  return {picked.detach(), inv, cnt};
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique_dim(const Tensor& self, int64_t dim, bool sorted,
                                              bool return_inverse, bool return_counts) {
  check_defined(self, "unique_dim");
  (void)sorted;
  NoGradGuard guard;
  return unique_slices(self, dim, false, return_inverse, return_counts, "unique_dim");
}

std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& self, bool return_inverse,
                                                      bool return_counts,
                                                      std::optional<int64_t> dim) {
  check_defined(self, "unique_consecutive");
  NoGradGuard guard;
  if (dim)
    return unique_slices(self, *dim, true, return_inverse, return_counts, "unique_consecutive");
  kernels::UniqueResult r = kernels::unique(self.contiguous(), true);
  Tensor inverse = return_inverse ? r.inverse : make_empty({0}, kLong);
  Tensor counts = return_counts ? r.counts : make_empty({0}, kLong);
  return {r.values, inverse, counts};
}

std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return tg::sort(*this, dim, descending);
}
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> stable, int64_t dim,
                                        bool descending) const {
  return tg::sort(*this, stable, dim, descending);
}
Tensor Tensor::argsort(int64_t dim, bool descending) const {
  return tg::argsort(*this, dim, descending);
}
Tensor Tensor::argsort(bool stable, int64_t dim, bool descending) const {
  return tg::argsort(*this, stable, dim, descending);
}
Tensor Tensor::msort() const { return tg::msort(*this); }
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return tg::topk(*this, k, dim, largest, sorted);
}
std::tuple<Tensor, Tensor> Tensor::kthvalue(int64_t k, int64_t dim, bool keepdim) const {
  return tg::kthvalue(*this, k, dim, keepdim);
}
Tensor Tensor::median() const { return tg::median(*this); }
std::tuple<Tensor, Tensor> Tensor::median(int64_t dim, bool keepdim) const {
  return tg::median(*this, dim, keepdim);
}
Tensor Tensor::nanmedian() const { return tg::nanmedian(*this); }
std::tuple<Tensor, Tensor> Tensor::nanmedian(int64_t dim, bool keepdim) const {
  return tg::nanmedian(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::mode(int64_t dim, bool keepdim) const {
  return tg::mode(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor, Tensor> Tensor::unique_consecutive(bool return_inverse,
                                                              bool return_counts,
                                                              std::optional<int64_t> dim) const {
  return tg::unique_consecutive(*this, return_inverse, return_counts, dim);
}

}  // namespace tg
