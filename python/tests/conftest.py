"""Shared helpers of the Python package's tests: the spinmd executable, structures, comparisons."""
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import read

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "inputs" / "models" / "tmo-pbeu.safetensors"


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


def nio_afm2_64():
    """The 64-atom AFM-II NiO of inputs/structures (a = 4.17 Å), with its initial moments."""
    return read(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")


def triclinic_mno(seed=3):
    """A strained, rattled 16-atom MnO/NiO cell (rhombohedral primitive vectors, 2×2×2) with a
    random ±moment pattern: no symmetry left."""
    atoms = bulk("MnO", "rocksalt", a=4.45).repeat((2, 2, 2))
    rng = np.random.default_rng(seed)
    atoms.symbols[[2, 10]] = "Ni"
    strain = np.eye(3) + 0.03 * rng.standard_normal((3, 3))
    atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
    atoms.rattle(0.05, seed=seed)
    magnitudes = np.where(atoms.numbers == 8, 0.0, np.where(atoms.numbers == 25, 4.5, 1.8))
    atoms.set_initial_magnetic_moments(magnitudes * rng.choice([-1.0, 1.0], len(atoms)))
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


def assert_close(actual, expected, rtol=1e-10, what=""):
    """|actual − expected| ≤ rtol · max(|expected|, 1e-300) elementwise over the array's scale."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(np.abs(expected).max(), 1e-300)
    worst = np.abs(actual - expected).max() / scale
    assert worst <= rtol, f"{what}: largest difference {worst:.3g} of the largest value ({scale:.3g}) > {rtol}"
