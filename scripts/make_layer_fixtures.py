#!/usr/bin/env python3
"""Reference fixtures for tensorgrad's embedding and vision layers, produced by real PyTorch 1.13.

Writes tests/fixtures/nn/layers.json with, per section, cases holding the inputs, the options as
the C++ options take them, the output, its grad_fn name and the gradients for a given upstream
gradient; seeded initialisations; and the modules' reprs. Values are rounded to multiples of
2**-12 (exact in float32 and float64).

Run with:  /usr/bin/python3 scripts/make_layer_fixtures.py
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "nn", "layers.json")
GEN = torch.Generator().manual_seed(20261205)
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}


def encode(t):
    t = t.detach()
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "dtype": "int64", "values": t.reshape(-1).tolist()}
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


def randn(shape, dtype=torch.float64, scale=1.0):
    x = torch.randn(shape, generator=GEN, dtype=torch.float64) * scale
    return (torch.round(x * 4096) / 4096).to(dtype)


def randint(high, shape):
    return torch.randint(0, high, shape, generator=GEN)


def grads(out, inputs):
    g = randn(out.shape, out.dtype)
    want = [t for t in inputs if t is not None and t.requires_grad]
    got = torch.autograd.grad(out, want, g, allow_unused=True)
    return g, got


def embedding_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        for opts, idx in [
            ({}, randint(7, (5,))),
            ({}, randint(7, (2, 3))),
            ({"padding_idx": 2}, torch.tensor([[2, 1, 2], [0, 2, 6]])),
            ({"padding_idx": -1}, torch.tensor([6, 6, 1, 0])),
            ({"scale_grad_by_freq": True}, torch.tensor([1, 1, 3, 1, 3, 5])),
            ({"scale_grad_by_freq": True, "padding_idx": 1}, torch.tensor([[1, 1], [3, 1], [3, 5]])),
            ({"max_norm": 1.0}, torch.tensor([0, 3, 3, 4])),
            ({"max_norm": 1.5, "norm_type": 1.0}, torch.tensor([[1, 2], [2, 6]])),
            ({}, torch.zeros((0,), dtype=torch.int64)),
        ]:
            w0 = randn((7, 3), dtype, 1.0)
            w = w0.clone().requires_grad_(True)
            out = F.embedding(idx, w, **opts)
            g, (gw,) = grads(out, [w])
            cases.append({
                "options": opts, "weight": encode(w0), "indices": encode(idx),
                "output": encode(out), "grad_fn": type(out.grad_fn).__name__,
                "weight_after": encode(w), "grad": encode(g), "grad_weight": encode(gw)})
    return cases


def embedding_bag_cases():
    cases = []
    idx1 = torch.tensor([4, 1, 1, 0, 6, 2, 2, 3])
    for dtype in (torch.float32, torch.float64):
        for mode in ("sum", "mean", "max"):
            for opts, idx, offsets, psw in [
                ({}, idx1, torch.tensor([0, 3, 3, 5]), None),
                ({}, torch.tensor([[1, 2, 2], [0, 6, 5]]), None, None),
                ({"include_last_offset": True}, idx1, torch.tensor([0, 2, 2, 6, 8]), None),
                ({"padding_idx": 1}, idx1, torch.tensor([0, 3, 5]), None),
                ({"padding_idx": 2}, torch.tensor([[2, 2], [1, 2]]), None, None),
                ({"scale_grad_by_freq": True}, idx1, torch.tensor([0, 4]), None),
                ({"max_norm": 1.0}, idx1, torch.tensor([0, 1, 7]), None),
                ({}, idx1, torch.tensor([0, 4]), "psw"),
                ({"padding_idx": 0}, idx1, torch.tensor([0, 4]), "psw"),
            ]:
                if (psw is not None and mode != "sum") or (
                        mode == "max" and opts.get("scale_grad_by_freq")):
                    continue
                w0 = randn((7, 3), dtype)
                w = w0.clone().requires_grad_(True)
                p0 = randn(idx.shape, dtype) if psw else None
                p = p0.clone().requires_grad_(True) if psw else None
                out = F.embedding_bag(idx, w, offsets, mode=mode, per_sample_weights=p, **opts)
                g, got = grads(out, [w, p])
                case = {"options": dict(opts, mode=mode), "weight": encode(w0),
                        "indices": encode(idx), "output": encode(out),
                        "grad_fn": type(out.grad_fn).__name__, "weight_after": encode(w),
                        "grad": encode(g), "grad_weight": encode(got[0])}
                if offsets is not None:
                    case["offsets"] = encode(offsets)
                if psw:
                    case["per_sample_weights"] = encode(p0)
                    case["grad_per_sample_weights"] = encode(got[1])
                cases.append(case)
    return cases


def init_cases():
    cases = []
    for seed, n, d, pad in [(0, 10, 3, None), (7, 5, 4, 2), (123, 6, 2, -1)]:
        torch.manual_seed(seed)
        e = nn.Embedding(n, d, padding_idx=pad)
        torch.manual_seed(seed)
        b = nn.EmbeddingBag(n, d)
        cases.append({"seed": seed, "num_embeddings": n, "embedding_dim": d, "padding_idx": pad,
                      "embedding_weight": encode(e.weight), "bag_weight": encode(b.weight)})
    return cases


def pixel_shuffle_cases():
    cases = []
    for fn, shape, r in [("pixel_shuffle", (1, 8, 2, 3), 2), ("pixel_shuffle", (2, 1, 9, 2, 2), 3),
                         ("pixel_shuffle", (4, 1, 1), 2),
                         ("pixel_unshuffle", (1, 2, 4, 6), 2), ("pixel_unshuffle", (3, 3, 3), 3)]:
        x0 = randn(shape, torch.float32)
        x = x0.clone().requires_grad_(True)
        out = getattr(F, fn)(x, r)
        g, (gx,) = grads(out, [x])
        cases.append({"fn": fn, "factor": r, "input": encode(x0), "output": encode(out),
                      "grad_fn": type(out.grad_fn).__name__, "grad": encode(g),
                      "grad_input": encode(gx)})
    return cases


def interpolate_cases():
    cases = []
    configs = [
        # (input shape, mode, size, scale_factor, align_corners, recompute_scale_factor)
        ((2, 3, 5), "nearest", None, [2.0], None, None),
        ((1, 2, 7), "nearest", [3], None, None, None),
        ((1, 2, 4), "nearest", None, [1.7], None, None),
        ((1, 2, 5), "nearest-exact", [8], None, None, None),
        ((2, 1, 6), "linear", [9], None, False, None),
        ((2, 1, 6), "linear", [4], None, True, None),
        ((1, 2, 5), "linear", None, [2.5], False, None),
        ((1, 2, 5), "linear", None, [2.5], False, True),
        ((1, 3, 9), "area", [4], None, None, None),
        ((1, 2, 3, 4), "nearest", None, [2.0, 2.0], None, None),
        ((2, 2, 5, 3), "nearest", [7, 2], None, None, None),
        ((1, 1, 4, 6), "nearest-exact", None, [1.5, 0.5], None, None),
        ((1, 2, 3, 4), "bilinear", [5, 7], None, False, None),
        ((2, 1, 3, 4), "bilinear", [5, 7], None, True, None),
        ((1, 2, 6, 5), "bilinear", [3, 2], None, False, None),
        ((1, 1, 4, 4), "bilinear", None, [1.3, 2.6], False, None),
        ((1, 1, 4, 4), "bilinear", None, [1.3, 2.6], True, None),
        ((1, 1, 4, 4), "bilinear", [1, 1], None, True, None),
        ((1, 2, 4, 5), "bicubic", [7, 9], None, False, None),
        ((2, 1, 4, 5), "bicubic", [7, 3], None, True, None),
        ((1, 1, 5, 5), "bicubic", None, [0.6, 1.8], False, None),
        ((1, 2, 7, 5), "area", [3, 2], None, None, None),
        ((1, 1, 4, 4), "area", None, [0.5, 0.75], None, None),
        ((1, 1, 3, 3), "area", [5, 4], None, None, None),
        ((1, 2, 2, 3, 4), "nearest", None, [2.0, 1.5, 1.0], None, None),
        ((1, 1, 2, 3, 3), "nearest-exact", [3, 5, 2], None, None, None),
        ((1, 2, 2, 3, 4), "trilinear", [3, 5, 6], None, False, None),
        ((1, 1, 3, 2, 4), "trilinear", [2, 4, 3], None, True, None),
        ((1, 1, 4, 4, 6), "area", [2, 3, 4], None, None, None),
    ]
    for dtype in (torch.float32, torch.float64):
        for shape, mode, size, scale, align, recompute in configs:
            x0 = randn(shape, dtype)
            x = x0.clone().requires_grad_(True)
            kw = {"mode": mode}
            if size is not None:
                kw["size"] = size
            if scale is not None:
                kw["scale_factor"] = scale
            if align is not None:
                kw["align_corners"] = align
            if recompute is not None:
                kw["recompute_scale_factor"] = recompute
            out = F.interpolate(x, **kw)
            g, (gx,) = grads(out, [x])
            cases.append({"options": kw, "input": encode(x0), "output": encode(out),
                          "grad_fn": type(out.grad_fn).__name__, "grad": encode(g),
                          "grad_input": encode(gx)})
    return cases


def grid_sample_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        for mode in ("bilinear", "nearest"):
            for padding in ("zeros", "border", "reflection"):
                for align in (False, True):
                    shape = (2, 2, 4, 5) if align else (1, 3, 5, 3)
                    x0 = randn(shape, dtype)
                    g0 = (torch.rand((shape[0], 3, 4, 2), generator=GEN, dtype=torch.float64)
                          * 2.8 - 1.4)
                    # Keep nearest's points away from ties, where rounding is discontinuous.
                    g0 = (torch.round(g0 * 1024) / 1024 + 1 / 4096).to(dtype)
                    x = x0.clone().requires_grad_(True)
                    g = g0.clone().requires_grad_(True)
                    out = F.grid_sample(x, g, mode=mode, padding_mode=padding,
                                        align_corners=align)
                    up, (gx, gg) = grads(out, [x, g])
                    cases.append({"mode": mode, "padding_mode": padding, "align_corners": align,
                                  "input": encode(x0), "grid": encode(g0), "output": encode(out),
                                  "grad": encode(up), "grad_input": encode(gx),
                                  "grad_grid": encode(gg)})
    return cases


def affine_grid_cases():
    cases = []
    for dtype in (torch.float32, torch.float64):
        for size, align in [((2, 3, 4, 5), False), ((1, 1, 3, 3), True), ((2, 2, 1, 4), False)]:
            t0 = randn((size[0], 2, 3), dtype)
            t = t0.clone().requires_grad_(True)
            out = F.affine_grid(t, size, align_corners=align)
            up, (gt,) = grads(out, [t])
            cases.append({"size": list(size), "align_corners": align, "theta": encode(t0),
                          "output": encode(out), "grad": encode(up), "grad_theta": encode(gt)})
    return cases


def dropout_cases():
    cases = []
    for fn, shape, p, seed in [
        ("dropout1d", (3, 8, 5), 0.5, 1), ("dropout1d", (6, 4), 0.3, 2),
        ("dropout2d", (4, 6, 2, 3), 0.5, 3), ("dropout2d", (2, 5, 4), 0.25, 4),
        ("dropout3d", (2, 4, 2, 2, 2), 0.6, 5), ("dropout3d", (5, 2, 2, 3), 0.5, 6),
        ("alpha_dropout", (7, 9), 0.2, 7), ("alpha_dropout", (40,), 0.5, 8),
        ("feature_alpha_dropout", (3, 6, 4), 0.4, 9),
        ("feature_alpha_dropout", (2, 3, 2, 2), 0.5, 10),
    ]:
        x = randn(shape, torch.float32)
        torch.manual_seed(seed)
        out = getattr(F, fn)(x, p, training=True)
        cases.append({"fn": fn, "p": p, "seed": seed, "input": encode(x), "output": encode(out)})
    return cases


def reprs():
    return [
        ["Embedding(10, 3)", repr(nn.Embedding(10, 3))],
        ["Embedding(10, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True)",
         repr(nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True))],
        ["Embedding(10, 3, padding_idx=-1, max_norm=0.5, norm_type=1.0)",
         repr(nn.Embedding(10, 3, padding_idx=-1, max_norm=0.5, norm_type=1.0))],
        ["EmbeddingBag(10, 3)", repr(nn.EmbeddingBag(10, 3))],
        ["EmbeddingBag(10, 3, mode=max, padding_idx=2)",
         repr(nn.EmbeddingBag(10, 3, mode="max", padding_idx=2))],
        ["EmbeddingBag(4, 2, mode=sum, max_norm=2.0)",
         repr(nn.EmbeddingBag(4, 2, mode="sum", max_norm=2.0))],
        ["Flatten()", repr(nn.Flatten())],
        ["Flatten(0, 2)", repr(nn.Flatten(0, 2))],
        ["Unflatten(1, (2, 3))", repr(nn.Unflatten(1, (2, 3)))],
        ["Unflatten(-1, (6,))", repr(nn.Unflatten(-1, (6,)))],
        ["Identity()", repr(nn.Identity())],
        ["PixelShuffle(2)", repr(nn.PixelShuffle(2))],
        ["PixelUnshuffle(3)", repr(nn.PixelUnshuffle(3))],
        ["Upsample(scale_factor=2.0)", repr(nn.Upsample(scale_factor=2.0))],
        ["Upsample(scale_factor=(2.0, 1.5), mode=bilinear)",
         repr(nn.Upsample(scale_factor=(2.0, 1.5), mode="bilinear"))],
        ["Upsample(size=(3, 4), mode=bicubic, align_corners=True)",
         repr(nn.Upsample(size=(3, 4), mode="bicubic", align_corners=True))],
        ["Dropout1d()", repr(nn.Dropout1d())],
        ["Dropout2d(0.25)", repr(nn.Dropout2d(0.25))],
        ["Dropout3d(0.1, inplace=True)", repr(nn.Dropout3d(0.1, inplace=True))],
        ["AlphaDropout(0.2)", repr(nn.AlphaDropout(0.2))],
        ["FeatureAlphaDropout()", repr(nn.FeatureAlphaDropout())],
    ]


def main():
    data = {
        "embedding": embedding_cases(),
        "embedding_bag": embedding_bag_cases(),
        "init": init_cases(),
        "pixel_shuffle": pixel_shuffle_cases(),
        "interpolate": interpolate_cases(),
        "dropout": dropout_cases(),
        "grid_sample": grid_sample_cases(),
        "affine_grid": affine_grid_cases(),
        "repr": reprs(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
