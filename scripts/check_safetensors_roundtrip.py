#!/usr/bin/python3
"""Checks tensorgrad's safetensors checkpoints against real PyTorch, in both directions.

Run it with the Debian interpreter, which is the one that sees python3-torch (1.13). Files are
read and written with the `safetensors` package when it is installed, otherwise with the small
reader and writer below (standard library + numpy), which follow the format as the reference
implementation does: an 8-byte little-endian header length, a JSON header padded with spaces to a
multiple of 8, then the tensors' bytes tiling the rest of the file.

  check --checkpoint CKPT --data DATA [--tol 1e-6]
      Builds WideNet (layers = Sequential(Linear(1, H), Tanh(), Linear(H, 1)), H read from the
      checkpoint), loads CKPT with load_state_dict(strict=True), runs DATA's "inputs" through it
      and compares with DATA's "predictions" (what tensorgrad computed). Exits 1 on a mismatch.
      tests/io/test_pytorch_roundtrip.cpp writes both files and runs this.

  write-fixtures [--out-dir tests/fixtures/io]
      Writes, from PyTorch, the files the C++ tests load:
        torch_widenet.safetensors     WideNet(512) state dict after torch.manual_seed(0)
        torch_widenet_io.safetensors  "inputs" (16 x 1) and PyTorch's "predictions" for them
        torch_mixed.safetensors       one tensor of each dtype tensorgrad has, a scalar, an empty
                                      tensor and a transposed (non-contiguous) one
"""

import argparse
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

try:  # the real package, when present
    import safetensors.torch as st_torch
except ImportError:
    st_torch = None

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# safetensors dtype <-> (torch dtype, numpy little-endian dtype)
DTYPES = {
    "F32": (torch.float32, np.dtype("<f4")),
    "F64": (torch.float64, np.dtype("<f8")),
    "I64": (torch.int64, np.dtype("<i8")),
    "BOOL": (torch.bool, np.dtype("?")),
}
TORCH_TO_ST = {v[0]: k for k, v in DTYPES.items()}
# The reference writer's data order: larger alignment first (its Dtype enum, descending).
ALIGN_RANK = {"I64": 0, "F64": 1, "F32": 2, "BOOL": 3}
MAX_HEADER = 100_000_000


def read_safetensors(path):
    """The tensors of a safetensors file, in header order, as an OrderedDict of torch tensors."""
    if st_torch is not None:
        return OrderedDict(st_torch.load_file(path))
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: truncated ({len(blob)} bytes)")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER or 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} does not fit a {len(blob)}-byte file")
    text = blob[8:8 + n].decode("utf-8")
    if not text.startswith("{"):
        raise ValueError(f"{path}: header does not start with '{{'")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{path}: duplicate names in the header")
        return OrderedDict(pairs)

    header = json.loads(text, object_pairs_hook=no_duplicates)
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    spans = sorted((info["data_offsets"][0], info["data_offsets"][1], name)
                   for name, info in header.items())
    covered = 0
    for begin, end, name in spans:
        if begin != covered or end < begin:
            raise ValueError(f"{path}: tensor {name!r} does not start where the last one ended")
        covered = end
    if covered != len(data):
        raise ValueError(f"{path}: the tensors cover {covered} of {len(data)} data bytes")
    out = OrderedDict()
    for name, info in header.items():
        torch_dtype, np_dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = info["shape"]
        if end - begin != math.prod(shape) * np_dtype.itemsize:
            raise ValueError(f"{path}: tensor {name!r} has the wrong number of bytes")
        array = np.frombuffer(data[begin:end], dtype=np_dtype).reshape(shape)
        out[name] = torch.from_numpy(array.copy())
    return out


def write_safetensors(tensors, path, metadata=None):
    """Writes a dict of torch tensors as the reference writer does."""
    if st_torch is not None:
        st_torch.save_file({k: v.contiguous() for k, v in tensors.items()}, path,
                           metadata=metadata)
        return
    items = [(name, TORCH_TO_ST[t.dtype], t.detach().contiguous()) for name, t in tensors.items()]
    items.sort(key=lambda it: (ALIGN_RANK[it[1]], it[0]))
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, dtype, t in items:
        raw = t.numpy().astype(DTYPES[dtype][1], copy=False).tobytes(order="C")
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


class WideNet(nn.Module):
    """The tutorial's network: keys layers.0.weight, layers.0.bias, layers.2.weight, ..."""

    def __init__(self, hidden=512):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.layers(x)


def check(args):
    state = read_safetensors(args.checkpoint)
    data = read_safetensors(args.data)
    hidden = state["layers.0.weight"].shape[0]
    model = WideNet(hidden)
    model.load_state_dict(state, strict=True)
    for name, t in model.state_dict().items():
        assert torch.equal(t, state[name]), f"{name} did not load exactly"
    inputs, expected = data["inputs"], data["predictions"]
    with torch.no_grad():
        predictions = model(inputs)
    if predictions.shape != expected.shape or predictions.dtype != expected.dtype:
        print(f"FAIL: PyTorch gives {tuple(predictions.shape)} {predictions.dtype}, tensorgrad "
              f"wrote {tuple(expected.shape)} {expected.dtype}")
        return 1
    diff = (predictions.double() - expected.double()).abs().max().item()
    status = "OK" if diff <= args.tol else "FAIL"
    print(f"{status}: WideNet({hidden}) from {args.checkpoint}: {inputs.shape[0]} predictions, "
          f"max |PyTorch - tensorgrad| = {diff:.3g} (tolerance {args.tol:g}); "
          f"reader: {'safetensors' if st_torch else 'built-in'}")
    return 0 if diff <= args.tol else 1


def write_fixtures(args):
    out = args.out_dir
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = WideNet(512)
    inputs = torch.linspace(-2.0, 2.0, 16).unsqueeze(1)
    with torch.no_grad():
        predictions = model(inputs)
    write_safetensors(model.state_dict(), os.path.join(out, "torch_widenet.safetensors"),
                      metadata={"format": "pt"})
    write_safetensors({"inputs": inputs, "predictions": predictions},
                      os.path.join(out, "torch_widenet_io.safetensors"))

    # Values the C++ test recomputes exactly (tests/io/test_safetensors.cpp, TorchMixedFixture).
    mixed = OrderedDict()
    mixed["f32"] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 7
    mixed["f64"] = torch.tensor([math.pi, -1e300, 5e-324], dtype=torch.float64)
    mixed["i64"] = torch.tensor([[-2**63, 2**63 - 1], [0, -1]], dtype=torch.int64)
    mixed["mask"] = torch.tensor([True, False, True, True, False])
    mixed["scalar"] = torch.tensor(3.5, dtype=torch.float32)
    mixed["empty"] = torch.zeros(0, 3, dtype=torch.float32)
    mixed["transposed"] = torch.arange(12, dtype=torch.float64).reshape(3, 4).t()
    write_safetensors(mixed, os.path.join(out, "torch_mixed.safetensors"))

    # Read back what was written, as a self-check of the writer.
    for name in ["torch_widenet", "torch_widenet_io", "torch_mixed"]:
        back = read_safetensors(os.path.join(out, name + ".safetensors"))
        source = {"torch_widenet": model.state_dict(),
                  "torch_widenet_io": {"inputs": inputs, "predictions": predictions},
                  "torch_mixed": mixed}[name]
        for key, value in source.items():
            assert torch.equal(back[key], value), f"{name}: {key} did not round-trip"
    print(f"wrote torch_widenet, torch_widenet_io and torch_mixed .safetensors to {out}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="compare a tensorgrad checkpoint's predictions with PyTorch")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True, help="safetensors file with inputs and predictions")
    p.add_argument("--tol", type=float, default=1e-6)
    p = sub.add_parser("write-fixtures", help="write the PyTorch-made files the C++ tests load")
    p.add_argument("--out-dir", default=os.path.join(REPO, "tests", "fixtures", "io"))
    args = parser.parse_args()
    return check(args) if args.command == "check" else write_fixtures(args)


if __name__ == "__main__":
    sys.exit(main())
