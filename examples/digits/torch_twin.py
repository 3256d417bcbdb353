#!/usr/bin/env python3
"""The PyTorch twin of digits.nnet: the same structure (the connectivity masks multiplied into the
kernels), the same initial weights (read from the file nnetc init wrote), the same settings (Adam,
warmup(50, cosine(0.003, min: 0.0001)) with the cosine stepped per epoch, batch 32, 40 epochs,
cross-entropy on the logits). Prints test accuracy and the time of the training loop.
Usage: torch_twin.py WORK_DIR (with x_*.npy, y_*.npy and w0.safetensors from run.sh)."""
import json, math, struct, sys, time
import numpy as np
import torch

work = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(1)


def safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=np.float32).reshape(t["shape"]).copy())
    return out


w0 = safetensors(f"{work}/w0.safetensors")
params = {k: torch.nn.Parameter(v.clone()) for k, v in w0.items() if not k.endswith("mask")}
mask_h, mask_a = w0["h.mask"], w0["a.mask"]


def forward(x):
    h = torch.relu(x @ (params["h.kernel"] * mask_h) + params["h.bias"])
    g = torch.sigmoid(x @ params["g.kernel"] + params["g.bias"])
    nxt, skip = g * h, (1 - g) * h
    a = torch.relu(nxt @ (params["a.kernel"] * mask_a) + params["a.bias"])
    return (a + skip) @ params["y.kernel"] + params["y.bias"]


load = lambda n: torch.from_numpy(np.load(f"{work}/{n}.npy"))
x_train, y_train, x_val, y_val, x_test, y_test = (load(n) for n in ["x_train", "y_train", "x_val", "y_val", "x_test", "y_test"])
opt = torch.optim.Adam(params.values(), lr=0.003)
epochs, batch, warmup, lr, lr_min = 40, 32, 50, 0.003, 0.0001
step = 0
start = time.perf_counter()
for epoch in range(1, epochs + 1):
    rate = lr_min + (lr - lr_min) * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2
    order = torch.randperm(len(x_train))
    for i in range(0, len(x_train), batch):
        step += 1
        for group in opt.param_groups:
            group["lr"] = rate * step / warmup if step < warmup else rate
        idx = order[i:i + batch]
        loss = torch.nn.functional.cross_entropy(forward(x_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        val_loss = torch.nn.functional.cross_entropy(forward(x_val), y_val).item()
seconds = time.perf_counter() - start
with torch.no_grad():
    accuracy = (forward(x_test).argmax(1) == y_test).float().mean().item()
print(f"pytorch ({threads} thread{'s' if threads > 1 else ''}): test accuracy {100 * accuracy:.1f}%, held-out loss {val_loss:.4f}, training loop {seconds:.2f} s")
