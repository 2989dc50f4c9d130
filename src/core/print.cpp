// Printing in Python PyTorch's format (torch/_tensor_str.py): one formatter chooses fixed, integer
// or scientific notation from the finite non-zero magnitudes, every element is right-aligned to a
// common width, rows wrap at the line width, and large tensors are summarised with "...".
// Under Dialect::Libtorch, operator<< prints as libtorch's C++ operator<< does instead (see
// print_libtorch below).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iomanip>
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

// ---- libtorch's format (ATen's at::print, 1.13)
// Every element is shown (no summarising), as a double, with one stream format chosen per matrix:
// integers in the stream's default notation, fractions in fixed notation with 4 decimals (with a
// common power-of-ten factor printed above the block when the magnitudes are large or small), or
// scientific notation when they span more than four decades. Matrices are printed in blocks of
// columns that fit 80 characters, tensors of 3 or more dims as "(i,j,.,.) = " slices, and a footer
// names the type and the sizes: "[ CPUFloatType{2,3} ]".

// The format of one block of values: the factor they are divided by and the field width; sets the
// stream's notation as a side effect, as libtorch does (the caller's format is restored at the
// end of operator<<).
struct LibtorchFormat {
  double scale = 1;
  int width = 0;
};

LibtorchFormat libtorch_format(std::ostream& os, const std::vector<double>& v) {
  LibtorchFormat f;
  if (v.empty()) return f;
  bool int_mode = true;
  for (double z : v)
    if (std::isfinite(z) && z != std::ceil(z)) int_mode = false;
  // The digits of the smallest and largest magnitudes, from the first finite value on. The
  // largest is updated only by values above it *with their sign* (libtorch compares the signed
  // value), so a large negative number after a smaller one does not widen the field; kept so that
  // the columns line up exactly as libtorch's do.
  size_t first = 0;
  while (first < v.size() && !std::isfinite(v[first])) ++first;
  double exp_min = 1, exp_max = 1;
  if (first < v.size()) {
    double lo = std::fabs(v[first]), hi = lo;
    for (size_t i = first; i < v.size(); ++i) {
      const double z = std::fabs(v[i]);
      if (!std::isfinite(z)) continue;
      if (z < lo) lo = z;
      if (v[i] > hi) hi = z;
    }
    exp_min = lo != 0 ? std::floor(std::log10(lo)) + 1 : 1;
    exp_max = hi != 0 ? std::floor(std::log10(hi)) + 1 : 1;
  }
  os.unsetf(std::ios_base::floatfield);
  if (int_mode) {
    if (exp_max > 9) {
      f.width = 11;
      os << std::scientific << std::setprecision(4);
    } else {
      f.width = static_cast<int>(exp_max) + 1;
    }
  } else if (exp_max - exp_min > 4) {
    f.width = std::fabs(exp_max) > 99 || std::fabs(exp_min) > 99 ? 12 : 11;
    os << std::scientific << std::setprecision(4);
  } else {
    if (exp_max > 5 || exp_max < 0) {
      f.width = 7;
      f.scale = std::pow(10, exp_max - 1);
    } else {
      f.width = exp_max == 0 ? 7 : static_cast<int>(exp_max) + 6;
    }
    os << std::fixed << std::setprecision(4);
  }
  return f;
}

// "0.001 *": the common factor, in the default notation at the current precision.
void print_scale(std::ostream& os, double scale) {
  const auto flags = os.flags();
  os.unsetf(std::ios_base::floatfield);
  os << scale << " *\n";
  os.flags(flags);
}

void print_indent(std::ostream& os, int64_t n) {
  for (int64_t i = 0; i < n; ++i) os << ' ';
}

// A matrix (dims rows x cols, values row-major) in blocks of as many columns as fit the line.
void print_matrix(std::ostream& os, const std::vector<double>& v, int64_t rows, int64_t cols,
                  int64_t indent) {
  constexpr int64_t kLineWidth = 80;
  const LibtorchFormat f = libtorch_format(os, v);
  print_indent(os, indent);
  const int64_t per_line = (kLineWidth - indent) / (f.width + 1);
  for (int64_t first = 0; first < cols;) {
    const int64_t last = std::min(first + per_line, cols) - 1;
    if (per_line < cols) {
      // No line break after the heading: libtorch starts the first row right after it.
      if (first != 0) os << '\n';
      os << "Columns " << first + 1 << " to " << last + 1;
      print_indent(os, indent);
    }
    if (f.scale != 1) {
      print_scale(os, f.scale);
      print_indent(os, indent);
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = first; c <= last; ++c) {
        os << std::setw(f.width) << v[static_cast<size_t>(r * cols + c)] / f.scale;
        if (c != last) {
          os << ' ';
          continue;
        }
        os << '\n';
        if (r != rows - 1) {
          print_indent(os, indent);
          if (f.scale != 1) os << ' ';
        }
      }
    }
    first = last + 1;
  }
}

const char* libtorch_type_name(ScalarType t) {
  switch (t) {
    case ScalarType::Bool:
      return "CPUBoolType";
    case ScalarType::Long:
      return "CPULongType";
    case ScalarType::Float:
      return "CPUFloatType";
    case ScalarType::Double:
      return "CPUDoubleType";
  }
  return "CPUType";
}

void print_libtorch(std::ostream& os, const Tensor& t) {
  if (!t.defined()) {
    os << "[ Tensor (undefined) ]";
    return;
  }
  NoGradGuard guard;
  // The caller's notation and precision come back at the end, whatever the blocks set.
  std::ios saved(nullptr);
  saved.copyfmt(os);
  const std::vector<double> v = values_of(t.detach());
  const int64_t dim = t.dim();
  if (dim == 0) {
    os.unsetf(std::ios_base::floatfield);
    os << v[0] << '\n';
  } else if (dim == 1 && !v.empty()) {
    const LibtorchFormat f = libtorch_format(os, v);
    if (f.scale != 1) print_scale(os, f.scale);
    for (double x : v) os << std::setw(f.width) << x / f.scale << '\n';
  } else if (dim == 2 && !v.empty()) {
    print_matrix(os, v, t.size(0), t.size(1), 0);
  } else if (!v.empty()) {
    // One "(i,j,.,.) = " slice per index of the leading dims, the first of them varying fastest.
    const int64_t rows = t.size(dim - 2), cols = t.size(dim - 1);
    const int64_t lead = dim - 2;
    std::vector<int64_t> counter(static_cast<size_t>(lead), 0);
    const size_t block = static_cast<size_t>(rows * cols);
    for (bool start = true;; start = false) {
      if (!start) {
        int64_t i = 0;
        while (i < lead && ++counter[static_cast<size_t>(i)] >= t.size(i)) {
          counter[static_cast<size_t>(i)] = 0;
          ++i;
        }
        if (i == lead) break;
        os << '\n';
      }
      size_t offset = 0;
      os << '(';
      for (int64_t i = 0; i < lead; ++i) {
        offset = offset * static_cast<size_t>(t.size(i)) +
                 static_cast<size_t>(counter[static_cast<size_t>(i)]);
        os << counter[static_cast<size_t>(i)] + 1 << ',';
      }
      os << ".,.) = \n";
      const std::vector<double> slice(
          v.begin() + static_cast<std::ptrdiff_t>(offset * block),
          v.begin() + static_cast<std::ptrdiff_t>((offset + 1) * block));
      print_matrix(os, slice, rows, cols, 1);
    }
  }
  os << "[ " << libtorch_type_name(t.scalar_type()) << '{';
  for (int64_t i = 0; i < dim; ++i) os << (i ? "," : "") << t.size(i);
  os << "} ]";
  os.copyfmt(saved);
}

std::atomic<Dialect>& dialect() {
  static std::atomic<Dialect> d{Dialect::Python};
  return d;
}

}  // namespace

void set_dialect(Dialect d) { dialect().store(d, std::memory_order_relaxed); }
Dialect get_dialect() { return dialect().load(std::memory_order_relaxed); }

void set_printoptions(const PrintOptions& o) { print_opts() = o; }
PrintOptions get_printoptions() { return print_opts(); }

std::string Tensor::toString() const {
  // libtorch's toString() names the type, as the footer of its printed tensors does.
  if (get_dialect() == Dialect::Libtorch)
    return defined() ? libtorch_type_name(scalar_type()) : "UndefinedType";
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

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (get_dialect() == Dialect::Libtorch) {
    print_libtorch(os, t);
    return os;
  }
  return os << t.toString();
}

}  // namespace tg
