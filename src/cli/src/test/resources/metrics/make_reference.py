#!/usr/bin/python3
"""Reference values of the figures nnet's evaluate reports, computed by scikit-learn itself.

Run with Debian's Python (apt-get install python3-sklearn):  /usr/bin/python3 make_reference.py
It writes, beside itself, one CSV per case (the scores and targets, as float32 values print) and
reference.json (scikit-learn's figures for each case); MetricsTest reads them and compares nnet's.
Scores are rounded to few digits so that many tie, as real scores from a saturated sigmoid do.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import (f1_score, mean_absolute_error, mean_squared_error, precision_score, r2_score,
                             recall_score, roc_auc_score)

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(24)
reference = {"sklearn": sklearn.__version__, "cases": {}}


def save(name, columns):
    data = np.column_stack(columns).astype(np.float32)
    np.savetxt(os.path.join(here, name + ".csv"), data, delimiter=",", fmt="%.9g")
    return np.loadtxt(os.path.join(here, name + ".csv"), delimiter=",", dtype=np.float32, ndmin=2)


def binary(name, n, digits, positives):
    """One probability per row: AUC with ties, precision, recall and F1 at 0.5."""
    t = (rng.random(n) < positives).astype(np.float32)
    p = np.clip(np.round(0.5 * t + rng.random(n) * 0.7 - 0.1, digits), 0, 1)
    data = save(name, [p, t])
    p, t = data[:, 0], data[:, 1]
    predicted = (p > 0.5).astype(int)
    reference["cases"][name] = {
        "kind": "binary", "values": 1,
        "auc": roc_auc_score(t, p),
        "precision": precision_score(t, predicted, zero_division=0),
        "recall": recall_score(t, predicted, zero_division=0),
        "f1": f1_score(t, predicted, zero_division=0),
    }


def multilabel(name, n, k):
    """Several independent probabilities per row: each a binary problem, averaged (macro)."""
    t = (rng.random((n, k)) < 0.4).astype(np.float32)
    p = np.clip(np.round(0.4 * t + rng.random((n, k)) * 0.8, 1), 0, 1)
    data = save(name, [p, t])
    p, t = data[:, :k], data[:, k:]
    predicted = (p > 0.5).astype(int)
    reference["cases"][name] = {
        "kind": "binary", "values": k,
        "auc": roc_auc_score(t, p, average="macro"),
        "precision": precision_score(t, predicted, average="macro", zero_division=0),
        "recall": recall_score(t, predicted, average="macro", zero_division=0),
        "f1": f1_score(t, predicted, average="macro", zero_division=0),
    }


def classes(name, n, c, digits):
    """Class probabilities (rows summing to 1) and one-hot targets: AUC one class against the rest, macro."""
    labels = rng.integers(0, c, n)
    t = np.eye(c, dtype=np.float32)[labels]
    logits = np.round(2 * t + rng.normal(size=(n, c)), digits)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    data = save(name, [p, t])
    p, t = data[:, :c].astype(np.float64), data[:, c:]
    # the float32 values as read (scikit-learn checks that rows sum to 1 within its tolerance)
    y, predicted = t.argmax(axis=1), p.argmax(axis=1)
    reference["cases"][name] = {
        "kind": "classes", "classes": c,
        "auc": roc_auc_score(y, p, multi_class="ovr", average="macro"),
        "precision": precision_score(y, predicted, average="macro", zero_division=0),
        "recall": recall_score(y, predicted, average="macro", zero_division=0),
        "f1": f1_score(y, predicted, average="macro", zero_division=0),
    }


def regression(name, n, k):
    t = rng.normal(size=(n, k)).astype(np.float32)
    y = t + rng.normal(scale=0.5, size=(n, k))
    data = save(name, [y, t]).astype(np.float64)  # the float32 values, summed in float64 as nnet sums them
    y, t = data[:, :k], data[:, k:]
    reference["cases"][name] = {
        "kind": "regression", "values": k,
        "mse": mean_squared_error(t, y),
        "mae": mean_absolute_error(t, y),
        "r2": r2_score(t, y, multioutput="uniform_average"),
    }


binary("binary_ties", 400, 1, 0.3)        # scores in tenths: many ties
binary("binary_coarse", 97, 0, 0.5)       # scores 0 or 1 only: every score tied with half the rows
binary("binary_fine", 1000, 4, 0.1)       # imbalanced, few ties
multilabel("multilabel", 300, 3)
classes("classes", 500, 4, 0)
regression("regression", 200, 2)

with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1, sort_keys=True, default=float)
    f.write("\n")
