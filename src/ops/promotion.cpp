// Type promotion and broadcasting, as PyTorch defines them.
#include "ops/promotion.h"

#include "kernels/copy.h"
#include "ops/internal.h"

namespace tg {

bool is_expandable_to(IntArrayRef from, IntArrayRef to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != t && f != 1) return false;
  }
  return true;
}

DimVector infer_size(IntArrayRef a, IntArrayRef b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    TG_CHECK(da == db || da == 1 || db == 1, op, ": The size of tensor a (", da,
             ") must match the size of tensor b (", db, ") at non-singleton dimension ", i,
             " (shapes ", a, " and ", b, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

ScalarType result_type(const Tensor& a, const Tensor& b) {
  const ScalarType ta = a.scalar_type(), tb = b.scalar_type();
  if (ta == tb) return ta;  // the common case, whatever the dims
  const bool da = a.dim() > 0, db = b.dim() > 0;
  if (da == db) return promote_types(ta, tb);
  // A zero-dim tensor only changes the result when it is of a higher category.
  const ScalarType hi = da ? ta : tb, lo = da ? tb : ta;
  return type_category(lo) > type_category(hi) ? lo : hi;
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  const ScalarType ta = a.scalar_type();
  const ScalarType tb = b.type();
  return type_category(tb) > type_category(ta) ? tb : ta;
}

Tensor cast_to(const Tensor& t, ScalarType dt) {
  if (t.scalar_type() == dt) return t;
  Tensor out = make_empty(t.sizes(), dt);
  kernels::copy(out, t);
  return out;
}

Tensor wrap_scalar(const Scalar& s, ScalarType dtype) {
  Tensor t = make_empty({}, dtype);
  kernels::fill_wrapped_number(t, s);
  impl_of(t)->wrapped_number = true;
  return t;
}

}  // namespace tg
