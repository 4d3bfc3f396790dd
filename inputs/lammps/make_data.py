"""Writes a LAMMPS data file (atom_style atomic, units metal) from an extxyz structure, with its
initial magnetic moments in a section that `fix property/atom` reads:

    python inputs/lammps/make_data.py [STRUCTURE.extxyz] [OUT.data]

(default: inputs/structures/nio-afm2-512.extxyz → inputs/lammps/nio-afm2-512.data). The input
script reads the moments with

    fix m0 all property/atom d_m0            # collinear: one value per atom [μB]
    read_data nio-afm2-512.data fix m0 NULL Moments

or, for vector moments (3 columns), `fix m0 all property/atom d2_m0 3`. Types follow the order of
the elements' first appearance (NiO: 1 Ni, 2 O), as the `pair_coeff * * Ni O` line must.

LAMMPS wants a restricted triclinic cell (a along x, b in the xy plane): `write_data` rotates a
general cell into that frame (ASE's lammps-data writer does it) and returns the rotation so
vectors (forces) can be compared in LAMMPS's frame. Vector moments are rotated with the cell:
SpinMultiNet is invariant when positions and spins rotate together, but its moment predictor, and
so self-consistent spins, change when only the positions rotate. Collinear moments lie along z,
which must therefore stay z: a cell whose rotation moves z is refused (give vector moments, or
rotate the structure first with `lammps_frame`).

Needs numpy and ase (lammps/requirements.txt).
"""
import sys
from pathlib import Path

import numpy as np
from ase.calculators.lammps import Prism
from ase.data import atomic_masses, atomic_numbers
from ase.io import read, write

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def species_order(atoms):
    """Element symbols in order of first appearance: LAMMPS type k + 1 is element k."""
    order = []
    for symbol in atoms.get_chemical_symbols():
        if symbol not in order:
            order.append(symbol)
    return order


def lammps_frame(atoms):
    """A copy of `atoms` rotated into LAMMPS's frame (a along x, b in the xy plane), vector
    moments and velocities rotated with it."""
    prism = Prism(atoms.get_cell())
    rotated = atoms.copy()
    rotated.set_cell(prism.vector_to_lammps(atoms.get_cell().array))
    rotated.set_positions(prism.vector_to_lammps(atoms.get_positions()))
    rotated.set_velocities(prism.vector_to_lammps(atoms.get_velocities()))
    moments = np.asarray(atoms.get_initial_magnetic_moments(), dtype=float)
    if moments.ndim == 2:
        rotated.set_initial_magnetic_moments(prism.vector_to_lammps(moments))
    return rotated


def write_data(atoms, path, specorder=None, section="Moments", velocities=False):
    """Writes `atoms` as a LAMMPS data file at `path` and returns (specorder, prism).

    The initial magnetic moments go into a `section` of the data file: one column when they are
    collinear (N,), three when they are vectors (N, 3), rotated into LAMMPS's frame. With
    velocities=True the atoms' velocities are written too (Å/ps). prism.vector_to_lammps(v)
    rotates ASE vectors into LAMMPS's frame."""
    specorder = specorder or species_order(atoms)
    prism = Prism(atoms.get_cell())
    rotation = prism.vector_to_lammps(np.eye(3))
    if np.linalg.det(rotation) < 0:
        raise ValueError("left-handed cell: LAMMPS's frame would mirror it; swap two cell vectors first")
    moments = np.asarray(atoms.get_initial_magnetic_moments(), dtype=float)
    if moments.ndim == 2:
        moments = prism.vector_to_lammps(moments)
    elif np.abs(rotation[2] - [0.0, 0.0, 1.0]).max() > 1e-12 and np.any(moments != 0):
        raise ValueError("LAMMPS's frame rotates this cell's z axis, along which collinear moments lie: "
                         "write vector moments, or rotate the structure first (lammps_frame)")
    path = Path(path)
    with open(path, "w") as fd:
        write(fd, atoms, format="lammps-data", specorder=specorder, units="metal",
              atom_style="atomic", velocities=velocities, prismobj=prism)
    with open(path, "a") as fd:
        # The standard atomic weights spinmd uses too (ASE's writer rounds them through a unit
        # conversion).
        fd.write("\nMasses\n\n")
        for k, symbol in enumerate(specorder):
            fd.write(f"{k + 1} {float(atomic_masses[atomic_numbers[symbol]])!r} # {symbol}\n")
        fd.write(f"\n{section}\n\n")
        for i, m in enumerate(moments.reshape(len(atoms), -1)):
            fd.write(f"{i + 1} " + " ".join(repr(float(v)) for v in m) + "\n")
    return specorder, prism


def main(argv):
    source = Path(argv[1]) if len(argv) > 1 else ROOT / "inputs" / "structures" / "nio-afm2-512.extxyz"
    target = Path(argv[2]) if len(argv) > 2 else HERE / (source.stem + ".data")
    atoms = read(source)
    specorder, _ = write_data(atoms, target)
    print(f"{target}: {len(atoms)} atoms, types " + ", ".join(f"{k + 1} {s}" for k, s in enumerate(specorder)))


if __name__ == "__main__":
    main(sys.argv)
