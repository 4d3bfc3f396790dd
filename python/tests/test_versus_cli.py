"""The calculator gives what `spinmd eval` gives on the same frames, to 1e-10 relative."""
import numpy as np
import pytest
from ase.io import read, write

from conftest import SHIPPED, assert_close, canted, nio_afm2_64, run_spinmd, triclinic_mno
from spinmd import SpinMultiNetCalculator


def frames():
    rattled = nio_afm2_64()
    rattled.rattle(0.03, seed=11)
    rattled.set_cell(rattled.cell.array * 1.01, scale_atoms=True)
    tri = triclinic_mno()
    return [("nio-64-rattled", rattled), ("triclinic", tri), ("nio-64-canted", canted(rattled)), ("triclinic-canted", canted(tri))]


@pytest.mark.parametrize("members", [None, [2]], ids=["committee", "one-model"])
@pytest.mark.parametrize("spins", ["fixed", "self-consistent"])
def test_calculator_equals_spinmd_eval(tmp_path, spins, members):
    cases = frames()
    data = tmp_path / "frames.extxyz"
    write(data, [a for _, a in cases], format="extxyz")
    # Both sides see the structures as written (ASE's extxyz keeps 8 decimals).
    cases = [(name, atoms) for (name, _), atoms in zip(cases, read(data, index=":"))]
    args = ["eval", SHIPPED, data, "--spins", spins, "--predictions", tmp_path / "predicted.extxyz", "--quiet", "--threads", 1]
    if members:
        args += ["--members", ",".join(map(str, members))]
    run_spinmd(*args)
    predicted = read(tmp_path / "predicted.extxyz", index=":")
    calc = SpinMultiNetCalculator(model=str(SHIPPED), spins=spins, members=members, threads=1)
    for (name, atoms), reference in zip(cases, predicted):
        calc.reset_spins()  # `spinmd eval` starts every frame from its initial moments
        atoms.calc = calc
        what = f"{name}, {spins}, members {members}"
        assert_close(atoms.get_potential_energy(), reference.get_potential_energy(), what=f"energy of {what}")
        assert_close(atoms.get_forces(), reference.get_forces(), what=f"forces of {what}")
        assert_close(atoms.get_stress(voigt=False), reference.get_stress(voigt=False), what=f"stress of {what}")
        moments = atoms.get_magnetic_moments()
        expected = reference.calc.results["magmoms"]
        assert moments.shape == atoms.get_initial_magnetic_moments().shape
        assert_close(moments, expected, what=f"moments of {what}")
        assert_close(atoms.calc.results["energies"].sum(), atoms.get_potential_energy(), rtol=1e-12, what="sum of energies")
        if members is None:
            assert np.isfinite(atoms.calc.results["committee_energy_std"]) and atoms.calc.results["committee_force_std"] > 0
            assert_close(atoms.calc.results["committee_energy_std"], reference.info["committee_energy_std_eV_per_atom"], what="energy spread")
        else:
            assert np.isnan(atoms.calc.results["committee_energy_std"])
        if spins == "self-consistent":
            assert atoms.calc.results["spin_iterations"] == reference.info["spin_iterations"]


def test_warm_start_is_reset_when_the_moments_change():
    """FM then AFM-II on the same atoms: the second call must not start from the FM solution."""
    afm = nio_afm2_64()
    fm = afm.copy()
    fm.set_initial_magnetic_moments(np.abs(afm.get_initial_magnetic_moments()))
    calc = SpinMultiNetCalculator(model=str(SHIPPED), threads=1)
    fm.calc = calc
    e_fm = fm.get_potential_energy()
    afm.calc = calc
    e_afm = afm.get_potential_energy()
    fresh = afm.copy()
    fresh.calc = SpinMultiNetCalculator(model=str(SHIPPED), threads=1)
    assert e_afm == fresh.get_potential_energy()
    assert e_afm < e_fm  # the model card's ordering: AFM-II below FM in NiO
