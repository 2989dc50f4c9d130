#!/usr/bin/env python3
"""Reference fixtures for tensorgrad's ops, autograd and printing, produced by real PyTorch 1.13.

Writes
  tests/fixtures/ops/ops.json    forward values, dtypes, grad_fn names and gradients per case
  tests/fixtures/ops/print.json  repr(tensor) strings

Inputs are generated here from a fixed seed and written into the fixtures in full, so the C++ side
(tests/ops/test_fixtures.cpp) rebuilds them without PyTorch's RNG. Floating inputs are rounded to
multiples of 2**-12, which float32 and float64 both represent exactly.

Each op name below has a matching entry in the C++ op table. Where Python and libtorch's C++ spell
a call differently, the Python spelling that tensorgrad's C++ call mirrors is used (for example
`s - x` and `s / x` as Python evaluates them, `torch.pow(s, x)` for `tg::pow(s, x)`).

Run with:  /usr/bin/python3 scripts/make_op_fixtures.py
"""

import json
import math
import os
import re

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "ops")

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int64",
    torch.bool: "bool",
}
F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
FLOATS = (F32, F64)

GEN = torch.Generator().manual_seed(20240613)


# ---------------------------------------------------------------------------- value encoding


def encode_value(v):
    if isinstance(v, bool) or isinstance(v, int):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def encode_float32(v):
    # The shortest decimal that reads back (through a double, as nlohmann::json parses it) as
    # the same float32; much shorter than the double's repr.
    if not math.isfinite(v):
        return encode_value(v)
    short = float(repr(np.float32(v)))
    return short if float(np.float32(short)) == v else v


def encode_tensor(t, requires_grad=None):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    enc = encode_float32 if t.dtype == F32 else encode_value
    d = {
        "shape": list(t.shape),
        "dtype": DTYPE_NAMES[t.dtype],
        "values": [enc(v) for v in flat],
    }
    if requires_grad is not None:
        d["requires_grad"] = requires_grad
    return d


def encode_scalar(s):
    # JSON keeps 2 and 2.0 apart, which is what type promotion depends on.
    if isinstance(s, float) and not math.isfinite(s):
        return encode_value(s)
    return s


# ---------------------------------------------------------------------------- inputs


def randn(*shape, dtype=F32, scale=1.0, shift=0.0):
    x = torch.randn(tuple(shape), generator=GEN, dtype=F64) * scale + shift
    return (torch.round(x * 4096) / 4096).to(dtype)


def uniform(*shape, lo, hi, dtype=F32):
    x = torch.rand(tuple(shape), generator=GEN, dtype=F64) * (hi - lo) + lo
    return (torch.round(x * 4096) / 4096).to(dtype)


def randint(*shape, lo=-5, hi=6, dtype=F32):
    return torch.randint(lo, hi, shape, generator=GEN).to(dtype)


def T(values, dtype=F32):
    return torch.tensor(values, dtype=dtype)


# ---------------------------------------------------------------------------- cases

CASES = []
NAMES = set()


def add_case(name, op, inputs, fn, args=None, grad=None):
    """inputs: list of tensors; grad: list of bools (default: every floating input)."""
    assert name not in NAMES, name
    NAMES.add(name)
    if grad is None:
        grad = [t.is_floating_point() for t in inputs]
    leaves = []
    for t, g in zip(inputs, grad):
        leaf = t.clone().detach()
        leaf.requires_grad_(g)
        leaves.append(leaf)
    out = fn(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    diff_outs, upstreams = [], []
    enc_up = []
    for o in outs:
        if o.requires_grad:
            up = randn(*o.shape, dtype=o.dtype)
            diff_outs.append(o)
            upstreams.append(up)
            enc_up.append(encode_tensor(up))
        else:
            enc_up.append(None)
    if diff_outs:
        torch.autograd.backward(diff_outs, upstreams)
    case = {
        "name": name,
        "op": op,
        "args": args or {},
        "inputs": [encode_tensor(t, g) for t, g in zip(inputs, grad)],
        "outputs": [encode_tensor(o) for o in outs],
        "grad_fns": [type(o.grad_fn).__name__ if o.grad_fn is not None else None for o in outs],
        "upstream": enc_up,
        "grads": [
            encode_tensor(l.grad) if (g and l.grad is not None) else None
            for l, g in zip(leaves, grad)
        ],
    }
    CASES.append(case)


def dt(d):
    return DTYPE_NAMES[d]


def shp(shape):
    return "x".join(str(n) for n in shape) if shape else "0d"


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}

SCALAR_OPS = {
    "add_scalar": lambda x, s: x + s,
    "radd_scalar": lambda x, s: s + x,
    "sub_scalar": lambda x, s: x - s,
    "rsub_scalar": lambda x, s: s - x,
    "mul_scalar": lambda x, s: x * s,
    "rmul_scalar": lambda x, s: s * x,
    "div_scalar": lambda x, s: x / s,
    "rdiv_scalar": lambda x, s: s / x,
}


def arithmetic_cases():
    shapes = [
        ((3, 4), (3, 4)),
        ((3, 1), (1, 4)),
        ((2, 3, 4), (4,)),
        ((4,), (2, 3, 1)),
        ((5,), ()),
        ((), (2, 3)),
        ((), ()),
    ]
    for d in FLOATS:
        for op, fn in BINARY.items():
            for sa, sb in shapes:
                a = randn(*sa, dtype=d)
                if op == "div":
                    b = uniform(*sb, lo=0.5, hi=2.0, dtype=d) * torch.where(
                        randn(*sb) > 0, 1.0, -1.0).to(d)
                else:
                    b = randn(*sb, dtype=d)
                add_case(f"{op}_{dt(d)}_{shp(sa)}_{shp(sb)}", op, [a, b], fn)
        for op, fn in (("add_alpha", torch.add), ("sub_alpha", torch.sub)):
            for alpha in (2, -0.5):
                add_case(f"{op}_{dt(d)}_{alpha}", op, [randn(3, 4, dtype=d), randn(4, dtype=d)],
                         lambda a, b, al=alpha: fn(a, b, alpha=al), {"alpha": alpha})
        # Only one side differentiable.
        add_case(f"mul_{dt(d)}_one_side", "mul", [randn(3, 4, dtype=d), randn(3, 4, dtype=d)],
                 BINARY["mul"], grad=[False, True])
        add_case(f"div_{dt(d)}_one_side", "div",
                 [randn(3, 4, dtype=d), uniform(3, 4, lo=0.5, hi=3, dtype=d)], BINARY["div"],
                 grad=[True, False])
        # The same tensor on both sides.
        add_case(f"mul_self_{dt(d)}", "mul_self", [randn(6, dtype=d)], lambda a: a * a)
        for op, fn in SCALAR_OPS.items():
            for s in (2.5, 3, -0.75):
                x = randn(3, 4, dtype=d)
                if op == "rdiv_scalar":
                    x = uniform(3, 4, lo=0.5, hi=2.0, dtype=d)
                add_case(f"{op}_{dt(d)}_{s}", op, [x], lambda x, s=s, fn=fn: fn(x, s), {"scalar": s})
        add_case(f"neg_{dt(d)}", "neg", [randn(2, 5, dtype=d)], lambda x: -x)


def pow_cases():
    for d in FLOATS:
        for e in (2, 3, 0, 1, -1, -2, 2.0, 3.0, -1.0):
            add_case(f"pow_scalar_{dt(d)}_{e}", "pow_scalar", [randn(3, 4, dtype=d)],
                     lambda x, e=e: x.pow(e), {"scalar": e})
        for e in (0.5, -1.5, 1.5, 2.5):
            add_case(f"pow_scalar_{dt(d)}_{e}_pos", "pow_scalar",
                     [uniform(3, 4, lo=0.2, hi=3.0, dtype=d)], lambda x, e=e: x.pow(e),
                     {"scalar": e})
        add_case(f"pow_scalar_{dt(d)}_2_with_zero", "pow_scalar", [T([0.0, 1.5, -2.0], d)],
                 lambda x: x.pow(2), {"scalar": 2})
        add_case(f"pow_tensor_{dt(d)}", "pow_tensor",
                 [uniform(3, 4, lo=0.2, hi=3.0, dtype=d), randn(3, 4, dtype=d)],
                 lambda x, e: x.pow(e))
        add_case(f"pow_tensor_{dt(d)}_broadcast", "pow_tensor",
                 [uniform(3, 1, lo=0.2, hi=3.0, dtype=d), randn(4, dtype=d)],
                 lambda x, e: x.pow(e))
        add_case(f"pow_tensor_{dt(d)}_zero_base", "pow_tensor",
                 [T([0.0, 0.0, 2.0, 0.5], d), T([2.0, 1.0, 0.0, 3.0], d)], lambda x, e: x.pow(e))
        add_case(f"pow_tensor_{dt(d)}_int_exponent_negative_base", "pow_tensor",
                 [T([-2.0, -1.5, 3.0], d), T([2.0, 3.0, -1.0], d)], lambda x, e: x.pow(e),
                 grad=[True, False])
        for s in (2.0, 0.5, 3):
            add_case(f"rpow_scalar_{dt(d)}_{s}", "rpow_scalar", [randn(3, 4, dtype=d)],
                     lambda x, s=s: torch.pow(s, x), {"scalar": s})


# ---------------------------------------------------------------------------- the op lists

LIST_HEADER = os.path.join(ROOT, "include", "tensorgrad", "ops", "pointwise_ops.h")


def read_op_list(macro):
    """The X(...) entries of one list in pointwise_ops.h: (name, grad_fn, test_lo, test_hi)."""
    text = open(LIST_HEADER).read() + "\n\n"
    body = text[text.index("#define " + macro + "(X)"):]
    body = body[:body.index("\n\n")].replace("\\\n", " ")
    body = re.sub(r"/\*.*?\*/", "", body)
    entries = []
    for m in re.finditer(r"\bX\(", body):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(body[i], 0)
            i += 1
        args = split_args(body[m.end():i - 1])
        entries.append((args[0], args[1], float(args[-2]), float(args[-1])))
    return entries


def split_args(text):
    """Top-level comma split of a macro argument list."""
    args, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        cur += ch
    args.append(cur.strip())
    return args


UNARY_LIST = read_op_list("TG_UNARY_OPS")
BINARY_LIST = read_op_list("TG_BINARY_OPS")
# The ops of the first fixture file, whose inputs were drawn in this order; every later op of the
# lists gets its cases at the end (list_op_cases), so the earlier cases keep their inputs.
FIRST_UNARY = ["sqrt", "exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs"]
assert [e[0] for e in UNARY_LIST[:len(FIRST_UNARY)]] == FIRST_UNARY
UNARY = {name: (getattr(torch, name), dict(lo=lo, hi=hi))
         for name, _, lo, hi in UNARY_LIST[:len(FIRST_UNARY)]}


def unary_cases():
    for d in FLOATS:
        for op, (fn, rng) in UNARY.items():
            add_case(f"{op}_{dt(d)}", op, [uniform(48, **rng, dtype=d)], fn)
            # Small magnitudes, where relative accuracy matters most.
            if op not in ("relu", "abs"):
                lo, hi = (0.001, 0.05) if op in ("sqrt", "log") else (-0.05, 0.05)
                add_case(f"{op}_{dt(d)}_small", op, [uniform(2, 8, lo=lo, hi=hi, dtype=d)], fn)
        add_case(f"relu_{dt(d)}_zeros", "relu", [T([-1.0, 0.0, 0.0, 2.0, -0.0], d)], torch.relu)
        add_case(f"abs_{dt(d)}_zeros", "abs", [T([-1.0, 0.0, 2.0, -0.0], d)], torch.abs)
        x = T([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0], d)
        add_case(f"clamp_{dt(d)}_both", "clamp", [x], lambda x: x.clamp(-1.0, 1.0),
                 {"min": -1.0, "max": 1.0})
        add_case(f"clamp_{dt(d)}_min", "clamp", [x], lambda x: x.clamp(min=0.5), {"min": 0.5,
                                                                                 "max": None})
        add_case(f"clamp_{dt(d)}_max", "clamp", [x], lambda x: x.clamp(max=0), {"min": None,
                                                                                "max": 0})
        add_case(f"clamp_{dt(d)}_random", "clamp", [randn(4, 5, dtype=d)],
                 lambda x: x.clamp(-0.5, 0.75), {"min": -0.5, "max": 0.75})
    # Integer inputs to floating functions give float32.
    add_case("sqrt_int64", "sqrt", [T([1, 4, 9, 2], I64)], torch.sqrt)
    add_case("exp_int64", "exp", [T([0, 1, -2, 3], I64)], torch.exp)
    add_case("sin_int64", "sin", [T([0, 1, -2, 3], I64)], torch.sin)
    add_case("abs_int64", "abs", [T([0, 1, -2, 3], I64)], torch.abs)
    add_case("neg_int64", "neg", [T([0, 1, -2, 3], I64)], lambda x: -x)
    add_case("relu_int64", "relu", [T([0, 1, -2, 3], I64)], torch.relu)
    add_case("clamp_int64", "clamp", [T([-5, 0, 2, 9], I64)], lambda x: x.clamp(-1, 3),
             {"min": -1, "max": 3})


def maxmin_where_cases():
    for d in FLOATS:
        for op, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
            add_case(f"{op}_{dt(d)}", op, [randn(3, 4, dtype=d), randn(3, 4, dtype=d)], fn)
            add_case(f"{op}_{dt(d)}_ties", op, [T([1.0, 2.0, 3.0, -1.0], d),
                                                 T([1.0, 3.0, 3.0, -2.0], d)], fn)
            add_case(f"{op}_{dt(d)}_broadcast", op, [randn(3, 1, dtype=d), randn(4, dtype=d)], fn)
        cond = randn(3, 4) > 0
        add_case(f"where_{dt(d)}", "where", [cond, randn(3, 4, dtype=d), randn(3, 4, dtype=d)],
                 torch.where)
        add_case(f"where_{dt(d)}_broadcast", "where",
                 [randn(3, 1) > 0, randn(4, dtype=d), randn(3, 4, dtype=d)], torch.where)
        add_case(f"where_{dt(d)}_scalar_other", "where_scalar_other",
                 [cond, randn(3, 4, dtype=d)], lambda c, a: torch.where(c, a, 0.5),
                 {"scalar": 0.5})
        add_case(f"where_{dt(d)}_scalar_self", "where_scalar_self",
                 [cond, randn(3, 4, dtype=d)], lambda c, b: torch.where(c, -2.0, b),
                 {"scalar": -2.0})
    add_case("maximum_int64_float32", "maximum", [T([1, 5, -3], I64), T([2.5, 0.5, -3.0])],
             torch.maximum)


def softmax_cases():
    for d in FLOATS:
        for op, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
            x = randn(3, 4, 5, dtype=d, scale=2.0)
            for dim in (0, 1, 2, -1):
                add_case(f"{op}_{dt(d)}_dim{dim}", op, [x], lambda x, dim=dim: fn(x, dim),
                         {"dim": dim})
            add_case(f"{op}_{dt(d)}_large", op,
                     [T([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 50.0]], d)],
                     lambda x: fn(x, 1), {"dim": 1})
            add_case(f"{op}_{dt(d)}_1d", op, [randn(7, dtype=d)], lambda x: fn(x, 0), {"dim": 0})


def reduction_cases():
    for d in FLOATS:
        x = randn(3, 4, 5, dtype=d)
        add_case(f"sum_all_{dt(d)}", "sum_all", [x], lambda x: x.sum())
        add_case(f"mean_all_{dt(d)}", "mean_all", [x], lambda x: x.mean())
        add_case(f"sum_all_{dt(d)}_large", "sum_all", [randn(1000, dtype=d)], lambda x: x.sum())
        add_case(f"mean_all_{dt(d)}_large", "mean_all", [randn(37, 29, dtype=d)],
                 lambda x: x.mean())
        for dims in ([0], [1], [2], [-1], [0, 2], [1, 2], [0, 1, 2]):
            for keep in (False, True):
                for op in ("sum", "mean"):
                    add_case(f"{op}_dims_{dt(d)}_{dims}_{keep}", f"{op}_dims", [x],
                             lambda x, dims=dims, keep=keep, op=op: getattr(x, op)(dims, keep),
                             {"dims": dims, "keepdim": keep})
                for op in ("amax", "amin"):
                    add_case(f"{op}_{dt(d)}_{dims}_{keep}", op, [x],
                             lambda x, dims=dims, keep=keep, op=op: getattr(x, op)(dims, keep),
                             {"dims": dims, "keepdim": keep})
        add_case(f"amax_{dt(d)}_all", "amax", [x], lambda x: x.amax(), {"dims": [],
                                                                          "keepdim": False})
        add_case(f"amin_{dt(d)}_all_keepdim", "amin", [x], lambda x: x.amin((), True),
                 {"dims": [], "keepdim": True})
        ties = T([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0], [-4.0, -4.0, -4.0, -4.0]], d)
        for op in ("amax", "amin"):
            add_case(f"{op}_{dt(d)}_ties_dim1", op, [ties], lambda x, op=op: getattr(x, op)(1),
                     {"dims": [1], "keepdim": False})
            add_case(f"{op}_{dt(d)}_ties_all", op, [ties], lambda x, op=op: getattr(x, op)(),
                     {"dims": [], "keepdim": False})
        # prod with zeros
        add_case(f"prod_all_{dt(d)}", "prod_all", [uniform(2, 3, lo=0.5, hi=1.5, dtype=d)],
                 lambda x: x.prod())
        add_case(f"prod_all_{dt(d)}_one_zero", "prod_all", [T([1.5, 0.0, -2.0, 3.0], d)],
                 lambda x: x.prod())
        add_case(f"prod_all_{dt(d)}_two_zeros", "prod_all", [T([1.5, 0.0, -2.0, 0.0], d)],
                 lambda x: x.prod())
        pz = T([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [-1.0, 2.0, 0.5], [0.5, 4.0, 0.0]], d)
        for dim in (0, 1, -1):
            for keep in (False, True):
                add_case(f"prod_dim_{dt(d)}_{dim}_{keep}", "prod_dim", [pz],
                         lambda x, dim=dim, keep=keep: x.prod(dim, keep),
                         {"dim": dim, "keepdim": keep})
        # max / min
        for op in ("max", "min"):
            add_case(f"{op}_all_{dt(d)}", f"{op}_all", [randn(4, 5, dtype=d)],
                     lambda x, op=op: getattr(x, op)())
            add_case(f"{op}_all_{dt(d)}_ties", f"{op}_all",
                     [T([[1.0, 5.0, 5.0], [-3.0, -3.0, 5.0]], d)],
                     lambda x, op=op: getattr(x, op)())
            add_case(f"{op}_all_{dt(d)}_ties_min", f"{op}_all",
                     [T([[1.0, -3.0, 5.0], [-3.0, -3.0, 5.0]], d)],
                     lambda x, op=op: getattr(x, op)())
            for dim in (0, 1, -1):
                for keep in (False, True):
                    add_case(f"{op}_dim_{dt(d)}_{dim}_{keep}", f"{op}_dim",
                             [randn(3, 4, 5, dtype=d)],
                             lambda x, dim=dim, keep=keep, op=op: getattr(x, op)(dim, keep),
                             {"dim": dim, "keepdim": keep})
            add_case(f"{op}_dim_{dt(d)}_ties", f"{op}_dim", [ties],
                     lambda x, op=op: getattr(x, op)(1), {"dim": 1, "keepdim": False})
        for op in ("argmax", "argmin"):
            add_case(f"{op}_{dt(d)}_all", op, [randn(4, 5, dtype=d)],
                     lambda x, op=op: getattr(x, op)(), {"dim": None, "keepdim": False})
            for dim in (0, 1, -1):
                for keep in (False, True):
                    add_case(f"{op}_{dt(d)}_{dim}_{keep}", op, [randn(3, 4, 5, dtype=d)],
                             lambda x, dim=dim, keep=keep, op=op: getattr(x, op)(dim, keep),
                             {"dim": dim, "keepdim": keep})
            add_case(f"{op}_{dt(d)}_ties", op, [ties], lambda x, op=op: getattr(x, op)(1),
                     {"dim": 1, "keepdim": False})
        # var / std
        y = randn(4, 6, dtype=d, scale=2.0, shift=1.0)
        for op in ("var", "std"):
            for unb in (True, False):
                add_case(f"{op}_all_{dt(d)}_{unb}", f"{op}_all", [y],
                         lambda x, unb=unb, op=op: getattr(x, op)(unbiased=unb),
                         {"unbiased": unb})
                for dims in ([0], [1], [-1], [0, 1]):
                    for keep in (False, True):
                        add_case(f"{op}_dims_{dt(d)}_{dims}_{unb}_{keep}", f"{op}_dims", [y],
                                 lambda x, dims=dims, unb=unb, keep=keep, op=op:
                                 getattr(x, op)(dims, unbiased=unb, keepdim=keep),
                                 {"dims": dims, "unbiased": unb, "keepdim": keep})
            add_case(f"{op}_all_{dt(d)}_large", f"{op}_all", [randn(500, dtype=d, shift=3.0)],
                     lambda x, op=op: getattr(x, op)(), {"unbiased": True})
        # norm
        z = randn(3, 5, dtype=d)
        for p in (1, 2, 3, float("inf"), 2.5):
            add_case(f"norm_all_{dt(d)}_{p}", "norm_all", [z], lambda x, p=p: x.norm(p),
                     {"p": encode_scalar(p)})
            for dims in ([0], [1], [0, 1]):
                for keep in (False, True):
                    add_case(f"norm_dims_{dt(d)}_{p}_{dims}_{keep}", "norm_dims", [z],
                             lambda x, p=p, dims=dims, keep=keep: x.norm(p, dims, keep),
                             {"p": encode_scalar(p), "dims": dims, "keepdim": keep})
        add_case(f"norm_all_{dt(d)}_2_zero_vector", "norm_all", [torch.zeros(4, dtype=d)],
                 lambda x: x.norm(2), {"p": 2})
        add_case(f"norm_all_{dt(d)}_inf_ties", "norm_all", [T([1.0, -3.0, 3.0, 2.0], d)],
                 lambda x: x.norm(float("inf")), {"p": "inf"})


def int_reduction_cases():
    xi = T([[3, -1, 4], [1, 5, -9]], I64)
    add_case("sum_all_int64", "sum_all", [xi], lambda x: x.sum())
    add_case("sum_dims_int64", "sum_dims", [xi], lambda x: x.sum([1], True),
             {"dims": [1], "keepdim": True})
    add_case("sum_all_bool", "sum_all", [T([True, False, True, True], BOOL)], lambda x: x.sum())
    add_case("prod_all_int64", "prod_all", [xi], lambda x: x.prod())
    add_case("max_all_int64", "max_all", [xi], lambda x: x.max())
    add_case("min_dim_int64", "min_dim", [xi], lambda x: x.min(1), {"dim": 1, "keepdim": False})
    add_case("argmax_int64", "argmax", [xi], lambda x: x.argmax(0), {"dim": 0, "keepdim": False})
    add_case("amax_int64", "amax", [xi], lambda x: x.amax(1), {"dims": [1], "keepdim": False})


def linalg_cases():
    combos = [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (3, 4)),
        ((3,), (2, 3, 4)),
        ((2, 3, 4), (4,)),
        ((2, 3), (4, 3, 5)),
        ((2, 1, 3, 4), (3, 4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((1, 3, 4), (2, 4, 2)),
        ((2, 2, 3), (1, 3, 2)),
    ]
    for d in FLOATS:
        for sa, sb in combos:
            add_case(f"matmul_{dt(d)}_{shp(sa)}_{shp(sb)}", "matmul", [randn(*sa, dtype=d),
                                                             randn(*sb, dtype=d)], torch.matmul)
        add_case(f"matmul_{dt(d)}_large", "matmul", [randn(17, 33, dtype=d),
                                                      randn(33, 9, dtype=d)], torch.matmul)
        add_case(f"matmul_{dt(d)}_one_side", "matmul", [randn(4, 3, dtype=d),
                                                         randn(3, 2, dtype=d)], torch.matmul,
                 grad=[False, True])
        # Operands with transposed strides, which decide whether PyTorch folds or uses bmm.
        add_case(f"matmul_{dt(d)}_2x3_4x5x3_transposed", "matmul_t_rhs",
                 [randn(2, 3, dtype=d), randn(4, 5, 3, dtype=d)],
                 lambda a, b: torch.matmul(a, b.transpose(-1, -2)))
        add_case(f"matmul_{dt(d)}_4x3x2_transposed_3x5", "matmul_t_lhs",
                 [randn(4, 3, 2, dtype=d), randn(3, 5, dtype=d)],
                 lambda a, b: torch.matmul(a.transpose(-1, -2), b))
        add_case(f"matmul_{dt(d)}_2x3_4x3x5_rhs_grad_only", "matmul",
                 [randn(2, 3, dtype=d), randn(4, 3, 5, dtype=d)], torch.matmul,
                 grad=[False, True])
        add_case(f"matmul_{dt(d)}_1x3_4x3x5", "matmul",
                 [randn(1, 3, dtype=d), randn(4, 3, 5, dtype=d)], torch.matmul)
        add_case(f"mm_{dt(d)}", "mm", [randn(3, 5, dtype=d), randn(5, 2, dtype=d)], torch.mm)
        add_case(f"mm_{dt(d)}_transposed", "mm_t",
                 [randn(5, 3, dtype=d), randn(2, 5, dtype=d)], lambda a, b: torch.mm(a.t(), b.t()))
        add_case(f"bmm_{dt(d)}", "bmm", [randn(2, 3, 4, dtype=d), randn(2, 4, 5, dtype=d)],
                 torch.bmm)
        add_case(f"dot_{dt(d)}", "dot", [randn(7, dtype=d), randn(7, dtype=d)], torch.dot)
        for beta, alpha in ((1, 1), (0.5, 2.0), (0, -1.5), (2, 0)):
            add_case(f"addmm_{dt(d)}_{beta}_{alpha}", "addmm",
                     [randn(3, 4, dtype=d), randn(3, 5, dtype=d), randn(5, 4, dtype=d)],
                     lambda s, a, b, beta=beta, alpha=alpha: torch.addmm(s, a, b, beta=beta,
                                                                           alpha=alpha),
                     {"beta": beta, "alpha": alpha})
        add_case(f"addmm_{dt(d)}_bias_1d", "addmm",
                 [randn(4, dtype=d), randn(3, 5, dtype=d), randn(5, 4, dtype=d)],
                 lambda s, a, b: torch.addmm(s, a, b), {"beta": 1, "alpha": 1})
    add_case("matmul_int64", "matmul", [T([[1, 2], [3, 4]], I64), T([[5, -6], [7, 8]], I64)],
             torch.matmul)
    add_case("matmul_int64_batched", "matmul", [randint(2, 3, 4, dtype=I64),
                                                randint(4, 2, dtype=I64)], torch.matmul)
    add_case("matmul_int64_vector", "matmul", [randint(3, dtype=I64), randint(3, 4, dtype=I64)],
             torch.matmul)
    add_case("dot_int64", "dot", [randint(5, dtype=I64), randint(5, dtype=I64)], torch.dot)
    add_case("bmm_int64", "bmm", [randint(2, 2, 3, dtype=I64), randint(2, 3, 2, dtype=I64)],
             torch.bmm)


VIEW_THEN = {
    None: lambda y: y,
    "sum_last": lambda y: y.sum(-1),
    "mean_first": lambda y: y.mean(0),
}


def view_case(name, op, inputs, fn, args, grad=None):
    for then, post in VIEW_THEN.items():
        if then == "mean_first" and inputs[0].dtype != F32:
            continue  # keeps the fixture small; float64 gets the other two forms
        a = dict(args)
        if then is not None:
            a["then"] = then

        def full(*xs, fn=fn, post=post):
            out = fn(*xs)
            if isinstance(out, (tuple, list)):
                return tuple(post(o) for o in out)
            return post(out)

        add_case(f"{name}" + (f"_then_{then}" if then else ""), op, inputs, full, a, grad)


def view_cases():
    for d in FLOATS:
        x = randn(3, 4, 5, dtype=d)
        s = dt(d)
        view_case(f"reshape_{s}", "reshape", [x], lambda x: x.reshape(4, 15), {"shape": [4, 15]})
        view_case(f"reshape_{s}_infer", "reshape", [x], lambda x: x.reshape(-1, 2, 5),
                  {"shape": [-1, 2, 5]})
        view_case(f"reshape_{s}_noncontig", "transpose_reshape", [x],
                  lambda x: x.transpose(0, 2).reshape(10, 6), {"d0": 0, "d1": 2, "shape": [10, 6]})
        view_case(f"view_{s}", "view", [x], lambda x: x.view(12, 5), {"shape": [12, 5]})
        view_case(f"flatten_{s}", "flatten", [x], lambda x: x.flatten(), {"start": 0, "end": -1})
        view_case(f"flatten_{s}_1_2", "flatten", [x], lambda x: x.flatten(1, 2),
                  {"start": 1, "end": 2})
        y = randn(3, 1, 4, 1, dtype=d)
        view_case(f"squeeze_{s}", "squeeze", [y], lambda x: x.squeeze(), {"dim": None})
        view_case(f"squeeze_{s}_dim", "squeeze", [y], lambda x: x.squeeze(1), {"dim": 1})
        view_case(f"unsqueeze_{s}", "unsqueeze", [randn(3, 4, dtype=d)],
                  lambda x: x.unsqueeze(1), {"dim": 1})
        view_case(f"unsqueeze_{s}_neg", "unsqueeze", [randn(3, 4, dtype=d)],
                  lambda x: x.unsqueeze(-1), {"dim": -1})
        view_case(f"t_{s}", "t", [randn(3, 4, dtype=d)], lambda x: x.t(), {})
        view_case(f"transpose_{s}", "transpose", [x], lambda x: x.transpose(0, 2),
                  {"d0": 0, "d1": 2})
        view_case(f"transpose_{s}_neg", "transpose", [x], lambda x: x.transpose(-1, 1),
                  {"d0": -1, "d1": 1})
        view_case(f"permute_{s}", "permute", [x], lambda x: x.permute(2, 0, 1),
                  {"dims": [2, 0, 1]})
        view_case(f"expand_{s}", "expand", [randn(3, 1, dtype=d)], lambda x: x.expand(2, 3, 4),
                  {"sizes": [2, 3, 4]})
        view_case(f"expand_{s}_keep", "expand", [randn(3, 1, dtype=d)],
                  lambda x: x.expand(-1, 5), {"sizes": [-1, 5]})
        view_case(f"select_{s}", "select", [x], lambda x: x.select(1, 2), {"dim": 1, "index": 2})
        view_case(f"select_{s}_neg", "select", [x], lambda x: x.select(-1, -2),
                  {"dim": -1, "index": -2})
        view_case(f"slice_{s}", "slice", [x], lambda x: x[:, 1:3],
                  {"dim": 1, "start": 1, "end": 3, "step": 1})
        view_case(f"slice_{s}_step", "slice", [randn(9, 4, dtype=d)], lambda x: x[1:8:3],
                  {"dim": 0, "start": 1, "end": 8, "step": 3})
        view_case(f"slice_{s}_step_last", "slice", [x], lambda x: x[:, :, 0:5:2],
                  {"dim": 2, "start": 0, "end": 5, "step": 2})
        view_case(f"slice_{s}_neg", "slice", [randn(9, 4, dtype=d)], lambda x: x[-5:-1:2],
                  {"dim": 0, "start": -5, "end": -1, "step": 2})
        view_case(f"narrow_{s}", "narrow", [x], lambda x: x.narrow(2, 1, 3),
                  {"dim": 2, "start": 1, "length": 3})
        idx = T([2, 0, 2, 1], I64)
        view_case(f"index_select_{s}", "index_select", [x, idx],
                  lambda x, i: x.index_select(1, i), {"dim": 1})
        view_case(f"index_select_{s}_dim0", "index_select", [randn(4, 3, dtype=d),
                                                             T([3, 3, 0], I64)],
                  lambda x, i: x.index_select(0, i), {"dim": 0})
        a, b, c = randn(2, 3, dtype=d), randn(4, 3, dtype=d), randn(1, 3, dtype=d)
        view_case(f"cat_{s}_dim0", "cat", [a, b, c], lambda *t: torch.cat(t, 0), {"dim": 0})
        view_case(f"cat_{s}_dim1", "cat", [randn(2, 3, dtype=d), randn(2, 1, dtype=d)],
                  lambda *t: torch.cat(t, 1), {"dim": 1})
        view_case(f"cat_{s}_neg", "cat", [randn(2, 2, 3, dtype=d), randn(2, 2, 2, dtype=d)],
                  lambda *t: torch.cat(t, -1), {"dim": -1})
        for dim in (0, 1, -1):
            view_case(f"stack_{s}_{dim}", "stack",
                      [randn(2, 3, dtype=d), randn(2, 3, dtype=d), randn(2, 3, dtype=d)],
                      lambda *t, dim=dim: torch.stack(t, dim), {"dim": dim})
        view_case(f"chunk_{s}", "chunk", [randn(5, 4, dtype=d)], lambda x: x.chunk(3, 0),
                  {"chunks": 3, "dim": 0})
        view_case(f"split_{s}", "split", [randn(3, 7, dtype=d)], lambda x: x.split(3, 1),
                  {"size": 3, "dim": 1})
        view_case(f"contiguous_{s}", "transpose_contiguous", [randn(3, 4, dtype=d)],
                  lambda x: x.transpose(0, 1).contiguous(), {"d0": 0, "d1": 1})
        view_case(f"clone_{s}", "clone", [randn(3, 4, dtype=d)], lambda x: x.clone(), {})
        # A chain of views over a non-contiguous intermediate.
        view_case(f"chain_{s}", "chain", [randn(4, 6, dtype=d)],
                  lambda x: x.t()[1:5:2].unsqueeze(0).expand(3, 2, 4).permute(2, 0, 1), {})


def promotion_cases():
    add_case("promote_add_int64_float32", "add", [T([1, 2, 3], I64), T([0.5, -1.5, 2.25])],
             BINARY["add"])
    add_case("promote_mul_float32_int64", "mul", [T([0.5, -1.5, 2.25]), T([1, 2, 3], I64)],
             BINARY["mul"])
    add_case("promote_sub_int64_float64", "sub", [T([1, 2, 3], I64), T([0.5, -1.5, 2.25], F64)],
             BINARY["sub"])
    add_case("promote_add_bool_int64", "add", [T([True, False, True], BOOL), T([4, 5, 6], I64)],
             BINARY["add"])
    add_case("promote_mul_bool_float32", "mul", [T([True, False, True], BOOL),
                                                  T([1.5, 2.5, 3.5])], BINARY["mul"])
    add_case("promote_add_bool_bool", "add", [T([True, False, True], BOOL),
                                              T([True, False, False], BOOL)], BINARY["add"])
    add_case("promote_add_float32_float64", "add", [T([0.5, 1.5]), T([0.25, 2.0], F64)],
             BINARY["add"])
    add_case("promote_add_float32_0dim_float64", "add", [T([0.5, 1.5, 3.0]), T(0.125, F64)],
             BINARY["add"])
    add_case("promote_mul_0dim_float64_float32", "mul", [T(2.5, F64), T([0.5, 1.5, 3.0])],
             BINARY["mul"])
    add_case("promote_add_int64_0dim_float64", "add", [T([1, 2, 3], I64), T(0.5, F64)],
             BINARY["add"])
    add_case("promote_add_0dim_float32_int64", "add", [T(0.5), T([1, 2, 3], I64)],
             BINARY["add"])
    add_case("promote_add_float32_0dim_int64", "add", [T([0.5, 1.5]), T(3, I64)], BINARY["add"])
    add_case("promote_add_0dim_float64_0dim_float32", "add", [T(0.5, F64), T(1.25)],
             BINARY["add"])
    add_case("promote_add_int64_0dim_bool", "add", [T([1, 2], I64), T(True, BOOL)],
             BINARY["add"])
    add_case("promote_div_int64_int64", "div", [T([1, 7, -9, 10], I64), T([2, 2, 4, 3], I64)],
             BINARY["div"])
    add_case("promote_div_bool_bool", "div", [T([True, False], BOOL), T([True, True], BOOL)],
             BINARY["div"])
    add_case("promote_add_int64_int64", "add", [T([1, 2], I64), T([10, -20], I64)],
             BINARY["add"])
    add_case("promote_mul_int64_int64", "mul", [T([3, -2], I64), T([10, 7], I64)], BINARY["mul"])
    add_case("promote_sub_int64_int64", "sub", [T([3, -2], I64), T([10, 7], I64)], BINARY["sub"])
    add_case("promote_int64_add_int_scalar", "add_scalar", [T([1, 2, 3], I64)],
             lambda x: x + 2, {"scalar": 2})
    add_case("promote_int64_add_float_scalar", "add_scalar", [T([1, 2, 3], I64)],
             lambda x: x + 2.5, {"scalar": 2.5})
    add_case("promote_int64_mul_float_scalar", "rmul_scalar", [T([1, 2, 3], I64)],
             lambda x: 1.5 * x, {"scalar": 1.5})
    add_case("promote_int64_div_int_scalar", "div_scalar", [T([1, 2, 3], I64)],
             lambda x: x / 2, {"scalar": 2})
    add_case("promote_int64_rsub_int_scalar", "rsub_scalar", [T([1, 2, 3], I64)],
             lambda x: 10 - x, {"scalar": 10})
    add_case("promote_bool_add_int_scalar", "add_scalar", [T([True, False], BOOL)],
             lambda x: x + 3, {"scalar": 3})
    add_case("promote_bool_mul_float_scalar", "mul_scalar", [T([True, False], BOOL)],
             lambda x: x * 0.5, {"scalar": 0.5})
    add_case("promote_bool_add_bool_scalar", "add_scalar", [T([True, False], BOOL)],
             lambda x: x + True, {"scalar": True})
    add_case("promote_float32_add_int_scalar", "add_scalar", [T([0.5, 1.5])],
             lambda x: x + 1, {"scalar": 1})
    add_case("promote_float32_mul_large_scalar", "mul_scalar", [T([0.5, 1.5])],
             lambda x: x * 1e10, {"scalar": 1e10})
    add_case("promote_int64_pow_int", "pow_scalar", [T([1, 2, -3], I64)], lambda x: x.pow(3),
             {"scalar": 3})
    add_case("promote_int64_pow_float", "pow_scalar", [T([1, 2, 3], I64)], lambda x: x.pow(0.5),
             {"scalar": 0.5})
    add_case("promote_float32_pow_int64_tensor", "pow_tensor", [T([1.5, 2.0, 3.0]),
                                                                T([2, 3, 1], I64)],
             lambda x, e: x.pow(e))
    add_case("promote_int64_pow_float32_tensor", "pow_tensor", [T([2, 3, 4], I64),
                                                                T([0.5, 1.5, -1.0])],
             lambda x, e: x.pow(e))
    add_case("promote_rpow_int_int64", "rpow_scalar", [T([0, 1, 3], I64)],
             lambda x: torch.pow(2, x), {"scalar": 2})
    add_case("promote_rpow_float_int64", "rpow_scalar", [T([0, 1, 3], I64)],
             lambda x: torch.pow(2.5, x), {"scalar": 2.5})
    add_case("promote_where_int64_float32", "where",
             [T([True, False, True], BOOL), T([1, 2, 3], I64), T([0.5, 1.5, 2.5])], torch.where)
    add_case("promote_where_float32_float64", "where",
             [T([True, False, True], BOOL), T([1.0, 2.0, 3.0]), T([0.5, 1.5, 2.5], F64)],
             torch.where)
    add_case("promote_maximum_int64_0dim_float32", "maximum",
             [T([1, 2, 3], I64), T(1.5)], torch.maximum)


COMPARE = {
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}


def comparison_cases():
    a = T([[1.0, 2.0, float("nan"), -1.0], [0.5, 3.0, 2.0, float("inf")]])
    b = T([1.0, 2.5, float("nan"), -2.0])
    for op, fn in COMPARE.items():
        add_case(f"{op}_float32_broadcast", op, [a, b], fn)
        add_case(f"{op}_float64_int64", op, [T([1.0, 2.5, -3.0], F64), T([1, 2, -3], I64)], fn)
        add_case(f"{op}_int64", op, [T([[1, 2], [3, 4]], I64), T([2, 2], I64)], fn)
        add_case(f"{op}_bool", op, [T([True, False, True], BOOL), T([True, True, False], BOOL)],
                 fn)
        for s in (2.0, 2, float("nan")):
            add_case(f"{op}_scalar_{s}", f"{op}_scalar", [a], lambda x, s=s, fn=fn: fn(x, s),
                     {"scalar": encode_scalar(s)})
        add_case(f"{op}_scalar_int64_float", f"{op}_scalar", [T([1, 2, 3], I64)],
                 lambda x, fn=fn: fn(x, 1.5), {"scalar": 1.5})
        add_case(f"{op}_0dim", op, [T(2.0), T([1.0, 2.0, 3.0], F64)], fn)
        add_case(f"{op}_float32_float64_precision", op,
                 [T([0.1, 0.2]), T([0.1, 0.2], F64)], fn)
    add_case("isnan_float32", "isnan", [a], torch.isnan)
    add_case("isfinite_float32", "isfinite", [a], torch.isfinite)
    add_case("isnan_float64", "isnan", [a.to(F64)], torch.isnan)
    add_case("isfinite_float64", "isfinite", [a.to(F64)], torch.isfinite)
    add_case("isfinite_int64", "isfinite", [T([1, 2], I64)], torch.isfinite)
    add_case("isnan_int64", "isnan", [T([1, 2], I64)], torch.isnan)


def composite_cases():
    # Small graphs where one leaf reaches the output along several paths.
    for d in FLOATS:
        add_case(f"composite_mlp_{dt(d)}", "mlp",
                 [randn(4, 3, dtype=d), randn(3, 5, dtype=d), randn(5, dtype=d)],
                 lambda x, w, b: torch.tanh(x.matmul(w) + b).pow(2).mean(1))
        add_case(f"composite_reuse_{dt(d)}", "reuse", [randn(5, dtype=d)],
                 lambda x: (x * x.sin() + x.exp() / (1 + x * x)).sum())
        onehot = torch.zeros(4, 6, dtype=d)
        onehot[[0, 1, 2, 3], [1, 0, 5, 2]] = 1.0
        add_case(f"composite_softmax_ce_{dt(d)}", "softmax_ce", [randn(4, 6, dtype=d), onehot],
                 lambda x, t: -(x.log_softmax(1) * t).sum(1).mean(), grad=[True, False])


# ---------------------------------------------------------------------------- printing

PRINTS = []


def add_print(name, t, op="identity", args=None, requires_grad=False):
    leaf = t.clone().detach().requires_grad_(requires_grad)
    out = {
        "identity": lambda x: x,
        "mul_scalar": lambda x: x * args["scalar"],
        "sum_all": lambda x: x.sum(),
        "transpose": lambda x: x.transpose(args["d0"], args["d1"]),
        "select": lambda x: x.select(args["dim"], args["index"]),
    }[op](leaf)
    PRINTS.append({
        "name": name,
        "op": op,
        "args": args or {},
        "input": encode_tensor(t, requires_grad),
        "repr": repr(out),
    })


def print_cases():
    add_print("vector", T([1.5, -2.25, 3.125]))
    add_print("vector_random", randn(6))
    add_print("matrix", randn(3, 4))
    add_print("tensor3d", randn(2, 3, 4))
    add_print("tensor4d", randn(2, 1, 2, 3))
    add_print("int64_vector", T([1, -20, 300], I64))
    add_print("int64_matrix", T([[1, 2, 3], [-40, 500, 6]], I64))
    add_print("int64_large", T([123456789012, -1], I64))
    add_print("bool_vector", T([True, False, True], BOOL))
    add_print("bool_matrix", T([[True, False], [False, False]], BOOL))
    add_print("float64_vector", T([1.5, 2.0, -0.125], F64))
    add_print("float64_matrix", randn(2, 3, dtype=F64))
    add_print("requires_grad_leaf", T([1.0, 2.0, 3.0]), requires_grad=True)
    add_print("requires_grad_leaf_float64", T([0.5, 2.0], F64), requires_grad=True)
    add_print("grad_fn_mul", T([1.0, 2.0, 3.0]), "mul_scalar", {"scalar": 2}, requires_grad=True)
    add_print("grad_fn_sum", T([1.5, 2.0, 3.0]), "sum_all", requires_grad=True)
    add_print("grad_fn_float64", T([1.5, 2.0], F64), "mul_scalar", {"scalar": 2.5},
              requires_grad=True)
    add_print("sci_small", T([1e-5, 1.0, 2.0]))
    add_print("sci_large", T([1e10, 1.0]))
    add_print("sci_ratio", T([0.001, 2.5]))
    add_print("sci_ratio_just_below", T([0.0025, 2.5]))
    add_print("sci_tiny", T([1e-10, 3e-12]))
    add_print("sci_float64", T([1e-20, 12345.678], F64))
    add_print("sci_large_ints", T([1e9, 2.0]))
    add_print("sci_negative", T([-1e-6, 2.5, -3e5]))
    add_print("int_valued", T([1.0, 100.0, 1000.0]))
    add_print("int_valued_negative", T([-1.0, 2.0, -30.0]))
    add_print("int_valued_large", T([1e8, 1.0]))
    add_print("int_valued_ratio", T([1.0, 5000.0]))
    add_print("negative", T([-1.5, -0.25, 3.75]))
    add_print("negative_zero", T([-0.0, 1.0]))
    add_print("negative_zero_frac", T([-0.0, 1.5]))
    add_print("zeros", torch.zeros(3))
    add_print("zeros_matrix", torch.zeros(2, 2))
    add_print("nan_inf", T([float("nan"), float("inf"), -float("inf"), 1.0]))
    add_print("nan_inf_frac", T([float("nan"), 1.5, -float("inf")]))
    add_print("nan_only", T([float("nan"), float("nan")]))
    add_print("inf_sci", T([float("inf"), 1e-6, 1.0]))
    add_print("empty", torch.zeros(0))
    add_print("empty_0x3", torch.zeros(0, 3))
    add_print("empty_2x0x3", torch.zeros(2, 0, 3))
    add_print("empty_int64", torch.zeros(0, dtype=I64))
    add_print("empty_float64", torch.zeros(0, dtype=F64))
    add_print("empty_bool", torch.zeros(0, dtype=BOOL))
    add_print("empty_requires_grad", torch.zeros(0), requires_grad=True)
    add_print("scalar", T(3.5))
    add_print("scalar_int_valued", T(3.0))
    add_print("scalar_int64", T(-7, I64))
    add_print("scalar_bool", T(True, BOOL))
    add_print("scalar_float64", T(0.1, F64))
    add_print("scalar_sci", T(1.5e-7))
    add_print("scalar_requires_grad", T(2.0), requires_grad=True)
    add_print("one_element", T([0.1]))
    add_print("precision_rounding", T([0.00005, 0.12345, 1.99999]))
    add_print("summarised_2000", torch.arange(2000, dtype=F32))
    add_print("summarised_2000_frac", randn(2000))
    add_print("summarised_matrix_3x2000", randn(3, 2000))
    add_print("summarised_matrix_2000x3", randn(2000, 3))
    add_print("summarised_3d", randn(10, 10, 20))
    add_print("summarised_int64", torch.arange(1001, dtype=I64))
    add_print("summarised_requires_grad", randn(1500), requires_grad=True)
    add_print("wrap_float", randn(30))
    add_print("wrap_float_sci", randn(20) * 1e-6)
    add_print("wrap_int64", torch.arange(-20, 20, dtype=I64) * 37)
    add_print("wrap_matrix", randn(3, 25))
    add_print("wrap_float64", randn(20, dtype=F64))
    add_print("wrap_requires_grad", randn(24), requires_grad=True)
    add_print("wrap_grad_fn", randn(24), "mul_scalar", {"scalar": 3}, requires_grad=True)
    add_print("wrap_float64_grad_fn", randn(15, dtype=F64), "mul_scalar", {"scalar": 3},
              requires_grad=True)
    add_print("suffix_wrap", randn(9, dtype=F64), "mul_scalar", {"scalar": 1.5},
              requires_grad=True)
    add_print("suffix_wrap_2d", randn(2, 9, dtype=F64), "mul_scalar", {"scalar": 1.5},
              requires_grad=True)
    add_print("bool_wrap", torch.arange(40) % 3 == 0)
    add_print("noncontiguous", randn(3, 4), "transpose", {"d0": 0, "d1": 1})
    add_print("select_view_grad", randn(3, 4), "select", {"dim": 1, "index": 2},
              requires_grad=True)


# ---------------------------------------------------------------------------- main


# The list ops of the second fixture round; list_op_cases draws their inputs in this order, and
# the ops added to the lists after them get theirs in later_list_op_cases, after everything else.
SECOND_UNARY = ["neg", "rsqrt", "reciprocal", "sign", "erf"]
SECOND_BINARY = ["atan2", "hypot"]
assert [e[0] for e in UNARY_LIST[len(FIRST_UNARY):len(FIRST_UNARY) + len(SECOND_UNARY)]] == \
    SECOND_UNARY
assert [e[0] for e in BINARY_LIST[:len(SECOND_BINARY)]] == SECOND_BINARY


def list_op_cases():
    """Cases for the list ops beyond FIRST_UNARY: float32 and float64, contiguous and strided."""
    second_unary = UNARY_LIST[len(FIRST_UNARY):len(FIRST_UNARY) + len(SECOND_UNARY)]
    for d in FLOATS:
        for name, _, lo, hi in second_unary:
            fn = getattr(torch, name)
            add_case(f"{name}_{dt(d)}_list", name, [uniform(48, lo=lo, hi=hi, dtype=d)], fn)
            add_case(f"{name}_{dt(d)}_strided", name,
                     [uniform(6, 8, lo=lo, hi=hi, dtype=d).t()], fn)
        for name, _, lo, hi in BINARY_LIST[:len(SECOND_BINARY)]:
            fn = getattr(torch, name)
            add_case(f"{name}_{dt(d)}", name, [uniform(5, 7, lo=lo, hi=hi, dtype=d),
                                               uniform(5, 7, lo=lo, hi=hi, dtype=d)], fn)
            add_case(f"{name}_{dt(d)}_broadcast", name,
                     [uniform(3, 1, lo=lo, hi=hi, dtype=d), uniform(4, lo=lo, hi=hi, dtype=d)], fn)
    for name, _, lo, hi in second_unary:
        if name != "neg":  # neg_int64 is an earlier case
            add_case(f"{name}_int64", name, [T([1, 2, -3], I64)], getattr(torch, name))
    add_case("atan2_int64", "atan2", [T([1, -2, 3], I64), T([2, 2, -1], I64)], torch.atan2)


def list_domains(macro):
    """name -> domain column (FLOATING, NUMERIC or FLOAT_ONLY) of one list."""
    text = open(LIST_HEADER).read()
    body = text[text.index("#define " + macro + "(X)"):]
    return dict(re.findall(r"\bX\((\w+),\s*\w+,\s*(\w+),", body[:body.index("\n\n")]))


# List ops whose Python spelling differs from the C++ name.
PY_FN = {
    "silu": F.silu,
    "mish": F.mish,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "log_sigmoid": F.logsigmoid,
}


def later_list_op_cases():
    """The list ops after the second round: values, gradients and grad_fn names for float32 and
    float64 (contiguous, strided, broadcast) and int64 where PyTorch takes it."""
    unary = UNARY_LIST[len(FIRST_UNARY) + len(SECOND_UNARY):]
    binary = BINARY_LIST[len(SECOND_BINARY):]
    udom, bdom = list_domains("TG_UNARY_OPS"), list_domains("TG_BINARY_OPS")
    for d in FLOATS:
        for name, _, lo, hi in unary:
            fn = PY_FN.get(name) or getattr(torch, name)
            add_case(f"{name}_{dt(d)}_list", name, [uniform(48, lo=lo, hi=hi, dtype=d)], fn)
            add_case(f"{name}_{dt(d)}_strided", name,
                     [uniform(6, 8, lo=lo, hi=hi, dtype=d).t()], fn)
        for name, _, lo, hi in binary:
            fn = getattr(torch, name)
            add_case(f"{name}_{dt(d)}", name, [uniform(5, 7, lo=lo, hi=hi, dtype=d),
                                               uniform(5, 7, lo=lo, hi=hi, dtype=d)], fn)
            add_case(f"{name}_{dt(d)}_broadcast", name,
                     [uniform(3, 1, lo=lo, hi=hi, dtype=d), uniform(4, lo=lo, hi=hi, dtype=d)], fn)
        # Signs and ties: Python's % against C's fmod, halves rounding to even, copysign of zeros.
        a = T([5.5, -5.5, 5.5, -5.5, 3.0, -3.0, 0.0, 7.25], d)
        b = T([2.0, 2.0, -2.0, -2.0, 1.5, 1.5, 3.0, -0.5], d)
        add_case(f"fmod_{dt(d)}_signs", "fmod", [a, b], torch.fmod)
        add_case(f"remainder_{dt(d)}_signs", "remainder", [a, b], torch.remainder)
        add_case(f"copysign_{dt(d)}_signs", "copysign", [T([1.5, -2.0, 0.0, 3.0], d),
                                                         T([-1.0, 2.0, -1.0, -0.0], d)],
                 torch.copysign)
        add_case(f"round_{dt(d)}_halves", "round", [T([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999], d)],
                 torch.round)
        add_case(f"xlogy_{dt(d)}_zeros", "xlogy", [T([0.0, 0.0, 2.0, 1.5], d),
                                                   T([0.0, 2.5, 3.0, 0.5], d)], torch.xlogy,
                 grad=[True, False])
        for name in ("floor", "ceil", "trunc", "frac"):
            add_case(f"{name}_{dt(d)}_signs", name, [T([-2.5, -1.0, -0.25, 0.0, 0.75, 2.0], d)],
                     getattr(torch, name))
    for name, _, lo, hi in unary:
        if udom[name] != "FLOAT_ONLY":
            add_case(f"{name}_int64", name, [T([1, 2, -3, 4], I64)], getattr(torch, name))
    for name, _, lo, hi in binary:
        if bdom[name] != "FLOAT_ONLY":
            add_case(f"{name}_int64", name, [T([7, -7, 7, -7, 0], I64), T([3, 3, -3, -3, 2], I64)],
                     getattr(torch, name))
    add_case("remainder_int64_float64", "remainder", [T([7, -7, 5], I64), T([2.5, 2.5, -1.5], F64)],
             torch.remainder)


def param_op_cases():
    """The ops of TG_UNARY_PARAM_OPS and the hand-written activations and bounds, with their
    parameters in "args". Drawn from a generator of their own, so that cases added to the lists
    (whose cases come earlier) leave these as they are."""
    GEN.manual_seed(20261205)
    for d in FLOATS:
        x = uniform(4, 6, lo=-4.0, hi=4.0, dtype=d)
        xs = uniform(6, 4, lo=-4.0, hi=4.0, dtype=d).t()
        for name, fn, args in (
            ("elu", F.elu, {"alpha": 1.0}),
            ("elu", F.elu, {"alpha": 0.5}),
            ("celu", F.celu, {"alpha": 1.0}),
            ("celu", F.celu, {"alpha": 2.0}),
            ("softplus", F.softplus, {"beta": 1, "threshold": 20}),
            ("softplus", F.softplus, {"beta": 2.0, "threshold": 3.0}),
            ("hardtanh", F.hardtanh, {"min_val": -1.0, "max_val": 1.0}),
            ("hardtanh", F.hardtanh, {"min_val": -0.5, "max_val": 2.0}),
            ("softshrink", F.softshrink, {"lambd": 0.5}),
            ("hardshrink", F.hardshrink, {"lambd": 1.25}),
            ("threshold", F.threshold, {"threshold": 0.25, "value": -2.0}),
            ("gelu", F.gelu, {"approximate": "none"}),
            ("gelu", F.gelu, {"approximate": "tanh"}),
        ):
            tag = "_".join(str(v) for v in args.values())
            add_case(f"{name}_{dt(d)}_{tag}", name, [x], lambda x, fn=fn, a=args: fn(x, **a),
                     args)
            add_case(f"{name}_{dt(d)}_{tag}_strided", name, [xs],
                     lambda x, fn=fn, a=args: fn(x, **a), args)
        for name, fn in (("selu", F.selu), ("relu6", F.relu6), ("softsign", F.softsign),
                         ("tanhshrink", F.tanhshrink)):
            add_case(f"{name}_{dt(d)}", name, [x], fn)
        p = uniform(30, lo=0.02, hi=0.98, dtype=d)
        add_case(f"logit_{dt(d)}", "logit", [p], torch.logit, {"eps": None})
        add_case(f"logit_{dt(d)}_eps", "logit", [T([0.0, 0.01, 0.3, 0.95, 1.0, 0.5], d)],
                 lambda x: torch.logit(x, 0.05), {"eps": 0.05})
        r = randn(3, 5, dtype=d, scale=40)
        for dec in (0, 1, 2, -1):
            add_case(f"round_decimals_{dt(d)}_{dec}", "round_decimals", [r],
                     lambda x, dec=dec: torch.round(x, decimals=dec), {"decimals": dec})
        g = uniform(12, lo=0.2, hi=6.0, dtype=d)
        for n in (0, 1, 2, 3):
            add_case(f"polygamma_{dt(d)}_{n}", "polygamma", [g],
                     lambda x, n=n: torch.polygamma(n, x), {"n": n})
        add_case(f"digamma_{dt(d)}_negative", "digamma", [T([-0.5, -1.25, -2.75, 0.0], d)],
                 torch.digamma, grad=[False])
        add_case(f"glu_{dt(d)}", "glu", [randn(3, 4, dtype=d)], lambda x: F.glu(x, -1), {"dim": -1})
        add_case(f"glu_{dt(d)}_dim0", "glu", [randn(4, 3, dtype=d)], lambda x: F.glu(x, 0),
                 {"dim": 0})
        add_case(f"prelu_{dt(d)}_channels", "prelu",
                 [randn(2, 3, 4, dtype=d), T([0.25, -0.5, 1.5], d)], F.prelu)
        add_case(f"prelu_{dt(d)}_single", "prelu", [randn(5, 2, dtype=d), T([0.1], d)], F.prelu)
        lo_t, hi_t = randn(3, 4, dtype=d, scale=0.5, shift=-0.5), randn(4, dtype=d, scale=0.5,
                                                                           shift=0.5)
        add_case(f"clamp_tensor_{dt(d)}", "clamp_tensor", [randn(3, 4, dtype=d), lo_t, hi_t],
                 lambda x, l, h: torch.clamp(x, l, h))
        add_case(f"clamp_tensor_{dt(d)}_crossed", "clamp_tensor",
                 [T([0.0, 2.0, -2.0], d), T([1.0, 1.0, 1.0], d), T([-1.0, -1.0, -1.0], d)],
                 lambda x, l, h: torch.clamp(x, l, h))
        add_case(f"clamp_tensor_{dt(d)}_min_only", "clamp_tensor_min",
                 [randn(3, 4, dtype=d), randn(3, 1, dtype=d)], lambda x, l: torch.clamp(x, min=l))
        add_case(f"clamp_min_tensor_{dt(d)}", "clamp_min_tensor",
                 [randn(3, 4, dtype=d), randn(4, dtype=d)], torch.clamp_min)
        add_case(f"clamp_max_tensor_{dt(d)}", "clamp_max_tensor",
                 [randn(3, 4, dtype=d), randn(3, 1, dtype=d)], torch.clamp_max)
        for w in (0.25, 0.75, 1.5):
            add_case(f"lerp_scalar_{dt(d)}_{w}", "lerp_scalar",
                     [randn(3, 4, dtype=d), randn(4, dtype=d)], lambda a, b, w=w: torch.lerp(a, b, w),
                     {"weight": w})
        add_case(f"lerp_tensor_{dt(d)}", "lerp_tensor",
                 [randn(3, 4, dtype=d), randn(3, 4, dtype=d), uniform(4, lo=-0.5, hi=1.5, dtype=d)],
                 torch.lerp)
    add_case("hardtanh_int64", "hardtanh", [T([-3, -1, 0, 2, 5], I64)],
             lambda x: F.hardtanh(x, -2, 3), {"min_val": -2, "max_val": 3})
    add_case("threshold_int64", "threshold", [T([-3, -1, 0, 2, 5], I64)],
             lambda x: F.threshold(x, 0, 7), {"threshold": 0, "value": 7})
    add_case("clamp_tensor_int64", "clamp_tensor", [T([-3, 0, 9], I64), T([-1, -1, -1], I64),
                                                    T([5, 5, 5], I64)],
             lambda x, l, h: torch.clamp(x, l, h))
    add_case("polygamma_int64", "polygamma", [T([1, 2, 3], I64)], lambda x: torch.polygamma(1, x),
             {"n": 1})
    for d in FLOATS:
        for s in (2.5, -1.5):
            x = T([5.5, -5.5, 3.0, -3.0, 0.25, 7.0], d)
            add_case(f"fmod_scalar_{dt(d)}_{s}", "fmod_scalar", [x], lambda x, s=s: torch.fmod(x, s),
                     {"scalar": s})
            add_case(f"remainder_scalar_{dt(d)}_{s}", "remainder_scalar", [x],
                     lambda x, s=s: torch.remainder(x, s), {"scalar": s})
    add_case("remainder_scalar_int64", "remainder_scalar", [T([7, -7, 0], I64)],
             lambda x: torch.remainder(x, -3), {"scalar": -3})
    add_case("fmod_scalar_int64_float", "fmod_scalar", [T([7, -7, 0], I64)],
             lambda x: torch.fmod(x, 2.5), {"scalar": 2.5})


def write_json(path, meta, cases):
    # One case per line keeps diffs of regenerated fixtures readable.
    with open(path, "w") as f:
        f.write('{"meta": ' + json.dumps(meta) + ',\n"cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
        f.write("\n]}\n")


def main():
    torch.set_default_dtype(torch.float32)
    arithmetic_cases()
    pow_cases()
    unary_cases()
    maxmin_where_cases()
    softmax_cases()
    reduction_cases()
    int_reduction_cases()
    linalg_cases()
    view_cases()
    promotion_cases()
    comparison_cases()
    composite_cases()
    print_cases()
    list_op_cases()
    later_list_op_cases()
    param_op_cases()
    os.makedirs(OUT_DIR, exist_ok=True)
    meta = {"torch_version": torch.__version__,
            "generator": "scripts/make_op_fixtures.py"}
    write_json(os.path.join(OUT_DIR, "ops.json"), meta, CASES)
    write_json(os.path.join(OUT_DIR, "print.json"), meta, PRINTS)
    print(f"{len(CASES)} op cases, {len(PRINTS)} print cases")


if __name__ == "__main__":
    main()
