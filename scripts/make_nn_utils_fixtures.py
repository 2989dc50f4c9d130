#!/usr/bin/python3
"""Reference values for tests/nn/test_containers.cpp: gradient clipping by PyTorch 1.13 and the
reprs of its container modules.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 scripts/make_nn_utils_fixtures.py
Writes tests/fixtures/nn/utils.json.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nn")


def clip_cases():
    g = torch.Generator().manual_seed(5)
    grads = [torch.randn(3, 4, generator=g) * 2, torch.randn(5, generator=g), torch.randn(2, 2, generator=g) * 0.1]
    cases = []
    for norm_type in [2.0, 1.0, 3.0, 0.5, float("inf")]:
        for max_norm in [0.5, 1e3]:
            params = [torch.zeros_like(t, requires_grad=True) for t in grads]
            for p, t in zip(params, grads):
                p.grad = t.clone()
            total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
            cases.append({"norm_type": "inf" if norm_type == float("inf") else norm_type,
                          "max_norm": max_norm, "total_norm": float(total),
                          "grads": [p.grad.reshape(-1).tolist() for p in params]})
    return {"grads": [{"shape": list(t.shape), "values": t.reshape(-1).tolist()} for t in grads],
            "cases": cases}


def reprs():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 3), nn.ReLU()])
            self.heads = nn.ModuleDict({"cls": nn.Linear(3, 4), "reg": nn.Linear(3, 1)})
            self.extra = nn.ParameterList([nn.Parameter(torch.zeros(3, 4)),
                                           nn.Parameter(torch.zeros(3, dtype=torch.float64))])
            self.table = nn.ParameterDict({"a": nn.Parameter(torch.zeros(2, 5)),
                                           "b": nn.Parameter(torch.zeros(()))})

    return {
        "net": repr(Net()),
        "single_parameter_list": repr(nn.ParameterList([nn.Parameter(torch.zeros(2))])),
        "empty_module_list": repr(nn.ModuleList()),
    }


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "utils.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "clip_grad_norm": clip_cases(),
                   "repr": reprs()}, f, indent=1)
        f.write("\n")
