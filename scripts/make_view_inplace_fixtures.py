#!/usr/bin/python3
"""Writes tests/fixtures/autograd/view_inplace.json: in-place ops written through views of tensors
that take part in autograd (PyTorch's CopySlices), and views used after their base was written,
computed by the installed PyTorch. For each case: the inputs, the loss, the written base's value,
the gradient of every input, and the grad_fn names PyTorch gives the base and the view.

tests/autograd/test_view_inplace.cpp runs the same programs, case by case. Run with
/usr/bin/python3 (PyTorch 1.13) from the repository root.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "autograd",
                   "view_inplace.json")
gen = torch.Generator().manual_seed(2024)


def rand(*shape):
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1).float()


def enc(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def fill_select(x):
    y = x * 2
    y[1] = 5
    return (y * y).sum(), y, y[1]


def mul_narrow(x):
    y = x.clone()
    y.narrow(1, 0, 2).mul_(3)
    return (y * y).sum(), y, y.narrow(1, 0, 2)


def copy_into_zeros(x, w):
    y = torch.zeros(3, 4)
    y[1].copy_(x[1] * w)
    return (y * y).sum(), y, y[1]


def stale_view(x):
    y = x * 1
    a = y[0]
    y.mul_(2)
    return (a * a).sum(), y, a


def view_of_view(x, w):
    y = x * 1
    v = y.narrow(0, 1, 2)
    v2 = v.select(1, 2)
    v2.mul_(w)
    return (y * y).sum() + (v * v).sum(), y, v


def transposed_view_add(x, w):
    y = x * 1
    y.t()[0].add_(w)
    return (y * y).sum(), y, y.t()[0]


def rnn_outputs(W, h0, xs):
    out = torch.zeros(4, 3)
    h = h0
    for t in range(4):
        h = torch.tanh(W @ h + xs[t])
        out[t].copy_(h)
    return (out * out).sum(), out, out[3]


def two_writes(x, w):
    y = x * 1
    v = y[2]
    v.mul_(w)
    v.add_(w)
    return (y * y).sum(), y, v


def base_written_after(x, w):
    y = x * 1
    v = y[0]
    v.mul_(w)
    y.mul_(2)
    return (y * y).sum() + v.sum(), y, v


CASES = [
    ("fill_select", fill_select, [(3, 4)]),
    ("mul_narrow", mul_narrow, [(3, 4)]),
    ("copy_into_zeros", copy_into_zeros, [(3, 4), (4,)]),
    ("stale_view", stale_view, [(2, 3)]),
    ("view_of_view", view_of_view, [(4, 5), (2,)]),
    ("transposed_view_add", transposed_view_add, [(3, 4), (3,)]),
    ("rnn_outputs", rnn_outputs, [(3, 3), (3,), (4, 3)]),
    ("two_writes", two_writes, [(3, 4), (4,)]),
    ("base_written_after", base_written_after, [(3, 4), (4,)]),
]


def main():
    cases = []
    for name, fn, shapes in CASES:
        inputs = [rand(*s).requires_grad_() for s in shapes]
        loss, base, view = fn(*inputs)
        base_fn, view_fn = base.grad_fn, view.grad_fn
        loss.backward()
        cases.append({
            "name": name,
            "inputs": [enc(t) for t in inputs],
            "loss": loss.item(),
            "base": enc(base),
            "grads": [enc(t.grad) for t in inputs],
            "base_grad_fn": type(base_fn).__name__ if base_fn else None,
            "view_grad_fn": type(view_fn).__name__ if view_fn else None,
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
