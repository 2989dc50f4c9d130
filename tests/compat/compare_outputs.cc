// Compares two outputs of the compat demo line by line: the words must be identical and the
// numbers equal to within a relative tolerance, 1e-5 unless a third argument gives another
// (last-bit differences between two implementations of exp or tanh are expected; anything larger
// is a bug). Prints every mismatch.
//
//   compat_compare tensorgrad.txt libtorch.txt [relative-tolerance]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool as_number(const std::string& s, double& v) {
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0';
}

bool same(const std::string& a, const std::string& b, double tolerance) {
  if (a == b) return true;
  double x, y;
  if (!as_number(a, x) || !as_number(b, y)) return false;
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::fabs(x - y) <= tolerance * std::fmax(1.0, std::fmax(std::fabs(x), std::fabs(y)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: compat_compare A B [relative-tolerance]\n";
    return 2;
  }
  const double tolerance = argc == 4 ? std::strtod(argv[3], nullptr) : 1e-5;
  std::ifstream fa(argv[1]), fb(argv[2]);
  if (!fa || !fb) {
    std::cerr << "compat_compare: cannot read " << (fa ? argv[2] : argv[1]) << '\n';
    return 2;
  }
  int lines = 0, mismatches = 0, inexact = 0;
  std::string la, lb;
  while (true) {
    const bool has_a = static_cast<bool>(std::getline(fa, la));
    const bool has_b = static_cast<bool>(std::getline(fb, lb));
    if (!has_a && !has_b) break;
    if (!has_a) la.clear();
    if (!has_b) lb.clear();
    ++lines;
    const auto wa = words(has_a ? la : ""), wb = words(has_b ? lb : "");
    bool ok = wa.size() == wb.size();
    for (size_t i = 0; ok && i < wa.size(); ++i) ok = same(wa[i], wb[i], tolerance);
    if (!ok) {
      ++mismatches;
      std::cout << "line " << lines << " differs:\n  " << argv[1] << ": " << la << "\n  " << argv[2]
                << ": " << lb << '\n';
    } else if (la != lb) {
      ++inexact;
    }
  }
  std::cout << lines << " lines compared: " << mismatches << " differ, " << inexact
            << " equal only within tolerance\n";
  return mismatches == 0 ? 0 : 1;
}
