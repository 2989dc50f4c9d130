#!/usr/bin/python3
"""Writes tests/fixtures/ops/sorting.json and tests/fixtures/ops/linalg_products.json: values,
indices and gradients of the sorting and selection ops (sort, argsort, msort, topk, kthvalue,
median, nanmedian, mode, the unique family) and of the products (einsum, tensordot, kron,
diagonal, diag_embed, trace, addmv, addr, baddbmm, addbmm, dist, cdist, cross) computed by the
installed PyTorch.

Inputs are stored as contiguous buffers; an input with "t" is that buffer's transpose over its
last two dims (a non-contiguous input). Where equal values make the chosen position a matter of
the algorithm (sort without stable=True), "check_idx" says whether PyTorch's positions are the
stable ones, which tensorgrad's sort returns; gradients, which follow the positions, are kept only
then. Run with /usr/bin/python3 (PyTorch 1.13) from the
repository root.
"""
import json
import math
import os

import torch

HERE = os.path.dirname(__file__)
OUT_SORT = os.path.join(HERE, "..", "tests", "fixtures", "ops", "sorting.json")
OUT_LIN = os.path.join(HERE, "..", "tests", "fixtures", "ops", "linalg_products.json")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
          torch.bool: "bool"}
FLOATS = (torch.float32, torch.float64)
NAN = float("nan")


def num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def enc(t):
    t = t.detach().contiguous()
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
            "values": [num(v) for v in t.reshape(-1).tolist()]}


gen = torch.Generator().manual_seed(4321)


def make(shape, dtype, transposed=False, kind="rand"):
    """A buffer of `shape` (last two dims swapped when transposed). kind: rand, ties, nan."""
    bshape = list(shape)
    if transposed:
        bshape[-1], bshape[-2] = bshape[-2], bshape[-1]
    if dtype == torch.bool:
        return torch.rand(bshape, generator=gen) > 0.5
    if kind == "ties" or dtype == torch.int64:
        base = torch.randint(-3, 4, bshape, generator=gen).to(dtype)
    else:
        base = (torch.rand(bshape, generator=gen, dtype=torch.float64) * 4 - 2).to(dtype)
    if kind == "nan" and base.numel() > 0:
        flat = base.view(-1)
        flat[::4] = NAN
        if base.numel() > 2:
            flat[2] = float("inf")
            flat[1] = -float("inf")
    return base


def view_of(base, transposed):
    return base.transpose(-1, -2) if transposed else base


def upstream(y):
    return (torch.rand(y.shape, generator=gen, dtype=torch.float64) * 2 - 1).to(y.dtype)


# ---------------------------------------------------------------------------- sorting

sort_cases = []


def scase(op, shape, dtype, args, transposed=False, kind="rand"):
    base = make(shape, dtype, transposed, kind)
    floating = dtype in FLOATS
    leaf = base.detach().clone().requires_grad_(floating)
    x = view_of(leaf, transposed)
    c = {"op": op, "args": args, "x": enc(base), "t": transposed}
    try:
        res = SORT_FNS[op](x, args)
    except RuntimeError as e:
        c["error"] = str(e).split("\n")[0]
        sort_cases.append(c)
        return
    if isinstance(res, tuple):
        values = res[0]
        c["out"] = enc(values)
        for k, r in zip(("idx", "inverse", "counts"), res[1:]):
            c[k] = enc(r)
    else:
        values = res
        c["out"] = enc(values)
    check = True
    if op in ("sort", "argsort") and not args.get("stable", False):
        # tensorgrad's sort is stable; compare positions where PyTorch's are the stable ones.
        st = torch.sort(x.detach(), dim=args.get("dim", -1), descending=args.get("descending", False),
                        stable=True)[1]
        mine = res[1] if op == "sort" else res
        check = bool(torch.equal(st, mine))
    c["check_idx"] = check
    if floating and values.requires_grad and check and not op.startswith("unique"):
        g = upstream(values)
        (gx,) = torch.autograd.grad(values, leaf, g)
        c["g"] = enc(g)
        c["grad"] = enc(gx)
    sort_cases.append(c)


def kw(a, *names):
    return {n: a[n] for n in names if n in a}


SORT_FNS = {
    "sort": lambda x, a: tuple(torch.sort(x, **kw(a, "dim", "descending", "stable"))),
    "argsort": lambda x, a: torch.argsort(x, **kw(a, "dim", "descending", "stable")),
    "msort": lambda x, a: torch.msort(x),
    "topk": lambda x, a: tuple(torch.topk(x, a["k"], **kw(a, "dim", "largest", "sorted"))),
    "kthvalue": lambda x, a: tuple(torch.kthvalue(x, a["k"], **kw(a, "dim", "keepdim"))),
    "median": lambda x, a: torch.median(x),
    "nanmedian": lambda x, a: torch.nanmedian(x),
    "median_dim": lambda x, a: tuple(torch.median(x, a["dim"], a.get("keepdim", False))),
    "nanmedian_dim": lambda x, a: tuple(torch.nanmedian(x, a["dim"], a.get("keepdim", False))),
    "mode": lambda x, a: tuple(torch.mode(x, **kw(a, "dim", "keepdim"))),
    "unique2": lambda x, a: tuple(torch._unique2(x, True, True, True)),
    "unique_consecutive": lambda x, a: tuple(
        torch.unique_consecutive(x, True, True, a.get("dim"))),
    "unique_dim": lambda x, a: tuple(torch.unique(x, True, True, True, a["dim"])),
}

ALL = (torch.float32, torch.float64, torch.int64)
for dt in ALL + (torch.bool,):
    for dim in (0, 1, -1):
        for desc in (False, True):
            scase("sort", (4, 6), dt, {"dim": dim, "descending": desc}, kind="ties")
            scase("sort", (4, 6), dt, {"dim": dim, "descending": desc, "stable": True},
                  transposed=True, kind="ties")
    scase("argsort", (3, 5), dt, {"dim": 1, "descending": True, "stable": True}, kind="ties")
    scase("argsort", (5, 3), dt, {"dim": 0}, transposed=True)
    scase("msort", (5, 3), dt, {}, kind="ties")
    scase("sort", (0, 3), dt, {"dim": 0})
    scase("sort", (), dt, {"dim": 0})
    scase("mode", (3, 7), dt, {"dim": 1}, kind="ties")
    scase("mode", (7, 3), dt, {"dim": 0, "keepdim": True}, transposed=True, kind="ties")
    scase("unique2", (4, 5), dt, {}, kind="ties")
    scase("unique_consecutive", (12,), dt, {}, kind="ties")
    scase("unique_consecutive", (3, 4), dt, {"dim": 1}, kind="ties")
for dt in ALL:
    for kind in ("rand", "ties"):
        for dim in (0, -1):
            for largest in (True, False):
                scase("topk", (5, 8), dt, {"k": 3, "dim": dim, "largest": largest}, kind=kind)
            scase("kthvalue", (5, 7), dt, {"k": 2, "dim": dim}, kind=kind)
            scase("kthvalue", (5, 7), dt, {"k": 5, "dim": dim, "keepdim": True}, transposed=True,
                  kind=kind)
            scase("median_dim", (5, 6), dt, {"dim": dim}, kind=kind)
            scase("median_dim", (5, 7), dt, {"dim": dim, "keepdim": True}, transposed=True,
                  kind=kind)
            scase("nanmedian_dim", (4, 6), dt, {"dim": dim}, kind=kind)
        scase("median", (4, 5), dt, {}, kind=kind)
        scase("nanmedian", (3, 5), dt, {}, transposed=True, kind=kind)
    scase("topk", (200,), dt, {"k": 3})              # the partial_sort path
    scase("topk", (200,), dt, {"k": 3, "largest": False})
    scase("topk", (6, 9), dt, {"k": 9, "dim": 1, "sorted": True}, transposed=True)
    scase("topk", (0, 4), dt, {"k": 2})
    scase("topk", (), dt, {"k": 1})
    scase("kthvalue", (), dt, {"k": 1})
    scase("median_dim", (2, 0), dt, {"dim": 0})
    scase("median", (0,), dt, {})
    scase("unique_dim", (5, 3), dt, {"dim": 0}, kind="ties")
    scase("unique_dim", (3, 6), dt, {"dim": 1}, kind="ties")
for dt in FLOATS:
    for dim in (0, 1):
        for desc in (False, True):
            scase("sort", (5, 6), dt, {"dim": dim, "descending": desc, "stable": True}, kind="nan")
        scase("topk", (6, 5), dt, {"k": 2, "dim": dim}, kind="nan")
        scase("topk", (6, 5), dt, {"k": 2, "dim": dim, "largest": False}, kind="nan")
        scase("kthvalue", (6, 5), dt, {"k": 4, "dim": dim}, kind="nan")
        scase("median_dim", (6, 5), dt, {"dim": dim}, kind="nan")
        scase("nanmedian_dim", (6, 5), dt, {"dim": dim}, kind="nan")
    scase("median", (3, 4), dt, {}, kind="nan")
    scase("nanmedian", (3, 4), dt, {}, kind="nan")
    scase("nanmedian_dim", (2, 3), dt, {"dim": 1}, kind="nan")
    scase("median", (0, 3), dt, {})
    scase("nanmedian", (0,), dt, {})

# ---------------------------------------------------------------------------- products

lin_cases = []


def lcase(op, specs, args, dtype=torch.float64):
    """specs: list of (shape, transposed)."""
    bases = [make(s, dtype, t) for s, t in specs]
    floating = dtype in FLOATS
    leaves = [b.detach().clone().requires_grad_(floating) for b in bases]
    xs = [view_of(l, t) for l, (s, t) in zip(leaves, specs)]
    c = {"op": op, "args": args, "inputs": [enc(b) for b in bases],
         "t": [t for s, t in specs]}
    y = LIN_FNS[op](xs, args)
    c["out"] = enc(y)
    if floating and y.requires_grad:
        g = upstream(y)
        try:
            gs = torch.autograd.grad(y, leaves, g, allow_unused=True)
        except RuntimeError:
            # PyTorch 1.13's DistBackward0 fails for p = 0 (its norm_backward returns nothing
            # there); the gradient, zero, is checked by gradcheck instead.
            lin_cases.append(c)
            return
        c["g"] = enc(g)
        c["grads"] = [enc(gx if gx is not None else torch.zeros_like(l)) for gx, l in
                      zip(gs, leaves)]
    lin_cases.append(c)


LIN_FNS = {
    "einsum": lambda xs, a: torch.einsum(a["eq"], *xs),
    "tensordot": lambda xs, a: torch.tensordot(xs[0], xs[1], (a["da"], a["db"])),
    "kron": lambda xs, a: torch.kron(xs[0], xs[1]),
    "diagonal": lambda xs, a: torch.diagonal(xs[0], a["offset"], a["d1"], a["d2"]),
    "diag_embed": lambda xs, a: torch.diag_embed(xs[0], a["offset"], a["d1"], a["d2"]),
    "trace": lambda xs, a: torch.trace(xs[0]),
    "addmv": lambda xs, a: torch.addmv(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"]),
    "addr": lambda xs, a: torch.addr(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"]),
    "baddbmm": lambda xs, a: torch.baddbmm(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"]),
    "addbmm": lambda xs, a: torch.addbmm(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"]),
    "dist": lambda xs, a: torch.dist(xs[0], xs[1], float(a["p"])),
    "cdist": lambda xs, a: torch.cdist(xs[0], xs[1], float(a["p"])),
    "cross": lambda xs, a: torch.cross(xs[0], xs[1]),
    "linalg_cross": lambda xs, a: torch.linalg.cross(xs[0], xs[1], dim=a["dim"]),
}

EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->", [(3, 4)]), ("ij->ji", [(3, 4)]),
    ("i,i->", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...ii->...i", [(2, 3, 3)]), ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),
    ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]), ("iij,jk->ik", [(3, 3, 4), (4, 2)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]), ("i,i,i->i", [(4,), (4,), (4,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("i,i", [(4,), (1,)]), ("Ba,aB", [(2, 3), (3, 2)]),
    ("bA,aB", [(2, 3), (3, 2)]), ("ij...->", [(2, 3)]), ("...->...", [(2, 3)]),
    ("a b, b c -> a c", [(2, 3), (3, 4)]), ("ij,kl->", [(2, 3), (4, 5)]), ("ijj->j", [(2, 3, 3)]),
    ("ij,jk->", [(0, 3), (3, 4)]), ("ij,jk->ik", [(2, 0), (0, 4)]),
]
for dt in (torch.float32, torch.float64):
    for eq, shapes in EINSUMS:
        lcase("einsum", [(s, False) for s in shapes], {"eq": eq}, dt)
lcase("einsum", [((3, 4), True), ((4, 5), False)], {"eq": "ij,jk->ik"})
lcase("einsum", [((3, 3), True)], {"eq": "ii->i"})
lcase("einsum", [((2, 3), False), ((3, 4), False)], {"eq": "ij,jk->ik"}, torch.int64)
lcase("tensordot", [((3, 4, 5), False), ((4, 3, 2), False)], {"da": [0, 1], "db": [1, 0]})
lcase("tensordot", [((3, 4), True), ((4, 2), False)], {"da": [1], "db": [0]})
lcase("tensordot", [((3, 4), False), ((2, 5), False)], {"da": [], "db": []})
lcase("tensordot", [((3, 4), False), ((4, 2), False)], {"da": [-1], "db": [0]}, torch.int64)
for dt in (torch.float32, torch.float64, torch.int64):
    lcase("kron", [((2, 3), False), ((3, 2), False)], {}, dt)
lcase("kron", [((2, 3), False), ((4,), False)], {})
lcase("kron", [((2,), False), ((2, 3, 2), False)], {})
for off, d1, d2 in ((0, 0, 1), (1, 0, 1), (-1, 1, 0), (2, -1, -2), (5, 0, 1)):
    lcase("diagonal", [((3, 4), False)], {"offset": off, "d1": d1, "d2": d2})
lcase("diagonal", [((2, 3, 4), True)], {"offset": 1, "d1": 0, "d2": 2})
for off, d1, d2 in ((0, -2, -1), (1, 0, 2), (-2, 1, 0)):
    lcase("diag_embed", [((2, 3), False)], {"offset": off, "d1": d1, "d2": d2})
lcase("diag_embed", [((3, 2), True)], {"offset": 0, "d1": -2, "d2": -1})
lcase("trace", [((3, 4), False)], {})
lcase("trace", [((4, 3), True)], {})
lcase("trace", [((3, 3), False)], {}, torch.int64)
for dt in (torch.float32, torch.float64):
    lcase("addmv", [((3,), False), ((3, 4), False), ((4,), False)], {"beta": 1, "alpha": 1}, dt)
    lcase("addr", [((3, 4), False), ((3,), False), ((4,), False)], {"beta": 1, "alpha": 1}, dt)
    lcase("baddbmm", [((2, 3, 5), False), ((2, 3, 4), False), ((2, 4, 5), False)],
          {"beta": 1, "alpha": 1}, dt)
    lcase("addbmm", [((3, 5), False), ((2, 3, 4), False), ((2, 4, 5), False)],
          {"beta": 1, "alpha": 1}, dt)
lcase("addmv", [((1,), False), ((3, 4), True), ((4,), False)], {"beta": 0.5, "alpha": -2})
lcase("addmv", [((3,), False), ((3, 4), False), ((4,), False)], {"beta": 2, "alpha": 3},
      torch.int64)
lcase("addr", [((4,), False), ((3,), False), ((4,), False)], {"beta": 2.0, "alpha": 0.5})
lcase("addr", [((3, 4), True), ((3,), False), ((4,), False)], {"beta": 0, "alpha": 1})
lcase("baddbmm", [((3, 1), False), ((2, 3, 4), False), ((2, 4, 5), True)],
      {"beta": -1, "alpha": 0.25})
lcase("addbmm", [((5,), False), ((2, 3, 4), True), ((2, 4, 5), False)],
      {"beta": 0.5, "alpha": 2})
for p in (0, 1, 1.5, 2, 3, "inf"):
    lcase("dist", [((3, 4), False), ((4,), False)], {"p": p})
    lcase("cdist", [((4, 3), False), ((5, 3), False)], {"p": p})
    lcase("cdist", [((2, 3, 4), True), ((1, 5, 4), False)], {"p": p}, torch.float32)
lcase("cdist", [((30, 3), False), ((4, 3), False)], {"p": 2})
lcase("cdist", [((30, 3), False), ((27, 3), False)], {"p": 2}, torch.float32)
lcase("cdist", [((0, 3), False), ((4, 3), False)], {"p": 2})
for dt in (torch.float32, torch.float64, torch.int64):
    lcase("cross", [((4, 3), False), ((4, 3), False)], {}, dt)
lcase("cross", [((3, 4), False), ((3, 4), True)], {})
lcase("linalg_cross", [((2, 3), False), ((1, 3), False)], {"dim": -1})
lcase("linalg_cross", [((3, 2, 2), False), ((3, 2, 2), True)], {"dim": 0})

for path, cases in ((OUT_SORT, sort_cases), (OUT_LIN, lin_cases)):
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print(path, len(cases), "cases,", os.path.getsize(path), "bytes")
