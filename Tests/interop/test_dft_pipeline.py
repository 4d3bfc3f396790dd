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


def test_kpoint_mesh_is_fixed_per_cell_kind_under_strain():
    # §7's density rule puts the ideal MnO AFM-I cell at its 3/4 threshold: strain moves it across.
    ideal = tmo_dft.rocksalt("Mn", "afm1")
    meshes = {"fixed": set(), "density": set()}
    for t in (-0.01, 0.0, 0.002, 0.02):
        strained = tmo_dft.build(tmo_dft.parse_job(f"Mn afm1 ideal 0 tetragonal={t} rep=1,1,1"))
        for rule in meshes:
            meshes[rule].add(tmo_dft.kpoint_mesh(strained, rule))
    assert meshes["fixed"] == {(4, 4, 3)} and len(meshes["density"]) == 2
    # Kinds are told apart by the cell's angles, repetitions by its lengths (any axis, any strain).
    assert tmo_dft.kpoint_mesh(tmo_dft.rocksalt("Ni", "afm2")) == (4, 4, 4)
    assert tmo_dft.kpoint_mesh(ideal.repeat((2, 1, 1))) == (2, 4, 3)
    rattled = tmo_dft.build(tmo_dft.parse_job("Ni fm rattle 7 disp=0.15 strain=0.04 rep=1,2,1"))
    assert tmo_dft.kpoint_mesh(rattled) == (4, 2, 4)


def test_remesh_copies_frames_whose_mesh_is_unchanged_verbatim(tmp_path):
    # A NiO AFM-II frame has the same mesh under both rules: remesh copies it without GPAW.
    atoms = tmo_dft.rocksalt("Ni", "afm2")
    pos = "\n".join(f"{s} {x:.8f} {y:.8f} {z:.8f} {m:.1f}" for s, (x, y, z), m in
                    zip(atoms.get_chemical_symbols(), atoms.positions, atoms.get_initial_magnetic_moments()))
    lattice = " ".join(f"{v:.8f}" for v in atoms.cell.array.ravel())
    source, out = tmp_path / "frames.extxyz", tmp_path / "remeshed.extxyz"
    source.write_text(f'4\nLattice="{lattice}" Properties=species:S:1:pos:R:3:initial_magmoms:R:1 '
                      f'energy=-24.5 rep=1,1,1 pbc="T T T"\n{pos}\n' * 2)
    for _ in range(2):   # the second run resumes after the frames OUT holds and adds nothing
        subprocess.run([sys.executable, str(ROOT / "inputs/dft/tmo_dft.py"), "remesh", str(source), str(out)],
                       check=True, capture_output=True)
    expected = source.read_text().replace('pbc="T T T"\n', 'pbc="T T T" kpts=4x4x4\n')
    assert out.read_text() == expected


def test_select_ranks_by_spread_after_exclusions_and_distance(tmp_path):
    """`select` (query by committee) keeps the largest committee spreads, largest first, among the
    candidates not excluded and no more compressed than --min-distance."""
    jobs = ["Ni afm2 ideal 0 rep=1,1,1", "Mn fm ideal 0 rep=1,1,1",
            "Ni afm1 rattle 11 disp=0.15 strain=0.0 rep=1,1,1", "Mn afm2 rattle 12 disp=0.15 strain=0.0 rep=1,1,1",
            "Ni fm rattle 13 disp=0.05 strain=0.0 rep=1,1,1"]
    (tmp_path / "jobs.txt").write_text("# candidates\n" + "\n".join(jobs) + "\n")
    spread = [0.5, 0.1, 0.9, 0.7, 0.3]
    (tmp_path / "spread.csv").write_text("file,frame,committee_force_std_max_eV_per_A\n"
                                         + "".join(f"c.extxyz,{k + 1},{v}\n" for k, v in enumerate(spread)))
    (tmp_path / "done.txt").write_text(jobs[3] + "\n")
    shortest = [tmo_dft.shortest_distance(tmo_dft.candidate(line)) for line in jobs]
    limit = sorted(shortest)[1] + 1e-6       # leaves out the two most compressed candidates
    def select(*options):
        subprocess.run([sys.executable, str(ROOT / "inputs/dft/tmo_dft.py"), "select", "jobs.txt", "spread.csv", "out.txt",
                        *options], check=True, capture_output=True, cwd=tmp_path)
        lines = (tmp_path / "out.txt").read_text().splitlines()
        assert lines[0].startswith("#")
        return lines[1:]
    assert select("--count", "3") == [jobs[2], jobs[3], jobs[0]]
    assert select("--count", "3", "--exclude", "done.txt") == [jobs[2], jobs[0], jobs[4]]
    kept = [k for k in sorted(range(5), key=lambda k: -spread[k]) if shortest[k] >= limit and k != 3]
    assert select("--count", "2", "--exclude", "done.txt", "--min-distance", str(limit)) == [jobs[k] for k in kept[:2]]
    assert all(shortest[k] >= limit for k in kept) and len(kept) >= 2
