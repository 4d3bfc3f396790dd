"""Shared fixtures: the spinmd executable and a scratch directory with trajectories it wrote."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def spinmd_binary() -> str:
    """SPINMD_BIN, else the debug or release build in .build/."""
    env = os.environ.get("SPINMD_BIN")
    if env:
        return env
    for build in ("debug", "release"):
        candidate = ROOT / ".build" / build / "spinmd"
        if candidate.exists():
            return str(candidate)
    pytest.exit("spinmd is not built: run `swift build` first (or set SPINMD_BIN)", returncode=2)


def run_spinmd(*args, cwd):
    result = subprocess.run([spinmd_binary(), *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def nio_supercell_extxyz(path: Path, seed: int = 1):
    """A 32-atom rocksalt NiO supercell of the rhombohedral AFM-II cell (a triclinic cell whose
    angles are 33.6°), rattled, with AFM-II moments."""
    a, h = 4.17, 4.17 / 2
    v1, v2, v3 = np.array([h, h, 0]), np.array([0, h, h]), np.array([h, 0, h])
    cell = np.array([v1 + v2, v2 + v3, v1 + v3])
    base = [(np.zeros(3), "Ni", 2.0), (v1 + v2 + v3, "Ni", -2.0), (0.5 * (v1 + v2 + v3), "O", 0.0), (1.5 * (v1 + v2 + v3), "O", 0.0)]
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(2):
        for j in range(2):
            for k in range(2):
                for p, s, m in base:
                    r = p + i * cell[0] + j * cell[1] + k * cell[2] + rng.normal(0, 0.05, 3)
                    lines.append(f"{s} {r[0]:.10f} {r[1]:.10f} {r[2]:.10f} {m:.1f}")
    lattice = " ".join(f"{x:.10f}" for x in (2 * cell).flatten())
    path.write_text(f"{len(lines)}\nLattice=\"{lattice}\" Properties=species:S:1:pos:R:3:initial_magmoms:R:1 pbc=\"T T T\"\n"
                    + "\n".join(lines) + "\n")


def md_input(trajectory: str, steps: int = 20, every: int = 5, extra_output: str = "", velocity_units: str = "amber") -> str:
    options = f', "velocities": true, "velocity_units": "{velocity_units}", "forces": true' if trajectory.endswith(".nc") else ""
    return f"""{{
  "structure": {{"file": "nio.extxyz"}},
  "potential": {{"type": "lennard-jones", "cutoff_A": 5.0, "truncation": "smooth",
                "species": {{"Ni": {{"epsilon_eV": 0.02, "sigma_A": 2.3}}, "O": {{"epsilon_eV": 0.01, "sigma_A": 2.8}}}}}},
  "task": "md",
  "md": {{"ensemble": "nve", "timestep_fs": 1, "steps": {steps}, "initial_temperature_K": 300, "seed": 3}},
  "output": {{"directory": "out", "overwrite": true, "thermo": {{"every": {every}}},
             "trajectory": {{"file": "{trajectory}", "every": {every}{options}}}{extra_output}}}
}}
"""


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """Three identical seeded runs: one writing AMBER NetCDF (+ restart), one the same with
    velocities in Å/ps ("ps"), and one writing extxyz, which serves as the reference (spinmd's
    extxyz keeps the original orientation and full precision)."""
    base = tmp_path_factory.mktemp("interop")
    for name, trajectory, extra, units in (("nc", "traj.nc", ', "restart": {"file": "restart.ncrst"}', "amber"),
                                           ("ps", "traj.nc", "", "A/ps"), ("xyz", "traj.extxyz", "", "amber")):
        d = base / name
        d.mkdir()
        nio_supercell_extxyz(d / "nio.extxyz")
        (d / "input.json").write_text(md_input(trajectory, extra_output=extra, velocity_units=units))
        run_spinmd("run", "input.json", "--quiet", "--threads", "1", cwd=d)
    return base


@pytest.fixture(scope="session")
def reference(runs):
    """Frames of the extxyz run, rotated to the standard orientation (a ∥ x, b in xy), with
    velocities in Å/ps and forces in eV/Å."""
    import ase.io
    import ase.units

    frames = []
    for atoms in ase.io.read(runs / "xyz" / "out" / "traj.extxyz", ":"):
        a, b = atoms.cell[0], atoms.cell[1]
        e1 = a / np.linalg.norm(a)
        bp = b - b.dot(e1) * e1
        e2 = bp / np.linalg.norm(bp)
        rotation = np.array([e1, e2, np.cross(e1, e2)])
        frames.append({
            "positions": atoms.positions @ rotation.T,
            "velocities": atoms.get_velocities() @ rotation.T * ase.units.fs * 1000,  # Å/ps
            "forces": atoms.get_forces() @ rotation.T,  # ASE moves extxyz forces to a calculator
            "cellpar": atoms.cell.cellpar(),
            "numbers": atoms.numbers,
            "time_ps": float(atoms.info["time_fs"]) / 1000,
        })
    return frames


def cpptraj_available():
    return shutil.which("cpptraj") is not None
