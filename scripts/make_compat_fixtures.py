#!/usr/bin/env python3
"""Reference fixtures for tensorgrad's libtorch dialect, produced by real PyTorch 1.13's C++ side.

Writes
  tests/fixtures/compat/libtorch.json
    print       for each case, the values (row-major, as doubles), dtype and sizes of a tensor,
                what libtorch's C++ `std::ostream << tensor` writes for it and what its
                `toString()` returns
    undefined   `toString()` of an undefined tensor
    modules     what `std::ostream << module` writes for a few modules and a user's module
                holding them
    grad_fn     the grad_fn name libtorch's C++ API records for each number-operand operator

libtorch's operator<< and its C++ operator overloads are not reachable from Python, so a few lines
of C++ are compiled against the installed PyTorch with torch.utils.cpp_extension.load_inline and
called from here. Inputs are generated from a fixed seed and written in full, so the C++ tests
(tests/compat/test_libtorch_dialect.cc) rebuild them without PyTorch.

Run with:  /usr/bin/python3 scripts/make_compat_fixtures.py
"""

import json
import os
import tempfile

import torch
from torch.utils.cpp_extension import load_inline

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "compat", "libtorch.json")

CPP = r"""
#include <torch/extension.h>
#include <sstream>

std::string cpp_to_string(const torch::Tensor& t) { return t.toString(); }
std::string cpp_undefined_to_string() { return torch::Tensor().toString(); }

struct NetImpl : torch::nn::Module {
  NetImpl() {
    layers = register_module("layers", torch::nn::Sequential(torch::nn::Linear(1, 512),
                                                             torch::nn::Tanh(),
                                                             torch::nn::Linear(512, 1)));
    drop = register_module("drop", torch::nn::Dropout(0.25));
    act = register_module("act", torch::nn::LeakyReLU(
                                     torch::nn::LeakyReLUOptions().negative_slope(0.2)));
  }
  torch::nn::Sequential layers{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::LeakyReLU act{nullptr};
};
TORCH_MODULE(Net);

std::vector<std::string> cpp_modules() {
  std::vector<std::shared_ptr<torch::nn::Module>> modules = {
      Net().ptr(),
      torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false)).ptr(),
      torch::nn::ReLU().ptr(),
      torch::nn::Sigmoid().ptr(),
      torch::nn::Softmax(1).ptr(),
      torch::nn::LeakyReLU().ptr(),
      torch::nn::MSELoss().ptr(),
      torch::nn::Sequential().ptr()};
  std::vector<std::string> out;
  for (const auto& m : modules) {
    std::ostringstream s;
    s << *m;
    out.push_back(s.str());
  }
  return out;
}

std::string cpp_print(const torch::Tensor& t) {
  std::ostringstream s;
  s << t;
  return s.str();
}

// The grad_fn names of C++ operator expressions on a leaf that requires grad.
std::vector<std::string> cpp_grad_fns() {
  auto x = torch::ones({2}, torch::requires_grad());
  std::vector<torch::Tensor> ys = {x + 2, x - 2, x * 2, x / 2, 2 + x, 2 - x, 2 * x, 2 / x,
                                   x + x, x - x, x * x, x / x, x.pow(2), x.add(2), x.sub(2),
                                   x.mul(2), x.div(2)};
  std::vector<std::string> names;
  for (const auto& y : ys) names.push_back(y.grad_fn()->name());
  return names;
}
"""

GRAD_FN_EXPRESSIONS = ["x + 2", "x - 2", "x * 2", "x / 2", "2 + x", "2 - x", "2 * x", "2 / x",
                       "x + x", "x - x", "x * x", "x / x", "x.pow(2)", "x.add(2)", "x.sub(2)",
                       "x.mul(2)", "x.div(2)"]

MODULES = ["net", "linear_no_bias", "relu", "sigmoid", "softmax", "leaky_relu", "mse_loss",
           "empty_sequential"]

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
          "bool": torch.bool}


def cases():
    g = torch.Generator().manual_seed(20261205)

    def randn(*sizes):
        return torch.randn(*sizes, generator=g)

    nan, inf = float("nan"), float("inf")
    yield "scalar_float", torch.tensor(2.5)
    yield "scalar_int", torch.tensor(7)
    yield "scalar_bool", torch.tensor(True)
    yield "scalar_small", torch.tensor(1.0e-7, dtype=torch.float64)
    yield "ones_1d", torch.ones(2)
    yield "ints_1d", torch.tensor([1, -20, 300])
    yield "bools_1d", torch.tensor([True, False, True])
    yield "fractions_1d", torch.tensor([1.5, -2.25, 3.0], dtype=torch.float64)
    yield "randn_1d", randn(5)
    yield "scaled_small_1d", randn(4) * 1e-3
    yield "scaled_large_1d", randn(4) * 1e6
    yield "sci_1d", torch.tensor([1e-8, 1.0, 1e8])
    yield "sci_huge_1d", torch.tensor([1e-120, 1.0, 1e120], dtype=torch.float64)
    yield "big_ints_1d", torch.tensor([1234567890123, 2])
    yield "int_floats_1d", torch.tensor([3.0, -40.0, 1200.0])
    yield "negative_widest_1d", torch.tensor([1.5, -123.25, 2.0])
    yield "nonfinite_1d", torch.tensor([nan, inf, -inf, 1.5])
    yield "all_nonfinite_1d", torch.tensor([nan, inf])
    yield "zeros_1d", torch.zeros(3)
    yield "empty_1d", torch.zeros(0)
    yield "matrix_int", torch.arange(6).reshape(2, 3)
    yield "matrix_float", randn(3, 4)
    yield "matrix_scaled", randn(2, 3) * 1e-4
    yield "matrix_wide", randn(3, 14)
    yield "matrix_wide_scaled", randn(2, 12) * 1e7
    yield "matrix_wide_ints", torch.arange(40).reshape(2, 20)
    yield "matrix_sci", torch.tensor([[1e-9, 2.0], [3.0, 4e9]])
    yield "matrix_bool", torch.tensor([[True, False], [False, True]])
    yield "matrix_empty", torch.zeros(0, 3)
    yield "tensor_3d", torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 7
    yield "tensor_4d", randn(2, 2, 2, 3)
    yield "tensor_3d_mixed", torch.stack([torch.arange(6.0).reshape(2, 3),
                                          torch.arange(6.0).reshape(2, 3) / 3])
    yield "tensor_3d_empty", torch.zeros(2, 0, 3)


def main():
    build = tempfile.mkdtemp(prefix="tg_compat_fixtures_")
    ext = load_inline(name="tg_compat_fixtures", cpp_sources=[CPP],
                      functions=["cpp_print", "cpp_grad_fns", "cpp_to_string",
                                 "cpp_undefined_to_string", "cpp_modules"], build_directory=build,
                      verbose=False)
    printed = []
    for name, t in cases():
        dtype = next(k for k, v in DTYPES.items() if v == t.dtype)
        values = [float(v) for v in t.double().reshape(-1).tolist()]
        printed.append({
            "name": name,
            "dtype": dtype,
            "sizes": list(t.shape),
            # JSON has no NaN or infinities: they travel as strings.
            "values": [v if v == v and abs(v) != float("inf") else str(v) for v in values],
            "expected": ext.cpp_print(t),
            "to_string": ext.cpp_to_string(t),
        })
    names = ext.cpp_grad_fns()
    grad_fns = [{"expression": e, "grad_fn": n} for e, n in zip(GRAD_FN_EXPRESSIONS, names)]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch_version": torch.__version__, "print": printed, "grad_fn": grad_fns,
                   "undefined": ext.cpp_undefined_to_string(),
                   "modules": dict(zip(MODULES, ext.cpp_modules()))}, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(printed)} print cases, {len(grad_fns)} grad_fn names")


if __name__ == "__main__":
    main()
