#!/usr/bin/env bash
# Runs job lists one after the other: run-queue.sh RANKS JOBS1 OUT1 [JOBS2 OUT2 ...]
set -euo pipefail
ranks="$1"; shift
while [ $# -ge 2 ]; do
  "$(dirname "$0")/run-background.sh" "$1" "$2" "$ranks"
  shift 2
done
