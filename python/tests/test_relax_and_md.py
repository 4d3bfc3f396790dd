"""ASE's optimisers and integrators with the calculator reproduce `spinmd run`."""
import json

import numpy as np
from ase.filters import FrechetCellFilter
from ase.io import read
from ase.md.verlet import VelocityVerlet
from ase.optimize import FIRE

from conftest import ROOT, SHIPPED, nio_afm2_64, run_spinmd
from spinmd import SpinMultiNetCalculator


def pseudo_cubic(cell, repeat=2):
    """Pseudo-cubic lattice parameter [Å] and mean angle between the cell vectors [°]."""
    lengths = cell.lengths()
    return lengths.mean() / repeat, cell.angles().mean()


def test_fire_with_frechet_cell_filter_reproduces_spinmd_relax(tmp_path):
    run_spinmd("run", ROOT / "inputs" / "examples" / "nio-afm2-relax.json", "--output-dir", tmp_path / "run")
    reference = read(tmp_path / "run" / "final.extxyz")
    atoms = nio_afm2_64()
    atoms.calc = SpinMultiNetCalculator(model=str(SHIPPED))
    FIRE(FrechetCellFilter(atoms), logfile=None).run(fmax=1e-3, steps=3000)
    a, angle = pseudo_cubic(atoms.cell)
    a_ref, angle_ref = pseudo_cubic(reference.cell)
    assert abs(a - a_ref) < 1e-3, (a, a_ref)
    assert abs(angle - angle_ref) < 0.005, (angle, angle_ref)
    assert abs(angle_ref - 90) > 0.01, "the AFM-II rhombohedral distortion is there to compare"


def test_velocity_verlet_follows_spinmd_nve(tmp_path):
    """Same start (spinmd's step 0 with its velocities), same integrator: ASE's trajectory and
    energy conservation match spinmd's over 100 fs with self-consistent spins."""
    steps = 100
    config = {
        "structure": {"file": str(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")},
        "potential": {"type": "spinmultinet", "model": str(SHIPPED), "spins": "self-consistent"},
        "task": "md",
        "md": {"ensemble": "nve", "timestep_fs": 1, "steps": steps, "initial_temperature_K": 300, "seed": 4},
        "output": {"directory": str(tmp_path / "run"), "thermo": {"every": 1},
                   "trajectory": {"file": "trajectory.extxyz", "every": 1}},
    }
    (tmp_path / "nve.json").write_text(json.dumps(config))
    run_spinmd("run", tmp_path / "nve.json")
    frames = read(tmp_path / "run" / "trajectory.extxyz", index=":")
    assert len(frames) == steps + 1
    spinmd_total = np.array([f.get_potential_energy() + f.get_kinetic_energy() for f in frames])

    atoms = frames[0].copy()
    atoms.set_momenta(frames[0].get_momenta())
    atoms.calc = SpinMultiNetCalculator(model=str(SHIPPED))
    ase_total = [atoms.get_total_energy()]
    dyn = VelocityVerlet(atoms, timestep=1.0 * 0.09822694788464063)  # 1 fs in ASE time units
    for _ in range(steps):
        dyn.run(1)
        ase_total.append(atoms.get_total_energy())
    ase_total = np.array(ase_total)
    drift_spinmd = np.abs(spinmd_total - spinmd_total[0]).max()
    drift_ase = np.abs(ase_total - ase_total[0]).max()
    assert drift_ase <= 1.5 * drift_spinmd + 2e-4, (drift_ase, drift_spinmd)
    assert np.abs(atoms.positions - frames[-1].positions).max() < 1e-3
    assert abs(ase_total[0] - spinmd_total[0]) < 1e-6


def test_fixed_atoms_relax_like_ase_fixatoms(tmp_path):
    """A relaxation with a quarter of the atoms fixed: `spinmd run` with the indices in the input
    and ASE's FIRE with FixAtoms reach the same structure and energy."""
    from ase.constraints import FixAtoms
    from ase.io import write

    atoms = nio_afm2_64()
    atoms.rattle(0.04, seed=6)
    fixed = list(range(0, 64, 4))
    write(tmp_path / "start.extxyz", atoms)
    config = {
        "structure": {"file": "start.extxyz", "fixed_atoms": fixed},
        "potential": {"type": "spinmultinet", "model": str(SHIPPED), "spins": "self-consistent"},
        "task": "relax", "relax": {"fmax_eV_per_A": 1e-3, "max_steps": 3000},
        "output": {"directory": str(tmp_path / "run")},
    }
    (tmp_path / "relax.json").write_text(json.dumps(config))
    run_spinmd("run", tmp_path / "relax.json")
    reference = read(tmp_path / "run" / "final.extxyz")

    atoms = read(tmp_path / "start.extxyz")
    start = atoms.positions.copy()
    atoms.set_constraint(FixAtoms(fixed))
    atoms.calc = SpinMultiNetCalculator(model=str(SHIPPED))
    FIRE(atoms, logfile=None).run(fmax=1e-3, steps=3000)
    d = reference.get_scaled_positions(wrap=False) - atoms.get_scaled_positions(wrap=False)
    d = (d - np.round(d)) @ atoms.cell.array
    assert np.linalg.norm(d, axis=1).max() < 2e-3
    assert abs(reference.get_potential_energy() - atoms.get_potential_energy()) < 1e-4
    assert np.abs(atoms.positions[fixed] - start[fixed]).max() == 0
    moved = reference.get_scaled_positions(wrap=False)[fixed] - read(tmp_path / "start.extxyz").get_scaled_positions(wrap=False)[fixed]
    assert np.abs(moved - np.round(moved)).max() < 1e-9
