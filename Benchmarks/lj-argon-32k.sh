#!/usr/bin/env bash
# Compares spinmd with LAMMPS on the 32,000-atom LJ argon benchmark (LAMMPS's bench/in.lj in
# metal units), alternating the runs so both see the same machine state. Prints atom-steps/s
# per run and the best of each. Usage: Benchmarks/lj-argon-32k.sh [repeats=3]
# Needs: swift build -c release; apt-get install lammps.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
spinmd=.build/release/spinmd
[ -x "$spinmd" ] || swift build -c release >/dev/null
command -v lmp >/dev/null || { echo "lmp not found: apt-get install -y lammps" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A best
record() { # name value
  echo "$1 $2"
  local b=${best[$1]:-0}
  best[$1]=$(python3 -c "print(max($b, $2))")
}
for r in $(seq "$repeats"); do
  (cd "$tmp" && OMP_NUM_THREADS=1 lmp -in "$OLDPWD/inputs/benchmarks/lammps/in.lj-argon-32k" -log none > lammps.out)
  steps=$(grep -oP 'Performance: .*, \K[0-9.]+(?= timesteps/s)' "$tmp/lammps.out")
  record lammps-1core "$(python3 -c "print(round($steps * 32000))")"
  for t in 1 2; do
    "$spinmd" run inputs/benchmarks/lj-argon-32k.json --threads $t --quiet --output-dir "$tmp/spinmd" > "$tmp/spinmd.out"
    record "spinmd-${t}core" "$(grep -oP 'steps/s, \K[0-9.e+]+(?= atom-steps/s)' "$tmp/spinmd.out" | python3 -c 'import sys; print(round(float(sys.stdin.read())))')"
  done
done
echo
echo "best atom-steps/s over $repeats runs:"
for k in lammps-1core spinmd-1core spinmd-2core; do printf '  %-13s %12s\n' "$k" "${best[$k]}"; done
python3 -c "
l, s1, s2 = ${best[lammps-1core]}, ${best[spinmd-1core]}, ${best[spinmd-2core]}
print(f'  spinmd 1 core / LAMMPS 1 core: {s1 / l:.2f}')
print(f'  spinmd 2 cores / spinmd 1 core: {s2 / s1:.2f}')"
