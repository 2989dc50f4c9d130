#!/usr/bin/env python3
"""Writes tests/fixtures/nn/cnn_training.json: seeded convolutional networks trained in PyTorch.

Two networks, each built after torch.manual_seed(7) so that their initial weights come from the
default generator in construction order, then trained for 20 steps on inputs drawn from the same
generator after construction (torch.randn / torch.randint / torch.rand, in the order written below):

- lenet: Conv2d(1,6,5,padding=2) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten
  Linear(400,120) ReLU Linear(120,84) ReLU Linear(84,10), cross-entropy on batches of 16 real
  handwritten digits (the 128 of tests/fixtures/data/mnist/digits, scaled to [0, 1] and normalized
  with MNIST's mean 0.1307 and std 0.3081, taken in order and cycled); once with SGD(lr 0.01,
  momentum 0.9), once with Adam(lr 1e-3). Real digits rather than noise: on random labels the
  gradients are mostly noise, and Adam's normalised step turns float32 rounding differences in
  them into visible loss differences.
- dcgan: libtorch's DCGAN example at a quarter of its width (generator: ConvTranspose2d stacks with
  BatchNorm2d and ReLU, Tanh out; discriminator: Conv2d, LeakyReLU(0.2), BatchNorm2d, Sigmoid),
  batch 8 of random "real" images in [-1, 1], binary cross-entropy; each step first the
  discriminator on real (label 1) and detached fake (label 0) images, then the generator (label 1);
  with Adam(lr 2e-4, betas (0.5, 0.999)) for both and with plain SGD(lr 0.002).

For each run the file holds every parameter's sum and first values at the start (the initial
weights), and the losses of the 20 steps. Run with /usr/bin/python3 (PyTorch installed).
"""
import json
import os
import struct

import torch
import torch.nn as nn

torch.set_num_threads(1)
STEPS = 20


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


NZ, W = 32, 16


def generator():
    return nn.Sequential(
        nn.ConvTranspose2d(NZ, 4 * W, 4, bias=False), nn.BatchNorm2d(4 * W), nn.ReLU(True),
        nn.ConvTranspose2d(4 * W, 2 * W, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(2 * W), nn.ReLU(True),
        nn.ConvTranspose2d(2 * W, W, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(W), nn.ReLU(True),
        nn.ConvTranspose2d(W, 1, 4, stride=2, padding=1, bias=False), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, W, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(W, 2 * W, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * W),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * W, 4 * W, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(4 * W),
        nn.LeakyReLU(0.2),
        nn.Conv2d(4 * W, 1, 3, stride=1, padding=0, bias=False), nn.Sigmoid())


DIGITS = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "data", "mnist", "digits")


def read_digits():
    with open(os.path.join(DIGITS, "t10k-images-idx3-ubyte"), "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051
        images = torch.frombuffer(bytearray(f.read(n * rows * cols)), dtype=torch.uint8)
    with open(os.path.join(DIGITS, "t10k-labels-idx1-ubyte"), "rb") as f:
        magic, m = struct.unpack(">II", f.read(8))
        assert magic == 2049 and m == n
        labels = torch.frombuffer(bytearray(f.read(n)), dtype=torch.uint8)
    x = (images.reshape(n, 1, rows, cols).float() / 255 - 0.1307) / 0.3081
    return x, labels.long()


def describe(module):
    return [{"name": name, "shape": list(p.shape), "sum": p.double().sum().item(),
             "first": p.detach().flatten()[:4].tolist()}
            for name, p in module.named_parameters()]


def run_lenet(optimizer_name):
    torch.manual_seed(7)
    net = lenet()
    start = describe(net)
    if optimizer_name == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    images, labels = read_digits()
    batches = images.shape[0] // 16
    losses = []
    for step in range(STEPS):
        k = step % batches
        x, y = images[16 * k:16 * (k + 1)], labels[16 * k:16 * (k + 1)]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"network": "lenet", "optimizer": optimizer_name, "parameters": start, "losses": losses}


def run_dcgan(optimizer_name):
    torch.manual_seed(7)
    g, d = generator(), discriminator()
    start = {"generator": describe(g), "discriminator": describe(d)}
    if optimizer_name == "adam":
        g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    else:
        g_opt = torch.optim.SGD(g.parameters(), lr=0.002)
        d_opt = torch.optim.SGD(d.parameters(), lr=0.002)
    bce = nn.BCELoss()
    d_losses, g_losses = [], []
    for _ in range(STEPS):
        real = torch.rand(8, 1, 28, 28) * 2 - 1
        noise = torch.randn(8, NZ, 1, 1)
        d_opt.zero_grad()
        d_real = bce(d(real).reshape(-1), torch.ones(8))
        fake = g(noise)
        d_fake = bce(d(fake.detach()).reshape(-1), torch.zeros(8))
        d_loss = d_real + d_fake
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(d(fake).reshape(-1), torch.ones(8))
        g_loss.backward()
        g_opt.step()
        d_losses.append(d_loss.item())
        g_losses.append(g_loss.item())
    return {"network": "dcgan", "optimizer": optimizer_name, "parameters": start,
            "d_losses": d_losses, "g_losses": g_losses}


def main():
    runs = [run_lenet("sgd"), run_lenet("adam"), run_dcgan("adam"), run_dcgan("sgd")]
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "nn", "cnn_training.json")
    with open(out, "w") as f:
        json.dump({"torch_version": torch.__version__, "steps": STEPS, "runs": runs}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
