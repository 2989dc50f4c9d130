#!/usr/bin/env python3
"""Reference fixtures for tensorgrad's activation modules and their functional forms, produced by
real PyTorch 1.13.

Writes tests/fixtures/nn/activations.json: for each case a module as Python builds it (its class
and constructor arguments, which the C++ test maps to tg::nn options), its repr, an input, the
output and its grad_fn name, an upstream gradient and the gradients of the input and of the
module's parameters. Inputs are rounded to multiples of 2**-12 (exact in float32 and float64).

Run with:  /usr/bin/python3 scripts/make_activation_fixtures.py
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "nn", "activations.json")
GEN = torch.Generator().manual_seed(20261205)
DTYPES = {torch.float32: "float32", torch.float64: "float64"}


def encode(t):
    t = t.detach()
    vals = []
    for v in t.reshape(-1).tolist():
        if math.isnan(v):
            vals.append("nan")
        elif math.isinf(v):
            vals.append("inf" if v > 0 else "-inf")
        elif t.dtype == torch.float32:
            short = float(repr(np.float32(v)))
            vals.append(short if float(np.float32(short)) == v else v)
        else:
            vals.append(v)
    return {"shape": list(t.shape), "dtype": DTYPES[t.dtype], "values": vals}


def randn(shape, dtype, scale):
    x = torch.randn(shape, generator=GEN, dtype=torch.float64) * scale
    return (torch.round(x * 4096) / 4096).to(dtype)


# (C++ module name, Python constructor, its keyword arguments as the C++ options take them)
MODULES = [
    ("ELU", nn.ELU, {}),
    ("ELU", nn.ELU, {"alpha": 0.5}),
    ("SELU", nn.SELU, {}),
    ("CELU", nn.CELU, {"alpha": 1.5}),
    ("GELU", nn.GELU, {}),
    ("GELU", nn.GELU, {"approximate": "tanh"}),
    ("SiLU", nn.SiLU, {}),
    ("Mish", nn.Mish, {}),
    ("Softplus", nn.Softplus, {}),
    ("Softplus", nn.Softplus, {"beta": 2.0, "threshold": 3.0}),
    ("Hardtanh", nn.Hardtanh, {}),
    ("Hardtanh", nn.Hardtanh, {"min_val": -2.0, "max_val": 2.5}),
    ("Hardswish", nn.Hardswish, {}),
    ("Hardsigmoid", nn.Hardsigmoid, {}),
    ("LogSigmoid", nn.LogSigmoid, {}),
    ("GLU", nn.GLU, {}),
    ("GLU", nn.GLU, {"dim": 0}),
    ("PReLU", nn.PReLU, {}),
    ("PReLU", nn.PReLU, {"num_parameters": 3, "init": 0.1}),
    ("ReLU6", nn.ReLU6, {}),
    ("Softsign", nn.Softsign, {}),
    ("Tanhshrink", nn.Tanhshrink, {}),
    ("Softshrink", nn.Softshrink, {}),
    ("Softshrink", nn.Softshrink, {"lambd": 1.0}),
    ("Hardshrink", nn.Hardshrink, {"lambd": 0.3}),
    ("Threshold", nn.Threshold, {"threshold": 0.1, "value": 20.0}),
]


def main():
    cases = []
    for dtype in DTYPES:
        for name, ctor, kwargs in MODULES:
            module = ctor(**kwargs).to(dtype)
            x = randn((2, 3, 4), dtype, 3.0).requires_grad_(True)
            y = module(x)
            up = randn(tuple(y.shape), dtype, 1.0)
            y.backward(up)
            params = {k: encode(p.grad) for k, p in module.named_parameters()}
            cases.append({
                "name": f"{name}_{'_'.join(f'{k}_{v}' for k, v in kwargs.items())}_{DTYPES[dtype]}",
                "module": name,
                "args": kwargs,
                "repr": repr(module),
                "input": encode(x),
                "output": encode(y),
                "grad_fn": type(y.grad_fn).__name__,
                "upstream": encode(up),
                "input_grad": encode(x.grad),
                "param_grads": params,
            })
    with open(OUT, "w") as f:
        f.write('{"meta": ' + json.dumps({"torch_version": torch.__version__,
                                          "generator": "scripts/make_activation_fixtures.py"}))
        f.write(',\n"cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
        f.write("\n]}\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
