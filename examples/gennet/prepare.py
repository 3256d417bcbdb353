#!/usr/bin/env python3
"""GenNet's classification example (examples/example_classification of github.com/ArnovanHilten/GenNet,
Apache-2.0: genotype.h5, subjects.csv, topology.csv, copied here unchanged) as nnet reads it.

Writes into data/ (next to this script):
  x_{train,val,test}.npy  the genotype rows of each set (float32 [rows, 100]; GenNet's set column: 1, 2, 3)
  t_{train,val,test}.npy  their labels (float32 [rows, 1])
  snp_gene.csv            the topology's SNP -> gene connections as an edge list (input,unit)
  snps.txt, genes.txt     the SNPs' and genes' names, one a line, in index order
Usage: /usr/bin/python3 examples/gennet/prepare.py   (needs numpy and h5py)
"""
import csv
import os

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "data")
os.makedirs(out, exist_ok=True)

with h5py.File(os.path.join(here, "genotype.h5"), "r") as f:
    genotype = f["data"][:].astype(np.float32)

with open(os.path.join(here, "subjects.csv")) as f:
    rows = [[c.strip() for c in r] for r in csv.reader(f)]
head = rows[0]
subjects = [dict(zip(head, r)) for r in rows[1:]]
for name, s in [("train", "1"), ("val", "2"), ("test", "3")]:
    part = [r for r in subjects if r["set"] == s]
    np.save(os.path.join(out, f"x_{name}.npy"), genotype[[int(r["genotype_row"]) for r in part]])
    np.save(os.path.join(out, f"t_{name}.npy"), np.array([[float(r["labels"])] for r in part], dtype=np.float32))

with open(os.path.join(here, "topology.csv")) as f:
    topo = [[c.strip() for c in r] for r in csv.reader(f)][1:]
snps = {int(r[1]): r[2] for r in topo}
genes = {int(r[3]): r[4] for r in topo}
with open(os.path.join(out, "snp_gene.csv"), "w") as f:
    f.write("input,unit\n")
    for r in sorted(topo, key=lambda r: (int(r[1]), int(r[3]))):
        f.write(f"{int(r[1])},{int(r[3])}\n")
for path, names in [("snps.txt", snps), ("genes.txt", genes)]:
    with open(os.path.join(out, path), "w") as f:
        f.write("".join(names[k] + "\n" for k in range(len(names))))
print(f"{genotype.shape[0]} subjects, {len(snps)} SNPs -> {len(genes)} genes; train/val/test {[sum(r['set'] == s for r in subjects) for s in '123']}")
