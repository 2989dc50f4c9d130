// tg::Tensor: a cheap handle to a strided n-dimensional array with PyTorch's autograd metadata.
// Copies of a Tensor share the same data (as in libtorch); views share storage with their base.
// Every op here is also a free function in namespace tg.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/error.h"
#include "tensorgrad/ops/pointwise_ops.h"
#include "tensorgrad/scalar_type.h"

namespace tg {

class Tensor;
class Generator;
namespace autograd {
struct Node;
}
struct Storage;
struct AutogradMeta;
namespace indexing {
class TensorIndex;
}

// The state behind a Tensor handle. It is defined here only so that the accessors every op calls
// several times (sizes, dim, scalar_type, ...) inline into the caller; it is not part of the API.
// Its non-inline members live in the library (src/core/tensor_impl.h).
struct TensorImpl {
  // User-provided (in the library), so that value-initialisation (make_shared) does not zero the
  // whole object before the member initialisers run.
  TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;
  ~TensorImpl();

  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  DimVector sizes;
  DimVector strides;
  int64_t numel = 1;
  ScalarType dtype = kFloat;
  bool contiguous = true;
  bool is_view = false;
  // A number passed as an operand and held in a zero-dim tensor (see wrap_scalar): a backward
  // that keeps it keeps a constant, which freeing the graph leaves in place.
  bool wrapped_number = false;
  std::unique_ptr<AutogradMeta> autograd;
  // Set on the result of a view op run in grad mode: the tensor it views (for a view of a view,
  // the first tensor of the chain), and the storage version at which the view's history was last
  // set. An in-place op through the view gives the base the history of the write (CopySlices);
  // one through the base or another of its views changes the version, and the view's history is
  // then made again from the base's before it is next used (autograd/function.cpp).
  std::shared_ptr<TensorImpl> view_base;
  uint32_t view_version = 0;

  char* data() const;
  template <typename T>
  T* data_as() const {
    return reinterpret_cast<T*>(data());
  }
  // Recomputes numel and contiguity after sizes/strides change.
  void refresh();
  AutogradMeta& meta();
  bool requires_grad() const;
  void bump_version();
};

namespace detail {
// The error of an accessor called on an undefined tensor; out of line to keep callers small.
[[noreturn]] void throw_undefined_tensor(const char* what);
// The error of size(d)/stride(d) with d outside [-ndim, ndim).
[[noreturn]] void throw_dim_out_of_range(const char* what, int64_t d, int64_t ndim);
}  // namespace detail

using TensorList = ArrayRef<Tensor>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  // Assigning to a named tensor rebinds the handle; assigning to a temporary such as `x[0]`
  // writes into the viewed elements, as in libtorch.
  Tensor& operator=(const Tensor& o) & = default;
  Tensor& operator=(Tensor&& o) & noexcept = default;
  Tensor& operator=(const Tensor& src) &&;
  Tensor& operator=(const Scalar& v) &&;

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  long use_count() const { return impl_.use_count(); }

  // ---- inspecting
  int64_t dim() const { return static_cast<int64_t>(checked_impl("dim")->sizes.size()); }
  int64_t ndimension() const { return dim(); }
  int64_t size(int64_t d) const { return checked_impl("size")->sizes[checked_dim("size", d)]; }
  int64_t stride(int64_t d) const {
    return checked_impl("stride")->strides[checked_dim("stride", d)];
  }
  IntArrayRef sizes() const { return checked_impl("sizes")->sizes; }
  IntArrayRef strides() const { return checked_impl("strides")->strides; }
  int64_t numel() const { return checked_impl("numel")->numel; }
  int64_t storage_offset() const { return checked_impl("storage_offset")->offset; }
  ScalarType scalar_type() const { return checked_impl("scalar_type")->dtype; }
  ScalarType dtype() const { return scalar_type(); }
  TensorOptions options() const;
  Device device() const { return Device(kCPU); }
  bool is_cuda() const { return false; }
  bool is_floating_point() const { return tg::is_floating_point(scalar_type()); }
  bool is_contiguous() const { return checked_impl("is_contiguous")->contiguous; }
  size_t element_size() const { return tg::element_size(scalar_type()); }
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  template <typename T>
  T* data_ptr() const;
  void* data_ptr() const;
  Tensor operator[](int64_t i) const { return select(0, i); }
  Tensor operator[](const Tensor& index) const;
  std::string toString() const;

  // ---- views and shape
  Tensor reshape(IntArrayRef shape) const;
  Tensor view(IntArrayRef shape) const;
  Tensor view_as(const Tensor& o) const { return view(o.sizes()); }
  Tensor reshape_as(const Tensor& o) const { return reshape(o.sizes()); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t d) const;
  Tensor unsqueeze(int64_t d) const;
  Tensor t() const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor expand(IntArrayRef sizes) const;
  Tensor expand_as(const Tensor& o) const { return expand(o.sizes()); }
  Tensor contiguous() const;
  Tensor select(int64_t d, int64_t i) const;
  Tensor slice(int64_t d = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t d, int64_t start, int64_t length) const;
  Tensor index_select(int64_t d, const Tensor& index) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t d = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t d = 0) const;
  Tensor sum_to_size(IntArrayRef sizes) const;

  // ---- arithmetic
  Tensor add(const Tensor& o, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& o, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& o, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& o, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& o) const;
  Tensor mul(const Scalar& o) const;
  Tensor div(const Tensor& o) const;
  Tensor div(const Scalar& o) const;
  Tensor& add_(const Tensor& o, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& o, const Scalar& alpha = 1);
  Tensor& sub_(const Tensor& o, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& o, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& o);
  Tensor& mul_(const Scalar& o);
  Tensor& div_(const Tensor& o);
  Tensor& div_(const Scalar& o);
  Tensor& addcmul_(const Tensor& a, const Tensor& b, const Scalar& value = 1);
  Tensor& addcdiv_(const Tensor& a, const Tensor& b, const Scalar& value = 1);
  Tensor& lerp_(const Tensor& end, const Scalar& weight);
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  Tensor pow(const Tensor& e) const;
  Tensor pow(const Scalar& e) const;
  // The elementwise ops of the lists in tensorgrad/ops/pointwise_ops.h: x.exp(), x.exp_(), ...
#define TG_UNARY_METHOD(name, ...) \
  Tensor name() const;             \
  Tensor& name##_();
  TG_UNARY_OPS(TG_UNARY_METHOD)
#undef TG_UNARY_METHOD
#define TG_BINARY_METHOD(name, ...) Tensor name(const Tensor& other) const;
  TG_BINARY_OPS(TG_BINARY_METHOD)
#undef TG_BINARY_METHOD
#define TG_PARAM_METHOD(name, grad_fn, domain, saved, params, ...) \
  Tensor name(TG_PARAMS_EACH(TG_PARAM_DECL, params)) const;        \
  Tensor& name##_(TG_PARAMS_EACH(TG_PARAM_DECL, params));
  TG_UNARY_PARAM_OPS(TG_PARAM_METHOD)
#undef TG_PARAM_METHOD
  Tensor polygamma(int64_t n) const;
  Tensor clamp(const Tensor& min, const Tensor& max = {}) const;
  Tensor clamp_min(const Tensor& min) const;
  Tensor clamp_max(const Tensor& max) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor& clamp_(const Tensor& min, const Tensor& max = {});
  Tensor& clamp_min_(const Scalar& min);
  Tensor& clamp_max_(const Scalar& max);
  Tensor& clamp_min_(const Tensor& min);
  Tensor& clamp_max_(const Tensor& max);
  Tensor& lerp_(const Tensor& end, const Tensor& weight);
  Tensor fmod(const Scalar& other) const;
  Tensor remainder(const Scalar& other) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor square() const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;
  Tensor maximum(const Tensor& o) const;
  Tensor minimum(const Tensor& o) const;
  Tensor softmax(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;

  // ---- reductions
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false,
             std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dims, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t d, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(int64_t d, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t d, bool keepdim = false) const;
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> d = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> d = std::nullopt, bool keepdim = false) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(const Scalar& p, IntArrayRef dims, bool keepdim = false) const;
  Tensor var(bool unbiased = true) const;
  Tensor var(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  Tensor std(bool unbiased = true) const;
  Tensor std(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  // int -> bool beats int -> IntArrayRef in overload resolution, so without these `x.std(0)` and
  // `x.var({1})` would silently mean unbiased = false; libtorch has the same two overloads.
  Tensor var(int dim) const { return var(IntArrayRef(static_cast<int64_t>(dim))); }
  Tensor std(int dim) const { return std(IntArrayRef(static_cast<int64_t>(dim))); }

  // ---- scans and shape ops (src/ops/shape.cpp)
  Tensor cumsum(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumprod(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor& cumsum_(int64_t d, std::optional<ScalarType> dtype = std::nullopt);
  Tensor& cumprod_(int64_t d, std::optional<ScalarType> dtype = std::nullopt);
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor tril(int64_t k = 0) const;
  Tensor triu(int64_t k = 0) const;
  Tensor outer(const Tensor& o) const;
  Tensor diag(int64_t diagonal = 0) const;
  std::vector<Tensor> unbind(int64_t d = 0) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor tile(IntArrayRef dims) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> d = std::nullopt) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value);
  Tensor masked_select(const Tensor& mask) const;
  Tensor gather(int64_t d, const Tensor& index) const;
  Tensor scatter(int64_t d, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t d, const Tensor& index, const Scalar& value) const;
  Tensor& scatter_(int64_t d, const Tensor& index, const Tensor& src);
  Tensor& scatter_(int64_t d, const Tensor& index, const Scalar& value);
  Tensor scatter_add(int64_t d, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t d, const Tensor& index, const Tensor& src);
  Tensor index_add(int64_t d, const Tensor& index, const Tensor& source,
                   const Scalar& alpha = 1) const;
  Tensor& index_add_(int64_t d, const Tensor& index, const Tensor& source, const Scalar& alpha = 1);

  // ---- libtorch's indexing (tensorgrad/indexing.h; src/ops/indexing.cpp, src/ops/scatter.cpp)
  // x.index({Slice(), 0, None, idx}) is Python's x[:, 0, None, idx]: a view when every entry is an
  // integer, slice, None or Ellipsis, a copy (IndexBackward0) when any is a tensor or a bool.
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  // The op beneath: one optional tensor per leading dim (std::nullopt: the whole dim).
  Tensor index(const std::vector<std::optional<Tensor>>& indices) const;
  // Python's x[...] = rhs: writes through views, and into a copy of the indexed elements with
  // index_put_ when a tensor or bool is among the indices.
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& rhs);
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& v);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& rhs);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& v);
  Tensor& index_put_(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                     bool accumulate = false);
  Tensor index_put(const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate = false) const;
  // The coordinates of the nonzero elements: [n, dim()] (nonzero, argwhere) or one [n] tensor per
  // dim (nonzero_numpy, tg::where(cond)).
  Tensor nonzero() const;
  std::vector<Tensor> nonzero_numpy() const;
  Tensor argwhere() const;
  Tensor count_nonzero(IntArrayRef dims) const;
  Tensor count_nonzero(std::optional<int64_t> d = std::nullopt) const;
  // Element (or slice along d) k repeated repeats[k] times; repeats is 0-dim or one per element.
  Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> d = std::nullopt,
                           std::optional<int64_t> output_size = std::nullopt) const;
  // scatter with reduce "add" or "multiply" (no gradient, as in PyTorch).
  Tensor scatter(int64_t d, const Tensor& index, const Tensor& src, std::string_view reduce) const;
  Tensor scatter(int64_t d, const Tensor& index, const Scalar& value,
                 std::string_view reduce) const;
  Tensor& scatter_(int64_t d, const Tensor& index, const Tensor& src, std::string_view reduce);
  Tensor& scatter_(int64_t d, const Tensor& index, const Scalar& value, std::string_view reduce);
  // reduce: "sum", "prod", "mean", "amax" or "amin"; include_self: whether self's own values
  // take part in the reduction where index points.
  Tensor scatter_reduce(int64_t d, const Tensor& index, const Tensor& src, std::string_view reduce,
                        bool include_self = true) const;
  Tensor& scatter_reduce_(int64_t d, const Tensor& index, const Tensor& src,
                          std::string_view reduce, bool include_self = true);
  Tensor index_fill(int64_t d, const Tensor& index, const Scalar& value) const;
  Tensor index_fill(int64_t d, const Tensor& index, const Tensor& value) const;
  Tensor& index_fill_(int64_t d, const Tensor& index, const Scalar& value);
  Tensor& index_fill_(int64_t d, const Tensor& index, const Tensor& value);
  Tensor index_copy(int64_t d, const Tensor& index, const Tensor& source) const;
  Tensor& index_copy_(int64_t d, const Tensor& index, const Tensor& source);
  // The elements of source, in order, written where mask (broadcast to this shape) is true.
  Tensor masked_scatter(const Tensor& mask, const Tensor& source) const;
  Tensor& masked_scatter_(const Tensor& mask, const Tensor& source);
  // Elements at flat (row-major) positions, negative ones counted from the end.
  Tensor take(const Tensor& index) const;
  Tensor put(const Tensor& index, const Tensor& source, bool accumulate = false) const;
  Tensor& put_(const Tensor& index, const Tensor& source, bool accumulate = false);
  // ---- end of libtorch's indexing

  // ---- linear algebra
  Tensor matmul(const Tensor& o) const;
  Tensor mm(const Tensor& o) const;
  Tensor bmm(const Tensor& o) const;
  Tensor dot(const Tensor& o) const;
  Tensor addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta = 1,
               const Scalar& alpha = 1) const;

  // ---- sorting and selection (src/ops/sorting.cpp); NaN orders above every number
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, int64_t dim = -1,
                                  bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(bool stable, int64_t dim = -1, bool descending = false) const;
  Tensor msort() const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true,
                                  bool sorted = true) const;
  std::tuple<Tensor, Tensor> kthvalue(int64_t k, int64_t dim = -1, bool keepdim = false) const;
  Tensor median() const;
  std::tuple<Tensor, Tensor> median(int64_t dim, bool keepdim = false) const;
  Tensor nanmedian() const;
  std::tuple<Tensor, Tensor> nanmedian(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> mode(int64_t dim = -1, bool keepdim = false) const;
  std::tuple<Tensor, Tensor, Tensor> unique_consecutive(
      bool return_inverse = false, bool return_counts = false,
      std::optional<int64_t> dim = std::nullopt) const;
  // ---- diagonals and products (src/ops/linalg_products.cpp)
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  Tensor diag_embed(int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1) const;
  Tensor trace() const;
  Tensor addmv(const Tensor& mat, const Tensor& vec, const Scalar& beta = 1,
               const Scalar& alpha = 1) const;
  Tensor addr(const Tensor& vec1, const Tensor& vec2, const Scalar& beta = 1,
              const Scalar& alpha = 1) const;
  Tensor baddbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
                 const Scalar& alpha = 1) const;
  Tensor addbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
                const Scalar& alpha = 1) const;
  Tensor kron(const Tensor& other) const;
  Tensor dist(const Tensor& other, const Scalar& p = 2) const;
  Tensor cross(const Tensor& other, std::optional<int64_t> dim = std::nullopt) const;

  // ---- comparison (bool results, never differentiable)
  Tensor eq(const Tensor& o) const;
  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;
  Tensor ne(const Scalar& o) const;
  Tensor lt(const Tensor& o) const;
  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;
  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;
  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;
  Tensor ge(const Scalar& o) const;
  Tensor isnan() const;
  Tensor isfinite() const;
  Tensor logical_not() const;
  bool allclose(const Tensor& o, double rtol = 1e-5, double atol = 1e-8,
                bool equal_nan = false) const;
  bool equal(const Tensor& o) const;
  Tensor any() const;
  Tensor all() const;

  // ---- in-place fills and copies
  Tensor& zero_();
  // The data is shared, so clearing it through a const handle is fine: `x.grad().zero_()`.
  const Tensor& zero_() const {
    Tensor(impl_).zero_();
    return *this;
  }
  Tensor& fill_(const Scalar& v);
  Tensor& copy_(const Tensor& src, bool non_blocking = false);
  Tensor& uniform_(double from = 0, double to = 1, Generator* gen = nullptr);
  Tensor& normal_(double mean = 0, double std = 1, Generator* gen = nullptr);
  // PyTorch's draws for a seed: one per element in memory order (see random_ops.cpp).
  Tensor& bernoulli_(double p = 0.5, Generator* gen = nullptr);
  Tensor& bernoulli_(const Tensor& p, Generator* gen = nullptr);
  Tensor bernoulli(Generator* gen = nullptr) const;  // this tensor holds the probabilities
  Tensor bernoulli(double p, Generator* gen = nullptr) const;
  Tensor& exponential_(double lambd = 1, Generator* gen = nullptr);
  Tensor& random_(Generator* gen = nullptr);
  Tensor& random_(int64_t to, Generator* gen = nullptr);
  Tensor& random_(int64_t from, std::optional<int64_t> to, Generator* gen = nullptr);
  Tensor multinomial(int64_t num_samples, bool replacement = false, Generator* gen = nullptr) const;
  Tensor clone() const;
  Tensor to(ScalarType t, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device d, ScalarType t, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& o, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const { return *this; }
  Tensor cuda() const { return to(TensorOptions(kCUDA)); }
  Tensor toType(ScalarType t) const { return to(t); }
  Tensor type_as(const Tensor& o) const { return to(o.scalar_type()); }

  // ---- autograd
  bool requires_grad() const;
  Tensor& requires_grad_(bool r = true);
  Tensor& set_requires_grad(bool r);
  bool is_leaf() const;
  // Made under InferenceMode (see tensorgrad/autograd.h).
  bool is_inference() const;
  // The accumulated gradient; undefined until a backward pass reaches this leaf. The returned
  // handle aliases the stored one, so `x.grad().zero_()` clears it in place.
  Tensor& mutable_grad() const;
  const Tensor& grad() const;
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  uint32_t output_nr() const;
  int64_t _version() const;
  void retain_grad() const;
  bool retains_grad() const;
  Tensor detach() const;
  Tensor& detach_();
  Tensor data() const { return detach(); }
  // Registers fn to run on this tensor's gradient during backward; fn may return a replacement
  // gradient (Tensor) or nothing (void). Returns a handle for remove_hook: the hook's position
  // among this tensor's hooks (0, 1, ...), as in libtorch.
  template <typename F>
  unsigned register_hook(F&& fn) const;
  void remove_hook(unsigned handle) const;
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false,
                std::optional<std::vector<Tensor>> inputs = std::nullopt) const;

 private:
  TensorImpl* checked_impl(const char* what) const {
    if (__builtin_expect(impl_ == nullptr, 0)) detail::throw_undefined_tensor(what);
    return impl_.get();
  }
  // d wrapped into [0, dim()); a 0-dim tensor has no dim to ask for, as in PyTorch.
  int64_t checked_dim(const char* what, int64_t d) const {
    const int64_t n = static_cast<int64_t>(checked_impl(what)->sizes.size());
    const int64_t w = d < 0 ? d + n : d;
    if (__builtin_expect(w < 0 || w >= n, 0)) detail::throw_dim_out_of_range(what, d, n);
    return w;
  }
  unsigned register_hook_impl(std::function<Tensor(const Tensor&)> fn) const;
  std::shared_ptr<TensorImpl> impl_;
};

template <typename F>
unsigned Tensor::register_hook(F&& fn) const {
  using R = std::invoke_result_t<F, Tensor>;
  if constexpr (std::is_void_v<R>) {
    return register_hook_impl([f = std::forward<F>(fn)](const Tensor& g) {
      f(g);
      return Tensor();
    });
  } else {
    return register_hook_impl(std::function<Tensor(const Tensor&)>(std::forward<F>(fn)));
  }
}

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- nested braced lists, for tg::tensor({{1., 2.}, {3., 4.}})
class TensorDataContainer {
 public:
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorDataContainer(T v) : scalar_(v), is_scalar_(true) {}          // NOLINT
  TensorDataContainer(std::initializer_list<TensorDataContainer> l);  // NOLINT
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorDataContainer(const std::vector<T>& v) {  // NOLINT
    sizes_.push_back(static_cast<int64_t>(v.size()));
    for (const T& x : v) values_.emplace_back(x);
    type_ = v.empty() ? Scalar(T()).type() : values_[0].type();
  }
  Tensor to_tensor(const TensorOptions& options) const;
  IntArrayRef sizes() const { return sizes_; }

 private:
  Scalar scalar_;
  bool is_scalar_ = false;
  DimVector sizes_;
  std::vector<Scalar> values_;
  ScalarType type_ = kFloat;
};

// ---- factories
Tensor tensor(const TensorDataContainer& data, const TensorOptions& options = {});
Tensor scalar_tensor(const Scalar& v, const TensorOptions& options = {});
Tensor empty(IntArrayRef sizes, const TensorOptions& options = {});
Tensor zeros(IntArrayRef sizes, const TensorOptions& options = {});
Tensor ones(IntArrayRef sizes, const TensorOptions& options = {});
Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              const TensorOptions& options = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps,
                const TensorOptions& options = {});
Tensor rand(IntArrayRef sizes, const TensorOptions& options = {});
Tensor rand(IntArrayRef sizes, Generator* gen, const TensorOptions& options = {});
Tensor randn(IntArrayRef sizes, const TensorOptions& options = {});
Tensor randn(IntArrayRef sizes, Generator* gen, const TensorOptions& options = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& options = kLong);
Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& options = kLong);
Tensor randperm(int64_t n, const TensorOptions& options = kLong);
Tensor randperm(int64_t n, Generator* gen, const TensorOptions& options = kLong);
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
Tensor bernoulli(const Tensor& self, double p, Generator* gen = nullptr);
Tensor multinomial(const Tensor& p, int64_t num_samples, bool replacement = false,
                   Generator* gen = nullptr);
Tensor empty_like(const Tensor& t, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& options = {});
Tensor ones_like(const Tensor& t, const TensorOptions& options = {});
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& options = {});
Tensor rand_like(const Tensor& t, const TensorOptions& options = {});
Tensor randn_like(const Tensor& t, const TensorOptions& options = {});
// Wraps memory the caller owns (no copy); the caller keeps it alive as long as the tensor.
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides,
                 const TensorOptions& options = {});

// ---- free functions mirroring the methods
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Scalar& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Scalar& b);
Tensor pow(const Tensor& a, const Tensor& e);
Tensor pow(const Tensor& a, const Scalar& e);
Tensor pow(const Scalar& a, const Tensor& e);
Tensor square(const Tensor& x);
// tg::exp(x), tg::atan2(a, b), ...: the ops of tensorgrad/ops/pointwise_ops.h.
#define TG_UNARY_FUNCTION(name, ...) Tensor name(const Tensor& x);
TG_UNARY_OPS(TG_UNARY_FUNCTION)
#undef TG_UNARY_FUNCTION
#define TG_BINARY_FUNCTION(name, ...) Tensor name(const Tensor& a, const Tensor& b);
TG_BINARY_OPS(TG_BINARY_FUNCTION)
#undef TG_BINARY_FUNCTION
// tg::elu(x, alpha), tg::gelu(x, "tanh"), tg::round(x, decimals), ...: TG_UNARY_PARAM_OPS.
#define TG_PARAM_FUNCTION(name, grad_fn, domain, saved, params, ...) \
  Tensor name(const Tensor& x, TG_PARAMS_EACH(TG_PARAM_DECL, params));
TG_UNARY_PARAM_OPS(TG_PARAM_FUNCTION)
#undef TG_PARAM_FUNCTION
// The n-th derivative of digamma (n = 0 is digamma itself).
Tensor polygamma(int64_t n, const Tensor& x);
// Bounds given as tensors broadcast with x; an undefined bound (Tensor()) is no bound.
Tensor clamp(const Tensor& x, const Tensor& min, const Tensor& max = {});
Tensor clamp_min(const Tensor& x, const Tensor& min);
Tensor clamp_max(const Tensor& x, const Tensor& max);
// start + weight * (end - start), computed as PyTorch does on either side of weight = 0.5.
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
// With a number for the divisor: the gradient reaches x alone (FmodBackward0, ...).
Tensor fmod(const Tensor& x, const Scalar& other);
Tensor remainder(const Tensor& x, const Scalar& other);
// Activations that are compositions in PyTorch too (their nodes are those of the parts), and
// the two with a second tensor or a dimension.
Tensor selu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor glu(const Tensor& x, int64_t dim = -1);
Tensor prelu(const Tensor& x, const Tensor& weight);
// Fused backward ops, as in ATen: tanh's (grad_output * (1 - output^2)) and ReLU's
// (grad_output where self > threshold, else 0). Differentiable, so higher-order gradients of tanh
// and relu go through them.
Tensor tanh_backward(const Tensor& grad_output, const Tensor& output);
Tensor threshold_backward(const Tensor& grad_output, const Tensor& self, const Scalar& threshold);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor clamp_min(const Tensor& x, const Scalar& min);
Tensor clamp_max(const Tensor& x, const Scalar& max);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b);
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b);
Tensor softmax(const Tensor& x, int64_t d, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t d, std::optional<ScalarType> dtype = std::nullopt);

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim = false,
           std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, int64_t d, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t d, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t d, bool keepdim = false);
Tensor amax(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> d = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> d = std::nullopt, bool keepdim = false);
Tensor norm(const Tensor& x, const Scalar& p = 2);
Tensor norm(const Tensor& x, const Scalar& p, IntArrayRef dims, bool keepdim = false);
Tensor var(const Tensor& x, bool unbiased = true);
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased = true, bool keepdim = false);
Tensor std(const Tensor& x, bool unbiased = true);
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased = true, bool keepdim = false);
// See Tensor::var(int): a lone int (or {int}) is a dimension, not `unbiased`.
inline Tensor var(const Tensor& x, int dim) { return x.var(dim); }
inline Tensor std(const Tensor& x, int dim) { return x.std(dim); }

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta = 1,
             const Scalar& alpha = 1);

Tensor reshape(const Tensor& x, IntArrayRef shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t d);
Tensor unsqueeze(const Tensor& x, int64_t d);
Tensor t(const Tensor& x);
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
Tensor permute(const Tensor& x, IntArrayRef dims);
Tensor select(const Tensor& x, int64_t d, int64_t i);
Tensor narrow(const Tensor& x, int64_t d, int64_t start, int64_t length);
Tensor index_select(const Tensor& x, int64_t d, const Tensor& index);
Tensor cat(TensorList tensors, int64_t d = 0);
Tensor stack(TensorList tensors, int64_t d = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t d = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t d = 0);
// The shape that a and b broadcast to, or a tg::Error naming op and both shapes.
DimVector infer_size(IntArrayRef a, IntArrayRef b, const char* op = "broadcast");

Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor isnan(const Tensor& x);
Tensor isfinite(const Tensor& x);
Tensor logical_not(const Tensor& x);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);

// ---- operators
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Scalar& b);
Tensor& operator-=(Tensor& a, const Scalar& b);
Tensor& operator*=(Tensor& a, const Scalar& b);
Tensor& operator/=(Tensor& a, const Scalar& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator~(const Tensor& x);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);

// ---- scans and shape ops (src/ops/shape.cpp)
Tensor cumsum(const Tensor& x, int64_t d, std::optional<ScalarType> dtype = std::nullopt);
Tensor cumprod(const Tensor& x, int64_t d, std::optional<ScalarType> dtype = std::nullopt);
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor flip(const Tensor& x, IntArrayRef dims);
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims = {});
Tensor tril(const Tensor& x, int64_t k = 0);
Tensor triu(const Tensor& x, int64_t k = 0);
Tensor outer(const Tensor& a, const Tensor& b);
Tensor diag(const Tensor& x, int64_t diagonal = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t d = 0);
Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> d = std::nullopt);
Tensor tile(const Tensor& x, IntArrayRef dims);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor gather(const Tensor& x, int64_t d, const Tensor& index);
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value);
Tensor scatter_add(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src);
Tensor index_add(const Tensor& x, int64_t d, const Tensor& index, const Tensor& source,
                 const Scalar& alpha = 1);

// ---- libtorch's indexing (tensorgrad/indexing.h)
Tensor index(const Tensor& x, const std::vector<std::optional<Tensor>>& indices);
Tensor index_put(const Tensor& x, const std::vector<std::optional<Tensor>>& indices,
                 const Tensor& values, bool accumulate = false);
Tensor& index_put_(Tensor& x, const std::vector<std::optional<Tensor>>& indices,
                   const Tensor& values, bool accumulate = false);
Tensor nonzero(const Tensor& x);
std::vector<Tensor> nonzero_numpy(const Tensor& x);
std::vector<Tensor> where(const Tensor& cond);
Tensor argwhere(const Tensor& x);
Tensor count_nonzero(const Tensor& x, IntArrayRef dims);
Tensor count_nonzero(const Tensor& x, std::optional<int64_t> d = std::nullopt);
Tensor repeat_interleave(const Tensor& x, const Tensor& repeats,
                         std::optional<int64_t> d = std::nullopt,
                         std::optional<int64_t> output_size = std::nullopt);
// arange(repeats.size(0)) with element k repeated repeats[k] times.
Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> output_size = std::nullopt);
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src,
               std::string_view reduce);
Tensor scatter(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value,
               std::string_view reduce);
Tensor scatter_reduce(const Tensor& x, int64_t d, const Tensor& index, const Tensor& src,
                      std::string_view reduce, bool include_self = true);
Tensor index_fill(const Tensor& x, int64_t d, const Tensor& index, const Scalar& value);
Tensor index_fill(const Tensor& x, int64_t d, const Tensor& index, const Tensor& value);
Tensor index_copy(const Tensor& x, int64_t d, const Tensor& index, const Tensor& source);
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source);
Tensor take(const Tensor& x, const Tensor& index);
Tensor put(const Tensor& x, const Tensor& index, const Tensor& source, bool accumulate = false);
// ---- end of libtorch's indexing
// ---- sorting and selection (src/ops/sorting.cpp)
std::tuple<Tensor, Tensor> sort(const Tensor& self, int64_t dim = -1, bool descending = false);
// Sorting is always stable here; `stable` only names the node (SortBackward1), as in PyTorch.
std::tuple<Tensor, Tensor> sort(const Tensor& self, std::optional<bool> stable, int64_t dim = -1,
                                bool descending = false);
Tensor argsort(const Tensor& self, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& self, bool stable, int64_t dim = -1, bool descending = false);
Tensor msort(const Tensor& self);
std::tuple<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim = -1,
                                bool largest = true, bool sorted = true);
// Among equal values, kthvalue, median, nanmedian and mode report the position PyTorch does.
std::tuple<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim = -1,
                                    bool keepdim = false);
Tensor median(const Tensor& self);
std::tuple<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim = false);
Tensor nanmedian(const Tensor& self);
std::tuple<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> mode(const Tensor& self, int64_t dim = -1, bool keepdim = false);
// libtorch's unique family: (values, inverse, counts); an output not asked for is empty. The
// values come out sorted also for sorted = false.
std::tuple<Tensor, Tensor> _unique(const Tensor& self, bool sorted = true,
                                   bool return_inverse = false);
std::tuple<Tensor, Tensor, Tensor> _unique2(const Tensor& self, bool sorted = true,
                                            bool return_inverse = false,
                                            bool return_counts = false);
std::tuple<Tensor, Tensor, Tensor> unique_dim(const Tensor& self, int64_t dim, bool sorted = true,
                                              bool return_inverse = false,
                                              bool return_counts = false);
std::tuple<Tensor, Tensor, Tensor> unique_consecutive(const Tensor& self,
                                                      bool return_inverse = false,
                                                      bool return_counts = false,
                                                      std::optional<int64_t> dim = std::nullopt);

// ---- diagonals and products (src/ops/linalg_products.cpp)
Tensor diagonal(const Tensor& self, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor diag_embed(const Tensor& self, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
Tensor trace(const Tensor& self);
// Sums of products over the subscripts an equation names ("ij,jk->ik", "...ii->...i", "bij,bjk"),
// contracted pairwise, left to right, with bmm.
Tensor einsum(std::string_view equation, TensorList tensors);
Tensor tensordot(const Tensor& self, const Tensor& other, IntArrayRef dims_self,
                 IntArrayRef dims_other);
Tensor kron(const Tensor& self, const Tensor& other);
Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, const Scalar& beta = 1,
            const Scalar& alpha = 1);
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
               const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
              const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor dist(const Tensor& self, const Tensor& other, const Scalar& p = 2);
// compute_mode: nullopt or 0 uses matrix products for p = 2 when either side has more than 25
// rows, 1 always does, 2 never does (PyTorch's modes).
Tensor cdist(const Tensor& x1, const Tensor& x2, double p = 2,
             std::optional<int64_t> compute_mode = std::nullopt);
// Without dim: the first dim of size 3 (PyTorch 1.13's deprecated default).
Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim = std::nullopt);
Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim = -1);

// ---- threads and devices
// One thread count for tensorgrad's own parallel loops and the BLAS's (default: the physical
// cores).
void set_num_threads(int n);
int get_num_threads();
// How this build runs on this machine, like torch::show_config(): the CPU features detected, the
// matrix-product kernels chosen from them, and the thread counts.
std::string show_config();
namespace cuda {
inline bool is_available() { return false; }
inline int device_count() { return 0; }
inline bool cudnn_is_available() { return false; }
// Seeding devices that are not there does nothing, as in a libtorch built without CUDA.
inline void manual_seed(uint64_t /*seed*/) {}
inline void manual_seed_all(uint64_t /*seed*/) {}
}  // namespace cuda

// Printing options, like torch.set_printoptions.
struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;
  int64_t edgeitems = 3;
  int linewidth = 80;
};
void set_printoptions(const PrintOptions& options);
PrintOptions get_printoptions();

// Which face of PyTorch tensorgrad shows where Python and libtorch differ: how `std::cout << x`
// formats a tensor (Python's repr, or at::print's columns and "[ CPUFloatType{2,2} ]" footer) and
// how the node of an op with a number operand is named (Python wraps the number in a tensor:
// `x + 2` records AddBackward0; libtorch calls the Scalar overload: AddBackward1). Python is the
// default; <torch/torch.h> (the tensorgrad::torch target) selects Libtorch, so that a libtorch
// program prints what it prints against libtorch. Process-wide.
enum class Dialect : int8_t { Python, Libtorch };
void set_dialect(Dialect dialect);
Dialect get_dialect();

}  // namespace tg

#include "tensorgrad/indexing.h"  // IWYU pragma: export
