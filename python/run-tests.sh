#!/usr/bin/env bash
# Tests of the Python package: installs it with `pip install ./python` (which builds libspinmdc
# with the static Swift standard library into .build-python/) into the virtual environment
# .venv-python/, then runs python/tests. The tests compare with the spinmd executable in .build/
# (built by `swift build`; SPINMD_BIN overrides).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-python"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/python/tests/requirements.txt"
fi
[ -x "$root/.build/debug/spinmd" ] || [ -n "${SPINMD_BIN:-}" ] || swift build --package-path "$root"
(cd "$root" && "$venv/bin/pip" install -q --disable-pip-version-check ./python)
cd "$root/python/tests"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
