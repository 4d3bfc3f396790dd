#!/usr/bin/env bash
# Runs a job list on N MPI ranks (default 1), appending frames to OUT.
# Usage: inputs/dft/run-background.sh JOBS OUT [RANKS]
# GPAW 22.8 needs its own interpreter (`gpaw python`) on more than one rank.
# NOTE: --bind-to none: Open MPI binds every rank of a small job to cores counted from core 0,
# so two queues started side by side shared core 0 and each ran at half speed.
set -euo pipefail
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
script="$(dirname "$0")/tmo_dft.py"
if [ "${3:-1}" -gt 1 ]; then
  exec mpirun --bind-to none -np "$3" gpaw python "$script" run "$1" "$2"
else
  exec mpirun --bind-to none -np 1 /usr/bin/python3 "$script" run "$1" "$2"
fi
