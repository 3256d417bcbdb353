#!/usr/bin/python3
"""PyTorch on the networks of bench/networks, with the masked-dense recipe users of PyTorch
apply for hand-chosen connectivity: a dense nn.Linear whose weight is multiplied by a fixed 0/1
mask in every forward pass (so masked weights still cost time and get no gradient).

Prints microseconds per sample for forward (no_grad) and one train step (forward,
cross-entropy, backward, SGD or Adam), per batch size and thread count, as nnet's `bench` does,
and the dense products' GFLOP/s. PyTorch at its best: OpenBLAS chooses its own kernels, so run
it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (this machine sets them):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer/torch_bench.py [--quick] [--optimizer sgd|adam]
"""
import os
import sys
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedLinear(nn.Linear):
    def __init__(self, n, m, density, seed):
        super().__init__(n, m)
        g = torch.Generator().manual_seed(seed)
        mask = (torch.rand(m, n, generator=g) < density).float() if density < 1 else torch.ones(m, n)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)


class Mlp(nn.Module):
    """784-256-256-10, relu, as bench/networks/mlp_*.nnet."""

    def __init__(self, density):
        super().__init__()
        self.l1 = MaskedLinear(784, 256, density, 1)
        self.l2 = MaskedLinear(256, 256, density, 2)
        self.l3 = MaskedLinear(256, 10, density, 3)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


def per_sample_us(fn, batch, seconds):
    end = time.perf_counter() + seconds  # warm-up
    while time.perf_counter() < end:
        fn()
    best = float("inf")
    for _ in range(5):  # best of five timed runs
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            fn()
            runs += 1
        best = min(best, (time.perf_counter() - start) / runs)
    return best * 1e6 / batch


def measure(density, batch, threads, seconds, optimizer):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = Mlp(density)
    opt = torch.optim.SGD(net.parameters(), lr=1e-2) if optimizer == "sgd" else torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(batch, 784) * 2 - 1
    y = torch.randint(0, 10, (batch,))

    def forward():
        with torch.no_grad():
            net(x)

    def train():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    return per_sample_us(forward, batch, seconds), per_sample_us(train, batch, seconds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="0.5 s per figure instead of 3")
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="plain SGD (default, as in BENCHMARKS.md) or Adam")
    ap.add_argument("--batches", default="1,64", help="comma-separated batch sizes")
    args = ap.parse_args()
    seconds = 0.5 if args.quick else 3
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set: OpenBLAS does not choose its own kernels (run with env -u {var})", file=sys.stderr)
    print(f"torch {torch.__version__}, optimizer {args.optimizer}")
    print("| network | batch | threads | forward_us_per_sample | train_step_us_per_sample | train GFLOP/s (dense products) |")
    print("|---|---|---|---|---|---|")
    macs = 784 * 256 + 256 * 256 + 256 * 10  # per sample, per dense product
    for density, name in [(1.0, "mlp_dense"), (0.1, "mlp_density_0.1"), (0.01, "mlp_density_0.01")]:
        for batch in [int(b) for b in args.batches.split(",")]:
            for threads in (1, 2):
                f, t = measure(density, batch, threads, seconds, args.optimizer)
                # forward, input gradient (two layers need it) and weight gradient: ~3 products of 2 flops per MAC
                gflops = 3 * 2 * macs / (t * 1e3)
                print(f"| {name} | {batch} | {threads} | {f:.2f} | {t:.2f} | {gflops:.1f} |", flush=True)


if __name__ == "__main__":
    main()
