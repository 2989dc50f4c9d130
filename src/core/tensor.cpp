// Tensor's accessors and autograd bookkeeping; the ops live in src/ops.
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "autograd/function.h"
#include "core/checked.h"
#include "core/tensor_impl.h"
#include "kernels/gemm.h"
#include "ops/internal.h"

namespace tg {

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector s(sizes.size(), 1);
  int64_t acc = 1;
  // The product past the outermost dim is never stored, so it may overflow (numel checks it).
  bool overflow = false, stored_overflow = false;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    stored_overflow |= overflow;
    s[i] = acc;
    overflow |= checked::mul_overflows(acc, std::max<int64_t>(sizes[i], 1), &acc);
  }
  TG_CHECK(!stored_overflow, "Storage size calculation overflowed with sizes=", sizes);
  return s;
}

int64_t numel_of(IntArrayRef sizes) { return checked::compute_numel(sizes); }

int64_t wrap_dim(int64_t d, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // a 0-dim tensor accepts dims 0 and -1
  TG_CHECK(d >= -n && d < n, op, ": Dimension out of range (expected to be in range of [", -n, ", ",
           n - 1, "], but got ", d, ")");
  return d < 0 ? d + n : d;
}

void TensorImpl::refresh() {
  numel = checked::compute_numel(sizes);
  contiguous = true;
  int64_t expected = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (sizes[i] == 1) continue;
    // Past int64 only for an empty tensor (numel is checked above); contiguity is moot there.
    if (strides[i] != expected || checked::mul_overflows(expected, sizes[i], &expected)) {
      contiguous = false;
      break;
    }
  }
}

Tensor make_empty(IntArrayRef sizes, ScalarType dtype) {
  auto impl = make_pooled<TensorImpl>();
  const size_t nd = sizes.size();
  if (nd == 0) {
    // A zero-dim tensor (a wrapped number, a full reduction) has nothing to check.
    impl->dtype = dtype;
    impl->numel = 1;
    impl->storage = make_pooled<InlineStorage>(element_size(dtype));
    impl->storage->inference = inference_mode_enabled;
    return Tensor(std::move(impl));
  }
  impl->sizes.resize_for_overwrite(nd);
  impl->strides.resize_for_overwrite(nd);
  // Sizes and contiguous strides in one pass from the innermost dim, with one checked multiply per
  // dim: when every size is positive, numel is the last product of the stride chain. A size of 0
  // or less, or an overflow, takes the slow path below (one branch after the loop).
  int64_t stride = 1;
  bool overflow = false, stored_overflow = false, non_positive = false;
  for (size_t i = nd; i-- > 0;) {
    const int64_t s = sizes[i];
    non_positive |= s <= 0;
    impl->sizes[i] = s;
    stored_overflow |= overflow;  // a stride that overflowed was stored
    impl->strides[i] = stride;
    overflow |= checked::mul_overflows(stride, std::max<int64_t>(s, 1), &stride);
  }
  int64_t numel = stride;
  if (__builtin_expect(non_positive || overflow, 0)) {
    for (int64_t s : sizes)
      TG_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", sizes);
    // A zero size makes numel 0 even where the product of the others overflowed.
    TG_CHECK(!stored_overflow && checked::numel_fits(sizes, &numel),
             "Storage size calculation overflowed with sizes=", sizes);
  }
  int64_t nbytes_signed = 0;
  TG_CHECK(
      !checked::mul_overflows(numel, static_cast<int64_t>(element_size(dtype)), &nbytes_signed),
      "Storage size calculation overflowed with sizes=", sizes);
  impl->dtype = dtype;
  impl->numel = numel;
  const auto nbytes = static_cast<size_t>(nbytes_signed);
  if (nbytes <= InlineStorage::kCapacity)
    impl->storage = make_pooled<InlineStorage>(nbytes);
  else
    impl->storage = make_pooled<Storage>(nbytes);
  impl->storage->inference = inference_mode_enabled;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& t, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  auto impl = make_pooled<TensorImpl>();
  auto* src = impl_of(t);
  impl->storage = src->storage;
  impl->offset = offset;
  impl->sizes = sizes;
  impl->strides = strides;
  impl->dtype = src->dtype;
  impl->is_view = true;
  impl->refresh();
  return Tensor(std::move(impl));
}

Tensor make_alias(const Tensor& t) {
  auto impl = make_pooled<TensorImpl>();
  auto* src = impl_of(t);
  impl->storage = src->storage;
  impl->offset = src->offset;
  impl->sizes = src->sizes;
  impl->strides = src->strides;
  impl->numel = src->numel;
  impl->dtype = src->dtype;
  impl->contiguous = src->contiguous;
  impl->is_view = true;
  return Tensor(std::move(impl));
}

namespace {
void check_defined(const Tensor& t, const char* what) {
  if (!t.defined()) detail::throw_undefined_tensor(what);
}
}  // namespace

namespace detail {
void throw_undefined_tensor(const char* what) { TG_ERROR(what, ": called on an undefined tensor"); }
void throw_dim_out_of_range(const char* what, int64_t d, int64_t ndim) {
  if (ndim == 0) TG_ERROR(what, ": dimension specified as ", d, " but tensor has no dimensions");
  TG_ERROR(what, ": Dimension out of range (expected to be in range of [", -ndim, ", ", ndim - 1,
           "], but got ", d, ")");
}
}  // namespace detail

TensorOptions Tensor::options() const { return TensorOptions(scalar_type()); }

Scalar Tensor::item() const {
  check_defined(*this, "item");
  TG_CHECK(impl_->numel == 1, "item: a Tensor with ", impl_->numel,
           " elements cannot be converted to Scalar (shape ", sizes(), ")");
  const char* p = impl_->data();
  switch (impl_->dtype) {
    case kBool:
      return Scalar(*reinterpret_cast<const bool*>(p));
    case kLong:
      return Scalar(*reinterpret_cast<const int64_t*>(p));
    case kFloat:
      return Scalar(static_cast<double>(*reinterpret_cast<const float*>(p)));
    case kDouble:
      return Scalar(*reinterpret_cast<const double*>(p));
  }
  return {};
}

void* Tensor::data_ptr() const {
  check_defined(*this, "data_ptr");
  return impl_->data();
}

template <typename T>
T* Tensor::data_ptr() const {
  check_defined(*this, "data_ptr");
  TG_CHECK(impl_->dtype == CppTypeToScalarType<T>::value, "data_ptr: expected scalar type ",
           CppTypeToScalarType<T>::value, " but found ", impl_->dtype);
  return impl_->data_as<T>();
}
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;
template bool* Tensor::data_ptr<bool>() const;

Tensor& Tensor::operator=(const Tensor& src) && {
  copy_(src);
  return *this;
}
Tensor& Tensor::operator=(const Scalar& v) && {
  fill_(v);
  return *this;
}

// ---- autograd accessors

bool Tensor::requires_grad() const {
  check_defined(*this, "requires_grad");
  return impl_->requires_grad();
}

Tensor& Tensor::requires_grad_(bool r) {
  check_defined(*this, "requires_grad_");
  if (!r && !impl_->requires_grad()) return *this;
  TG_CHECK(is_leaf() || r,
           "requires_grad_: you can only change requires_grad flags of leaf variables. "
           "If you want to use a computed variable in a subgraph that doesn't require "
           "differentiation use var_no_grad = var.detach().");
  TG_CHECK(!r || tg::is_floating_point(impl_->dtype),
           "requires_grad_: only Tensors of floating point dtype can require gradients (got ",
           dtype_name(impl_->dtype), ")");
  TG_CHECK(!r || !impl_->storage->inference || inference_mode_enabled,
           "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  impl_->meta().requires_grad = r;
  return *this;
}
Tensor& Tensor::set_requires_grad(bool r) { return requires_grad_(r); }

bool Tensor::is_inference() const {
  check_defined(*this, "is_inference");
  return impl_->storage->inference;
}

bool Tensor::is_leaf() const {
  check_defined(*this, "is_leaf");
  autograd::sync_view_history(impl_.get());
  return !impl_->autograd || !impl_->autograd->grad_fn;
}

Tensor& Tensor::mutable_grad() const {
  check_defined(*this, "grad");
  return impl_->meta().grad;
}
const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  check_defined(*this, "grad");
  return impl_->autograd ? impl_->autograd->grad : undefined;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  check_defined(*this, "grad_fn");
  autograd::sync_view_history(impl_.get());
  return impl_->autograd ? impl_->autograd->grad_fn : none;
}
uint32_t Tensor::output_nr() const { return impl_->autograd ? impl_->autograd->output_nr : 0; }
int64_t Tensor::_version() const { return impl_->storage->version; }

void Tensor::retain_grad() const {
  check_defined(*this, "retain_grad");
  TG_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf() || impl_->autograd->retains_grad) return;
  impl_->autograd->retains_grad = true;
  std::weak_ptr<TensorImpl> weak = impl_;
  autograd::Node::PreHook h;
  h.output_nr = impl_->autograd->output_nr;
  h.id = 0;
  h.is_retain_grad = true;
  h.fn = [weak](const Tensor& g) -> Tensor {
    if (auto impl = weak.lock()) {
      Tensor& acc = impl->meta().grad;
      if (!acc.defined())
        acc = autograd::GradMode::is_enabled() ? g : g.detach().clone();
      else
        acc = acc + g;
    }
    return Tensor();
  };
  impl_->autograd->grad_fn->pre_hooks_.push_back(std::move(h));
}

bool Tensor::retains_grad() const { return impl_->autograd && impl_->autograd->retains_grad; }

Tensor Tensor::detach() const {
  check_defined(*this, "detach");
  return make_alias(*this);
}

Tensor& Tensor::detach_() {
  check_defined(*this, "detach_");
  TG_CHECK(!impl_->is_view || !impl_->requires_grad(),
           "detach_: can't detach a view in place; use detach() instead");
  if (impl_->autograd) {
    impl_->autograd->grad_fn.reset();
    impl_->autograd->requires_grad = false;
    impl_->autograd->output_nr = 0;
  }
  return *this;
}

// A hook's handle is its position among the hooks registered on this tensor, as in libtorch.
unsigned Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> fn) const {
  check_defined(*this, "register_hook");
  TG_CHECK(requires_grad(), "cannot register a hook on a variable that doesn't require gradient");
  unsigned id = impl_->autograd->num_hooks++;
  if (is_leaf()) {
    impl_->meta().leaf_hooks.emplace_back(id, std::move(fn));
  } else {
    autograd::Node::PreHook h;
    h.output_nr = impl_->autograd->output_nr;
    h.id = id;
    h.fn = std::move(fn);
    impl_->autograd->grad_fn->pre_hooks_.push_back(std::move(h));
  }
  return id;
}

void Tensor::remove_hook(unsigned handle) const {
  check_defined(*this, "remove_hook");
  TG_CHECK(impl_->autograd && handle < impl_->autograd->num_hooks,
           "Invalid index, no hook at position ", handle);
  auto& lh = impl_->autograd->leaf_hooks;
  lh.erase(std::remove_if(lh.begin(), lh.end(), [&](auto& p) { return p.first == handle; }),
           lh.end());
  if (auto& fn = impl_->autograd->grad_fn) {
    auto& ph = fn->pre_hooks_;
    ph.erase(std::remove_if(ph.begin(), ph.end(),
                            [&](auto& h) {
                              return h.id == handle && !h.is_retain_grad &&
                                     h.output_nr == impl_->autograd->output_nr;
                            }),
             ph.end());
  }
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      std::optional<std::vector<Tensor>> inputs) const {
  check_defined(*this, "backward");
  if (inputs && !inputs->empty()) {
    autograd::tensor_list g;
    if (gradient.defined()) g.push_back(gradient);
    autograd::backward({*this}, g, retain_graph, create_graph, *inputs);
    return;
  }
  // The common case goes straight to the engine, without building argument lists.
  autograd::run_backward(TensorList(*this),
                         gradient.defined() ? TensorList(gradient) : TensorList(),
                         retain_graph.value_or(create_graph), create_graph, {}, false);
}

// ---- threads

namespace {
// PyTorch's default: one thread per physical core (hyper-threads share a core's arithmetic units).
// Some results depend on it (linspace splits long ranges by thread), so we start from the same.
int physical_cores() {
  std::ifstream f("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, phys, core;
  while (std::getline(f, line)) {
    auto value = [&] { return line.substr(line.find(':') + 1); };
    if (line.rfind("physical id", 0) == 0) phys = value();
    if (line.rfind("core id", 0) == 0) {
      core = value();
      cores.insert({phys, core});
    }
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}
// Atomic: kernels on other threads read it while the user may set it.
std::atomic<int>& num_threads() {
  static std::atomic<int> n{physical_cores()};
  return n;
}
}  // namespace

void set_num_threads(int n) {
  TG_CHECK(n > 0, "set_num_threads: expected a positive number of threads, got ", n);
  num_threads().store(n, std::memory_order_relaxed);
  kernels::set_blas_threads(n);
}
int get_num_threads() { return num_threads().load(std::memory_order_relaxed); }

}  // namespace tg
