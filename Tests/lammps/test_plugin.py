"""Loading the plugin, the shipped input, moments from atom_style spin, per-atom energies and
`compute pair spinmd`."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from ase.io import read, write

from conftest import (LMP, PLUGIN, ROOT, SHIPPED, assert_close, canted, nio_afm2_64, pair_script, parse_result,
                      read_dump, run_lammps, run_spinmd, write_data)


def rattled_64():
    atoms = nio_afm2_64()
    atoms.rattle(0.03, seed=11)
    return atoms


def test_lammps_plugin_path_loads_it_at_start_up(tmp_path):
    """LAMMPS_PLUGIN_PATH naming lammps/build: no `plugin load` line, from another directory."""
    specorder, _ = write_data(rattled_64(), tmp_path / "data.lmp")
    reference_dir = tmp_path / "with-plugin-load"
    reference = parse_result(run_lammps(pair_script("../data.lmp", specorder), reference_dir).stdout)
    script = pair_script("data.lmp", specorder).replace(f"plugin load {PLUGIN}", "")
    (tmp_path / "in.lmp").write_text(script)
    env = dict(os.environ, LAMMPS_PLUGIN_PATH=str(PLUGIN.parent), OMP_NUM_THREADS="1")
    result = subprocess.run([str(LMP), "-in", "in.lmp", "-log", "none", "-nocite"], cwd=tmp_path, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Loaded 1 plugins from {PLUGIN.parent}" in result.stdout
    energy, virial = parse_result(result.stdout)
    assert energy == reference[0]
    assert np.array_equal(virial, reference[1])


def spin_data(atoms, path):
    """A data file for atom_style spin: `atom-ID type x y z spx spy spz sp` (direction, |m|)."""
    moments = atoms.get_initial_magnetic_moments()
    lines = ["spin data file for the spinmd plugin's tests", "", f"{len(atoms)} atoms", "2 atom types", ""]
    for axis, length in zip("xyz", atoms.cell.lengths()):
        lines.append(f"0.0 {float(length)!r} {axis}lo {axis}hi")
    lines += ["", "Masses", "", "1 58.6934", "2 15.999", "", "Atoms # spin", ""]
    for i, (symbol, position, m) in enumerate(zip(atoms.get_chemical_symbols(), atoms.positions, moments)):
        size = np.linalg.norm(m)
        direction = m / size if size > 0 else np.array([0.0, 0.0, 1.0])
        lines.append(f"{i + 1} {1 if symbol == 'Ni' else 2} " + " ".join(repr(float(v)) for v in position) + " "
                     + " ".join(repr(float(v)) for v in direction) + f" {float(size)!r}")
    path.write_text("\n".join(lines) + "\n")


def test_moments_from_atom_style_spin_equal_a_vector_property(tmp_path):
    atoms = canted(rattled_64())
    specorder, _ = write_data(atoms, tmp_path / "data.lmp")
    vector_dir = tmp_path / "vector"
    energy, virial = parse_result(run_lammps(pair_script("../data.lmp", specorder, vector=True), vector_dir).stdout)
    *_, forces, moments = read_dump(vector_dir / "forces.dump")

    spin_data(atoms, tmp_path / "spin.lmp")
    spin_dir = tmp_path / "spin"
    script = pair_script("../spin.lmp", specorder, vector=True)
    script = script.replace("atom_style atomic", "atom_style spin")
    script = script.replace("fix m0 all property/atom d2_m0 3\n", "").replace(" fix m0 NULL Moments", "")
    script = script.replace("moments d2_m0", "moments spin")
    result = run_lammps(script, spin_dir)
    spin_energy, spin_virial = parse_result(result.stdout)
    *_, spin_forces, spin_moments = read_dump(spin_dir / "forces.dump")
    n = len(atoms)
    assert_close(spin_energy, energy, 1e-10 * n, what="energy")
    assert_close(spin_forces, forces, 1e-9, what="forces")
    assert_close(spin_virial, virial, 1e-9 * n, what="virial")
    assert_close(spin_moments, moments, 1e-9, what="moments")


@pytest.mark.parametrize("ranks", [1, 2])
def test_per_atom_energies_sum_to_the_energy(tmp_path, ranks):
    specorder, _ = write_data(rattled_64(), tmp_path / "data.lmp")
    script = pair_script("data.lmp", specorder, before_run="compute pe all pe/atom\ncompute sum all reduce sum c_pe\n"
                         "thermo_style custom step pe c_sum c_spin[1] c_spin[2]")
    result = run_lammps(script, tmp_path, ranks=ranks)
    row = next(line.split() for line in result.stdout.splitlines() if re.match(r"\s+0\s", line))
    pe, total, spin_iterations, adjoint_iterations = map(float, row[1:5])
    assert abs(total - pe) < 1e-10 * 64
    assert spin_iterations >= 1 and adjoint_iterations >= 1  # self-consistent spins from AFM-II guesses


def test_a_larger_comm_cutoff_is_kept(tmp_path):
    specorder, _ = write_data(rattled_64(), tmp_path / "data.lmp")
    script = pair_script("data.lmp", specorder).replace("pair_style", "comm_modify cutoff 14.0\npair_style", 1)
    result = run_lammps(script, tmp_path)
    assert "setting the ghost cutoff" not in result.stdout
    assert "ghost atom cutoff = 14" in result.stdout
    default = run_lammps(pair_script("../data.lmp", specorder), tmp_path / "default")
    assert "setting the ghost cutoff (comm_modify cutoff) to 2 × cutoff + skin = 12 Å" in default.stdout
    assert "ghost atom cutoff = 12" in default.stdout
    assert parse_result(result.stdout)[0] == pytest.approx(parse_result(default.stdout)[0], abs=1e-10)


def test_data_file_is_what_make_data_writes(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "inputs" / "lammps" / "make_data.py"),
                    str(ROOT / "inputs" / "structures" / "nio-afm2-512.extxyz"), str(tmp_path / "out.data")], check=True)
    assert (tmp_path / "out.data").read_text() == (ROOT / "inputs" / "lammps" / "nio-afm2-512.data").read_text()


@pytest.mark.parametrize("ranks", [1, 2])
def test_shipped_input_equals_spinmd_eval(tmp_path, ranks):
    """inputs/lammps/nio-afm2-512.in (run 0) from the repository root: the energy of
    `spinmd eval` on inputs/structures/nio-afm2-512.extxyz with self-consistent spins."""
    structure = ROOT / "inputs" / "structures" / "nio-afm2-512.extxyz"
    run_spinmd("eval", SHIPPED, structure, "--spins", "self-consistent", "--predictions", tmp_path / "p.extxyz",
               "--quiet", "--threads", 1)
    reference = read(tmp_path / "p.extxyz")
    command = [str(LMP), "-in", "inputs/lammps/nio-afm2-512.in", "-log", str(tmp_path / "log.lammps"), "-nocite",
               "-var", "threads", "1", "-var", "plugin", str(PLUGIN)]
    if ranks > 1:
        command = [str(LMP.parent / "mpirun"), "-np", str(ranks)] + command
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    header = next(i for i, line in enumerate(result.stdout.splitlines()) if line.split()[:2] == ["Step", "Time"])
    row = result.stdout.splitlines()[header + 1].split()
    assert abs(float(row[3]) - reference.get_potential_energy()) < 1e-8 * len(reference)
    # Mean |m| over all atoms, from the output property d_m: the converged moments.
    assert abs(float(row[9]) - np.abs(reference.calc.results["magmoms"]).mean()) < 1e-8


@pytest.mark.parametrize("ranks", [1, 2])
def test_slab_with_a_non_periodic_boundary(tmp_path, ranks):
    """boundary p p f: a NiO slab (64 atoms, vacuum along z), self-consistent spins, as
    `spinmd eval` on the same atoms with pbc F along z."""
    atoms = nio_afm2_64()
    atoms.rattle(0.03, seed=2)
    atoms.positions[:, 2] += 0.5
    atoms.pbc = (True, True, False)
    write(tmp_path / "slab.extxyz", atoms)
    atoms = read(tmp_path / "slab.extxyz")
    run_spinmd("eval", SHIPPED, tmp_path / "slab.extxyz", "--spins", "self-consistent", "--predictions",
               tmp_path / "p.extxyz", "--quiet", "--threads", 1)
    reference = read(tmp_path / "p.extxyz")
    specorder, _ = write_data(atoms, tmp_path / "data.lmp")
    script = pair_script("data.lmp", specorder).replace("boundary p p p", "boundary p p f")
    result = run_lammps(script, tmp_path, ranks=ranks)
    energy, _ = parse_result(result.stdout)
    *_, forces, moments = read_dump(tmp_path / "forces.dump")
    assert_close(energy, reference.get_potential_energy(), 1e-8 * len(atoms), what="energy")
    assert_close(forces, reference.get_forces(), 1e-6, what="forces")
    assert_close(moments, reference.calc.results["magmoms"], 1e-6, what="moments")
