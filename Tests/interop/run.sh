#!/usr/bin/env bash
# Runs the reader interop tests: MDAnalysis, ASE (netCDF4), mdtraj, cpptraj, chemfiles, ParmEd and
# OVITO open the trajectories spinmd writes (with their PDB topologies); and the documentation's
# shell commands (test_docs.py). Creates a virtual environment in .venv-interop/ on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-interop"
# (Re)installs when requirements.txt differs from the copy the last install left in the venv.
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s "$root/Tests/interop/requirements.txt" "$venv/requirements.txt"; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/Tests/interop/requirements.txt"
  cp "$root/Tests/interop/requirements.txt" "$venv/requirements.txt"
fi
[ -x "$root/.build/debug/spinmd" ] || swift build --package-path "$root"
cd "$root/Tests/interop"
PATH="$venv/bin:$PATH" "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
