#!/usr/bin/python3
"""PyTorch on the networks of bench/networks, with the masked recipe users of PyTorch apply for
hand-chosen connectivity: a dense nn.Linear (or nn.Conv2d) whose weight is multiplied by a fixed
0/1 mask in every forward pass (so masked weights still cost time and get no gradient).

Prints microseconds per sample for forward (no_grad) and one train step (forward,
cross-entropy, backward, SGD or Adam), per batch size and thread count, as nnet's `bench` does,
and the dense products' GFLOP/s. PyTorch at its best: OpenBLAS's thread pool as large as PyTorch's
(blas_threads), glibc's malloc keeping the memory a step frees (MALLOC below; the script re-executes
itself with it set), and OpenBLAS choosing its own kernels, so run it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (this machine sets them):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer/torch_bench.py [--quick] [--optimizer sgd|adam]
      [--networks mlp_dense,gated_cnn,...] [--batches 1,64]
The networks are a registry (NETWORKS below): each entry builds the module, names its input shape
and classes, and counts its multiply-adds per sample for the GFLOP/s column.

--isa avx2 measures PyTorch as it runs on an AVX2 machine, from an AVX-512 one (as nnet's side runs
with -XX:UseAVX=2): each library's own switch caps it at AVX2 before it loads, which is what each
picks by itself on an AVX2 CPU: ATen's kernels ATEN_CPU_CAPABILITY=avx2, oneDNN's convolutions
ONEDNN_MAX_CPU_ISA=AVX2, OpenBLAS OPENBLAS_CORETYPE=Haswell (its kernels for AVX2 and for AMD's
Zen alike). The script re-executes itself with those set.
"""
import os
import sys
import argparse
import ctypes
import time

AVX2 = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "OPENBLAS_CORETYPE": "Haswell"}
# glibc's malloc keeps the memory a step frees: by default it handed a dense layer's temporaries
# (800 KB: the weight times its mask, their gradients) back to the kernel and faulted them in again
# at every step, which made the dense MLP's train step 6-7 times slower for a whole run (Zen 5,
# 2026-12-07: 101-106 µs a sample against 12.7-16.8; a second network in the same process ran fast
# once malloc's thresholds had moved). Jemalloc or tcmalloc, which PyTorch's own builds often use, keep it too.
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(1 << 27), "MALLOC_TRIM_THRESHOLD_": str(1 << 28), "MALLOC_TOP_PAD_": str(1 << 26)}
wanted = {**MALLOC, **(AVX2 if "--isa" in sys.argv and sys.argv[sys.argv.index("--isa") + 1:][:1] == ["avx2"] else {})}
if any(os.environ.get(k) != v for k, v in wanted.items()):
    # malloc and the libraries read these as they start or load: set them, then start again
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **wanted})

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize


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


class MaskedConv2d(nn.Conv2d):
    """A conv2d with a channel table: weight [F, C, kh, kw] times a fixed 0/1 mask [F, C, 1, 1]."""

    def __init__(self, c, f, k, table):
        super().__init__(c, f, k)
        self.register_buffer("mask", torch.tensor(table, dtype=torch.float32).t().reshape(f, c, 1, 1))

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias)


class GatedCnn(nn.Module):
    """bench/networks/gated_cnn.nnet: 3x32x32, four 3x3 convs (16/16/16/32), gate + skip, 2 maxpools."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.g = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 16, 3, padding=1)
        self.c3 = nn.Conv2d(16, 32, 3, padding=1)
        self.y = nn.Linear(32 * 8 * 8, 10)

    def forward(self, img):
        c1 = F.relu(self.c1(img))
        g = torch.sigmoid(self.g(img))
        nxt, skip = g * c1, (1 - g) * c1
        c2 = F.relu(self.c2(nxt)) + skip
        c3 = F.relu(self.c3(F.max_pool2d(c2, 2)))
        return self.y(torch.flatten(F.max_pool2d(c3, 2), 1))


# LeNet-5's C3 table (bench/networks/lenet5.nnet): rows are S2's 6 maps, columns C3's 16
LENET_C3 = [
    [1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1],
    [1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1],
    [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1],
    [0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1],
    [0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1],
    [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1]]


class LeNet5(nn.Module):
    """bench/networks/lenet5.nnet: 1x32x32, tanh, avgpools, C3 with its channel table."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = MaskedConv2d(6, 16, 5, LENET_C3)
        self.c5 = nn.Conv2d(16, 120, 5)
        self.f6 = nn.Linear(120, 84)
        self.y = nn.Linear(84, 10)

    def forward(self, img):
        s2 = F.avg_pool2d(torch.tanh(self.c1(img)), 2)
        s4 = F.avg_pool2d(torch.tanh(self.c3(s2)), 2)
        c5 = torch.tanh(self.c5(s4))
        return self.y(torch.tanh(self.f6(torch.flatten(c5, 1))))


class Lstm(nn.Module):
    """bench/networks/lstm.nnet: 64 features -> 256 units over 50 steps (nn.LSTM), a dense head on the last state."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 256, batch_first=True)
        self.y = nn.Linear(256, 10)

    def forward(self, seq):
        out, _ = self.lstm(seq)
        return self.y(out[:, -1])


def pattern_mask(n, m, present):
    """An n x m 0/1 mask from LANGUAGE.md's pattern formula present(i, j), as a tensor [n, m]."""
    return torch.tensor([[1.0 if present(i, j) else 0.0 for j in range(m)] for i in range(n)])


class Mask(nn.Module):
    """A parametrization: the weight as the layer reads it is the trained one times a fixed 0/1 mask."""

    def __init__(self, mask):
        super().__init__()
        self.register_buffer("mask", mask)

    def forward(self, w):
        return w * self.mask


class MaskedLstm(nn.Module):
    """bench/networks/lstm_masked.nnet: the lstm with connect: blocks(4), recurrent: band(16), the
    pattern repeated over the four gates. The best masked recipe found: nn.LSTM's own fused loop,
    its two weights parametrized as weight times mask (torch.nn.utils.parametrize), so masked
    entries cost time but get no gradient; a cell written out in Python was 6x slower."""

    def __init__(self, features=64, units=256):
        super().__init__()
        f, u = features, units
        self.lstm = nn.LSTM(f, u, batch_first=True)
        blocks = pattern_mask(f, u, lambda i, j: i // (f // 4) == j // (u // 4))
        band = pattern_mask(u, u, lambda i, j: abs(i - j) <= 16)
        # PyTorch's layout is [4u, inputs], gates i, f, g, o stacked: the pattern transposed, once per gate
        parametrize.register_parametrization(self.lstm, "weight_ih_l0", Mask(blocks.t().repeat(4, 1)))
        parametrize.register_parametrization(self.lstm, "weight_hh_l0", Mask(band.t().repeat(4, 1)))
        self.y = nn.Linear(u, 10)

    def forward(self, seq):
        out, _ = self.lstm(seq)
        return self.y(out[:, -1])


LSTM_MACS = 50 * 4 * 256 * (64 + 256) + 256 * 10
MLP_MACS = 784 * 256 + 256 * 256 + 256 * 10
# name: (builder, input shape of a sample, classes, multiply-adds of a sample's forward pass as PyTorch computes them)
NETWORKS = {
    "mlp_dense": (lambda: Mlp(1.0), (784,), 10, MLP_MACS),
    "mlp_density_0.1": (lambda: Mlp(0.1), (784,), 10, MLP_MACS),
    "mlp_density_0.01": (lambda: Mlp(0.01), (784,), 10, MLP_MACS),
    "gated_cnn": (GatedCnn, (3, 32, 32), 10, 2 * 16 * 27 * 1024 + 16 * 144 * 1024 + 32 * 144 * 256 + 2048 * 10),
    "lstm": (Lstm, (50, 64), 10, LSTM_MACS),
    "lstm_masked": (MaskedLstm, (50, 64), 10, LSTM_MACS),
    "lenet5": (LeNet5, (1, 32, 32), 10, 6 * 25 * 784 + 16 * 150 * 100 + 120 * 400 + 120 * 84 + 84 * 10),
}
DEFAULT_NETWORKS = "mlp_dense,mlp_density_0.1,mlp_density_0.01"


def per_sample_us(fn, batch, seconds):
    """The best of five timed runs, and the CPU time of the process's threads over all five (which a
    machine busy with other work moves less), both in microseconds per sample."""
    end = time.perf_counter() + seconds  # warm-up
    while time.perf_counter() < end:
        fn()
    best, total_runs, cpu = float("inf"), 0, time.process_time()
    for _ in range(5):  # best of five timed runs
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            fn()
            runs += 1
        best = min(best, (time.perf_counter() - start) / runs)
        total_runs += runs
    cpu = time.process_time() - cpu
    return best * 1e6 / batch, cpu * 1e6 / (total_runs * batch)


def blas_threads(threads):
    """OpenBLAS's own thread pool set to the count PyTorch's is: Debian's PyTorch multiplies through
    OpenBLAS's pthread build, whose pool keeps one thread per core whatever torch.set_num_threads
    says. With PyTorch's OpenMP thread spinning beside it, a 2-core machine ran the dense MLP's train
    step 5-7 times slower (Zen 5, 2026-12-07: 72-100 µs a sample against 14.7 with both at 1 thread)."""
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if "openblas" in path or "libblas" in path:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_set_num_threads"):
                lib.openblas_set_num_threads(threads)
                return
    print("warning: no OpenBLAS loaded: its threads are left as they are", file=sys.stderr)


def measure(name, batch, threads, seconds, optimizer):
    build, shape, classes, _ = NETWORKS[name]
    torch.set_num_threads(threads)
    blas_threads(threads)
    torch.manual_seed(1)
    net = build()
    opt = torch.optim.SGD(net.parameters(), lr=1e-2) if optimizer == "sgd" else torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(batch, *shape) * 2 - 1
    y = torch.randint(0, classes, (batch,))

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
    ap.add_argument("--networks", default=DEFAULT_NETWORKS, help="comma-separated, from: " + ", ".join(NETWORKS) + " (default: the MLPs)")
    ap.add_argument("--isa", choices=["native", "avx2"], default="native", help="avx2: PyTorch's libraries capped at AVX2, as on an AVX2 machine")
    args = ap.parse_args()
    names = args.networks.split(",")
    for name in names:
        if name not in NETWORKS:
            ap.error(f"unknown network {name}; known: {', '.join(NETWORKS)}")
    seconds = 0.5 if args.quick else 3
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ and not (args.isa == "avx2" and var == "OPENBLAS_CORETYPE"):
            print(f"warning: {var}={os.environ[var]} is set: OpenBLAS does not choose its own kernels (run with env -u {var})", file=sys.stderr)
    isa = "AVX2 (" + ", ".join(f"{k}={v}" for k, v in AVX2.items()) + ")" if args.isa == "avx2" else "the machine's own"
    print(f"torch {torch.__version__}, optimizer {args.optimizer}, instruction set: {isa}")
    print("| network | batch | threads | forward_us_per_sample | train_step_us_per_sample | train GFLOP/s (products) | forward / train CPU µs per sample |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        macs = NETWORKS[name][3]
        for batch in [int(b) for b in args.batches.split(",")]:
            for threads in (1, 2):
                (f, fcpu), (t, tcpu) = measure(name, batch, threads, seconds, args.optimizer)
                # forward, input gradient and weight gradient: ~3 products of 2 flops per multiply-add
                gflops = 3 * 2 * macs / (t * 1e3)
                print(f"| {name} | {batch} | {threads} | {f:.2f} | {t:.2f} | {gflops:.1f} | {fcpu:.2f} / {tcpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()
