#!/usr/bin/python3
"""Reference values for the losses and distances of tests/nn/test_loss_functions.cpp.

Run with Debian's interpreter (python3-torch 1.13): /usr/bin/python3 scripts/make_loss_fixtures.py
Writes tests/fixtures/nn/loss_functions.json: for each case the inputs, the options, the output,
the grad_fn name and the gradients of every floating input for a given upstream gradient.
"""
import json
import os
import warnings

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nn")
warnings.filterwarnings("ignore")

g = torch.Generator().manual_seed(2024)
D = torch.float64


def rand(*shape, lo=0.0, hi=1.0):
    return torch.rand(*shape, generator=g, dtype=D) * (hi - lo) + lo


def randn(*shape):
    return torch.randn(*shape, generator=g, dtype=D)


def signs(*shape):
    return torch.where(torch.rand(*shape, generator=g) < 0.5, -1.0, 1.0).to(D)


cases = []


def case(fn, inputs, options=None, label="", constant=()):
    """inputs: tensors, the floating ones differentiated unless their index is in `constant`;
    options: keyword arguments of fn."""
    options = options or {}
    leaves = [t.clone().requires_grad_(t.is_floating_point() and i not in constant)
              for i, t in enumerate(inputs)]
    out = getattr(F, fn)(*leaves, **options)
    up = torch.linspace(0.5, 1.5, out.numel(), dtype=D).reshape(out.shape)
    out.backward(up)
    cases.append({
        "fn": fn,
        "label": label,
        "options": options,
        "inputs": [{"values": t.detach().reshape(-1).tolist(), "shape": list(t.shape),
                    "dtype": "float64" if t.is_floating_point() else "int64",
                    "requires_grad": t.requires_grad} for t in leaves],
        "output": out.detach().reshape(-1).tolist(),
        "out_shape": list(out.shape),
        "upstream": up.reshape(-1).tolist(),
        "grads": [t.grad.reshape(-1).tolist() if t.grad is not None else None for t in leaves],
        "grad_fn": type(out.grad_fn).__name__,
    })


REDS = ["mean", "sum", "none"]

x, y = randn(4, 3), randn(4, 3)
for red in REDS:
    case("smooth_l1_loss", [x, y], {"reduction": red})
    case("smooth_l1_loss", [x, y], {"reduction": red, "beta": 0.5})
    case("huber_loss", [x, y], {"reduction": red, "delta": 0.7})
    case("soft_margin_loss", [x, signs(4, 3)], {"reduction": red}, constant=(1,))
    case("multilabel_soft_margin_loss", [x, (rand(4, 3) > 0.5).to(D)], {"reduction": red})
    case("kl_div", [torch.log_softmax(x, 1), torch.softmax(y, 1)], {"reduction": red})
    case("kl_div", [torch.log_softmax(x, 1), torch.log_softmax(y, 1)],
         {"reduction": red, "log_target": True})
    case("margin_ranking_loss", [randn(5), randn(5), signs(5)], {"reduction": red, "margin": 0.3})
    case("hinge_embedding_loss", [x, signs(4, 3)], {"reduction": red, "margin": 0.8})
    case("cosine_embedding_loss", [x, y, signs(4)], {"reduction": red, "margin": 0.2})
    case("triplet_margin_loss", [x, y, randn(4, 3)], {"reduction": red})
    case("poisson_nll_loss", [x, rand(4, 3, lo=0, hi=4)], {"reduction": red})
    case("poisson_nll_loss", [rand(4, 3, lo=0.2, hi=3), rand(4, 3, lo=1, hi=4).round()],
         {"reduction": red, "log_input": False, "full": True})
case("kl_div", [torch.log_softmax(x, 1), torch.softmax(y, 1)], {"reduction": "batchmean"})
case("smooth_l1_loss", [x, randn(3)], {"reduction": "mean"}, "broadcast")
case("huber_loss", [randn(4, 1), y], {"reduction": "sum"}, "broadcast")
case("multilabel_soft_margin_loss", [x, (rand(4, 3) > 0.5).to(D)],
     {"weight": torch.tensor([0.5, 1.0, 2.0], dtype=D)}, "weight")
case("triplet_margin_loss", [x, y, randn(4, 3)], {"margin": 0.5, "p": 1.0, "swap": True}, "p1 swap")
case("cosine_embedding_loss", [randn(3), randn(3), torch.tensor(-1.0, dtype=D)], {}, "unbatched")
case("cosine_similarity", [x, y])
case("cosine_similarity", [randn(2, 3, 4), randn(3, 1)], {"dim": 1}, "broadcast")
case("cosine_similarity", [randn(2, 3, 4), randn(2, 3, 4)], {"dim": -1, "eps": 1e-6})
case("pairwise_distance", [x, y])
case("pairwise_distance", [x, randn(3)], {"p": 3.0, "keepdim": True}, "broadcast")
case("pairwise_distance", [x, y], {"p": 1.0, "eps": 0.0})
case("normalize", [x])
case("normalize", [randn(2, 3, 4)], {"p": 1.0, "dim": -1})

# nll_loss and cross_entropy: weights, ignore_index, label smoothing, probability targets and
# inputs of [N, C, d1, ...].
w = torch.tensor([0.2, 1.0, 3.0, 0.7], dtype=D)
logits = randn(5, 4)
cls = torch.tensor([0, 3, 1, 2, 3])
for red in REDS:
    case("cross_entropy", [logits, cls], {"reduction": red, "label_smoothing": 0.2})
    case("cross_entropy", [logits, cls], {"reduction": red, "label_smoothing": 0.1, "weight": w,
                                          "ignore_index": 3})
    case("cross_entropy", [logits, cls], {"reduction": red, "label_smoothing": 0.3, "ignore_index": 1})
    case("cross_entropy", [logits, torch.softmax(randn(5, 4), 1)], {"reduction": red}, "probs")
    case("cross_entropy", [logits, torch.softmax(randn(5, 4), 1)],
         {"reduction": red, "weight": w, "label_smoothing": 0.15}, "probs")
    x3, t3 = randn(2, 4, 3), torch.tensor([[0, 1, 3], [2, 2, 1]])
    case("cross_entropy", [x3, t3], {"reduction": red, "weight": w, "ignore_index": 2})
    case("nll_loss", [torch.log_softmax(x3, 1), t3], {"reduction": red})
    x4, t4 = randn(2, 4, 2, 3), torch.tensor([[[0, 1, 3], [2, 2, 1]], [[3, 3, 0], [1, 0, 2]]])
    case("nll_loss", [x4, t4], {"reduction": red, "weight": w})
    x5, t5 = randn(2, 4, 2, 1, 2), torch.tensor([[[[0, 1]], [[3, 2]]], [[[2, 1]], [[0, 0]]]])
    case("cross_entropy", [x5, t5], {"reduction": red, "label_smoothing": 0.05})
    case("cross_entropy", [randn(4), torch.tensor(2)], {"reduction": red}, "unbatched")
    case("cross_entropy", [x3, torch.softmax(randn(2, 4, 3), 1)], {"reduction": red}, "probs")

# Margin losses over class indices (appended last so the cases above keep their random draws).
mx = randn(4, 5)
for red in REDS:
    case("multi_margin_loss", [mx, torch.tensor([0, 4, 2, 2])], {"reduction": red})
    case("multi_margin_loss", [mx, torch.tensor([1, 3, 0, 4])],
         {"reduction": red, "p": 2, "margin": 0.7, "weight": torch.tensor([0.5, 1.0, 2.0, 1.5, 0.2], dtype=D)})
    case("multilabel_margin_loss", [mx, torch.tensor([[0, 3, -1, 2, 1], [4, 4, 1, -1, -1],
                                                      [2, 0, 1, 3, 4], [-1, 0, 0, 0, 0]])], {"reduction": red})
    case("multi_margin_loss", [mx[1], torch.tensor(3)], {"reduction": red}, "unbatched")
    case("multilabel_margin_loss", [mx[2], torch.tensor([1, -1, 0, 0, 0])], {"reduction": red}, "unbatched")

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for c in cases:
        for k, v in list(c["options"].items()):
            if isinstance(v, torch.Tensor):
                c["options"][k] = v.tolist()
    with open(os.path.join(OUT, "loss_functions.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": cases}, f)
    print(len(cases), "cases")
