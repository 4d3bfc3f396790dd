#!/usr/bin/env bash
# Runs a job list in the background on N MPI ranks (default 1), appending frames to OUT.
# Usage: inputs/dft/run-background.sh JOBS OUT [RANKS]
set -euo pipefail
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
exec mpirun -np "${3:-1}" /usr/bin/python3 "$(dirname "$0")/tmo_dft.py" run "$1" "$2"
