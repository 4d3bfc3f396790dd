"""Shared helpers of the LAMMPS plugin's tests: LAMMPS runs (1 or 2 MPI ranks), `spinmd eval`,
structures and comparisons.

Runs LAMMPS from .venv-lammps (Tests/lammps/run.sh creates it and builds the plugin); LAMMPS_VENV,
SPINMD_PLUGIN and SPINMD_BIN override the virtual environment, the plugin and the spinmd
executable."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import read

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "inputs" / "lammps"))
from make_data import lammps_frame, write_data  # noqa: E402

SHIPPED = ROOT / "inputs" / "models" / "tmo-pbeu.safetensors"
VENV = Path(os.environ.get("LAMMPS_VENV", ROOT / ".venv-lammps"))
LMP = VENV / "bin" / "lmp"
MPIRUN = VENV / "bin" / "mpirun"
PLUGIN = Path(os.environ.get("SPINMD_PLUGIN", ROOT / "lammps" / "build" / "spinmdplugin.so"))
# LAMMPS metal units: pressure [bar] = virial [eV] / volume [Å³] × nktv2p.
NKTV2P_METAL = 1.6021765e6


def spinmd_binary() -> str:
    """SPINMD_BIN, else the debug or release build in .build/."""
    if os.environ.get("SPINMD_BIN"):
        return os.environ["SPINMD_BIN"]
    for build in ("debug", "release"):
        candidate = ROOT / ".build" / build / "spinmd"
        if candidate.exists():
            return str(candidate)
    pytest.exit("spinmd is not built: run `swift build` first (or set SPINMD_BIN)", returncode=2)


def run_spinmd(*args, cwd=ROOT):
    result = subprocess.run([spinmd_binary(), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def run_lammps(script, directory, ranks=1, check=True, timeout=1800):
    """Writes `script` to directory/in.lmp and runs LAMMPS on it with `ranks` MPI processes.
    Returns the CompletedProcess (stdout holds LAMMPS's screen output)."""
    if not LMP.exists():
        pytest.exit(f"no LAMMPS at {LMP}: run Tests/lammps/run.sh (it creates .venv-lammps)", returncode=2)
    if not PLUGIN.exists():
        pytest.exit(f"no plugin at {PLUGIN}: run lammps/build.sh", returncode=2)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "in.lmp").write_text(script)
    command = [str(LMP), "-in", "in.lmp", "-log", "log.lammps", "-nocite"]
    if ranks > 1:
        command = [str(MPIRUN), "-np", str(ranks)] + command
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("LAMMPS_PLUGIN_PATH", None)
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert result.returncode == 0, f"LAMMPS failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def nio_afm2_64():
    """The 64-atom AFM-II NiO of inputs/structures (a = 4.17 Å), with its initial moments."""
    return read(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")


def triclinic_mno(seed=3):
    """A strained, rattled 16-atom MnO/NiO cell (rhombohedral primitive vectors, 2×2×2) with a
    random ±moment pattern: no symmetry left (as python/tests)."""
    atoms = bulk("MnO", "rocksalt", a=4.45).repeat((2, 2, 2))
    rng = np.random.default_rng(seed)
    atoms.symbols[[2, 10]] = "Ni"
    strain = np.eye(3) + 0.03 * rng.standard_normal((3, 3))
    atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
    atoms.rattle(0.05, seed=seed)
    magnitudes = np.where(atoms.numbers == 8, 0.0, np.where(atoms.numbers == 25, 4.5, 1.8))
    atoms.set_initial_magnetic_moments(magnitudes * rng.choice([-1.0, 1.0], len(atoms)))
    return atoms


def triclinic_nio_64(seed=7):
    """The 64-atom AFM-II NiO sheared into a general triclinic cell and rattled: large enough
    that two ranks each own a slab thicker than the cutoff."""
    atoms = nio_afm2_64()
    rng = np.random.default_rng(seed)
    strain = np.eye(3) + 0.04 * rng.standard_normal((3, 3))
    atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
    atoms.rattle(0.04, seed=seed)
    return atoms


def canted(atoms, seed=5):
    """The same atoms with vector initial moments: each collinear moment tilted off z."""
    atoms = atoms.copy()
    m = atoms.get_initial_magnetic_moments()
    rng = np.random.default_rng(seed)
    tilt = 0.3 * rng.standard_normal((len(atoms), 2))
    vectors = np.column_stack([m * tilt[:, 0], m * tilt[:, 1], m])
    atoms.set_array("initial_magmoms", None)
    atoms.set_initial_magnetic_moments(vectors)
    return atoms


def pair_script(data, specorder, spins="self-consistent", vector=False, extra_style="", model=SHIPPED,
                before_run="", run="run 0", plugin=PLUGIN):
    """A LAMMPS input evaluating the data file once: energy, virial and volume on a RESULT line,
    forces and converged moments in forces.dump (sorted by ID, full precision)."""
    m0 = "d2_m0 3" if vector else "d_m0"
    m = "d2_m 3" if vector else "d_m"
    moment_columns = "d2_m[1] d2_m[2] d2_m[3]" if vector else "d_m"
    return f"""
plugin load {plugin}
units metal
atom_style atomic
boundary p p p
fix m0 all property/atom {m0}
read_data {data} fix m0 NULL Moments
fix m all property/atom {m}
pair_style spinmd {model} spins {spins} threads 1 moments {m0.split()[0]} output {m.split()[0]} {extra_style}
pair_coeff * * {' '.join(specorder)}
compute vir all pressure NULL virial
compute spin all pair spinmd
thermo_style custom step pe c_vir[1] c_vir[2] c_vir[3] c_vir[4] c_vir[5] c_vir[6] vol c_spin[1] c_spin[2]
thermo_modify format float %.17g
dump forces all custom 1 forces.dump id type x y z fx fy fz {moment_columns}
dump_modify forces sort id format float %.17g
{before_run}
{run}
print "RESULT $(pe:%.17g) $(c_vir[1]:%.17g) $(c_vir[2]:%.17g) $(c_vir[3]:%.17g) $(c_vir[4]:%.17g) $(c_vir[5]:%.17g) $(c_vir[6]:%.17g) $(vol:%.17g)"
"""


def parse_result(stdout):
    """Energy [eV] and virial W [eV] (3×3, LAMMPS frame) from the RESULT line."""
    match = re.search(r"^RESULT (.*)$", stdout, re.MULTILINE)
    assert match, stdout[-3000:]
    pe, pxx, pyy, pzz, pxy, pxz, pyz, volume = map(float, match.group(1).split())
    p = np.array([[pxx, pxy, pxz], [pxy, pyy, pyz], [pxz, pyz, pzz]])
    return pe, p * volume / NKTV2P_METAL


def read_dump(path):
    """(ids, types, positions, forces, moments) of the first frame of a sorted custom dump."""
    lines = Path(path).read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith("ITEM: ATOMS")))
    count = int(lines[3])
    rows = np.array([[float(v) for v in line.split()] for line in lines[start + 1:start + 1 + count]])
    moments = rows[:, 8:]
    return rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2:5], rows[:, 5:8], moments[:, 0] if moments.shape[1] == 1 else moments


def assert_close(actual, expected, atol, what=""):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    worst = np.abs(actual - expected).max()
    assert worst <= atol, f"{what}: largest difference {worst:.3g} > {atol}"
    return worst


__all__ = ["ROOT", "SHIPPED", "LMP", "MPIRUN", "PLUGIN", "write_data", "lammps_frame", "run_spinmd", "run_lammps", "nio_afm2_64",
           "triclinic_mno", "triclinic_nio_64", "canted", "pair_script", "parse_result", "read_dump", "assert_close"]
