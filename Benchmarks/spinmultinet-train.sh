#!/usr/bin/env bash
# Training throughput of SpinMultiNet (frames/s) on 4-atom and 16-atom TMO cells with the
# architecture of inputs/models/tmo-pbeu.train.json, 1 and 2 threads.
# Usage: Benchmarks/spinmultinet-train.sh [epochs]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-20}"
swift build -c release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for cells in 4atom 16atom; do
  cat > "$work/$cells.json" <<JSON
{
  "data": {"train": "$PWD/inputs/benchmarks/tmo-$cells.extxyz", "validation_fraction": 0.125, "test_fraction": 0.0},
  "model": {"species": ["Ni", "Mn", "O"], "cutoff_A": 5.0, "channels": 16, "layers": 2, "hidden": 32, "moment_coupling": "normalized"},
  "epochs": $epochs, "batch_size": 4, "early_stopping_patience": null,
  "output": {"directory": "$work/out-$cells"}
}
JSON
  for threads in 1 2; do
    printf '%-7s %d thread(s): ' "$cells" "$threads"
    .build/release/spinmd train "$work/$cells.json" --overwrite --quiet --threads "$threads" | grep '^performance'
  done
done
