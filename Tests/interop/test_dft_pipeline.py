"""The finite-basis correction of inputs/dft/tmo_dft.py (`correct`): counting and file handling.
Needs ASE and NumPy only (no GPAW)."""
import subprocess
import sys

import numpy as np
from ase.io import read

from conftest import ROOT

sys.path.insert(0, str(ROOT / "inputs" / "dft"))
import tmo_dft  # noqa: E402


def test_plane_wave_excess_shrinks_with_cutoff_and_is_rotation_invariant():
    cell = tmo_dft.rocksalt("Ni", "afm2")
    low, high = tmo_dft.plane_wave_excess(cell, 500), tmo_dft.plane_wave_excess(cell, 3000)
    # A lattice-point count approaches the continuum as the sphere grows (relative error ~ N^(-1/3)).
    assert abs(high) < abs(low) and abs(high) < 1e-3
    # The cubic NiO cell holds more plane waves than the continuum at 500 eV (whole G shells).
    assert 1e-3 < low < 1e-2
    rotated = cell.copy()
    rotated.rotate(37, (1, 2, 3), rotate_cell=True)
    assert abs(tmo_dft.plane_wave_excess(rotated, 500) - low) < 1e-12


def test_correct_shifts_energies_by_the_counting_model(tmp_path):
    cells = [(tmo_dft.rocksalt("Ni", "afm2"), -24.5), (tmo_dft.rocksalt("Mn", "afm1"), -33.1),
             (tmo_dft.rocksalt("Co", "afm2"), -30.0)]     # no measured slope for CoO: left alone
    source = tmp_path / "frames.extxyz"
    with open(source, "w") as f:
        for atoms, energy in cells:
            pos = "\n".join(f"{s} {x:.8f} {y:.8f} {z:.8f} {m:.1f}" for s, (x, y, z), m in
                            zip(atoms.get_chemical_symbols(), atoms.positions, atoms.get_initial_magnetic_moments()))
            lattice = " ".join(f"{v:.8f}" for v in atoms.cell.array.ravel())
            f.write(f'4\nLattice="{lattice}" Properties=species:S:1:pos:R:3:initial_magmoms:R:1 '
                    f'free_energy=1.0 energy={energy} pbc="T T T"\n{pos}\n')
    out = tmp_path / "corrected"
    subprocess.run([sys.executable, str(ROOT / "inputs/dft/tmo_dft.py"), "correct", str(source), "--out", str(out)],
                   check=True, capture_output=True)
    before = source.read_text().splitlines()
    after = (out / "frames.extxyz").read_text().splitlines()
    changed = [k for k, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and changed == [1, 7]      # the NiO and MnO comment lines only
    for k, ((atoms, energy), metal) in enumerate(zip(cells[:2], ["Ni", "Mn"])):
        frame = read(out / "frames.extxyz", k)
        delta = -tmo_dft.BASIS_SLOPE[metal] * 4 * tmo_dft.plane_wave_excess(atoms)
        assert abs(delta) > 1e-4
        assert np.isclose(frame.info["basis_correction"], delta, atol=1e-6)
        assert np.isclose(frame.get_potential_energy(), energy + delta, atol=1e-12)
        assert frame.info["energy_raw"] == energy and " free_energy=1.0 " in after[1 + 6 * k]
