"""The installed package stands alone: its library needs only system libraries (no Swift
runtime), it works without Swift on PATH, and C programs can use it through the header."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SHIPPED
import spinmd

# glibc (libc, libm, the loader), GCC's C++ runtime (the static Swift runtime uses it), and the two
# Debian libraries spinmd links: NetCDF (trajectories) and OpenBLAS (the network's radial MLPs).
ALLOWED = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libstdc++.so.6", "libgcc_s.so.1",
           "libnetcdf.so.19", "libopenblas.so.0"}


def test_library_needs_only_system_libraries():
    path = spinmd.library_path()
    dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic))
    assert needed and needed <= ALLOWED, f"{path} needs {sorted(needed - ALLOWED)} beyond the system libraries"
    resolved = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    assert "not found" not in resolved, resolved
    assert "swift" not in resolved.lower(), f"a Swift runtime library is loaded:\n{resolved}"


def test_works_without_a_swift_toolchain_on_the_path(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    script = ("import spinmd; from ase.build import bulk; a = bulk('NiO', 'rocksalt', a=4.17, cubic=True); "
              "a.set_initial_magnetic_moments([2, 0, -2, 0, 2, 0, -2, 0]); a.calc = spinmd.SpinMultiNetCalculator(); "
              "print(a.get_potential_energy())")
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 0


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_c_program_through_the_header(tmp_path):
    lib = spinmd.library_path().parent
    exe = tmp_path / "evaluate"
    subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-std=c11", "-I", str(ROOT / "Sources" / "CSpinMD" / "include"),
                    str(ROOT / "python" / "examples" / "evaluate.c"), "-L", str(lib), "-lspinmdc", f"-Wl,-rpath,{lib}",
                    "-lm", "-o", str(exe)], check=True)
    result = subprocess.run([str(exe), str(SHIPPED)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    energy = float(re.search(r"energy (\S+) eV", result.stdout).group(1))
    assert "expected error: moment_components is 2" in result.stdout

    a = 4.17
    fcc = np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    positions = a * np.vstack([fcc, (fcc + [0.5, 0, 0]) % 1.0])
    moments = [2.0 if f[2] == 0 else -2.0 for f in fcc] + [0.0] * 4
    r = spinmd.Model(str(SHIPPED)).evaluate([28] * 4 + [8] * 4, positions, a * np.eye(3), True, moments)
    assert abs(r["energy"] - energy) < 1e-10
