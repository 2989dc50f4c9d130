#!/usr/bin/python3
"""PyTorch checkpoints for tests/io/test_checkpoints.cpp, both ways.

write-fixtures: trains a small network with PyTorch 1.13 and writes, under tests/fixtures/io/:
  torch_mlp_state.pt    model.state_dict() after training (with two buffers, one int64)
  torch_mlp_sgd.pt      the SGD (momentum) optimizer's state_dict() after training
  torch_mlp_adam.pt     the same network trained with Adam: {"model": ..., "optimizer": ...}
  torch_mlp_io.pt       {"inputs", "predictions" (of the SGD-trained model), "adam_predictions",
                         "next_predictions" (after one more SGD step on inputs/targets), "targets"}
  torch_containers.pt   nested dicts, lists, tuples, numbers, strings, views sharing a storage,
                        and every dtype tensorgrad has

check DIR: loads what tensorgrad wrote into DIR with torch.load(weights_only=True) and checks it
(exit status 0 when everything matches).
"""
import os
import pickle
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "io")


class MLP(torch.nn.Module):
    """Sequential(Linear(4, 8), Tanh(), Linear(8, 3)) plus buffers "scale" and "count"."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
        self.register_buffer("scale", torch.full((3,), 0.5, dtype=torch.float64))
        self.register_buffer("count", torch.tensor(7, dtype=torch.int64))

    def forward(self, x):
        return self.layers(x) * self.scale.float()


def data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(16, 4, generator=g)
    y = torch.randn(16, 3, generator=g)
    return x, y


def train(model, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()


def write_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    x, y = data()
    torch.manual_seed(0)
    model = MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train(model, opt, x, y, 5)
    torch.save(model.state_dict(), os.path.join(FIXTURES, "torch_mlp_state.pt"))
    torch.save(opt.state_dict(), os.path.join(FIXTURES, "torch_mlp_sgd.pt"))
    with torch.no_grad():
        predictions = model(x)
    train(model, opt, x, y, 1)
    with torch.no_grad():
        next_predictions = model(x)

    torch.manual_seed(0)
    adam_model = MLP()
    adam = torch.optim.Adam(adam_model.parameters(), lr=0.01)
    train(adam_model, adam, x, y, 3)
    torch.save({"model": adam_model.state_dict(), "optimizer": adam.state_dict()},
               os.path.join(FIXTURES, "torch_mlp_adam.pt"))
    with torch.no_grad():
        adam_predictions = adam_model(x)
    torch.save({"inputs": x, "targets": y, "predictions": predictions,
                "next_predictions": next_predictions, "adam_predictions": adam_predictions},
               os.path.join(FIXTURES, "torch_mlp_io.pt"))

    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    containers = {
        "tensors": [torch.tensor([1.5, -2.0]), torch.zeros(0, 3)],
        "dtypes": {
            "float32": torch.tensor([0.25, -1.0, 3.0e38], dtype=torch.float32),
            "float64": torch.tensor([1e-300, -2.5], dtype=torch.float64),
            "int64": torch.tensor([-(2 ** 62), 5], dtype=torch.int64),
            "bool": torch.tensor([True, False, True]),
            "scalar": torch.tensor(4.0, dtype=torch.float64),
        },
        "views": {"base": base, "row": base[1], "column": base[:, 2], "transposed": base.t()},
        "nested": {"a": {"b": {"c": torch.ones(2, dtype=torch.int64)}}},
        "numbers": (1, -7, 2 ** 40, 2.5, True, None, "text"),
        "requires_grad": torch.nn.Parameter(torch.tensor([3.0, 4.0])),
        7: "an integer key",
    }
    torch.save(containers, os.path.join(FIXTURES, "torch_containers.pt"))


def check(directory):
    ok = True

    def expect(cond, what):
        nonlocal ok
        if not cond:
            print("MISMATCH:", what)
            ok = False

    def load(name):
        path = os.path.join(directory, name)
        try:
            return torch.load(path, weights_only=True)
        except pickle.UnpicklingError as e:
            # PyTorch 1.13's weights-only unpickler has no BINFLOAT (opcode 71), so no Python
            # float loads with it, not even from files Python wrote; later versions read them.
            if "Unsupported operand 71" not in str(e) or torch.__version__ >= "2":
                raise
            return torch.load(path, weights_only=False)
    io = load("tensorgrad_io.pt")
    x, y = io["inputs"], io["targets"]

    # The module tensorgrad saved predicts what tensorgrad predicted.
    model = MLP()
    model.load_state_dict(load("tensorgrad_mlp.pt"))
    with torch.no_grad():
        got = model(x)
    expect(torch.allclose(got, io["predictions"], rtol=0, atol=1e-6), "predictions of tensorgrad_mlp.pt")

    # Its optimizer continues where tensorgrad's stopped: one more step gives tensorgrad's result.
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    opt.load_state_dict(load("tensorgrad_sgd.pt"))
    expect(opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.9,
           "SGD options")
    train(model, opt, x, y, 1)
    with torch.no_grad():
        got = model(x)
    expect(torch.allclose(got, io["next_predictions"], rtol=0, atol=1e-6), "SGD step after loading")

    adam_model = MLP()
    adam_state = load("tensorgrad_adam.pt")
    adam_model.load_state_dict(adam_state["model"])
    adam = torch.optim.Adam(adam_model.parameters())
    adam.load_state_dict(adam_state["optimizer"])
    train(adam_model, adam, x, y, 1)
    with torch.no_grad():
        got = adam_model(x)
    expect(torch.allclose(got, io["adam_next_predictions"], rtol=0, atol=1e-6), "Adam step after loading")

    # Containers and views come back as such.
    c = load("tensorgrad_containers.pt")
    expect(c["numbers"] == (1, -7, 2 ** 40, 2.5, True, None, "text"), "numbers: %r" % (c["numbers"],))
    v = c["views"]
    expect(v["row"].storage().data_ptr() == v["base"].storage().data_ptr(), "views share a storage")
    expect(torch.equal(v["transposed"], v["base"].t()), "transposed view")
    d = c["dtypes"]
    expect(d["int64"].dtype == torch.int64 and d["int64"].tolist() == [-(2 ** 62), 5], "int64")
    expect(d["bool"].dtype == torch.bool and d["bool"].tolist() == [True, False, True], "bool")
    expect(d["float64"].dtype == torch.float64 and d["float64"].tolist() == [1e-300, -2.5], "float64")
    expect(c["list"][1].shape == (0, 3), "empty tensor")
    expect(torch.equal(load("tensorgrad_tensor.pt"),
                       torch.tensor([[1.0, 2.0], [3.0, 4.0]])), "a single tensor")
    print("all checks passed" if ok else "some checks failed")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "write-fixtures":
        write_fixtures()
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
