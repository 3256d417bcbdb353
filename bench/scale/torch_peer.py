#!/usr/bin/env python3
"""PyTorch peers for the issue 14 shapes, one train step (forward, BCE loss, backward, Adam) at batch 64.

P-NET has a head on every layer (Linear to 1, BCE on its logits), their losses summed with
P-NET's weights, as bench/scale/make_networks.py writes pnet.nnet; GenNet has one output.

  masked-dense: the usual recipe (P-NET's own code does this): nn.Linear weights multiplied by a
                0/1 mask in every forward pass; O(inputs x units) memory and work.
  edge-list:    only the connections, as values + index (out.index_add_(1, unit, x[:, input] * w)),
                what torch users write when masked-dense does not fit (GenNet's layer is 9.4 GB dense).

Reads the networks' edge lists written by make_networks.py.
Usage: /usr/bin/python3 bench/scale/torch_peer.py OUT_DIR pnet|gennet masked|edges [--threads N] [--steps N]
Prints ms_per_step and us_per_sample (median of the timed steps after two warm-up steps).
"""
import os
import sys
import time

import numpy as np
import torch


def edges(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    return torch.from_numpy(a[:, 0]), torch.from_numpy(a[:, 1])


def layers_of(out, net):
    if net == "gennet":
        return 131_503, [("gennet_snp_gene.csv", 17_825)]
    sizes = [9_229, 1_387, 1_066, 447, 147, 26]
    return 27_687, [("pnet_inputs.csv", 9_229)] + [(f"pnet_h{k}.csv", sizes[k]) for k in range(1, 6)]


class Masked(torch.nn.Module):
    def __init__(self, n, m, i, j):
        super().__init__()
        self.lin = torch.nn.Linear(n, m)
        mask = torch.zeros(m, n)
        mask[j, i] = 1
        self.register_buffer("mask", mask)

    def forward(self, x):
        return torch.nn.functional.linear(x, self.lin.weight * self.mask, self.lin.bias)


class EdgeList(torch.nn.Module):
    def __init__(self, n, m, i, j):
        super().__init__()
        self.i, self.j, self.m = i, j, m
        self.w = torch.nn.Parameter(torch.randn(i.numel()) * (1.0 / max(1.0, i.numel() / m) ** 0.5))
        self.bias = torch.nn.Parameter(torch.zeros(m))

    def forward(self, x):
        out = self.bias.expand(x.shape[0], self.m).clone()
        return out.index_add_(1, self.j, x[:, self.i] * self.w)


PNET_LOSS_WEIGHTS = [2, 7, 20, 54, 148, 400]


class Heads(torch.nn.Module):
    """The sparse layers, tanh after each, and a logit head on every layer (P-NET) or on the last (GenNet)."""

    def __init__(self, layers, widths, every_layer):
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)
        self.heads = torch.nn.ModuleList(torch.nn.Linear(w, 1) for w in (widths if every_layer else widths[-1:]))
        self.every_layer = every_layer

    def forward(self, x):
        logits = []
        for k, layer in enumerate(self.layers):
            x = torch.tanh(layer(x))
            if self.every_layer or k == len(self.layers) - 1:
                logits.append(self.heads[len(logits)](x))
        return logits


def main():
    out, net, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 10
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    n, specs = layers_of(out, net)
    layers, widths, width = [], [], n
    for path, m in specs:
        i, j = edges(os.path.join(out, path))
        layers.append((Masked if kind == "masked" else EdgeList)(width, m, i, j))
        widths.append(m)
        width = m
    model = Heads(layers, widths, net == "pnet")
    weights = PNET_LOSS_WEIGHTS if net == "pnet" else [1]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.from_numpy(np.load(os.path.join(out, f"{net}_x.npy"))[:64])
    t = torch.from_numpy(np.load(os.path.join(out, f"{net}_t.npy"))[:64])
    loss_fn = torch.nn.BCEWithLogitsLoss()
    times = []
    for step in range(steps + 2):
        start = time.perf_counter()
        opt.zero_grad()
        loss = sum(w * loss_fn(y, t) for w, y in zip(weights, model(x)))
        loss.backward()
        opt.step()
        if step >= 2:
            times.append(time.perf_counter() - start)
    ms = float(np.median(times)) * 1e3
    print(f"torch {kind} {net} threads={threads}: ms_per_step {ms:.2f} us_per_sample {ms * 1e3 / 64:.1f}")


if __name__ == "__main__":
    main()
