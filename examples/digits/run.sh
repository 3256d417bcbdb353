#!/usr/bin/env bash
# The digits example end to end: scikit-learn's digits as NumPy files, nnet training (held-out rows
# watched every epoch) and its test accuracy, then the PyTorch twin from the same initial weights.
# Usage: examples/digits/run.sh [WORK_DIR]   (needs python3-sklearn; python3-torch for the twin)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nnetc="${NNETC:-$here/../../nnetc}"
python=/usr/bin/python3   # Debian's, which has sklearn and torch
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
"$python" "$here/export.py" "$work"
"$nnetc" init "$here/digits.nnet" --seed 1 -o "$work/w0.safetensors" >/dev/null
start=$(date +%s.%N)
"$nnetc" train "$here/digits.nnet" --weights "$work/w0.safetensors" --input "$work/x_train.npy" --target "$work/y_train.npy" \
  --validation "$work/x_val.npy,$work/y_val.npy" --log "$work/log.csv" --plot "$work/loss.svg" -o "$work/w.safetensors" 2>"$work/train.err" | tail -3
end=$(date +%s.%N)
"$nnetc" evaluate "$here/digits.nnet" --weights "$work/w.safetensors" --input "$work/x_test.npy" --target "$work/y_test.npy"
echo "nnet: nnetc train took $(echo "$end - $start" | bc) s (the whole command: JVM start, compiling, 40 epochs, held-out rows each epoch)"
if "$python" -c 'import torch' 2>/dev/null; then
  for threads in 1 2; do
    s=$(date +%s.%N)
    "$python" "$here/torch_twin.py" "$work" "$threads"
    echo "  (the whole command: $(echo "$(date +%s.%N) - $s" | bc) s)"
  done
fi
echo "files in $work (log.csv, loss.svg, w.safetensors)"
