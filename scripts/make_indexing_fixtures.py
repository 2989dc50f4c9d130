#!/usr/bin/python3
"""Writes tests/fixtures/ops/indexing.json: values and gradients of indexing expressions
(x[...] with integers, slices, None, Ellipsis, bools, int64 and bool tensors), of index_put, and of
nonzero, count_nonzero, repeat_interleave, scatter's reductions, scatter_reduce, index_fill,
index_copy, masked_scatter, take and put, computed by the installed PyTorch.

An index list is stored entry by entry: {"i": n}, {"s": [start, stop, step]} (null: absent),
"None", "...", {"b": true|false} or {"t": tensor}. Inputs are row-major values of a contiguous
buffer; with "t" the expression is applied to that buffer's transpose over the last two dims.
Run with /usr/bin/python3 (PyTorch 1.13) from the repository root.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "ops", "indexing.json")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
          torch.bool: "bool"}
FLOATS = (torch.float32, torch.float64)


def num(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def enc(t):
    t = t.detach().contiguous()
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
            "values": [num(v) for v in t.reshape(-1).tolist()]}


gen = torch.Generator().manual_seed(4321)


def make(shape, dtype, transposed=False):
    bshape = list(shape)
    if transposed:
        bshape[-1], bshape[-2] = bshape[-2], bshape[-1]
    if dtype in FLOATS:
        base = (torch.rand(bshape, generator=gen, dtype=torch.float64) * 4 - 2).to(dtype)
    elif dtype == torch.int64:
        base = torch.randint(-4, 5, bshape, generator=gen)
    else:
        base = torch.rand(bshape, generator=gen) > 0.5
    return base


def L(*v):
    return torch.tensor(v, dtype=torch.int64)


def B(*v):
    return torch.tensor(v, dtype=torch.bool)


def enc_index(ix):
    out = []
    for i in ix:
        if i is None:
            out.append("None")
        elif i is Ellipsis:
            out.append("...")
        elif isinstance(i, bool):
            out.append({"b": i})
        elif isinstance(i, int):
            out.append({"i": i})
        elif isinstance(i, slice):
            out.append({"s": [i.start, i.stop, i.step]})
        else:
            out.append({"t": enc(i)})
    return out


cases = []


def grad_of(y, xin, base, transposed):
    g = torch.rand(y.shape, generator=gen, dtype=torch.float64).to(y.dtype)
    (gx,) = torch.autograd.grad(y, xin, g)
    return g, gx


def get_case(shape, dtype, ix, transposed=False):
    base = make(shape, dtype, transposed)
    xin = base.detach().clone().requires_grad_(dtype in FLOATS)
    x = xin.transpose(-1, -2) if transposed else xin
    y = x[tuple(ix)]
    c = {"kind": "get", "x": enc(base), "t": transposed, "index": enc_index(ix), "out": enc(y)}
    if dtype in FLOATS and y.numel() > 0:
        g, gx = grad_of(y, xin, base, transposed)
        c["g"], c["grad"] = enc(g), enc(gx)
    cases.append(c)


def put_case(shape, dtype, ix, vshape, transposed=False, accumulate=None):
    base = make(shape, dtype, transposed)
    v = make(vshape, dtype)
    xin = base.detach().clone().requires_grad_(dtype in FLOATS)
    vin = v.detach().clone().requires_grad_(dtype in FLOATS)
    x = xin.transpose(-1, -2) if transposed else xin
    x = x * 1 if dtype in FLOATS else x.clone()
    if accumulate is None:
        x[tuple(ix)] = vin
        kind = "set"
    else:
        x = x.index_put(tuple(ix), vin, accumulate)
        kind = "index_put"
    c = {"kind": kind, "x": enc(base), "t": transposed, "index": enc_index(ix), "v": enc(v),
         "out": enc(x)}
    if accumulate is not None:
        c["accumulate"] = accumulate
    if dtype in FLOATS:
        g = torch.rand(x.shape, generator=gen, dtype=torch.float64).to(dtype)
        gx, gv = torch.autograd.grad(x, (xin, vin), g)
        c["g"], c["grad"], c["grad_v"] = enc(g), enc(gx), enc(gv)
    cases.append(c)


def op_case(op, shape, dtype, args, fn, transposed=False, src=None):
    base = make(shape, dtype, transposed)
    xin = base.detach().clone().requires_grad_(dtype in FLOATS)
    x = xin.transpose(-1, -2) if transposed else xin
    sin = None
    if src is not None:
        sv = make(src, dtype)
        sin = sv.detach().clone().requires_grad_(dtype in FLOATS)
        args = dict(args, src=enc(sv))
    y = fn(x, sin)
    c = {"kind": "op", "op": op, "x": enc(base), "t": transposed, "args": args, "out": enc(y)}
    if dtype in FLOATS and y.requires_grad:
        g = torch.rand(y.shape, generator=gen, dtype=torch.float64).to(dtype)
        ins = (xin,) if sin is None else (xin, sin)
        grads = torch.autograd.grad(y, ins, g, allow_unused=True)
        c["g"], c["grad"] = enc(g), enc(grads[0])
        if sin is not None:
            c["grad_src"] = enc(grads[1])
    cases.append(c)


# ---- x[...]
for dt in (torch.float32, torch.float64, torch.int64, torch.bool):
    get_case([3, 4], dt, [1])
    get_case([3, 4], dt, [-1, slice(None, None, 2)])
    get_case([3, 4], dt, [L(0, 2, -1)])
    get_case([3, 4], dt, [B(True, False, True)])
    get_case([3, 4], dt, [slice(1, None), L(3, 0)], transposed=True)
for t in (False, True):
    get_case([4, 5], torch.float32, [slice(None), L(1, -1, 0)], transposed=t)
    get_case([4, 5], torch.float64, [L(0, 3), L(4, -5)], transposed=t)
    get_case([4, 5], torch.float64, [torch.rand(4, 5, generator=gen) > 0.4], transposed=t)
    get_case([4, 5], torch.float64, [slice(-3, None), slice(None, -1, 3)], transposed=t)
get_case([2, 3, 4], torch.float64, [L(0, 1), slice(None), L(1, 2)])
get_case([2, 3, 4], torch.float64, [L(1), 2, L(0, 3)])
get_case([2, 3, 4], torch.float64, [slice(None), L(0, 2), L(1, 3)])
get_case([2, 3, 4], torch.float64, [L(0, 1, 1).reshape(3, 1), slice(None), L(1, 2, 3, 0)])
get_case([2, 3, 4], torch.float64, [Ellipsis, L(2, 2, 0)])
get_case([2, 3, 4], torch.float64, [None, 1, Ellipsis, None, slice(1, 3)])
get_case([2, 3, 4], torch.float64, [True, L(1, 0)])
get_case([2, 3, 4], torch.float64, [slice(None), False])
get_case([2, 3, 4], torch.float64, [B(False, False)])
get_case([2, 3, 4], torch.float64, [L(1, 0), B(True, False, True)])
get_case([2, 3, 4], torch.float64, [slice(None), torch.rand(3, 4, generator=gen) > 0.5])
get_case([2, 3, 4], torch.float64, [L(0, 1), None, L(2, 0)])
get_case([2, 3, 4], torch.float64, [torch.tensor(1), slice(0, 2)])
get_case([2, 3, 4], torch.float64, [torch.tensor(True), L(0)])
get_case([2, 3, 4], torch.float64, [slice(5, None)])
get_case([2, 3, 4], torch.float64, [Ellipsis])
get_case([2, 3, 4], torch.float64, [L(1, 1, 0, 1).reshape(2, 2)], transposed=True)
get_case([5], torch.float64, [slice(1, -1, 2)])
get_case([5], torch.float64, [slice(-100, 100)])
get_case([], torch.float64, [None])
get_case([], torch.float64, [True])
get_case([], torch.float64, [Ellipsis, None])
get_case([0, 3], torch.float64, [L(), slice(1, None)])

# ---- x[...] = v and index_put
for dt in (torch.float32, torch.float64, torch.int64, torch.bool):
    put_case([3, 4], dt, [L(2, 0)], [4])
    put_case([3, 4], dt, [slice(None), B(True, False, False, True)], [3, 1])
put_case([3, 4], torch.float64, [1], [4])
put_case([3, 4], torch.float64, [slice(None, None, 2)], [1, 4])
put_case([3, 4], torch.float64, [L(0, -1), L(1, 3)], [2])
put_case([3, 4], torch.float64, [L(0, -1), L(1, 3)], [])
put_case([3, 4], torch.float64, [torch.rand(3, 4, generator=gen) > 0.5], [])
put_case([2, 3, 4], torch.float64, [L(0, 1), slice(None), L(3, 3)], [2, 3])
put_case([2, 3, 4], torch.float64, [Ellipsis, L(1, 0)], [1, 1, 1, 2])
put_case([3, 4], torch.float64, [L(0, 2), slice(1, 3)], [2, 2], transposed=True)
put_case([3, 4], torch.float64, [L(0, 0, 2)], [3, 4], accumulate=True)
put_case([3, 4], torch.float64, [L(0, 2), L(1, 1)], [1], accumulate=True)
put_case([3, 4], torch.float64, [L(1, 2)], [1, 4], accumulate=False)
put_case([3, 4], torch.int64, [L(1, 1, 2)], [4], accumulate=True)
put_case([3, 4], torch.float32, [B(True, False, True)], [2, 4], transposed=True, accumulate=True)

# ---- the ops
I = L
for dt in (torch.float32, torch.float64, torch.int64, torch.bool):
    op_case("nonzero", [3, 4], dt, {}, lambda x, s: torch.nonzero(x))
    op_case("count_nonzero", [3, 4], dt, {"dim": [1]}, lambda x, s: torch.count_nonzero(x, 1))
op_case("nonzero", [], torch.float64, {}, lambda x, s: torch.nonzero(x))
op_case("nonzero", [2, 3], torch.int64, {}, lambda x, s: torch.nonzero(x), transposed=True)
op_case("count_nonzero", [2, 3, 2], torch.int64, {"dim": [0, 2]},
        lambda x, s: torch.count_nonzero(x, (0, 2)))
op_case("count_nonzero", [2, 3], torch.float64, {}, lambda x, s: torch.count_nonzero(x))
for t in (False, True):
    op_case("repeat_interleave", [2, 3], torch.float64, {"repeats": enc(L(1, 0, 2)), "dim": 1},
            lambda x, s: x.repeat_interleave(L(1, 0, 2), 1), transposed=t)
op_case("repeat_interleave", [2, 3], torch.float32, {"repeats": enc(torch.tensor(2))},
        lambda x, s: x.repeat_interleave(torch.tensor(2)))
op_case("repeat_interleave", [3], torch.int64, {"repeats": enc(L(3, 1, 2)), "dim": 0},
        lambda x, s: x.repeat_interleave(L(3, 1, 2), 0))
idx = I(0, 2, 0, 1, 2, 0).reshape(2, 3)
for red in ("add", "multiply"):
    for dt in (torch.float64, torch.int64):
        op_case("scatter_reduce_arg", [3, 3], dt, {"dim": 0, "index": enc(idx), "reduce": red},
                lambda x, s, red=red: x.detach().scatter(0, idx, s.detach(), reduce=red),
                src=[2, 4])
    op_case("scatter_value_reduce", [3, 3], torch.float32,
            {"dim": 1, "index": enc(idx.t()), "value": 1.5, "reduce": red},
            lambda x, s, red=red: x.detach().scatter(1, idx.t(), 1.5, reduce=red))
idx2 = I(0, 2, 0, 1, 2, 0, 0, 0).reshape(2, 4)
for red in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        for dt in (torch.float64, torch.int64):
            op_case("scatter_reduce", [3, 4], dt,
                    {"dim": 0, "index": enc(idx2), "reduce": red, "include_self": inc},
                    lambda x, s, red=red, inc=inc: x.scatter_reduce(0, idx2, s, red,
                                                                   include_self=inc),
                    src=[2, 4])
    op_case("scatter_reduce", [4, 3], torch.float32,
            {"dim": 1, "index": enc(idx2.t()[:, :2]), "reduce": red, "include_self": True},
            lambda x, s, red=red: x.scatter_reduce(1, idx2.t()[:, :2], s, red), transposed=True,
            src=[4, 2])
for t in (False, True):
    op_case("index_fill", [3, 4], torch.float64, {"dim": 1, "index": enc(I(3, -4)), "value": -1.5},
            lambda x, s: x.index_fill(1, I(3, -4), -1.5), transposed=t)
op_case("index_fill", [3, 4], torch.int64, {"dim": 0, "index": enc(torch.tensor(1)), "value": 7},
        lambda x, s: x.index_fill(0, torch.tensor(1), 7))
op_case("index_copy", [3, 4], torch.float64, {"dim": 0, "index": enc(I(2, 0))},
        lambda x, s: x.index_copy(0, I(2, 0), s), src=[2, 4])
op_case("index_copy", [3, 4], torch.float32, {"dim": 1, "index": enc(I(3, 1, 0))},
        lambda x, s: x.index_copy(1, I(3, 1, 0), s), transposed=True, src=[3, 3])
op_case("index_copy", [3, 4], torch.int64, {"dim": -1, "index": enc(I(1))},
        lambda x, s: x.index_copy(-1, I(1), s), src=[3, 1])
m = torch.rand(3, 4, generator=gen) > 0.5
for dt in (torch.float64, torch.int64):
    op_case("masked_scatter", [3, 4], dt, {"mask": enc(m)},
            lambda x, s: x.masked_scatter(m, s), src=[4, 4])
op_case("masked_scatter", [3, 4], torch.float32, {"mask": enc(m[1])},
        lambda x, s: x.masked_scatter(m[1], s), transposed=True, src=[13])
for t in (False, True):
    op_case("take", [3, 4], torch.float64, {"index": enc(I(0, -1, 5, 5).reshape(2, 2))},
            lambda x, s: x.take(I(0, -1, 5, 5).reshape(2, 2)), transposed=t)
op_case("take", [3, 4], torch.int64, {"index": enc(I(11, -12))}, lambda x, s: x.take(I(11, -12)))
for acc in (False, True):
    op_case("put", [3, 4], torch.float64, {"index": enc(I(1, -1, 5)), "accumulate": acc},
            lambda x, s, acc=acc: x.put(I(1, -1, 5), s, acc), src=[3])
    op_case("put", [3, 4], torch.float32, {"index": enc(I(0, 0, 7, 2).reshape(2, 2)),
                                           "accumulate": acc},
            lambda x, s, acc=acc: x.put(I(0, 0, 7, 2).reshape(2, 2), s, acc), transposed=True,
            src=[4])
op_case("put", [2, 2], torch.int64, {"index": enc(I(3, 3)), "accumulate": True},
        lambda x, s: x.put(I(3, 3), s, True), src=[2])

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases written to", OUT)
