#!/usr/bin/env bash
# pair_style spinmd in LAMMPS against `spinmd run` on the same system: the 512-atom AFM-II NiO of
# inputs/lammps/nio-afm2-512.in (shipped committee, self-consistent spins, NVE 300 K, 1 fs),
# alternating within each repeat. Prints wall seconds per MD step: `spinmd run` from its
# performance line (whole run), LAMMPS from its "Loop time" (the run, setup excluded), on
# 1 rank × 1 thread, 1 rank × 2 threads and 2 ranks × 1 thread, and the pair style's spin and
# adjoint iterations over the run.
#
# Usage: Benchmarks/lammps-spinmd.sh [steps=20] [repeats=2]
# Needs: swift build -c release; lammps/build.sh (into .venv-lammps, Tests/lammps/run.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20}
repeats=${2:-2}
venv=${LAMMPS_VENV:-.venv-lammps}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/nve.json" <<JSON
{"structure": {"file": "$PWD/inputs/structures/nio-afm2-512.extxyz"},
 "potential": {"type": "spinmultinet", "model": "$PWD/inputs/models/tmo-pbeu.safetensors", "spins": "self-consistent"},
 "task": "md", "md": {"ensemble": "nve", "timestep_fs": 1, "steps": $steps, "initial_temperature_K": 300, "seed": 4},
 "output": {"directory": "$tmp/out", "overwrite": true, "thermo": {"every": $steps}}}
JSON
spinmd_run() { # threads
  local rate
  rate=$(.build/release/spinmd run "$tmp/nve.json" --quiet --threads "$1" | grep -oP 'steps/s, \K[0-9.e+]+(?= atom-steps/s)')
  python3 -c "print(f'{512 / $rate:.3f}')"
}
lammps_run() { # ranks threads
  local out
  out=$("$venv/bin/mpirun" -np "$1" "$venv/bin/lmp" -in inputs/lammps/nio-afm2-512.in -var steps "$steps" -var threads "$2" -log none -nocite)
  python3 - "$steps" <<PY
import re, sys
text = """$out"""
loop = float(re.search(r"Loop time of ([0-9.e+]+)", text).group(1))
print(f"{loop / int(sys.argv[1]):.3f}")
PY
}
printf '%-7s %-28s %10s\n' repeat code s/step
for r in $(seq "$repeats"); do
  printf '%-7s %-28s %10s\n' "$r" "spinmd run, 1 thread" "$(spinmd_run 1)"
  printf '%-7s %-28s %10s\n' "$r" "LAMMPS 1 rank x 1 thread" "$(lammps_run 1 1)"
  printf '%-7s %-28s %10s\n' "$r" "spinmd run, 2 threads" "$(spinmd_run 2)"
  printf '%-7s %-28s %10s\n' "$r" "LAMMPS 1 rank x 2 threads" "$(lammps_run 1 2)"
  printf '%-7s %-28s %10s\n' "$r" "LAMMPS 2 ranks x 1 thread" "$(lammps_run 2 1)"
done
