#!/usr/bin/env bash
# Streamed against in memory (issue 25, BENCHMARKS.md "Data beyond memory"): nnetc train on the same
# rows of a genotype file, with and without --stream, alternated RUNS times, 2 epochs each (the first
# reads the file either way; in memory the second reads nothing). Prints, per run, each epoch's
# samples/s and seconds (from the epoch lines), the wall and CPU time and the peak RSS of the run.
#
# Usage: bench/scale/stream_ab.sh DIR [RUNS] [HEAP]
#   DIR holds gennet.nnet (make_networks.py), genotype_100000.h5 or .npy (make_genotype.py),
#   rows10k.csv (a header "row", then 0..9999) and labels_10k.npy (the first 10,000 labels).
set -euo pipefail
dir=$1 runs=${2:-3} heap=${3:-4g}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
input="$dir/genotype_100000.h5"
[ -f "$input" ] || input="$dir/genotype_100000.npy"
out=$(mktemp -d)
for run in $(seq 1 "$runs"); do
  for mode in memory stream; do
    flag=(); [ "$mode" = stream ] && flag=(--stream)
    JAVA_TOOL_OPTIONS=-Xmx$heap /usr/bin/time -f "wall %e s, CPU %U s user + %S s system, peak RSS %M KB" -o "$out/time" \
      "$here/nnetc" train "$dir/gennet.nnet" --input "$input" --rows "$dir/rows10k.csv:row" --target "$dir/labels_10k.npy" \
      --epochs 2 "${flag[@]}" -o "$out/w.safetensors" 2> "$out/err" > /dev/null
    epochs=$(grep -o 'epoch [0-9]/2: .*' "$out/err" | sed -E 's/.* ([0-9,]+ samples\/s), ([0-9.]+ s)$/\1 in \2/' | paste -sd ';' -)
    echo "run $run $mode: $epochs; $(cat "$out/time")"
  done
done
rm -rf "$out"
