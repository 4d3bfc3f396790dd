"""pair_style spinmd on 1 and 2 MPI ranks gives what `spinmd eval --predictions` gives on the
same frames: energy to 1e-8 eV/atom, forces to 1e-6 eV/Å, the virial to 1e-8 eV/atom, the
converged moments to 1e-6 μB. Orthogonal and triclinic cells (compared in LAMMPS's rotated frame),
collinear and vector moments, fixed and self-consistent spins. On several processes the spin and
adjoint iterations take the same steps as on one (global convergence tests, Anderson's inner
products summed over processes), so self-consistent spins agree to rounding too."""
import numpy as np
import pytest
from ase.io import read, write

from conftest import (SHIPPED, assert_close, canted, nio_afm2_64, pair_script, parse_result, read_dump,
                      run_lammps, run_spinmd, triclinic_mno, triclinic_nio_64, write_data, lammps_frame)

ENERGY_PER_ATOM = 1e-8
FORCE = 1e-6
MOMENT = 1e-6



def structures():
    rattled = nio_afm2_64()
    rattled.rattle(0.03, seed=11)
    rattled.set_cell(rattled.cell.array * 1.01, scale_atoms=True)
    return {"nio-64-rattled": rattled, "triclinic-mno-16": triclinic_mno(), "triclinic-nio-64": triclinic_nio_64()}


def frames():
    """Collinear moments lie along z, which LAMMPS's frame must keep: those structures are first
    rotated into it (a along x, b in the xy plane). Vector moments keep the general orientation;
    the data file rotates positions and moments together."""
    cases = {}
    for name, atoms in structures().items():
        cases[name + "-collinear"] = lammps_frame(atoms)
        cases[name + "-vector"] = canted(atoms)
    return cases


CASES = list(frames())


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """{spins: {case: (atoms as spinmd eval read them, predicted frame)}} from one `spinmd eval`
    per spin mode."""
    directory = tmp_path_factory.mktemp("eval")
    cases = frames()
    data = directory / "frames.extxyz"
    write(data, list(cases.values()), format="extxyz")
    # Both sides see the structures as written (ASE's extxyz keeps 8 decimals).
    written = read(data, index=":")
    result = {}
    for spins in ("fixed", "self-consistent"):
        predictions = directory / f"predicted-{spins}.extxyz"
        run_spinmd("eval", SHIPPED, data, "--spins", spins, "--predictions", predictions, "--quiet", "--threads", 1)
        predicted = read(predictions, index=":")
        result[spins] = {name: (atoms, reference) for name, atoms, reference in zip(cases, written, predicted)}
    return result


@pytest.mark.parametrize("ranks", [1, 2])
@pytest.mark.parametrize("spins", ["fixed", "self-consistent"])
@pytest.mark.parametrize("case", CASES)
def test_pair_style_equals_spinmd_eval(tmp_path, references, case, spins, ranks):
    check_against_eval(tmp_path, references, case, spins, ranks)


@pytest.mark.parametrize("case", ["nio-64-rattled-collinear", "triclinic-nio-64-vector"])
def test_four_ranks_equal_spinmd_eval(tmp_path, references, case):
    """4 MPI ranks (on a 2-core machine they share the cores): self-consistent spins."""
    check_against_eval(tmp_path, references, case, "self-consistent", 4)


def check_against_eval(tmp_path, references, case, spins, ranks):
    atoms, reference = references[spins][case]
    vector = atoms.get_initial_magnetic_moments().ndim == 2
    specorder, prism = write_data(atoms, tmp_path / "data.lmp")
    result = run_lammps(pair_script("data.lmp", specorder, spins=spins, vector=vector), tmp_path, ranks=ranks)
    energy, virial = parse_result(result.stdout)
    ids, _, _, forces, moments = read_dump(tmp_path / "forces.dump")
    assert list(ids) == list(range(1, len(atoms) + 1))
    n = len(atoms)
    what = f"{case}, {spins} spins, {ranks} rank(s)"

    assert_close(energy, reference.get_potential_energy(), ENERGY_PER_ATOM * n, what=f"energy of {what}")
    rotation = prism.vector_to_lammps(np.eye(3))  # rows: ASE's axes in LAMMPS's frame
    expected_forces = reference.get_forces() @ rotation
    assert_close(forces, expected_forces, FORCE, what=f"forces of {what}")
    # ASE stress = −W/V; W rotates as a tensor.
    w_ase = -reference.get_stress(voigt=False) * reference.get_volume()
    assert_close(virial, rotation.T @ w_ase @ rotation, ENERGY_PER_ATOM * n,
                 what=f"virial of {what}")
    expected_moments = reference.calc.results["magmoms"]
    if expected_moments.ndim == 2:
        expected_moments = expected_moments @ rotation
    assert_close(moments, expected_moments, MOMENT, what=f"moments of {what}")
    if spins == "self-consistent":
        assert f"{int(reference.info['spin_iterations'])}" in result.stdout


@pytest.mark.parametrize("case", ["triclinic-nio-64-vector", "nio-64-rattled-collinear"])
def test_ranks_agree_at_tight_tolerance(tmp_path, case):
    """Self-consistent spins converged far below the default tolerances: 1 and 2 ranks agree to
    rounding, so the forward and reverse exchanges of moments and cotangents are exact."""
    atoms = frames()[case]
    vector = atoms.get_initial_magnetic_moments().ndim == 2
    tight = "tolerance 1e-11 adjoint_tolerance 1e-11 max_iterations 500"
    results = []
    for ranks in (1, 2):
        directory = tmp_path / f"ranks-{ranks}"
        directory.mkdir()
        specorder, _ = write_data(atoms, directory / "data.lmp")
        result = run_lammps(pair_script("data.lmp", specorder, vector=vector, extra_style=tight), directory, ranks=ranks)
        energy, virial = parse_result(result.stdout)
        _, _, _, forces, moments = read_dump(directory / "forces.dump")
        results.append((energy, virial, forces, moments))
    (e1, w1, f1, m1), (e2, w2, f2, m2) = results
    n = len(atoms)
    assert_close(e2, e1, 1e-10 * n, what=f"energy of {case}")
    assert_close(f2, f1, 1e-8, what=f"forces of {case}")
    assert_close(w2, w1, 1e-10 * n, what=f"virial of {case}")
    assert_close(m2, m1, 1e-9, what=f"moments of {case}")
