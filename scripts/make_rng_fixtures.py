#!/usr/bin/python3
"""Generates the random-number fixtures in tests/fixtures/rng/ from the installed PyTorch.

The reference is PyTorch 1.13 on x86-64 (Debian 12's python3-torch, whose default CPU capability is
AVX2). Run it with the Debian interpreter, which is the one that sees that torch:

    /usr/bin/python3 scripts/make_rng_fixtures.py

Every fixture file holds a list of cases; a case is a list of steps that tests/random/ replays
against tensorgrad step by step, in the same order, on the same generators. Each step that makes a
tensor carries its expected result, stored exactly:

  * floating values as hex strings of their IEEE bit patterns ("3f800000"), in logical
    (row-major) order;
  * integer and bool values as JSON integers;
  * results with more than HASH_OVER elements as the SHA-256 of their raw little-endian bytes (in
    logical order) plus the first and last EDGE values, so that the files stay small.

Numbers that are arguments (from, to, mean, std, linspace ends) are stored as float.hex() strings
so that C++ reads back the very same double; "int": true marks a Python int argument, which PyTorch
keeps as an integral Scalar.
"""

import hashlib
import json
import math
import os
import sys

import numpy as np
import torch

assert torch.__version__.startswith("1.13"), f"expected PyTorch 1.13, found {torch.__version__}"

HASH_OVER = 2048
EDGE = 50
OUT_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "rng"))

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "bool": torch.bool,
}
SEEDS = [0, 1, 42, 2021, 2**32 + 5, 0xDEADBEEFCAFEBABE]
SIZES = [1, 15, 16, 17, 31, 33, 1000, 100000]


def dtype_name(dt):
    for k, v in DTYPES.items():
        if v == dt:
            return k
    raise ValueError(dt)


def encode_values(t):
    """The exact content of t in logical order, as a JSON-ready list."""
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return [format(int(b), "08x") for b in t.numpy().view(np.uint32)]
    if t.dtype == torch.float64:
        return [format(int(b), "016x") for b in t.numpy().view(np.uint64)]
    if t.dtype == torch.bool:
        return [int(b) for b in t.numpy()]
    return [int(v) for v in t.numpy()]


def encode(t):
    t = t.detach().contiguous()
    out = {"dtype": dtype_name(t.dtype), "shape": list(t.shape), "numel": t.numel()}
    vals = encode_values(t)
    if t.numel() > HASH_OVER:
        out["sha256"] = hashlib.sha256(t.numpy().tobytes()).hexdigest()
        out["head"] = vals[:EDGE]
        out["tail"] = vals[-EDGE:]
    else:
        out["values"] = vals
    return out


def num(x):
    """An argument as stored: float.hex string, with an int flag for Python ints."""
    if isinstance(x, bool):
        raise TypeError("bool argument")
    if isinstance(x, int):
        return {"hex": float(x).hex(), "int": True, "i": x}
    return {"hex": float(x).hex(), "int": False}


def make_layout(spec, dtype):
    """A tensor of the layout that spec describes: a base shape and a list of view ops."""
    t = torch.zeros(spec["base"], dtype=dtype)
    for v in spec["views"]:
        if v[0] == "transpose":
            t = t.transpose(v[1], v[2])
        elif v[0] == "permute":
            t = t.permute(*v[1])
        elif v[0] == "slice":
            dim, start, end, step = v[1:]
            idx = [slice(None)] * t.dim()
            idx[dim] = slice(start, end, step)
            t = t[tuple(idx)]
        elif v[0] == "select":
            t = t.select(v[1], v[2])
        else:
            raise ValueError(v)
    return t


def make_probs(spec):
    """Values in [lo, hi] from linspace, reshaped, optionally squared and transposed."""
    dt = DTYPES[spec["dtype"]]
    n = math.prod(spec["shape"])
    t = torch.linspace(spec["lo"], spec["hi"], n, dtype=dt).reshape(spec["shape"])
    if spec.get("square"):
        t = t * t
    if spec.get("transpose"):
        t = t.t()
    return t


class Replay:
    """Runs the steps of a case on torch and fills in their expected outputs."""

    def __init__(self):
        self.gen = None

    def g(self, step):
        return self.gen if step.get("gen") else None

    def run(self, step):
        op = step["op"]
        if op == "manual_seed":
            torch.manual_seed(step["seed"])
            return step
        if op == "gen_new":
            self.gen = torch.Generator()
            if "seed" in step:
                self.gen.manual_seed(step["seed"])
            return step
        dt = DTYPES.get(step.get("dtype", "float32"))
        gen = self.g(step)
        if op == "rand":
            r = torch.rand(step["sizes"], dtype=dt, generator=gen)
        elif op == "randn":
            r = torch.randn(step["sizes"], dtype=dt, generator=gen)
        elif op in ("uniform_", "normal_"):
            if "layout" in step:
                r = make_layout(step["layout"], dt)
                assert not r.is_contiguous() or step.get("contiguous_ok")
            else:
                r = torch.empty(step["sizes"], dtype=dt)
            a, b = float.fromhex(step["a"]["hex"]), float.fromhex(step["b"]["hex"])
            getattr(r, op)(a, b, generator=gen)
        elif op in ("rand_like", "randn_like"):
            src = make_layout(step["layout"], dt)
            r = getattr(torch, op)(src)
        elif op == "randint":
            r = torch.randint(step["low"], step["high"], step["sizes"], dtype=dt, generator=gen)
        elif op == "randperm":
            r = torch.randperm(step["n"], dtype=dt, generator=gen)
        elif op == "linspace":
            th = step.get("threads", 1)
            torch.set_num_threads(th)

            def arg(x):
                return x["i"] if x["int"] else float.fromhex(x["hex"])

            r = torch.linspace(arg(step["start"]), arg(step["end"]), step["steps"], dtype=dt)
            torch.set_num_threads(1)
        elif op in ("bernoulli_", "exponential_", "random_"):
            if "layout" in step:
                r = make_layout(step["layout"], dt)
            else:
                r = torch.empty(step["sizes"], dtype=dt)
            if op == "bernoulli_":
                p = make_probs(step["p"]) if isinstance(step["p"], dict) else step["p"]
                r.bernoulli_(p, generator=gen)
            elif op == "exponential_":
                r.exponential_(step["lambd"], generator=gen)
            else:
                r.random_(*step["args"], generator=gen)
        elif op == "bernoulli":
            r = torch.bernoulli(make_probs(step["p"]), generator=gen)
        elif op == "multinomial":
            r = torch.multinomial(make_probs(step["p"]), step["n"], step["replacement"],
                                  generator=gen)
        elif op == "dropout":
            x = make_probs(step["x"])
            r = torch.nn.functional.dropout(x, step["p"], training=True)
        elif op == "tutorial":
            # The regression tutorial's data: x in [-1, 1], noise = randn / 4.
            inputs = torch.linspace(-1, 1, 32).reshape(32, 1)
            raw = torch.randn(32, 1)
            noise = raw / 4
            step["inputs"] = encode(inputs)
            step["randn"] = encode(raw)
            step["noise"] = encode(noise)
            return step
        elif op == "linear":
            lin = torch.nn.Linear(step["in"], step["out"], bias=step.get("bias", True))
            # The bounds as torch.nn.init computes them, in double.
            gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
            step["weight_bound"] = num(math.sqrt(3.0) * (gain / math.sqrt(step["in"])))
            step["bias_bound"] = num(1 / math.sqrt(step["in"]))
            step["weight"] = encode(lin.weight)
            if lin.bias is not None:
                step["bias_values"] = encode(lin.bias)
            return step
        else:
            raise ValueError(op)
        step["out"] = encode(r)
        return step


def run_case(name, steps):
    torch.set_num_threads(1)
    rep = Replay()
    return {"name": name, "steps": [rep.run(dict(s)) for s in steps]}


def seeded(seed, *steps):
    return [{"op": "manual_seed", "seed": seed}] + list(steps)


def uniform_normal_cases():
    cases = []
    for seed in SEEDS:
        for dt in ("float32", "float64"):
            for n in SIZES:
                for op in ("rand", "randn"):
                    cases.append(run_case(f"{op}_{dt}_n{n}_seed{seed}",
                                          seeded(seed, {"op": op, "sizes": [n], "dtype": dt})))
    # Multi-dimensional shapes are filled in row-major order like one long vector.
    for op in ("rand", "randn"):
        for shape in ([4, 8], [2, 3, 4], [3, 5], [1, 16], [17, 1]):
            for dt in ("float32", "float64"):
                cases.append(run_case(f"{op}_{dt}_{'x'.join(map(str, shape))}",
                                      seeded(7, {"op": op, "sizes": shape, "dtype": dt})))
    # uniform_(a, b): one fused multiply-add in the tensor's dtype.
    pairs = [(-1.3, 2.9), (-1.0, 1.0), (0.0, 0.0), (5.0, 1e6), (-1e-3, 1e-3), (-0.5, 0.5),
             (2.0, 3.0)]
    for seed in (0, 42):
        for dt in ("float32", "float64"):
            for a, b in pairs:
                for n in (17, 1000):
                    cases.append(run_case(
                        f"uniform_{dt}_{a}_{b}_n{n}_seed{seed}",
                        seeded(seed, {"op": "uniform_", "sizes": [n], "dtype": dt, "a": num(a),
                                      "b": num(b)})))
    # normal_(mean, std) on every path (scalar, vectorised, tail).
    for seed in (0, 2021):
        for dt in ("float32", "float64"):
            for m, s in ((0.3, 2.7), (-5.0, 0.01), (0.0, 0.0), (1e3, 1e-5), (0.0, 1.0)):
                for n in (1, 2, 15, 16, 17, 33, 1000):
                    cases.append(run_case(
                        f"normal_{dt}_{m}_{s}_n{n}_seed{seed}",
                        seeded(seed, {"op": "normal_", "sizes": [n], "dtype": dt, "a": num(m),
                                      "b": num(s)})))
    return cases


def sequence_cases():
    cases = []
    # The scalar Box-Muller path keeps its second value for the next call, across calls, dtypes
    # and ops; the vectorised paths neither read nor clear it; manual_seed clears it.
    cases.append(run_case("cached_normal_randn3_randn5", seeded(
        2021, {"op": "randn", "sizes": [3]}, {"op": "randn", "sizes": [5]})))
    cases.append(run_case("cached_normal_mixed", seeded(
        42,
        {"op": "randn", "sizes": [3]},
        {"op": "randn", "sizes": [16]},
        {"op": "randn", "sizes": [1]},
        {"op": "randn", "sizes": [2], "dtype": "float64"},
        {"op": "rand", "sizes": [3]},
        {"op": "randn", "sizes": [1], "dtype": "float64"},
        {"op": "normal_", "sizes": [3], "dtype": "float32", "a": num(10.0), "b": num(3.0)},
        {"op": "randn", "sizes": [20], "dtype": "float64"},
        {"op": "randn", "sizes": [7]},
        {"op": "manual_seed", "seed": 42},
        {"op": "randn", "sizes": [3]},
        {"op": "randn", "sizes": [5]},
        {"op": "randint", "low": 0, "high": 10, "sizes": [5], "dtype": "int64"},
        {"op": "randn", "sizes": [1]},
        {"op": "randperm", "n": 7, "dtype": "int64"},
        {"op": "randn", "sizes": [1]},
        {"op": "linspace", "start": num(0), "end": num(1), "steps": 5, "dtype": "float32"},
        {"op": "randn", "sizes": [2]})))
    cases.append(run_case("cached_normal_odd_sizes", seeded(
        1, *[{"op": "randn", "sizes": [n]} for n in (1, 1, 3, 5, 7, 9, 11, 13, 15, 2, 4)])))
    # Generator objects have their own stream and their own cache.
    cases.append(run_case("generator_objects", seeded(
        5,
        {"op": "gen_new", "seed": 5},
        {"op": "rand", "sizes": [4], "gen": True},
        {"op": "rand", "sizes": [4]},
        {"op": "randn", "sizes": [3], "gen": True},
        {"op": "randn", "sizes": [3]},
        {"op": "randn", "sizes": [3], "gen": True},
        {"op": "randn", "sizes": [20], "gen": True},
        {"op": "randn", "sizes": [3]},
        {"op": "uniform_", "sizes": [5], "dtype": "float64", "a": num(-2.0), "b": num(2.0),
         "gen": True},
        {"op": "normal_", "sizes": [5], "dtype": "float32", "a": num(1.0), "b": num(2.0),
         "gen": True},
        {"op": "randperm", "n": 10, "dtype": "int64", "gen": True},
        {"op": "randperm", "n": 10, "dtype": "int64"},
        {"op": "rand", "sizes": [4]})))
    cases.append(run_case("generator_default_seed", [
        {"op": "gen_new"},
        {"op": "rand", "sizes": [5], "gen": True},
        {"op": "randn", "sizes": [17], "gen": True},
        {"op": "randn", "sizes": [3], "dtype": "float64", "gen": True}]))
    cases.append(run_case("generator_large_seed", [
        {"op": "gen_new", "seed": 0xDEADBEEFCAFEBABE},
        {"op": "rand", "sizes": [33], "gen": True},
        {"op": "gen_new", "seed": 0xCAFEBABE},
        {"op": "rand", "sizes": [33], "gen": True}]))
    # The regression tutorial: manual_seed(2021); linspace(-1, 1, 32); randn(32, 1) / 4.
    cases.append(run_case("tutorial", seeded(2021, {"op": "tutorial"})))
    # nn.Linear's default initialisation: kaiming_uniform_(a = sqrt(5)) then the bias.
    for fi, fo in ((1, 512), (512, 1), (3, 4), (64, 64), (1, 1)):
        cases.append(run_case(f"linear_{fi}_{fo}", seeded(2021, {"op": "linear", "in": fi,
                                                                 "out": fo})))
    cases.append(run_case("linear_sequence", seeded(
        0, {"op": "linear", "in": 1, "out": 32}, {"op": "linear", "in": 32, "out": 32},
        {"op": "linear", "in": 32, "out": 1, "bias": False}, {"op": "randn", "sizes": [32, 1]})))
    return cases


def layout_cases():
    cases = []
    layouts = {
        "t_5x7": {"base": [5, 7], "views": [["transpose", 0, 1]]},
        "t_2x3": {"base": [2, 3], "views": [["transpose", 0, 1]]},
        "permute_2x3x4": {"base": [2, 3, 4], "views": [["permute", [2, 0, 1]]]},
        "permute_4x3x5": {"base": [4, 3, 5], "views": [["permute", [1, 2, 0]]]},
        "slice_cols_6x10": {"base": [6, 10], "views": [["slice", 1, 0, 10, 2]]},
        "slice_rows_8x5": {"base": [8, 5], "views": [["slice", 0, 1, 8, 2]]},
        "select_col_20x3": {"base": [20, 3], "views": [["select", 1, 1]]},
        "t_slice_9x8": {"base": [9, 8], "views": [["transpose", 0, 1], ["slice", 1, 0, 9, 3]]},
        "permute_slice_3x4x6": {"base": [3, 4, 6],
                                "views": [["slice", 2, 1, 6, 2], ["permute", [2, 0, 1]]]},
    }
    for lname, spec in layouts.items():
        for dt in ("float32", "float64"):
            cases.append(run_case(f"uniform_{lname}_{dt}", seeded(
                3, {"op": "uniform_", "layout": spec, "dtype": dt, "a": num(-2.0),
                    "b": num(3.0)})))
            cases.append(run_case(f"normal_{lname}_{dt}", seeded(
                3, {"op": "normal_", "layout": spec, "dtype": dt, "a": num(0.5),
                    "b": num(1.5)})))
            cases.append(run_case(f"rand_like_{lname}_{dt}", seeded(
                4, {"op": "rand_like", "layout": spec, "dtype": dt})))
            cases.append(run_case(f"randn_like_{lname}_{dt}", seeded(
                4, {"op": "randn_like", "layout": spec, "dtype": dt})))
    for dt in ("float32", "float64"):
        spec = {"base": [4, 9], "views": []}
        cases.append(run_case(f"randn_like_contiguous_{dt}", seeded(
            4, {"op": "randn_like", "layout": spec, "dtype": dt})))
    return cases


def linspace_cases():
    cases = []
    args = [(-1, 1, 32), (0, 1, 17), (-3.7, 11.2, 1000), (0, 10, 5), (-5, 7, 100),
            (2.5, -9.1, 33), (-1, 1, 100001), (0, 1e6, 70001), (3, 3, 7), (0, -100, 40000),
            (-1e9, 1e9, 12345), (1, 2, 2), (0.1, 0.9, 3), (-7.3, 9.9, 15), (-7.3, 9.9, 16),
            (-7.3, 9.9, 23), (-7.3, 9.9, 31), (-7.3, 9.9, 47), (-123456789, 987654321, 999),
            (2, 5, 1), (0, 1, 0), (-1.0, 1.0, 64), (0, 255, 256), (1e-3, 1.0, 129)]
    for dt in ("float32", "float64", "int64"):
        for a, b, n in args:
            cases.append(run_case(f"linspace_{dt}_{a}_{b}_{n}", [
                {"op": "linspace", "start": num(a), "end": num(b), "steps": n, "dtype": dt}]))
        # Above 32768 elements PyTorch splits the range among its threads, and each piece has its
        # own vector/scalar split: the values depend on the thread count.
        for th in (2, 3):
            for a, b, n in ((-1, 1, 100001), (0, 1e6, 70001), (-3.7, 11.2, 99999)):
                cases.append(run_case(f"linspace_{dt}_{a}_{b}_{n}_threads{th}", [
                    {"op": "linspace", "start": num(a), "end": num(b), "steps": n, "dtype": dt,
                     "threads": th}]))
    return cases


def int_cases():
    cases = []
    ranges = [(0, 10), (-5, 5), (3, 4), (0, 2**32 - 1), (0, 2**32), (0, 2**32 + 7),
              (-2**40, 2**40), (-2**60, 2**62), (-100, 1000), (0, 2)]
    for seed in (0, 7, 2021):
        for lo, hi in ranges:
            for n in (1, 17, 1000):
                cases.append(run_case(f"randint_{lo}_{hi}_n{n}_seed{seed}", seeded(
                    seed, {"op": "randint", "low": lo, "high": hi, "sizes": [n],
                           "dtype": "int64"})))
    for dt in ("float32", "float64"):
        for lo, hi in ((0, 100), (-50, 50), (0, 2**20)):
            cases.append(run_case(f"randint_{dt}_{lo}_{hi}", seeded(
                11, {"op": "randint", "low": lo, "high": hi, "sizes": [3, 11], "dtype": dt})))
    cases.append(run_case("randint_bool", seeded(
        11, {"op": "randint", "low": 0, "high": 2, "sizes": [40], "dtype": "bool"})))
    for seed in (0, 7, 42):
        for n in (0, 1, 2, 3, 10, 100, 1000, 100000):
            cases.append(run_case(f"randperm_{n}_seed{seed}", seeded(
                seed, {"op": "randperm", "n": n, "dtype": "int64"})))
    for dt in ("float32", "float64"):
        cases.append(run_case(f"randperm_{dt}", seeded(
            9, {"op": "randperm", "n": 50, "dtype": dt})))
    return cases


def distribution_cases():
    cases = []
    layouts = {"sizes": None, "t_5x7": {"base": [5, 7], "views": [["transpose", 0, 1]]},
               "slice_rows_8x5": {"base": [8, 5], "views": [["slice", 0, 1, 8, 2]]}}

    def target(lname, sizes):
        spec = layouts[lname]
        return {"sizes": sizes} if spec is None else {"layout": spec}

    for seed in (0, 7, 2**32 + 5):
        for dt in ("float32", "float64", "int64", "bool"):
            for lname in layouts:
                for sizes in ([1], [17], [3, 40]) if lname == "sizes" else ([0],):
                    tag = f"{dt}_{lname}_{'x'.join(map(str, sizes))}_seed{seed}"
                    for p in (0.0, 0.3, 0.5, 1.0):
                        cases.append(run_case(f"bernoulli_scalar_{p}_{tag}", seeded(
                            seed, dict(op="bernoulli_", p=p, dtype=dt, **target(lname, sizes)))))
                    for args in ([], [10], [-5, 2**40], [3, 2**32], [0, 2]):
                        if dt == "bool" and args not in ([], [0, 2]):
                            continue
                        cases.append(run_case(f"random_{args}_{tag}", seeded(
                            seed, dict(op="random_", args=args, dtype=dt,
                                       **target(lname, sizes)))))
                    if dt in ("float32", "float64"):
                        for lambd in (1.0, 2.5, 1e-3):
                            cases.append(run_case(f"exponential_{lambd}_{tag}", seeded(
                                seed, dict(op="exponential_", lambd=lambd, dtype=dt,
                                           **target(lname, sizes)))))
        for pdt in ("float32", "float64"):
            for shape, tr in (([10], False), ([4, 6], False), ([6, 4], True)):
                pspec = {"shape": shape, "dtype": pdt, "lo": 0.0, "hi": 1.0, "transpose": tr}
                tag = f"p{pdt}_{'x'.join(map(str, shape))}{'_t' if tr else ''}_seed{seed}"
                cases.append(run_case(f"bernoulli_{tag}", seeded(
                    seed, {"op": "bernoulli", "p": pspec})))
                out_shape = shape[::-1] if tr else shape
                for dt in ("float32", "float64", "int64"):
                    cases.append(run_case(f"bernoulli_tensor_{dt}_{tag}", seeded(
                        seed, {"op": "bernoulli_", "p": pspec, "dtype": dt,
                               "sizes": out_shape})))
            # A row of probabilities broadcast over a [3, 6] target.
            cases.append(run_case(f"bernoulli_tensor_broadcast_p{pdt}_seed{seed}", seeded(
                seed, {"op": "bernoulli_", "dtype": "float32", "sizes": [3, 6],
                       "p": {"shape": [6], "dtype": pdt, "lo": 0.1, "hi": 0.9}})))
            for shape in ([7], [3, 7], [2, 300]):
                pspec = {"shape": shape, "dtype": pdt, "lo": 0.0, "hi": 1.0, "square": True}
                tag = f"p{pdt}_{'x'.join(map(str, shape))}_seed{seed}"
                for n, repl in ((1, False), (1, True), (3, False), (5, True), (50, True),
                                (shape[-1], False)):
                    cases.append(run_case(f"multinomial_{n}_{repl}_{tag}", seeded(
                        seed, {"op": "multinomial", "p": pspec, "n": n, "replacement": repl})))
        for dt in ("float32", "float64"):
            for p in (0.1, 0.5, 0.9):
                for shape in ([8], [16, 33]):
                    cases.append(run_case(f"dropout_{p}_{dt}_{'x'.join(map(str, shape))}_{seed}",
                                          seeded(seed, {"op": "dropout", "p": p, "x": {
                                              "shape": shape, "dtype": dt, "lo": -1.0,
                                              "hi": 1.0}})))
    # An explicit generator leaves the default one alone.
    cases.append(run_case("bernoulli_generator", seeded(
        1, {"op": "gen_new", "seed": 99},
        {"op": "bernoulli_", "p": 0.4, "sizes": [20], "gen": True},
        {"op": "rand", "sizes": [5]},
        {"op": "multinomial", "n": 4, "replacement": True, "gen": True,
         "p": {"shape": [5], "dtype": "float32", "lo": 0.1, "hi": 1.0}},
        {"op": "rand", "sizes": [5]})))
    return cases


def write(name, cases):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump({"torch_version": torch.__version__, "cpu_capability": cpu_capability(),
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":")[-1].strip()
    return "unknown"


def main():
    cap = cpu_capability()
    if cap != "AVX2":
        sys.exit(f"PyTorch runs its {cap} kernels here; the fixtures are defined by the AVX2 ones. "
                 "Run on an AVX2 machine with ATEN_CPU_CAPABILITY unset.")
    write("uniform_normal.json", uniform_normal_cases())
    write("sequences.json", sequence_cases())
    write("layouts.json", layout_cases())
    write("linspace.json", linspace_cases())
    write("int.json", int_cases())
    write("distributions.json", distribution_cases())


if __name__ == "__main__":
    main()
