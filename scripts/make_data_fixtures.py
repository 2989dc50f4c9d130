#!/usr/bin/python3
"""Generates tests/fixtures/data/dataloader.json from the installed PyTorch (1.13, x86-64).

Run it with the Debian interpreter, which is the one that sees python3-torch:

    /usr/bin/python3 scripts/make_data_fixtures.py

The file records, exactly (all values are integers):

  * "random_int64": for several seeds, the first values of
    torch.empty((), dtype=torch.int64).random_() after torch.manual_seed(seed), and the same drawn
    from a separate torch.Generator;
  * "loaders": DataLoader(TensorDataset(torch.arange(n)), batch_size, shuffle, drop_last,
    generator) cases. Each case runs `epochs` epochs after torch.manual_seed(seed) and records the
    batches of every epoch (a batch is the list of sample indices, since sample i is i), then one
    more int64 random_() from the default generator ("next_default") and, when the case has its
    own generator, from that one ("next_generator"), so that a test also checks how many numbers
    each epoch consumed. "first_only" epochs stop after their first batch (a `break`).
"""

import json
import os

import torch
from torch.utils.data import DataLoader, TensorDataset

assert torch.__version__.startswith("1.13"), f"expected PyTorch 1.13, found {torch.__version__}"

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                    "fixtures", "data", "dataloader.json"))


def random_int64(generator=None):
    return int(torch.empty((), dtype=torch.int64).random_(generator=generator).item())


def random_int64_cases():
    cases = []
    for seed in [0, 1, 42, 2023, 2**32 + 7, 2**63 - 1]:
        torch.manual_seed(seed)
        default = [random_int64() for _ in range(4)]
        g = torch.Generator()
        g.manual_seed(seed)
        separate = [random_int64(g) for _ in range(4)]
        cases.append({"seed": seed, "values": default, "generator_values": separate})
    return cases


def loader_case(seed, n, batch_size, shuffle, drop_last, epochs=2, generator_seed=None,
                first_only=()):
    torch.manual_seed(seed)
    generator = None
    if generator_seed is not None:
        generator = torch.Generator()
        generator.manual_seed(generator_seed)
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last, generator=generator)
    all_epochs = []
    for e in range(epochs):
        batches = []
        for (batch,) in loader:
            batches.append(batch.tolist())
            if e in first_only:
                break
        all_epochs.append(batches)
    case = {
        "seed": seed, "n": n, "batch_size": batch_size, "shuffle": shuffle,
        "drop_last": drop_last, "epochs": all_epochs, "first_only": list(first_only),
        "len": len(loader), "next_default": random_int64(),
    }
    if generator is not None:
        case["generator_seed"] = generator_seed
        case["next_generator"] = random_int64(generator)
    return case


def main():
    loaders = [
        loader_case(0, 10, 3, True, False),
        loader_case(0, 10, 3, True, True),
        loader_case(42, 100, 8, True, False, epochs=3),
        loader_case(1, 64, 16, True, True),
        loader_case(7, 1, 4, True, False),
        loader_case(7, 5, 8, True, True),       # no batch at all: the sampler still draws
        loader_case(3, 10, 4, False, False),     # no shuffle: one draw per epoch all the same
        loader_case(3, 10, 4, False, True),
        loader_case(5, 37, 5, True, False, generator_seed=1234),
        loader_case(5, 37, 5, False, False, generator_seed=99),
        # With a generator, RandomSampler's trailing randperm(n)[:0] (num_samples % n == 0) is
        # drawn from that generator when an epoch runs to its end: the next epoch shows it.
        loader_case(6, 40, 8, True, False, epochs=3, generator_seed=7),
        loader_case(6, 41, 8, True, True, epochs=3, generator_seed=7),
        loader_case(6, 40, 8, True, True, epochs=3, generator_seed=7),
        loader_case(6, 41, 8, True, False, epochs=3, generator_seed=7, first_only=(0,)),
        loader_case(11, 20, 6, True, False, epochs=3, first_only=(0,)),
        loader_case(2**32 + 3, 300, 32, True, False),
    ]
    data = {"torch_version": torch.__version__, "random_int64": random_int64_cases(),
            "loaders": loaders}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
