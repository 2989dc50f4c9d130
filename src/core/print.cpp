// Printing in Python PyTorch's format (torch/_tensor_str.py): one formatter chooses fixed, integer
// or scientific notation from the finite non-zero magnitudes, every element is right-aligned to a
// common width, rows wrap at the line width, and large tensors are summarised with "...".
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/tensor_impl.h"
#include "kernels/dispatch.h"
#include "tensorgrad/autograd.h"

namespace tg {
namespace {

PrintOptions& print_opts() {
  static PrintOptions o;
  return o;
}

struct Formatter {
  ScalarType dtype;
  bool floating = false;
  bool int_mode = true;
  bool sci_mode = false;
  size_t width = 1;
  int precision = 4;

  std::string raw(double v) const {
    char buf[64];
    if (dtype == kBool) return v != 0 ? "True" : "False";
    if (!floating) {
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
      return buf;
    }
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (sci_mode) {
      std::snprintf(buf, sizeof buf, "%.*e", precision, v);
    } else if (int_mode) {
      std::snprintf(buf, sizeof buf, "%.0f.", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.*f", precision, v);
    }
    return buf;
  }
  std::string format(double v) const {
    std::string s = raw(v);
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
  }
};

// Values as doubles in row-major order (int64 values fit well enough for printing purposes).
std::vector<double> values_of(const Tensor& t) {
  Tensor c = t.contiguous();
  std::vector<double> v(static_cast<size_t>(c.numel()));
  TG_DISPATCH_ALL(c.scalar_type(), "print", [&] {
    const scalar_t* p = impl_of(c)->data_as<scalar_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(p[i]);
  });
  return v;
}

// The elements that will be shown (edge items only when summarising).
void collect_shown(const Tensor& t, bool summarize, std::vector<double>& out) {
  const int64_t e = print_opts().edgeitems;
  if (t.dim() == 0) {
    auto v = values_of(t);
    out.insert(out.end(), v.begin(), v.end());
    return;
  }
  if (summarize && t.size(0) > 2 * e) {
    for (int64_t i = 0; i < e; ++i) collect_shown(t[i], summarize, out);
    for (int64_t i = t.size(0) - e; i < t.size(0); ++i) collect_shown(t[i], summarize, out);
  } else if (t.dim() == 1) {
    auto v = values_of(t);
    out.insert(out.end(), v.begin(), v.end());
  } else {
    for (int64_t i = 0; i < t.size(0); ++i) collect_shown(t[i], summarize, out);
  }
}

Formatter make_formatter(const Tensor& t, bool summarize) {
  Formatter f;
  f.dtype = t.scalar_type();
  f.floating = is_floating_point(f.dtype);
  f.precision = print_opts().precision;
  std::vector<double> vals;
  collect_shown(t, summarize, vals);
  if (!f.floating) {
    for (double v : vals) f.width = std::max(f.width, f.raw(v).size());
    return f;
  }
  double mx = 0, mn = INFINITY;
  bool any = false;
  for (double v : vals) {
    if (!std::isfinite(v) || v == 0) continue;
    any = true;
    mx = std::max(mx, std::fabs(v));
    mn = std::min(mn, std::fabs(v));
    if (std::ceil(v) != v) f.int_mode = false;
  }
  if (any) {
    if (f.int_mode) {
      f.sci_mode = mx / mn > 1000.0 || mx > 1.0e8;
    } else {
      f.sci_mode = mx / mn > 1000.0 || mx > 1.0e8 || mn < 1.0e-4;
    }
  }
  // As in Python, only finite non-zero values set the width: nan, inf and -0. may stick out.
  for (double v : vals)
    if (std::isfinite(v) && v != 0) f.width = std::max(f.width, f.raw(v).size());
  return f;
}

std::string tensor_str(const Tensor& t, int indent, bool summarize, const Formatter& f) {
  const int64_t e = print_opts().edgeitems;
  const int64_t dim = t.dim();
  if (dim == 0) return f.format(values_of(t)[0]);
  if (dim == 1) {
    const size_t element_length = f.width + 2;
    const size_t per_line =
        std::max<size_t>(1, (print_opts().linewidth - indent) / static_cast<int64_t>(element_length));
    std::vector<std::string> data;
    auto v = values_of(t);
    const int64_t n = t.size(0);
    if (summarize && n > 2 * e) {
      for (int64_t i = 0; i < e; ++i) data.push_back(f.format(v[i]));
      data.push_back(" ...");
      for (int64_t i = n - e; i < n; ++i) data.push_back(f.format(v[i]));
    } else {
      for (double x : v) data.push_back(f.format(x));
    }
    std::string s = "[";
    for (size_t i = 0; i < data.size(); ++i) {
      if (i > 0) s += (i % per_line == 0) ? ",\n" + std::string(indent + 1, ' ') : ", ";
      s += data[i];
    }
    return s + "]";
  }
  std::vector<std::string> slices;
  const int64_t n = t.size(0);
  if (summarize && n > 2 * e) {
    for (int64_t i = 0; i < e; ++i) slices.push_back(tensor_str(t[i], indent + 1, summarize, f));
    slices.push_back("...");
    for (int64_t i = n - e; i < n; ++i) slices.push_back(tensor_str(t[i], indent + 1, summarize, f));
  } else {
    for (int64_t i = 0; i < n; ++i) slices.push_back(tensor_str(t[i], indent + 1, summarize, f));
  }
  std::string sep = "," + std::string(static_cast<size_t>(dim - 1), '\n') + std::string(indent + 1, ' ');
  std::string s = "[";
  for (size_t i = 0; i < slices.size(); ++i) s += (i ? sep : "") + slices[i];
  return s + "]";
}

std::string add_suffixes(std::string s, const std::vector<std::string>& suffixes, int indent) {
  size_t nl = s.rfind('\n');
  size_t last_line_len = nl == std::string::npos ? s.size() + 1 : s.size() - nl + 1;
  for (const auto& suf : suffixes) {
    if (last_line_len + suf.size() + 2 > static_cast<size_t>(print_opts().linewidth)) {
      s += ",\n" + std::string(indent, ' ') + suf;
      last_line_len = indent + suf.size();
    } else {
      s += ", " + suf;
      last_line_len += suf.size() + 2;
    }
  }
  return s + ")";
}

}  // namespace

void set_printoptions(const PrintOptions& o) { print_opts() = o; }
PrintOptions get_printoptions() { return print_opts(); }

std::string Tensor::toString() const {
  if (!defined()) return "[ Tensor (undefined) ]";
  NoGradGuard guard;
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());
  std::vector<std::string> suffixes;
  std::string body;
  Tensor t = detach();
  if (numel() == 0 && !(dim() == 1 && size(0) == 0)) {
    body = "[]";
    std::ostringstream ss;
    ss << "size=(";
    for (int64_t i = 0; i < dim(); ++i) ss << size(i) << (dim() == 1 ? "," : (i + 1 < dim() ? ", " : ""));
    ss << ")";
    suffixes.push_back(ss.str());
  } else if (numel() == 0) {
    body = "[]";
  } else {
    const bool summarize = numel() > print_opts().threshold;
    Formatter f = make_formatter(t, summarize);
    body = tensor_str(t, indent, summarize, f);
  }
  // An empty tensor has no elements to show its dtype by, so any non-default dtype is named.
  if (scalar_type() == kDouble || (numel() == 0 && scalar_type() != kFloat))
    suffixes.push_back(std::string("dtype=") + dtype_name(scalar_type()));
  if (const auto& fn = grad_fn()) {
    suffixes.push_back("grad_fn=<" + fn->name() + ">");
  } else if (requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  return add_suffixes(prefix + body, suffixes, indent);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.toString(); }

}  // namespace tg
