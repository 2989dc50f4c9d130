#include "format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace tutorial {

void print_header(int number, std::string_view title) {
  const std::string rule(78, '=');
  std::cout << '\n' << rule << "\nSection " << number << ": " << title << '\n' << rule << '\n';
}

void print_subheader(std::string_view title) {
  std::cout << '\n' << title << '\n' << std::string(title.size(), '-') << '\n';
}

std::string py_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";

  // Shortest round-trip digits in scientific form, d.ddde[+-]x, then laid out the way Python's
  // float.__repr__ does: positional unless the exponent is below -4 or above 15.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  std::string s(buf, res.ptr);
  const auto epos = s.find('e');
  const int exp10 = std::stoi(s.substr(epos + 1));
  std::string digits = s.substr(0, epos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());

  std::string out = v < 0 ? "-" : "";
  const int point = exp10 + 1;  // digits before the decimal point
  const int n = static_cast<int>(digits.size());
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out.append("0.").append(-point, '0').append(digits);
    } else if (point >= n) {
      out.append(digits).append(point - n, '0').append(".0");
    } else {
      out.append(digits, 0, point).append(".").append(digits, point);
    }
  } else {
    out += digits.substr(0, 1);
    if (n > 1) out.append(".").append(digits, 1);
    char e[16];
    std::snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += e;
  }
  return out;
}

std::string py_item(const tg::Tensor& t) {
  if (t.is_floating_point()) return py_float(t.item<double>());
  if (t.scalar_type() == tg::kBool) return t.item<bool>() ? "True" : "False";
  return std::to_string(t.item<int64_t>());
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string general(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), left_(headers_.size(), false) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::add_ellipsis() { rows_.emplace_back(headers_.size(), "..."); }

void Table::align_left(std::size_t column) { left_.at(column) = true; }

void Table::print(std::ostream& os, std::size_t indent) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    width[c] = headers_[c].size();
    for (const auto& row : rows_) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s(indent, ' ');
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) s += "  ";
      const std::string pad(width[c] - cells[c].size(), ' ');
      s += left_[c] ? cells[c] + pad : pad + cells[c];
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    os << s << '\n';
  };
  line(headers_);
  std::string rule(indent, ' ');
  for (std::size_t c = 0; c < width.size(); ++c)
    rule += (c > 0 ? "  " : "") + std::string(width[c], '-');
  os << rule << '\n';
  for (const auto& row : rows_) line(row);
}

}  // namespace tutorial
