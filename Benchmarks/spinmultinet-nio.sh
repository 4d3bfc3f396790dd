#!/usr/bin/env bash
# SpinMultiNet speed on AFM-II NiO supercells (64 and 512 atoms) with the random model
# inputs/models/nio-random.safetensors: ms per atom-step for energy + forces, fixed and
# self-consistent spins, 1 and 2 threads. Usage: Benchmarks/spinmultinet-nio.sh [steps=20] [precision=double|mixed]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20}
precision=${2:-double}
spinmd=.build/release/spinmd
[ -x "$spinmd" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-6s %-16s %-8s %14s %12s\n' atoms spins threads ms/atom-step steps/s
for atoms in 64 512; do
  for spins in fixed self-consistent; do
    for threads in 1 2; do
      cat > "$tmp/in.json" <<JSON
{
  "structure": {"file": "$PWD/inputs/structures/nio-afm2-$atoms.extxyz"},
  "potential": {"type": "spinmultinet", "model": "$PWD/inputs/models/nio-random.safetensors", "spins": "$spins", "precision": "$precision"},
  "task": "md",
  "md": {"ensemble": "nve", "timestep_fs": 1, "steps": $steps, "initial_temperature_K": 300, "seed": 1},
  "output": {"directory": "$tmp/out", "overwrite": true}
}
JSON
      out=$("$spinmd" run "$tmp/in.json" --quiet --threads $threads)
      rate=$(grep -oP 'Performance: .*, \K[0-9.e+]+(?= atom-steps/s)' <<<"$out")
      sps=$(grep -oP '[0-9.e+]+(?= steps/s)' <<<"$out")
      printf '%-6s %-16s %-8s %14.3f %12s\n' "$atoms" "$spins" "$threads" "$(python3 -c "print(1000/$rate)")" "$sps"
    done
  done
done
