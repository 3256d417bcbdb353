#!/usr/bin/env python3
"""A genotype file of GenNet's shape for the streaming benchmarks (issue 25): ROWS subjects x 131,503
SNPs of uint8 (0, 1, 2 minor alleles), written a block at a time (never whole in memory), and a label
per subject. 100,000 rows make 13.2 GB: not committed; check `df -h` first and delete it after.

Writes OUT/genotype_ROWS.npy (or .h5 with --h5: dataset X, chunks of 64 rows, as GenNet's genotype.h5)
and OUT/labels_ROWS.npy (float32 [ROWS, 1]). The network: bench/scale/make_networks.py's gennet.nnet.
Usage: /usr/bin/python3 bench/scale/make_genotype.py OUT ROWS [--h5] [--seed S]
"""
import os
import sys

import numpy as np

SNPS = 131_503
BLOCK = 512


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out, rows = args[0], int(args[1])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 25
    h5 = "--h5" in sys.argv
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    path = os.path.join(out, f"genotype_{rows}." + ("h5" if h5 else "npy"))
    if h5:
        import h5py
        f = h5py.File(path, "w")
        x = f.create_dataset("X", shape=(rows, SNPS), dtype=np.uint8, chunks=(64, SNPS))
    else:
        x = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(rows, SNPS))
    for first in range(0, rows, BLOCK):
        n = min(BLOCK, rows - first)
        x[first:first + n] = rng.integers(0, 3, size=(n, SNPS), dtype=np.uint8)
    if h5:
        f.close()
    else:
        x.flush()
        del x
    np.save(os.path.join(out, f"labels_{rows}.npy"), rng.integers(0, 2, size=(rows, 1)).astype(np.float32))
    print(path, os.path.getsize(path) / 1e9, "GB")


if __name__ == "__main__":
    main()
