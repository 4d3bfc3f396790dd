"""What ASE users hand to spinmd: constraints in extxyz and POSCAR files written by ASE, an
INCAR's MAGMOM, and the relaxed structure read back by ASE with its constraints."""
import json

import ase.io
import numpy as np
from ase.build import bulk
from ase.constraints import FixAtoms, FixCartesian, FixScaled

from conftest import run_spinmd

LJ = {"type": "lennard-jones", "cutoff_A": 5.0, "truncation": "smooth",
      "species": {"Ni": {"epsilon_eV": 0.02, "sigma_A": 2.3}, "O": {"epsilon_eV": 0.01, "sigma_A": 2.8}}}


def slab(seed=2):
    """A rattled NiO (001) slab, 2×2 cells wide and 2 thick, with 8 Å of vacuum."""
    atoms = bulk("NiO", "rocksalt", a=4.17, cubic=True).repeat((2, 2, 2))
    atoms.center(vacuum=4.0, axis=2)
    atoms.rattle(0.05, seed=seed)
    return atoms


def fixed_mask(atoms):
    """(N, 3) booleans, True = fixed, from ASE's constraints (FixAtoms, FixCartesian, FixScaled)."""
    mask = np.zeros((len(atoms), 3), bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            mask[c.index] = True
        elif isinstance(c, (FixCartesian, FixScaled)):
            mask[c.index] |= c.mask
    return mask


def displacements(start, end):
    """Cartesian displacements modulo the lattice (spinmd wraps atoms into the cell)."""
    d = end.get_scaled_positions(wrap=False) - start.get_scaled_positions(wrap=False)
    return (d - np.round(d)) @ start.cell.array


def relax(tmp_path, structure, steps=2000):
    (tmp_path / "input.json").write_text(json.dumps({
        "structure": structure, "potential": LJ, "task": "relax",
        "relax": {"fmax_eV_per_A": 1e-3, "max_steps": steps}, "output": {"directory": "out"}}))
    return run_spinmd("run", "input.json", cwd=tmp_path)


def test_extxyz_constraints_from_ase_are_honoured_and_come_back(tmp_path):
    atoms = slab()
    z = atoms.positions[:, 2]
    bottom = np.flatnonzero(z < z.min() + 1.0)
    second = np.flatnonzero((z > z.min() + 1.0) & (z < z.min() + 3.0))
    atoms.set_constraint([FixAtoms(bottom), FixCartesian(second, mask=(False, False, True))])
    ase.io.write(tmp_path / "slab.extxyz", atoms)
    atoms = ase.io.read(tmp_path / "slab.extxyz")  # as written (8 decimals)
    log = relax(tmp_path, {"file": "slab.extxyz"}).stdout
    assert f"constraints: {len(bottom)} of {len(atoms)} atoms fixed, {len(second)} fixed along some Cartesian directions (extxyz move_mask)" in log

    relaxed = ase.io.read(tmp_path / "out" / "final.extxyz")
    np.testing.assert_array_equal(fixed_mask(relaxed), fixed_mask(atoms))
    moved = displacements(atoms, relaxed)
    assert np.abs(moved[bottom]).max() < 1e-9
    assert np.abs(moved[second, 2]).max() < 1e-9
    assert np.abs(moved[second, :2]).max() > 1e-3
    free = np.setdiff1d(np.arange(len(atoms)), np.concatenate([bottom, second]))
    assert np.linalg.norm(moved[free], axis=1).max() > 1e-2
    # ASE applies the constraints to the forces spinmd wrote: the relaxed free directions are below fmax.
    assert np.linalg.norm(relaxed.get_forces(), axis=1).max() < 1e-3
    assert np.linalg.norm(relaxed.get_forces(apply_constraint=False)[bottom], axis=1).max() > 1e-3


def test_poscar_selective_dynamics_from_ase_and_incar_magmom(tmp_path):
    atoms = bulk("NiO", "rocksalt", a=4.17, cubic=True).repeat((2, 2, 1))
    atoms.set_cell(atoms.cell + [[0, 0, 0], [0.4, 0, 0], [0, 0.3, 0]], scale_atoms=True)  # skewed: lattice ≠ Cartesian
    atoms.rattle(0.05, seed=3)
    atoms.set_constraint([FixAtoms([0, 1]), FixScaled(2, [False, False, True], atoms.cell), FixScaled(5, [True, False, False], atoms.cell)])
    ase.io.write(tmp_path / "POSCAR", atoms, format="vasp", direct=True)
    atoms = ase.io.read(tmp_path / "POSCAR")
    np.testing.assert_array_equal(fixed_mask(atoms)[[0, 1, 2, 5]], [[1, 1, 1], [1, 1, 1], [0, 0, 1], [1, 0, 0]])
    moments = [2.0 if s == "Ni" else 0.0 for s in atoms.get_chemical_symbols()]
    moments[0] = -2.0
    (tmp_path / "INCAR").write_text("SYSTEM = NiO\nISPIN = 2   ! spin polarised\nMAGMOM = -2 0 " + " ".join(
        f"{m:g}" for m in moments[2:]) + "\nENCUT = 520 ; EDIFF = 1E-6\nLDAU = .TRUE.\n")
    log = relax(tmp_path, {"file": "POSCAR", "incar": "INCAR"}).stdout
    assert "constraints: 2 of 32 atoms fixed, 2 fixed along some lattice directions (POSCAR selective dynamics)" in log
    assert "tags ignored: SYSTEM, ISPIN, ENCUT, EDIFF, LDAU" in log

    relaxed = ase.io.read(tmp_path / "out" / "final.extxyz")
    np.testing.assert_allclose(relaxed.get_initial_magnetic_moments(), moments)
    start, end = atoms.get_scaled_positions(wrap=False), relaxed.get_scaled_positions(wrap=False)
    d = end - start
    d -= np.round(d)
    assert np.abs(d[[0, 1]]).max() < 1e-9
    assert abs(d[2, 2]) < 1e-9 and abs(d[5, 0]) < 1e-9, "fractional coordinates held as VASP holds them"
    assert np.abs(d[2, :2]).max() > 1e-4 and np.abs(d[5, 1:]).max() > 1e-4
    # A skewed cell: its lattice directions have no Cartesian move_mask, so the extxyz carries
    # none, and the log says so.
    assert relaxed.constraints == []
    assert "cannot be written as extxyz move_mask" in log
