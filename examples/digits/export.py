#!/usr/bin/env python3
"""Writes scikit-learn's digits as NumPy files for nnetc: pixels scaled to [0, 1] (float32, [N, 64])
and class indices (int64, [N]); 60% to train on, 15% held out during training, 25% to test.
Needs Debian's python3-sklearn (apt-get install python3-sklearn)."""
import sys
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

out = sys.argv[1] if len(sys.argv) > 1 else "."
digits = load_digits()
x = (digits.data / 16.0).astype(np.float32)
y = digits.target.astype(np.int64)
x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.2, random_state=0, stratify=y_rest)
for name, a in [("x_train", x_train), ("y_train", y_train), ("x_val", x_val), ("y_val", y_val), ("x_test", x_test), ("y_test", y_test)]:
    np.save(f"{out}/{name}.npy", a)
print(f"digits: {len(x_train)} rows to train on, {len(x_val)} held out, {len(x_test)} to test", file=sys.stderr)
