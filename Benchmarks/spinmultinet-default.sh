#!/usr/bin/env bash
# The default SpinMultiNet path against its alternatives (issue 22's table): 512-atom AFM-II NiO
# built from "lattice": "rocksalt" (a = 4.17 Å), NVT 300 K, 1 fs, with the shipped model
# inputs/models/tmo-pbeu.safetensors, on 1 and 2 threads, the codes alternating within each
# repeat. Prints ms per atom-step (spinmd's own performance line: every step of the run,
# including the first, whose spins start from the estimates) and the mean spin and adjoint
# iterations per step after the first 5 steps.
#
# Usage: Benchmarks/spinmultinet-default.sh [steps=20] [repeats=1] [baseline-spinmd] [python]
#   baseline-spinmd: another spinmd binary (e.g. an older build) measured in the same repeats.
#   python: a Python with torch, mace-torch and chgnet installed adds MACE-small (random
#   weights) and CHGNet rows (Benchmarks/pytorch_nnp.py); the script does not install them.
# Needs: swift build -c release.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20}
repeats=${2:-1}
baseline=${3:-}
python=${4:-}
spinmd=.build/release/spinmd
[ -x "$spinmd" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model=$PWD/inputs/models/tmo-pbeu.safetensors
write_input() { # file spins members
  cat > "$1" <<JSON
{
  "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.17, "repeat": [4, 4, 4]},
  "initial_magmoms": {"ordering": "afm2", "moments_uB": {"Ni": 2.0}},
  "potential": {"type": "spinmultinet", "model": "$model", "spins": "$2" $3},
  "task": "md",
  "md": {"ensemble": "nvt", "timestep_fs": 1.0, "steps": $steps, "initial_temperature_K": 300, "seed": 7,
         "thermostat": {"temperature_K": 300, "tdamp_fs": 100}},
  "output": {"directory": "$tmp/out", "overwrite": true, "thermo": {"every": 1}}
}
JSON
}
write_input "$tmp/committee-sc.json" self-consistent ""
write_input "$tmp/committee-fixed.json" fixed ""
write_input "$tmp/member1-sc.json" self-consistent ', "members": [1]'
write_input "$tmp/member1-fixed.json" fixed ', "members": [1]'
run() { # binary case threads -> "ms spin adjoint"
  local out
  out=$("$1" run "$tmp/$2.json" --quiet --threads "$3")
  local rate
  rate=$(grep -oP 'steps/s, \K[0-9.e+]+(?= atom-steps/s)' <<<"$out")
  python3 - "$rate" "$tmp/out/thermo.tsv" <<'PY'
import sys
rate, path = float(sys.argv[1]), sys.argv[2]
rows = [l.rstrip("\n").split("\t") for l in open(path)]
head, body = rows[0], [r for r in rows[1:] if int(r[0]) > 5]
def mean(name):
    if name not in head or not body: return "-"
    k = head.index(name)
    return f"{sum(float(r[k]) for r in body) / len(body):.2f}"
print(f"{1000 / rate:.3f} {mean('spin_iterations')} {mean('adjoint_iterations')}")
PY
}
printf '%-8s %-34s %-8s %14s %10s %12s\n' repeat path threads ms/atom-step spin/step adjoint/step
for r in $(seq "$repeats"); do
  for threads in 1 2; do
    for case in committee-sc committee-fixed member1-sc member1-fixed; do
      for bin in "$spinmd" $baseline; do
        label="$case"; [ "$bin" != "$spinmd" ] && label="$case (baseline)"
        read -r ms sp ad <<<"$(run "$bin" "$case" "$threads")"
        printf '%-8s %-34s %-8s %14s %10s %12s\n' "$r" "$label" "$threads" "$ms" "$sp" "$ad"
      done
    done
    if [ -n "$python" ]; then
      for nnp in mace-small chgnet; do
        ms=$(OMP_NUM_THREADS=$threads "$python" Benchmarks/pytorch_nnp.py "$nnp" --steps "$steps" --threads "$threads")
        printf '%-8s %-34s %-8s %14s %10s %12s\n' "$r" "$nnp (PyTorch)" "$threads" "$ms" - -
      done
    fi
  done
done
