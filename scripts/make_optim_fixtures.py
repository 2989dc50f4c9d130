#!/usr/bin/python3
"""Reference trajectories for tensorgrad's optimizers and LR schedulers, produced by real PyTorch 1.13.

Writes tests/fixtures/optim/trajectories.json and, for RMSprop, Adagrad, LBFGS and the further
schedulers, tests/fixtures/optim/trajectories_more.json (replayed by test_optimizers_more.cpp). tests/optim/test_optimizers.cpp replays every case with
tensorgrad and compares the parameters after steps 1, 2, 10, 100 and 300. The fixture also holds the
results of the in-place ops the update rules are made of (add_/sub_ with alpha, mul_, div,
addcmul_, addcdiv_), which PyTorch's AVX2 kernels round in a particular way (fused multiply-add).

Two small model-free problems, both over float32 parameters W [3, 2] and b [2]:
  quad  sum(A * (W - T)**2) + 0.1 * sum(W**4) + sum(B * (b - U)**2)
        Elementwise, so tensorgrad's autograd produces bit-identical gradients (every rounding in the
        backward pass is the same one PyTorch makes); any difference is the optimizer's own.
  mlp   sum((tanh(X @ W + b) - Y)**2) + 0.01 * sum(W**2)
        A realistic coupled loss; gradients may differ from PyTorch's in the last bit (tanh, matmul),
        so trajectories agree to a tolerance rather than exactly. Each mlp checkpoint records a
        "sensitivity": how far PyTorch's own trajectory moves when tanh is evaluated in float64
        (a last-bit change of the gradients); the C++ test allows 10x that where it exceeds its
        relative tolerance.
The data (A, T, B, U, X, Y) and the initial parameters are written into the fixture in full, so the
C++ side never needs PyTorch's RNG. Each optimizer step is
    opt.zero_grad(); loss = f(W, b); loss.backward(); opt.step(); [scheduler.step()]
with PyTorch's defaults on CPU (foreach=None, i.e. the single-tensor code paths).

Run with the Debian interpreter, which is the one that sees torch:
    /usr/bin/python3 scripts/make_optim_fixtures.py
"""

import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures", "optim")
STEPS = 300
CHECKPOINTS = [1, 2, 10, 100, 300]


def make_problems():
    g = torch.Generator().manual_seed(1234)

    def randn(*shape, scale=1.0):
        return torch.randn(*shape, generator=g) * scale

    def rand(*shape, lo=0.0, hi=1.0):
        return torch.rand(*shape, generator=g) * (hi - lo) + lo

    quad = {
        "data": {"A": rand(3, 2, lo=0.5, hi=2.0), "T": randn(3, 2), "B": rand(2, lo=0.5, hi=2.0),
                 "U": randn(2)},
        "init": {"W": randn(3, 2), "b": randn(2)},
    }
    mlp = {
        "data": {"X": randn(4, 3), "Y": rand(4, 2, lo=-0.8, hi=0.8)},
        "init": {"W": randn(3, 2, scale=0.5), "b": randn(2, scale=0.1)},
    }
    return {"quad": quad, "mlp": mlp}


def loss_fn(problem, d, W, b, perturb=False):
    if perturb:
        # tanh evaluated in float64 and rounded: the same loss with gradients that differ from
        # PyTorch's float32 ones in the last bit, as another library's would.
        h = torch.tanh((d["X"].matmul(W) + b).double()).float()
        return ((h - d["Y"]) ** 2).sum() + 0.01 * (W ** 2).sum()
    if problem == "quad":
        return (d["A"] * (W - d["T"]) ** 2).sum() + 0.1 * (W ** 4).sum() + \
            (d["B"] * (b - d["U"]) ** 2).sum()
    if problem == "mlp":
        h = torch.tanh(d["X"].matmul(W) + b)
        return ((h - d["Y"]) ** 2).sum() + 0.01 * (W ** 2).sum()
    raise ValueError(problem)


# Learning rates are kept small enough that Adam does not end up bouncing around the mlp minimum:
# there, last-bit differences in the gradients grow chaotically (to 1e-3 within 300 steps with,
# e.g., lr=0.02 and betas=(0.8, 0.99)), for PyTorch against itself as much as for tensorgrad.
# Each case: optimizer name, options of the single group (or of each group: "groups" lists which
# parameters go where and their own options), optional StepLR.
CASES = [
    {"name": "sgd_plain", "optimizer": "sgd", "options": {"lr": 0.05}},
    {"name": "sgd_momentum", "optimizer": "sgd", "options": {"lr": 0.02, "momentum": 0.9}},
    {"name": "sgd_dampening", "optimizer": "sgd",
     "options": {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}},
    {"name": "sgd_nesterov", "optimizer": "sgd",
     "options": {"lr": 0.02, "momentum": 0.9, "nesterov": True}},
    {"name": "sgd_weight_decay", "optimizer": "sgd",
     "options": {"lr": 0.03, "momentum": 0.5, "weight_decay": 0.1}},
    {"name": "adam_default", "optimizer": "adam", "options": {"lr": 0.01}},
    {"name": "adam_betas_eps", "optimizer": "adam",
     "options": {"lr": 0.005, "betas": [0.8, 0.99], "eps": 1e-6}},
    {"name": "adam_amsgrad", "optimizer": "adam", "options": {"lr": 0.01, "amsgrad": True}},
    {"name": "adam_weight_decay", "optimizer": "adam",
     "options": {"lr": 0.01, "weight_decay": 0.05}},
    {"name": "adamw_default", "optimizer": "adamw", "options": {"lr": 0.01}},
    {"name": "adamw_amsgrad", "optimizer": "adamw",
     "options": {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}},
    {"name": "sgd_two_groups", "optimizer": "sgd", "options": {"lr": 0.05, "momentum": 0.9},
     "groups": [{"params": ["W"], "options": {"lr": 0.05, "momentum": 0.9}},
                {"params": ["b"], "options": {"lr": 0.005, "momentum": 0.9}}]},
    {"name": "adam_two_groups", "optimizer": "adam", "options": {"lr": 0.005},
     "groups": [{"params": ["W"], "options": {"lr": 0.005}},
                {"params": ["b"], "options": {"lr": 0.002, "betas": [0.8, 0.95]}}]},
    {"name": "sgd_steplr", "optimizer": "sgd", "options": {"lr": 0.05, "momentum": 0.9},
     "scheduler": {"type": "steplr", "step_size": 30, "gamma": 0.5}},
    {"name": "adam_steplr", "optimizer": "adam", "options": {"lr": 0.02},
     "scheduler": {"type": "steplr", "step_size": 7, "gamma": 0.8}},
]


def make_optimizer(case, params):
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
           "lbfgs": torch.optim.LBFGS}[case["optimizer"]]

    def kwargs(opts):
        kw = dict(opts)
        if "betas" in kw:
            kw["betas"] = tuple(kw["betas"])
        return kw

    if "groups" in case:
        groups = [dict(params=[params[n] for n in grp["params"]], **kwargs(grp["options"]))
                  for grp in case["groups"]]
        return cls(groups, **kwargs(case["options"]))
    return cls([params["W"], params["b"]], **kwargs(case["options"]))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_scheduler(s, opt):
    lrs = torch.optim.lr_scheduler
    kind = s["type"]
    if kind == "steplr":
        return lrs.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])
    if kind == "exponential":
        return lrs.ExponentialLR(opt, gamma=s["gamma"])
    if kind == "multistep":
        return lrs.MultiStepLR(opt, milestones=s["milestones"], gamma=s["gamma"])
    if kind == "cosine":
        return lrs.CosineAnnealingLR(opt, T_max=s["T_max"], eta_min=s["eta_min"])
    if kind == "onecycle":
        return lrs.OneCycleLR(opt, max_lr=s["max_lr"], total_steps=s["total_steps"],
                              pct_start=s["pct_start"], anneal_strategy=s["anneal_strategy"],
                              three_phase=s["three_phase"])
    if kind == "plateau":
        return lrs.ReduceLROnPlateau(opt, mode=s["mode"], factor=s["factor"],
                                     patience=s["patience"], threshold=s["threshold"],
                                     threshold_mode=s["threshold_mode"], cooldown=s["cooldown"],
                                     min_lr=s["min_lr"])
    raise ValueError(kind)


def run_case(case, problem, spec, perturb=False, steps=STEPS, checkpoint_steps=CHECKPOINTS):
    params = {n: v.clone().requires_grad_(True) for n, v in spec["init"].items()}
    opt = make_optimizer(case, params)
    sched = None
    if case.get("scheduler"):
        sched = make_scheduler(case["scheduler"], opt)
    checkpoints = []
    for step in range(1, steps + 1):
        if case["optimizer"] == "lbfgs":
            def closure():
                opt.zero_grad()
                l = loss_fn(problem, spec["data"], params["W"], params["b"], perturb)
                l.backward()
                return l
            loss = opt.step(closure)
        else:
            opt.zero_grad()
            loss = loss_fn(problem, spec["data"], params["W"], params["b"], perturb)
            loss.backward()
            opt.step()
        if sched is not None:
            if case["scheduler"]["type"] == "plateau":
                sched.step(float(loss))
            else:
                sched.step()
        if step in checkpoint_steps:
            cp = {"step": step, "loss": float(loss), "W": flat(params["W"]), "b": flat(params["b"]),
                  "lr": [float(g["lr"]) for g in opt.param_groups]}
            if sched is not None and hasattr(sched, "get_last_lr"):
                cp["last_lr"] = [float(v) for v in sched.get_last_lr()]
            if sched is not None and case["scheduler"]["type"] == "onecycle":
                grp = opt.param_groups[0]
                cp["momentum"] = float(grp["betas"][0] if "betas" in grp else grp["momentum"])
            checkpoints.append(cp)
    return checkpoints


def make_pointwise():
    """The in-place ops the optimizers are built from, on float32 vectors long enough to use
    PyTorch's vectorised loops and their scalar tails (37 = 4 * 8 + 5). Replayed bit for bit."""
    g = torch.Generator().manual_seed(99)
    a, b = torch.randn(37, generator=g), torch.randn(37, generator=g)
    c = torch.rand(37, generator=g) + 0.25
    v = 0.0123456789
    results = {
        "add_alpha": a.clone().add_(b, alpha=v),
        "sub_alpha": a.clone().sub_(b, alpha=v),
        "add_out_alpha": a.add(b, alpha=-0.37),
        "mul_scalar": a.clone().mul_(0.9),
        "div_scalar": a / 0.987654321,
        "addcmul": a.clone().addcmul_(b, c, value=v),
        "addcdiv": a.clone().addcdiv_(b, c, value=-v),
    }
    enc = lambda t: {"shape": list(t.shape), "values": flat(t)}
    return {"inputs": {"a": enc(a), "b": enc(b), "c": enc(c)}, "value": v,
            "results": {k: enc(t) for k, t in results.items()}}


# RMSprop, Adagrad, LBFGS and the schedulers beyond StepLR, written to trajectories_more.json.
CASES_MORE = [
    {"name": "rmsprop_default", "optimizer": "rmsprop", "options": {"lr": 0.01}},
    {"name": "rmsprop_momentum", "optimizer": "rmsprop", "options": {"lr": 0.005, "momentum": 0.9}},
    {"name": "rmsprop_centered", "optimizer": "rmsprop",
     "options": {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.01}},
    {"name": "adagrad_default", "optimizer": "adagrad", "options": {"lr": 0.1}},
    {"name": "adagrad_decay", "optimizer": "adagrad",
     "options": {"lr": 0.2, "lr_decay": 0.01, "weight_decay": 0.05,
                 "initial_accumulator_value": 0.1, "eps": 1e-8}},
    {"name": "rmsprop_two_groups", "optimizer": "rmsprop", "options": {"lr": 0.01},
     "groups": [{"params": ["W"], "options": {"lr": 0.01}},
                {"params": ["b"], "options": {"lr": 0.003, "centered": True}}]},
    {"name": "sgd_exponential", "optimizer": "sgd", "options": {"lr": 0.05, "momentum": 0.9},
     "scheduler": {"type": "exponential", "gamma": 0.99}},
    {"name": "adam_multistep", "optimizer": "adam", "options": {"lr": 0.02},
     "scheduler": {"type": "multistep", "milestones": [10, 50, 50, 200], "gamma": 0.5}},
    {"name": "sgd_cosine", "optimizer": "sgd", "options": {"lr": 0.05, "momentum": 0.5},
     "scheduler": {"type": "cosine", "T_max": 40, "eta_min": 0.001}},
    {"name": "adam_onecycle", "optimizer": "adam", "options": {"lr": 0.01},
     "scheduler": {"type": "onecycle", "max_lr": 0.02, "total_steps": 300, "pct_start": 0.3,
                   "anneal_strategy": "cos", "three_phase": False}},
    {"name": "sgd_onecycle_three_phase", "optimizer": "sgd", "options": {"lr": 0.01, "momentum": 0.9},
     "scheduler": {"type": "onecycle", "max_lr": 0.05, "total_steps": 300, "pct_start": 0.25,
                   "anneal_strategy": "linear", "three_phase": True}},
    {"name": "sgd_plateau", "optimizer": "sgd", "options": {"lr": 0.05, "momentum": 0.9},
     "scheduler": {"type": "plateau", "mode": "min", "factor": 0.5, "patience": 3,
                   "threshold": 1e-3, "threshold_mode": "rel", "cooldown": 2, "min_lr": 1e-3}},
    {"name": "adam_plateau_abs", "optimizer": "adam", "options": {"lr": 0.02},
     "scheduler": {"type": "plateau", "mode": "min", "factor": 0.3, "patience": 5,
                   "threshold": 1e-4, "threshold_mode": "abs", "cooldown": 0, "min_lr": 0.0}},
    {"name": "lbfgs_default", "optimizer": "lbfgs", "options": {"lr": 1.0}, "steps": 5},
    {"name": "lbfgs_small_history", "optimizer": "lbfgs",
     "options": {"lr": 0.5, "max_iter": 4, "history_size": 3}, "steps": 5},
    {"name": "lbfgs_strong_wolfe", "optimizer": "lbfgs",
     "options": {"lr": 1.0, "max_iter": 2, "history_size": 5, "line_search_fn": "strong_wolfe"},
     "steps": 3},
    {"name": "lbfgs_strong_wolfe_lr", "optimizer": "lbfgs",
     "options": {"lr": 0.3, "max_iter": 3, "line_search_fn": "strong_wolfe"}, "steps": 5},
]
# Few iterations: near the minimum the float32 loss is flat to within its rounding, and last-bit
# differences in dot products (summation order) may send the search anywhere along that floor.
LBFGS_CHECKPOINTS = [1, 2, 3, 5]


def more_cases(problems):
    out = []
    for case in CASES_MORE:
        steps = case.get("steps", STEPS)
        cps = [c for c in LBFGS_CHECKPOINTS if c <= steps] if "steps" in case else CHECKPOINTS
        for problem in ("quad", "mlp"):
            entry = dict(case)
            entry["problem"] = problem
            entry["steps"] = steps
            entry["checkpoints"] = run_case(case, problem, problems[problem], steps=steps,
                                            checkpoint_steps=cps)
            other = run_case(case, problem, problems[problem], perturb=(problem == "mlp"),
                             steps=steps, checkpoint_steps=cps)
            for cp, o in zip(entry["checkpoints"], other):
                cp["sensitivity"] = max(abs(x - y) for x, y in zip(cp["W"] + cp["b"],
                                                                    o["W"] + o["b"]))
            out.append(entry)
    return out


def main():
    torch.set_num_threads(1)
    problems = make_problems()
    out = {
        "torch_version": torch.__version__,
        "steps": STEPS,
        "pointwise": make_pointwise(),
        "problems": {
            name: {
                "data": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in p["data"].items()},
                "init": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in p["init"].items()},
            } for name, p in problems.items()
        },
        "cases": [],
    }
    for case in CASES:
        for problem in ("quad", "mlp"):
            entry = dict(case)
            entry["problem"] = problem
            entry["checkpoints"] = run_case(case, problem, problems[problem])
            if problem == "mlp":
                # How far PyTorch itself drifts when its gradients change in the last bit: Adam
                # near a minimum amplifies such differences, so this bounds what to expect.
                other = run_case(case, problem, problems[problem], perturb=True)
                for cp, o in zip(entry["checkpoints"], other):
                    cp["sensitivity"] = max(abs(x - y) for x, y in zip(cp["W"] + cp["b"],
                                                                        o["W"] + o["b"]))
            out["cases"].append(entry)
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "trajectories.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes,", len(out["cases"]), "cases")

    more = {"torch_version": torch.__version__, "problems": out["problems"],
            "cases": more_cases(problems)}
    path = os.path.join(OUT_DIR, "trajectories_more.json")
    with open(path, "w") as f:
        json.dump(more, f, indent=1)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes,", len(more["cases"]), "cases")


if __name__ == "__main__":
    main()
