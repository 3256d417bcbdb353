#!/usr/bin/env python3
"""The PyTorch peer of `nnetc explain` on the P-NET shape: the same rules written by hand on the
edge-list layer (out.index_add_(1, unit, x[:, input] * w), only the connections), captum not being
installed here. Loads the weights nnetc wrote (compact kernels: .values, .indices, .shape), explains
y5's logit (the raw value under binary_cross_entropy) for every row, and times each method:

  saliency    d y5 / d node              (autograd)
  gradxinput  node * d y5 / d node
  deeplift    DeepLIFT's Rescale rule: a forward pass at the baseline (zeros) for z0, then the
              backward pass with tanh's derivative replaced by the secant (tanh(z) - tanh(z0)) / (z - z0)
              (the derivative where |z - z0| <= 1e-5), by a custom autograd Function; times (node - node0)
  weights     the product of the masked kernels from each node to y5, by sparse products

For every method the mean over rows of each input's score is compared with nnetc's DIR/x.csv when
--nnet DIR_PREFIX is given (DIR_PREFIX-<method>/x.csv, as `nnetc explain --method <method> -o`
writes it), and the largest difference relative to the largest score is printed.

Prints the best and median wall time over --repeat runs and the least CPU time (both threads' seconds).
Usage: /usr/bin/python3 bench/scale/torch_explain.py OUT_DIR WEIGHTS X.npy [--threads N] [--batch B] [--repeat R] [--nnet DIR_PREFIX]
"""
import json
import os
import sys
import time

import numpy as np
import torch

SIZES = [9_229, 1_387, 1_066, 447, 147, 26]
INPUTS = 27_687


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F32": np.float32, "I32": np.int32, "I64": np.int64}[meta["dtype"]]
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=dtype).reshape(meta["shape"])
    return out


class EdgeList:
    """A sparse layer as its connections: input i[k] feeds unit j[k] with weight w[k]."""

    def __init__(self, w, name, n, m):
        if name + ".kernel.values" in w:
            idx = w[name + ".kernel.indices"].astype(np.int64)
            self.i, self.j = torch.from_numpy(idx[0]), torch.from_numpy(idx[1])
            self.w = torch.from_numpy(w[name + ".kernel.values"].copy())
        else:  # a dense kernel [n, m], every entry a connection
            k = w[name + ".kernel"]
            ii, jj = np.nonzero(np.ones_like(k))
            self.i, self.j = torch.from_numpy(ii), torch.from_numpy(jj)
            self.w = torch.from_numpy(k[ii, jj].copy())
        self.b = torch.from_numpy(w[name + ".bias"].copy())
        self.n, self.m = n, m

    def __call__(self, x):
        out = self.b.expand(x.shape[0], self.m).clone()
        return out.index_add_(1, self.j, x[:, self.i] * self.w)

    def transpose(self, v):
        """v [m] -> [n]: the kernel times v, over the connections."""
        return torch.zeros(self.n).index_add_(0, self.i, self.w * v[self.j])


class TanhRescale(torch.autograd.Function):
    """tanh(z) forward; backward multiplies by the secant between z and z0 (DeepLIFT's Rescale rule)."""

    @staticmethod
    def forward(ctx, z, z0):
        y = torch.tanh(z)
        ctx.save_for_backward(z, z0, y)
        return y

    @staticmethod
    def backward(ctx, g):
        z, z0, y = ctx.saved_tensors
        d = z - z0
        secant = torch.where(d.abs() <= 1e-5, 1 - y * y, (y - torch.tanh(z0)) / torch.where(d == 0, torch.ones_like(d), d))
        return g * secant, None


class PNet:
    def __init__(self, w):
        names, widths = ["h0", "h1", "h2", "h3", "h4", "h5"], [INPUTS] + SIZES
        self.layers = [EdgeList(w, names[k], widths[k], widths[k + 1]) for k in range(6)]
        self.head_w = torch.from_numpy(w["y5.kernel"].reshape(-1).copy())
        self.head_b = torch.from_numpy(w["y5.bias"].copy())

    def forward(self, x, baseline_z=None, keep=None):
        """y5's logit; with baseline_z each tanh takes the Rescale rule; keep collects the nodes (x, h0..h5)."""
        h = x
        zs = []
        if keep is not None:
            keep.append(h)
        for k, layer in enumerate(self.layers):
            z = layer(h)
            zs.append(z)
            h = torch.tanh(z) if baseline_z is None else TanhRescale.apply(z, baseline_z[k])
            if keep is not None:
                if h.requires_grad:
                    h.retain_grad()
                keep.append(h)
        return h @ self.head_w + self.head_b, zs


def explain(net, x, method):
    """Per node (x, h0..h5) the scores [rows, units]."""
    if method == "weights":
        v = net.head_w.clone()
        scores = [v]
        for layer in reversed(net.layers):
            v = layer.transpose(v)
            scores.append(v)
        return [s.expand(x.shape[0], -1) for s in reversed(scores)]
    base_z = None
    base_nodes = None
    if method == "deeplift":
        with torch.no_grad():
            base_nodes = []
            _, base_z = net.forward(torch.zeros_like(x[:1]), keep=base_nodes)
    xr = x.clone().requires_grad_(True)
    nodes = []
    y, _ = net.forward(xr, baseline_z=base_z, keep=nodes)
    y.sum().backward()  # rows are independent: the sum's gradient is each row's
    out = []
    for k, n in enumerate(nodes):
        g = n.grad
        if method == "saliency":
            out.append(g)
        elif method == "gradxinput":
            out.append(n.detach() * g)
        else:
            out.append((n.detach() - base_nodes[k]) * g)
    return out


def main():
    out_dir, weights, xfile = sys.argv[1], sys.argv[2], sys.argv[3]
    arg = lambda k, d: sys.argv[sys.argv.index(k) + 1] if k in sys.argv else d
    threads, batch, repeat, nnet = int(arg("--threads", 2)), int(arg("--batch", 1000)), int(arg("--repeat", 3)), arg("--nnet", None)
    torch.set_num_threads(threads)
    net = PNet(read_safetensors(weights))
    x = torch.from_numpy(np.load(xfile))
    for method in ["saliency", "gradxinput", "deeplift", "weights"]:
        times, cpu, mean = [], [], None
        for r in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            total = None
            for first in range(0, x.shape[0], batch):
                scores = explain(net, x[first:first + batch], method)
                part = scores[0].sum(0)  # the input's scores, summed over rows
                total = part if total is None else total + part
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            mean = (total / x.shape[0]).detach().numpy()
        line = f"torch {method} rows={x.shape[0]} threads={threads} batch={batch}: best {min(times):.3f} s, median {float(np.median(times)):.3f} s, cpu {min(cpu):.3f} s"
        if nnet:
            theirs = np.loadtxt(f"{nnet}-{method}/x.csv", delimiter=",", skiprows=1, usecols=(0, 2))
            ours = np.zeros(INPUTS)
            ours[theirs[:, 0].astype(int)] = theirs[:, 1]
            line += f"; nnet's x.csv differs by at most {np.abs(ours - mean).max() / max(1e-30, np.abs(mean).max()):.2e} of the largest score"
        print(line, flush=True)


if __name__ == "__main__":
    main()
