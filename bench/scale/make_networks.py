#!/usr/bin/env python3
"""Synthetic networks of exactly the shapes of issue 14, from seeded random tables.

  GenNet: 131,503 SNPs -> 17,825 genes (each SNP linked to one gene, 2% to a second: ~134,000
          connections) -> 1 output.
  P-NET:  27,687 inputs (3 features of 9,229 genes; each gene sees its own 3) -> genes 9,229 ->
          pathway layers 1,387 -> 1,066 -> 447 -> 147 -> 26 (each node linked to 1-3 parents of
          the next layer, as Reactome's hierarchy is), a sigmoid head on each of the six layers,
          their binary cross-entropies summed with P-NET's weights.

Writes into OUT (default: this folder's out/): gennet.nnet, pnet.nnet, their edge lists
(input,unit per line, 0-based, with a header) and random training data as .npy (256 rows).
Usage: /usr/bin/python3 bench/scale/make_networks.py [OUT] [--seed S]
"""
import os
import sys

import numpy as np


def write_edges(path, inputs, units):
    order = np.lexsort((units, inputs))
    with open(path, "w") as f:
        f.write("input,unit\n")
        np.savetxt(f, np.stack([inputs[order], units[order]], axis=1), fmt="%d", delimiter=",")


def parents(rng, n, m, lo=1, hi=3):
    """Each of n nodes linked to lo..hi distinct nodes of the next layer of m; every parent gets a child."""
    k = rng.integers(lo, hi + 1, size=n)
    src = np.repeat(np.arange(n), k)
    dst = rng.integers(0, m, size=src.size)
    src = np.concatenate([src, rng.integers(0, n, size=m)])  # no parent without a child
    dst = np.concatenate([dst, np.arange(m)])
    pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


# P-NET's loss_weights for its six outputs (genes layer first, the last pathway layer last)
PNET_LOSS_WEIGHTS = [2, 7, 20, 54, 148, 400]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 14
    out = args[0] if args and args[0] != str(seed) else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = 256

    # GenNet
    snps, genes = 131_503, 17_825
    first = rng.integers(0, genes, size=snps)
    extra = rng.choice(snps, size=snps // 50, replace=False)
    src = np.concatenate([np.arange(snps), extra])
    dst = np.concatenate([first, rng.integers(0, genes, size=extra.size)])
    pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
    write_edges(os.path.join(out, "gennet_snp_gene.csv"), pairs[:, 0], pairs[:, 1])
    with open(os.path.join(out, "gennet.nnet"), "w") as f:
        f.write(f"""// GenNet-shaped (issue 14): {snps} SNPs -> {genes} genes ({len(pairs)} connections) -> 1
network GenNet {{
  input snps[{snps}]
  genes = dense(snps, {genes}, tanh, connect: edges "gennet_snp_gene.csv")
  y = dense(genes, 1, sigmoid)
  output y
  loss y: binary_cross_entropy
  train {{ optimizer: adam(lr: 0.001), batch: 64, epochs: 1 }}
}}
""")
    np.save(os.path.join(out, "gennet_x.npy"), rng.integers(0, 3, size=(rows, snps)).astype(np.float32))
    np.save(os.path.join(out, "gennet_t.npy"), rng.integers(0, 2, size=(rows, 1)).astype(np.float32))

    # P-NET
    n_genes, features = 9_229, 3
    sizes = [n_genes, 1_387, 1_066, 447, 147, 26]
    inputs = np.arange(n_genes * features)
    write_edges(os.path.join(out, "pnet_inputs.csv"), inputs, inputs // features)
    layers = []
    for k in range(len(sizes) - 1):
        a, b = parents(rng, sizes[k], sizes[k + 1])
        name = f"pnet_h{k + 1}.csv"
        write_edges(os.path.join(out, name), a, b)
        layers.append((name, sizes[k + 1], len(a)))
    body = [f"  input x[{n_genes * features}]",
            f'  h0 = dense(x, {n_genes}, tanh, connect: edges "pnet_inputs.csv")']
    for k, (name, size, count) in enumerate(layers):
        body.append(f'  h{k + 1} = dense(h{k}, {size}, tanh, connect: edges "{name}")   // {count} connections')
    # a prediction head on every layer, their losses weighted as P-NET's own training weights them
    heads = [f"y{k}" for k in range(len(layers) + 1)]
    for k, head in enumerate(heads):
        body.append(f"  {head} = dense(h{k}, 1, sigmoid)")
    body.append("  output " + ", ".join(heads))
    body += [f"  loss {head}: binary_cross_entropy * {w}" for head, w in zip(heads, PNET_LOSS_WEIGHTS)]
    with open(os.path.join(out, "pnet.nnet"), "w") as f:
        f.write("// P-NET-shaped (issue 14): 3 features of 9229 genes -> genes -> Reactome-like pathway layers,\n"
                "// a sigmoid head on every layer; the sum of their weighted losses trains (one target file for all)\n")
        f.write("network PNet {\n" + "\n".join(body) + "\n"
                "  train { optimizer: adam(lr: 0.001), batch: 64, epochs: 1 }\n}\n")
    np.save(os.path.join(out, "pnet_x.npy"), rng.standard_normal((rows, n_genes * features)).astype(np.float32))
    np.save(os.path.join(out, "pnet_t.npy"), rng.integers(0, 2, size=(rows, 1)).astype(np.float32))
    print("wrote", out)


if __name__ == "__main__":
    main()
