#!/usr/bin/env python3
"""Reference fixtures for tensorgrad's convolutions, padding and unfold/fold, produced by real
PyTorch 1.13.

Writes tests/fixtures/nn/conv.json:
  conv:    F.conv1d/2d/3d and F.conv_transpose1d/2d/3d cases (strides, paddings incl. same/valid,
           dilations, groups, depthwise, odd sizes, batch 1, unbatched, output_padding, a
           non-contiguous and a channels-last input): the output and the input, weight and bias
           gradients for an upstream gradient.
  modules: Conv*d/ConvTranspose*d built after torch.manual_seed(seed): repr, the initial weight and
           bias (PyTorch's draw order), and forward/backward for every padding mode.
  pad:     F.pad in each mode; unfold/fold: F.unfold and F.fold, with gradients.
Inputs are multiples of 2**-6 (exact in float32 and float64).

Run with:  /usr/bin/python3 scripts/make_conv_fixtures.py
"""

import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "nn", "conv.json")
GEN = torch.Generator().manual_seed(20261205)
DTYPES = {torch.float32: "float32", torch.float64: "float64"}


def enc(t):
    t = t.detach()
    vals = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        # The shortest decimal that reads back as the same float32.
        vals = [float(repr(np.float32(v))) for v in vals]
    return {"shape": list(t.shape), "dtype": DTYPES[t.dtype], "values": vals}


def rnd(shape, dtype=torch.float32):
    x = torch.randn(shape, generator=GEN, dtype=torch.float64)
    return (torch.round(x * 64) / 64).to(dtype)


def conv_case(transposed, dims, n, cin, cout, k, stride=1, padding=0, dilation=1, groups=1,
              output_padding=0, bias=True, size=None, layout="contiguous", batched=True,
              dtype=torch.float32):
    size = size or {1: [7], 2: [6, 5], 3: [3, 4, 3]}[dims]
    if dims == 3:
        n = 1  # keeps the fixture file small
    ks = [k] * dims if isinstance(k, int) else k
    wshape = [cin, cout // groups] + ks if transposed else [cout, cin // groups] + ks
    shape = ([n] if batched else []) + [cin] + size
    x = rnd(shape, dtype)
    if layout == "channels_last":
        perm = [0] + list(range(2, len(shape))) + [1]
        inv = [perm.index(i) for i in range(len(shape))]
        x = x.permute(perm).contiguous().permute(inv)
    elif layout == "noncontiguous":
        x = x.transpose(-1, -2).contiguous().transpose(-1, -2)
    x.requires_grad_(True)
    w = rnd(wshape, dtype).requires_grad_(True)
    b = rnd([cout], dtype).requires_grad_(True) if bias else None
    fn = getattr(F, ("conv_transpose%dd" if transposed else "conv%dd") % dims)
    if transposed:
        y = fn(x, w, b, stride, padding, output_padding, groups, dilation)
    else:
        y = fn(x, w, b, stride, padding, dilation, groups)
    g = rnd(list(y.shape), dtype)
    y.backward(g)
    return {
        "transposed": transposed, "dims": dims, "stride": stride, "padding": padding,
        "dilation": dilation, "groups": groups, "output_padding": output_padding,
        "layout": layout, "input": enc(x), "weight": enc(w),
        "bias": enc(b) if bias else None, "output": enc(y), "grad_output": enc(g),
        "grad_input": enc(x.grad), "grad_weight": enc(w.grad),
        "grad_bias": enc(b.grad) if bias else None, "grad_fn": type(y.grad_fn).__name__,
    }


def conv_cases():
    c = []
    for dims in (1, 2, 3):
        c.append(conv_case(False, dims, 2, 3, 4, 3))
        c.append(conv_case(False, dims, 2, 4, 6, 2, stride=2, padding=1, groups=2))
        c.append(conv_case(False, dims, 1, 2, 3, 3, dilation=2, padding=2, bias=False))
        c.append(conv_case(False, dims, 2, 2, 3, 3, padding="same"))
        c.append(conv_case(False, dims, 2, 2, 3, 2, padding="same", dilation=1))
        c.append(conv_case(False, dims, 2, 2, 3, 3, padding="valid"))
        c.append(conv_case(False, dims, 2, 4, 4, 3, groups=4, padding=1))  # depthwise
        c.append(conv_case(True, dims, 2, 3, 4, 3))
        c.append(conv_case(True, dims, 2, 4, 6, 3, stride=2, padding=1, output_padding=1,
                           groups=2))
        c.append(conv_case(True, dims, 1, 2, 3, 2, stride=3, dilation=2, output_padding=2,
                           bias=False))
        c.append(conv_case(False, dims, 2, 3, 5, 1))  # pointwise
        c.append(conv_case(True, dims, 2, 3, 5, 1))
        c.append(conv_case(False, dims, 1, 2, 3, 3, batched=False, padding=1))
    c.append(conv_case(False, 2, 2, 3, 4, [3, 2], stride=[2, 1], padding=[1, 0],
                       dilation=[1, 2], size=[9, 7]))
    c.append(conv_case(False, 2, 2, 3, 4, 3, layout="noncontiguous", padding=1))
    c.append(conv_case(False, 2, 2, 3, 4, 3, layout="channels_last", stride=2))
    c.append(conv_case(True, 2, 2, 3, 4, 3, layout="channels_last", stride=2))
    c.append(conv_case(False, 2, 1, 6, 4, 3, groups=2, stride=2, padding=2, dilation=2,
                       size=[11, 8]))
    c.append(conv_case(False, 2, 2, 3, 4, 3, padding=1, dtype=torch.float64))
    c.append(conv_case(True, 3, 1, 2, 2, [2, 3, 1], stride=[2, 1, 2], output_padding=[1, 0, 1],
                       dtype=torch.float64))
    return c


def module_cases():
    out = []
    specs = [
        ("Conv1d", nn.Conv1d, dict(in_channels=2, out_channels=3, kernel_size=3), [2, 2, 9]),
        ("Conv2d", nn.Conv2d, dict(in_channels=1, out_channels=6, kernel_size=5, padding=2),
         [2, 1, 8, 8]),
        ("Conv2d", nn.Conv2d, dict(in_channels=2, out_channels=4, kernel_size=3, padding=1,
                                   padding_mode="reflect"), [1, 2, 5, 6]),
        ("Conv2d", nn.Conv2d, dict(in_channels=2, out_channels=4, kernel_size=3, padding=(1, 2),
                                   padding_mode="replicate", bias=False), [1, 2, 5, 6]),
        ("Conv2d", nn.Conv2d, dict(in_channels=2, out_channels=4, kernel_size=3, padding=1,
                                   stride=2, padding_mode="circular"), [1, 2, 5, 6]),
        ("Conv2d", nn.Conv2d, dict(in_channels=2, out_channels=4, kernel_size=4, padding="same",
                                   padding_mode="reflect"), [1, 2, 6, 6]),
        ("Conv2d", nn.Conv2d, dict(in_channels=4, out_channels=4, kernel_size=3, groups=2,
                                   dilation=2, padding="same"), [1, 4, 7, 7]),
        ("Conv2d", nn.Conv2d, dict(in_channels=1, out_channels=2, kernel_size=3), [1, 5, 5]),
        ("Conv3d", nn.Conv3d, dict(in_channels=2, out_channels=2, kernel_size=2, stride=1,
                                   padding=1, padding_mode="circular"), [1, 2, 3, 4, 3]),
        ("Conv1d", nn.Conv1d, dict(in_channels=2, out_channels=2, kernel_size=3, padding=2,
                                   padding_mode="reflect"), [1, 2, 6]),
        ("ConvTranspose1d", nn.ConvTranspose1d, dict(in_channels=2, out_channels=4,
                                                     kernel_size=3, stride=2, output_padding=1,
                                                     groups=2, dilation=2), [2, 2, 5]),
        ("ConvTranspose2d", nn.ConvTranspose2d, dict(in_channels=3, out_channels=2,
                                                     kernel_size=4, stride=2, padding=1),
         [2, 3, 4, 4]),
        ("ConvTranspose3d", nn.ConvTranspose3d, dict(in_channels=2, out_channels=2,
                                                     kernel_size=2, bias=False), [1, 2, 2, 3, 2]),
    ]
    for i, (name, cls, kw, shape) in enumerate(specs):
        seed = 100 + i
        torch.manual_seed(seed)
        m = cls(**kw)
        w0, b0 = m.weight.detach().clone(), (m.bias.detach().clone() if m.bias is not None else None)
        x = rnd(shape).requires_grad_(True)
        y = m(x)
        g = rnd(list(y.shape))
        y.backward(g)
        opts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        out.append({"module": name, "options": opts, "seed": seed, "repr": repr(m),
                    "weight": enc(w0), "bias": enc(b0) if b0 is not None else None,
                    "input": enc(x), "output": enc(y), "grad_output": enc(g),
                    "grad_input": enc(x.grad), "grad_weight": enc(m.weight.grad),
                    "grad_bias": enc(m.bias.grad) if m.bias is not None else None,
                    "grad_fn": type(y.grad_fn).__name__})
    # ConvTranspose2d.forward(input, output_size)
    torch.manual_seed(7)
    m = nn.ConvTranspose2d(2, 3, 3, stride=2)
    x = rnd([1, 2, 4, 4])
    y = m(x, output_size=[1, 3, 10, 9])
    out.append({"module": "ConvTranspose2d", "options": dict(in_channels=2, out_channels=3,
                                                             kernel_size=3, stride=2),
                "seed": 7, "repr": repr(m), "output_size": [1, 3, 10, 9],
                "weight": enc(m.weight), "bias": enc(m.bias), "input": enc(x), "output": enc(y)})
    return out


def pad_cases():
    out = []
    specs = [
        ([2, 3, 4], [1, 2], "constant", 0.5), ([2, 3, 4], [-1, 2, 1, 0], "constant", 0.0),
        ([3, 4], [2, 1], "reflect", 0.0), ([2, 3, 5], [2, 3], "reflect", 0.0),
        ([1, 2, 4, 5], [1, 2, 3, 0], "reflect", 0.0), ([1, 2, 3, 4, 3], [1, 2, 2, 1, 0, 2], "reflect", 0.0),
        ([2, 3, 5], [-1, 2], "reflect", 0.0),
        ([2, 3, 4], [3, 1], "replicate", 0.0), ([1, 2, 3, 4], [2, 1, 0, 3], "replicate", 0.0),
        ([2, 3, 2, 3], [1, 1, 2, 1, 2, 0], "replicate", 0.0),
        ([1, 2, 4], [2, 3], "circular", 0.0), ([1, 2, 3, 4], [1, 2, 3, 0], "circular", 0.0),
        ([1, 1, 2, 3, 4], [1, 1, 1, 1, 2, 2], "circular", 0.0), ([1, 2, 5], [-1, 2], "circular", 0.0),
    ]
    for shape, pad, mode, value in specs:
        x = rnd(shape).requires_grad_(True)
        y = F.pad(x, pad, mode=mode, value=value) if mode == "constant" else F.pad(x, pad, mode=mode)
        g = rnd(list(y.shape))
        y.backward(g)
        out.append({"pad": pad, "mode": mode, "value": value, "input": enc(x), "output": enc(y),
                    "grad_output": enc(g), "grad_input": enc(x.grad),
                    "grad_fn": type(y.grad_fn).__name__})
    return out


def fold_cases():
    out = []
    specs = [([2, 3, 5, 6], dict(kernel_size=2)),
             ([1, 2, 6, 5], dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=(2, 1))),
             ([2, 5, 5], dict(kernel_size=3, stride=2, padding=1))]
    for shape, kw in specs:
        x = rnd(shape).requires_grad_(True)
        y = F.unfold(x, **kw)
        g = rnd(list(y.shape))
        y.backward(g)
        z = rnd(list(y.shape)).requires_grad_(True)
        f = F.fold(z, output_size=shape[-2:], **kw)
        gf = rnd(list(f.shape))
        f.backward(gf)
        opts = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        out.append({"options": opts, "input": enc(x), "unfold": enc(y), "grad_unfold": enc(g),
                    "grad_input": enc(x.grad), "fold_input": enc(z), "fold": enc(f),
                    "grad_fold": enc(gf), "grad_fold_input": enc(z.grad),
                    "output_size": shape[-2:]})
    return out


def main():
    data = {"torch_version": torch.__version__, "conv": conv_cases(), "modules": module_cases(),
            "pad": pad_cases(), "fold": fold_cases()}
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
