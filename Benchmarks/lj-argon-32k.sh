#!/usr/bin/env bash
# Compares spinmd with LAMMPS on the 32,000-atom LJ argon benchmark (LAMMPS's bench/in.lj in
# metal units), alternating the runs so all see the same machine state. Runs LAMMPS's plain
# `lj/cut` and its optimised `lj/cut/opt` (`-sf opt`), both on one core (one MPI rank, no
# OpenMP), and spinmd on 1 and 2 threads. Prints atom-steps/s per run, the best of each, and
# the ratios. Usage: Benchmarks/lj-argon-32k.sh [repeats=3] [steps=1000]
# spinmd's input is inputs/benchmarks/lj-argon-32k.json with md.steps replaced by `steps`.
# Needs: swift build -c release; apt-get install lammps.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
nsteps=${2:-1000}
spinmd=.build/release/spinmd
[ -x "$spinmd" ] || swift build -c release >/dev/null
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$nsteps" "$tmp/lj.json" <<'PY'
import json, sys
c = json.load(open("inputs/benchmarks/lj-argon-32k.json"))
c["md"]["steps"] = int(sys.argv[1])
c["output"]["thermo"]["every"] = c["output"]["progress_every"] = max(50, int(sys.argv[1]) // 2)
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
declare -A best
record() { # name value
  echo "$1 $2"
  local b=${best[$1]:-0}
  best[$1]=$(python3 -c "print(max($b, $2))")
}
lammps() { # name [lmp args...]
  local name=$1; shift
  (cd "$tmp" && OMP_NUM_THREADS=1 lmp -in "$OLDPWD/inputs/benchmarks/lammps/in.lj-argon-32k" -var steps "$nsteps" -log none "$@" > lammps.out)
  local s
  s=$(grep -oP 'Performance: .*, \K[0-9.]+(?= timesteps/s)' "$tmp/lammps.out")
  record "$name" "$(python3 -c "print(round($s * 32000))")"
}
for r in $(seq "$repeats"); do
  lammps lammps-1core
  lammps lammps-opt-1core -sf opt
  for t in 1 2; do
    "$spinmd" run "$tmp/lj.json" --threads $t --quiet --output-dir "$tmp/spinmd" > "$tmp/spinmd.out"
    record "spinmd-${t}core" "$(grep -oP 'steps/s, \K[0-9.e+]+(?= atom-steps/s)' "$tmp/spinmd.out" | python3 -c 'import sys; print(round(float(sys.stdin.read())))')"
  done
done
echo
echo "best atom-steps/s over $repeats runs of $nsteps steps:"
for k in lammps-1core lammps-opt-1core spinmd-1core spinmd-2core; do printf '  %-16s %12s\n' "$k" "${best[$k]}"; done
python3 -c "
l, lo, s1, s2 = ${best[lammps-1core]}, ${best[lammps-opt-1core]}, ${best[spinmd-1core]}, ${best[spinmd-2core]}
print(f'  spinmd 1 core / LAMMPS lj/cut 1 core:     {s1 / l:.2f}')
print(f'  spinmd 1 core / LAMMPS lj/cut/opt 1 core: {s1 / lo:.2f}')
print(f'  spinmd 2 cores / spinmd 1 core:           {s2 / s1:.2f}')"
