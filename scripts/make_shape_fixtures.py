#!/usr/bin/python3
"""Writes tests/fixtures/ops/shape_ops.json: values and gradients of the scan and shape ops
(cumsum, cumprod, logsumexp, flip, roll, tril, triu, outer) computed by the installed PyTorch.

Each case stores its input (row-major values of a contiguous buffer; with "t" the op is applied
to that buffer's transpose over the last two dims, a non-contiguous input), the op's arguments,
the result, and, for floating inputs, the gradient of the input for the stored upstream gradient.
Run with /usr/bin/python3 (PyTorch 1.13) from the repository root.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "ops", "shape_ops.json")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
          torch.bool: "bool"}


def num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def enc(t):
    t = t.detach().contiguous()
    vals = t.reshape(-1).tolist()
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "values": [num(v) for v in vals]}


gen = torch.Generator().manual_seed(1234)


def make(shape, dtype, transposed, lo=-2.0, hi=2.0, zeros=False):
    bshape = list(shape)
    if transposed:
        bshape[-1], bshape[-2] = bshape[-2], bshape[-1]
    if dtype in (torch.float32, torch.float64):
        base = (torch.rand(bshape, generator=gen, dtype=torch.float64) * (hi - lo) + lo).to(dtype)
        if zeros:
            base.view(-1)[::3] = 0
    elif dtype == torch.int64:
        base = torch.randint(-4, 5, bshape, generator=gen)
    else:
        base = torch.rand(bshape, generator=gen) > 0.5
    return base


cases = []


def case(op, shape, dtype, args, transposed=False, **kw):
    base = make(shape, dtype, transposed, **kw)
    x = base.transpose(-1, -2) if transposed else base
    floating = dtype in (torch.float32, torch.float64)
    xin = x.detach().clone().requires_grad_(True) if floating and not transposed else None
    if floating and transposed:
        base_leaf = base.detach().clone().requires_grad_(True)
        xin = base_leaf.transpose(-1, -2)
    fn = FNS[op]
    y = fn(xin if floating else x, args)
    c = {"op": op, "args": args, "x": enc(base), "t": transposed, "out": enc(y)}
    # PyTorch 1.13's masked_select gradient for a non-contiguous input puts the gradients in the
    # input's memory order rather than its logical order (it disagrees with finite differences of
    # its own forward), so only the value is kept for those cases; gradcheck covers the gradient.
    if floating and op == "masked_select" and transposed:
        floating = False
    if floating:
        g = torch.rand(y.shape, generator=gen, dtype=torch.float64).to(y.dtype) * 2 - 1
        (gx,) = torch.autograd.grad(y, xin, g)
        c["g"] = enc(g)
        c["grad"] = enc(gx)
    cases.append(c)


def opt_dtype(args):
    return {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}.get(
        args.get("dtype"))


FNS = {
    "cumsum": lambda x, a: torch.cumsum(x, a["dim"], dtype=opt_dtype(a)),
    "cumprod": lambda x, a: torch.cumprod(x, a["dim"], dtype=opt_dtype(a)),
    "logsumexp": lambda x, a: torch.logsumexp(x, a["dims"], a["keepdim"]),
    "flip": lambda x, a: torch.flip(x, a["dims"]),
    "roll": lambda x, a: torch.roll(x, a["shifts"], a["dims"]),
    "tril": lambda x, a: torch.tril(x, a["k"]),
    "triu": lambda x, a: torch.triu(x, a["k"]),
    "diag": lambda x, a: torch.diag(x, a["k"]),
    "repeat": lambda x, a: x.repeat(a["sizes"]),
    "tile": lambda x, a: torch.tile(x, a["sizes"]),
    "repeat_interleave": lambda x, a: torch.repeat_interleave(x, a["repeats"], a.get("dim")),
    "unbind_stack": lambda x, a: torch.stack(torch.unbind(x, a["dim"])[::-1], 0),
    "masked_fill": lambda x, a: x.masked_fill(mask_of(a), a["value"]),
    "masked_fill_tensor": lambda x, a: x.masked_fill(mask_of(a), torch.tensor(a["value"])),
    "masked_select": lambda x, a: torch.masked_select(x, mask_of(a)),
    "gather": lambda x, a: torch.gather(x, a["dim"], long_of(a["index"])),
    "scatter": lambda x, a: x.scatter(a["dim"], long_of(a["index"]), src_of(a, x)),
    "scatter_value": lambda x, a: x.scatter(a["dim"], long_of(a["index"]), a["value"]),
    "scatter_add": lambda x, a: torch.scatter_add(x, a["dim"], long_of(a["index"]), src_of(a, x)),
    "index_add": lambda x, a: x.index_add(a["dim"], long_of(a["index"]), src_of(a, x),
                                          alpha=a["alpha"]),
}


def long_of(j):
    return torch.tensor(j["values"], dtype=torch.int64).reshape(j["shape"])


def src_of(a, x):
    j = a["src"]
    return torch.tensor(j["values"], dtype=torch.float64).reshape(j["shape"]).to(x.dtype)


def index_for(shape, n, dim):
    """Indices in [0, n) of the given shape (repeats included, so scatter_add accumulates)."""
    return enc(torch.randint(0, n, shape, generator=gen))


def src_for(shape):
    return enc(torch.randint(-9, 10, shape, generator=gen).to(torch.float64) / 4)


def mask_of(a):
    m = a["mask"]
    return torch.tensor(m["values"], dtype=torch.bool).reshape(m["shape"])


def rand_mask(shape):
    return enc(torch.rand(shape, generator=gen) > 0.5)

for dt in (torch.float32, torch.float64):
    for tr in (False, True):
        for d in (0, 1, -1):
            case("cumsum", [3, 4], dt, {"dim": d}, tr)
            case("cumprod", [3, 4], dt, {"dim": d}, tr)
            case("cumprod", [4, 5], dt, {"dim": d}, tr, zeros=True)
        case("cumsum", [2, 3, 4], dt, {"dim": 1}, tr)
        case("logsumexp", [3, 4], dt, {"dims": [1], "keepdim": False}, tr)
        case("logsumexp", [3, 4], dt, {"dims": [0], "keepdim": True}, tr)
        case("logsumexp", [2, 3, 4], dt, {"dims": [0, 2], "keepdim": False}, tr)
        case("logsumexp", [2, 3, 4], dt, {"dims": [-1], "keepdim": True}, tr, lo=-80.0, hi=90.0)
        case("flip", [2, 3, 4], dt, {"dims": [0, 2]}, tr)
        case("flip", [3, 4], dt, {"dims": [-1]}, tr)
        case("roll", [3, 4], dt, {"shifts": [1], "dims": [0]}, tr)
        case("roll", [3, 4], dt, {"shifts": [-5, 2], "dims": [1, 0]}, tr)
        case("roll", [3, 4], dt, {"shifts": [7], "dims": []}, tr)
        for k in (-1, 0, 2):
            case("tril", [2, 3, 4], dt, {"k": k}, tr)
            case("triu", [3, 4], dt, {"k": k}, tr)
for dt in (torch.float32, torch.float64, torch.int64):
    tr = dt == torch.float64
    for k in (-2, 0, 1):
        case("diag", [4], dt, {"k": k})
        case("diag", [3, 3], dt, {"k": k}, tr)
        case("diag", [3, 5], dt, {"k": k}, tr)
    case("repeat", [2, 3], dt, {"sizes": [2, 1, 3]}, tr)
    case("repeat", [2, 3], dt, {"sizes": [1, 2]}, tr)
    case("tile", [2, 3], dt, {"sizes": [2]}, tr)
    case("tile", [2, 3], dt, {"sizes": [3, 1, 2]}, tr)
    case("repeat_interleave", [2, 3], dt, {"repeats": 2}, tr)
    case("repeat_interleave", [2, 3], dt, {"repeats": 3, "dim": 1}, tr)
    case("repeat_interleave", [2, 3], dt, {"repeats": 2, "dim": -2}, tr)
    case("unbind_stack", [3, 4], dt, {"dim": 1}, tr)
    case("unbind_stack", [2, 3, 4], dt, {"dim": 0})
    case("masked_fill", [3, 4], dt, {"mask": rand_mask([3, 4]), "value": -1.5}, tr)
    case("masked_fill", [3, 4], dt, {"mask": rand_mask([4]), "value": 2}, tr)
    case("masked_fill", [1, 4], dt, {"mask": rand_mask([3, 1, 4]), "value": 7.25})
    case("masked_fill_tensor", [3, 4], dt, {"mask": rand_mask([3, 4]), "value": 0.5}, tr)
    case("masked_select", [3, 4], dt, {"mask": rand_mask([3, 4])}, tr)
    case("masked_select", [3, 1], dt, {"mask": rand_mask([2, 3, 4])})
for dt in (torch.float32, torch.float64, torch.int64):
    tr = dt == torch.float64
    case("gather", [3, 4], dt, {"dim": 0, "index": index_for([2, 4], 3, 0)}, tr)
    case("gather", [3, 4], dt, {"dim": 1, "index": index_for([3, 6], 4, 1)}, tr)
    case("gather", [2, 3, 4], dt, {"dim": -1, "index": index_for([1, 2, 5], 4, 2)})
    # Unique indices along dim 0 so that which write wins is not a question.
    case("scatter", [3, 4], dt, {"dim": 0, "index": enc(torch.tensor([[2, 0, 1, 0], [0, 2, 0, 1]])),
                                 "src": src_for([2, 5])}, tr)
    case("scatter_value", [3, 4], dt, {"dim": 1, "index": enc(torch.tensor([[3], [0], [2]])),
                                       "value": 2.5}, tr)
    case("scatter_add", [3, 4], dt, {"dim": 0, "index": index_for([4, 4], 3, 0),
                                     "src": src_for([4, 4])}, tr)
    case("scatter_add", [3, 4], dt, {"dim": 1, "index": index_for([2, 3], 4, 1),
                                     "src": src_for([3, 3])}, tr)
    case("index_add", [3, 4], dt, {"dim": 0, "index": enc(torch.tensor([2, 0, 2, 1, 2])),
                                   "src": src_for([5, 4]), "alpha": 1}, tr)
    case("index_add", [3, 4], dt, {"dim": 1, "index": enc(torch.tensor([3, 3])),
                                   "src": src_for([3, 2]), "alpha": 2}, tr)
case("cumsum", [3], torch.float64, {"dim": 0})
case("cumsum", [], torch.float64, {"dim": 0})
case("cumprod", [], torch.float64, {"dim": -1})
case("logsumexp", [4], torch.float64, {"dims": [0], "keepdim": False})
case("logsumexp", [], torch.float64, {"dims": [0], "keepdim": True})
case("cumsum", [3, 4], torch.float32, {"dim": 1, "dtype": "float64"})
for dt in (torch.int64, torch.bool):
    case("cumsum", [3, 4], dt, {"dim": 1})
    case("cumprod", [3, 4], dt, {"dim": 0})
    case("flip", [3, 4], dt, {"dims": [0, 1]})
    case("roll", [3, 4], dt, {"shifts": [2], "dims": [1]})
    case("tril", [3, 4], dt, {"k": 0})
    case("triu", [3, 4], dt, {"k": 1})
case("logsumexp", [3, 4], torch.int64, {"dims": [1], "keepdim": False})
case("cumsum", [3, 4], torch.int64, {"dim": 0, "dtype": "float32"})

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/make_shape_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases")
