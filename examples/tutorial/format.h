// Small printing helpers shared by the sections: headers, Python-style numbers and aligned tables.
#pragma once

#include <tensorgrad/tensorgrad.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tutorial {

// A banner such as "Section 3: Computational graph and backprop".
void print_header(int number, std::string_view title);
// A short underlined sub-heading inside a section.
void print_subheader(std::string_view title);

// How Python prints a float: the shortest text that reads back to the same double ("-0.5", "49.0",
// "0.888942301273346", "1e-05").
std::string py_float(double v);
// How Python prints tensor.item(): an int for integer tensors, a float otherwise.
std::string py_item(const tg::Tensor& t);
// printf-style fixed and general notation.
std::string fixed(double v, int decimals);
std::string general(double v, int digits);

// A table whose columns are padded to their widest cell (right-aligned unless told otherwise).
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  // A row of "..." in every column, to show that rows were skipped.
  void add_ellipsis();
  // Text columns read better left-aligned.
  void align_left(std::size_t column);
  void print(std::ostream& os, std::size_t indent = 2) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> left_;
};

}  // namespace tutorial
