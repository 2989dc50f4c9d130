#!/usr/bin/python3
"""Reference values for tests/nn: the tutorial's WideNet run and the losses, from real PyTorch.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 scripts/make_nn_fixtures.py
Writes tests/fixtures/nn/widenet.json and tests/fixtures/nn/losses.json.
"""
import json
import math
import os
import struct

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nn")


def f32_bits(t):
    return [struct.unpack("<I", struct.pack("<f", v))[0] for v in t.detach().reshape(-1).tolist()]


class WideNet(nn.Module):
    def __init__(self):
        super().__init__()
        n_cells = 512
        self.layers = nn.Sequential(nn.Linear(1, n_cells), nn.Tanh(), nn.Linear(n_cells, 1))

    def forward(self, x):
        return self.layers(x)


def widenet():
    torch.manual_seed(2021)
    n_samples = 32
    inputs = torch.linspace(-1.0, 1.0, n_samples).reshape(n_samples, 1)
    noise = torch.randn(n_samples, 1) / 4
    targets = torch.sin(math.pi * inputs) + noise
    torch.manual_seed(2021)
    net = WideNet()
    params = {k: f32_bits(v) for k, v in net.named_parameters()}
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)
    losses = []
    for _ in range(1847):
        opt.zero_grad()
        loss = loss_fn(net(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    final = net(inputs).detach()
    return {
        "repr": repr(net),
        "inputs_bits": f32_bits(inputs),
        "targets_bits": f32_bits(targets),
        "initial_parameters_bits": params,
        "losses": losses,
        "final_predictions": final.reshape(-1).tolist(),
    }


def losses():
    g = torch.Generator().manual_seed(7)
    cases = []
    x = torch.rand(4, 3, generator=g, dtype=torch.float64)
    y = torch.rand(4, 3, generator=g, dtype=torch.float64)
    logits = torch.randn(4, 3, generator=g, dtype=torch.float64)
    cls = torch.tensor([0, 2, 1, 2])
    w = torch.tensor([0.2, 1.0, 3.0], dtype=torch.float64)
    for red in ["mean", "sum", "none"]:
        for name, fn, a, b, kw in [
            ("mse_loss", nn.functional.mse_loss, x, y, {}),
            ("l1_loss", nn.functional.l1_loss, x, y, {}),
            ("binary_cross_entropy", nn.functional.binary_cross_entropy, x, y, {}),
            ("binary_cross_entropy_weight", nn.functional.binary_cross_entropy, x, y, {"weight": w}),
            ("binary_cross_entropy_with_logits", nn.functional.binary_cross_entropy_with_logits, logits, y, {}),
            ("binary_cross_entropy_with_logits_pos_weight", nn.functional.binary_cross_entropy_with_logits, logits, y,
             {"pos_weight": w}),
            ("cross_entropy", nn.functional.cross_entropy, logits, cls, {}),
            ("cross_entropy_weight", nn.functional.cross_entropy, logits, cls, {"weight": w}),
            ("cross_entropy_ignore", nn.functional.cross_entropy, logits, cls, {"ignore_index": 2}),
            ("nll_loss", nn.functional.nll_loss, torch.log_softmax(logits, 1), cls, {}),
        ]:
            a = a.clone().requires_grad_(True)
            b2 = b.clone().requires_grad_(b.is_floating_point())
            out = fn(a, b2, reduction=red, **kw)
            up = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
            out.backward(up)
            cases.append({
                "name": name, "reduction": red,
                "input": a.detach().reshape(-1).tolist(), "shape": list(a.shape),
                "target": b.reshape(-1).tolist(), "target_is_long": not b.is_floating_point(),
                "output": out.detach().reshape(-1).tolist(), "out_shape": list(out.shape),
                "upstream": up.reshape(-1).tolist(),
                "grad_input": a.grad.reshape(-1).tolist(),
                "grad_target": b2.grad.reshape(-1).tolist() if b2.grad is not None else None,
                "grad_fn": type(out.grad_fn).__name__,
            })
    return {"weight": w.tolist(), "cases": cases}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "widenet.json"), "w") as f:
        json.dump(widenet(), f)
    with open(os.path.join(OUT, "losses.json"), "w") as f:
        json.dump(losses(), f)
