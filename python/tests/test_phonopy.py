"""phonopy with the calculator: Γ-point phonons of the 64-atom AFM-II NiO cell.

The moments go to phonopy (PhonopyAtoms.magnetic_moments), so its symmetry is AFM-II's magnetic
space group; that group maps up Ni onto down Ni with a spin flip (a type-IV group), and phonopy
needs only 2 displaced cells. A further displacement of a down-spin Ni, evaluated directly,
checks that the model obeys that symmetry as the force constants assume.

With the default self-consistency tolerances (1e-4 μB, 1e-4 eV/μB) the frequencies agree with
those at 1e-6 μB and 1e-6 eV/μB within 2e-4 THz, so the defaults are used. What the shipped model
gives (a = 4.17 Å): acoustic −0.001 THz (three), optical from 3.80 to 17.19 THz.
"""
import numpy as np
import pytest
from ase import Atoms
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms

from conftest import SHIPPED, nio_afm2_64
from spinmd import SpinMultiNetCalculator


def to_ase(cell):
    atoms = Atoms(cell.symbols, cell=cell.cell, scaled_positions=cell.scaled_positions, pbc=True)
    atoms.set_initial_magnetic_moments(cell.magnetic_moments)
    return atoms


@pytest.fixture(scope="module")
def phonon_and_calc():
    atoms = nio_afm2_64()
    unitcell = PhonopyAtoms(symbols=atoms.get_chemical_symbols(), cell=atoms.cell.array,
                            scaled_positions=atoms.get_scaled_positions(),
                            magnetic_moments=atoms.get_initial_magnetic_moments())
    # "P": the 64-atom cell is the primitive cell (phonopy 4's default "auto" would reduce it).
    phonon = Phonopy(unitcell, supercell_matrix=np.eye(3, dtype=int), primitive_matrix="P")
    phonon.generate_displacements(distance=0.01)
    calc = SpinMultiNetCalculator(model=str(SHIPPED))
    forces = []
    for cell in phonon.supercells_with_displacements:
        displaced = to_ase(cell)
        displaced.calc = calc
        forces.append(displaced.get_forces())
    phonon.forces = forces
    phonon.produce_force_constants()
    phonon.run_qpoints([[0, 0, 0]])
    return phonon, calc


def test_gamma_frequencies_are_physical(phonon_and_calc):
    phonon, _ = phonon_and_calc
    frequencies = np.sort(phonon.qpoints.frequencies[0])  # THz
    print("Γ frequencies [THz]: min", frequencies[0], "acoustic", frequencies[:3], "max", frequencies[-1])
    assert len(frequencies) == 3 * 64
    assert frequencies.min() > -0.1, "an imaginary mode below -0.1 THz"
    assert np.abs(frequencies[:3]).max() < 0.1, frequencies[:3]
    assert frequencies[3] > 1.0, "a fourth mode near zero: a soft optical mode or broken translation"
    # NiO's highest optical modes are near 17 THz (measured LO at Γ, about 580 cm⁻¹); the model,
    # without long-range electrostatics and so without LO–TO splitting, gives 17.19 THz at
    # a = 4.17 Å. A wide bound that still rejects a broken model.
    assert 14.0 < frequencies[-1] < 21.0, frequencies[-1]


def test_force_constants_are_symmetric_and_sum_to_zero(phonon_and_calc):
    phonon, _ = phonon_and_calc
    fc = phonon.force_constants  # (64, 64, 3, 3) eV/Å²
    scale = np.abs(fc).max()
    assert np.abs(fc - fc.transpose(1, 0, 3, 2)).max() < 1e-3 * scale
    assert np.abs(fc.sum(axis=1)).max() < 1e-6 * scale, "acoustic sum rule"


def test_the_model_obeys_the_magnetic_symmetry_phonopy_used(phonon_and_calc):
    """Forces of a displaced down-spin Ni (not among phonopy's displacements) from the model
    match those the force constants predict, F = −Φ u."""
    phonon, calc = phonon_and_calc
    moments = phonon.supercell.magnetic_moments
    displaced_atoms = {d["number"] for d in phonon.dataset["first_atoms"]}
    atom = next(i for i in range(len(moments)) if moments[i] < 0 and i not in displaced_atoms)
    u = np.array([0.004, -0.006, 0.007])  # Å, |u| ≈ 0.01 Å off the axes
    atoms = to_ase(phonon.supercell)
    atoms.positions[atom] += u
    atoms.calc = calc
    predicted = -phonon.force_constants[:, atom] @ u
    difference = np.abs(atoms.get_forces() - predicted).max()
    assert difference < 0.02 * np.abs(predicted).max(), (difference, np.abs(predicted).max())
