"""NVE with pair_style spinmd (fix nve, 1 fs, self-consistent spins) conserves the energy as well
as `spinmd run` does on the same system from the same start, and follows its trajectory."""
import json
import re

import numpy as np
import pytest
from ase.io import read

from conftest import PLUGIN, ROOT, SHIPPED, nio_afm2_64, run_lammps, run_spinmd, write_data

STEPS = 100


@pytest.fixture(scope="module")
def spinmd_nve(tmp_path_factory):
    """`spinmd run` NVE of the 64-atom AFM-II NiO at 300 K: its frames (every step)."""
    directory = tmp_path_factory.mktemp("spinmd-nve")
    config = {
        "structure": {"file": str(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")},
        "potential": {"type": "spinmultinet", "model": str(SHIPPED), "spins": "self-consistent"},
        "task": "md",
        "md": {"ensemble": "nve", "timestep_fs": 1, "steps": STEPS, "initial_temperature_K": 300, "seed": 4},
        "output": {"directory": str(directory / "run"), "thermo": {"every": 1},
                   "trajectory": {"file": "trajectory.extxyz", "every": 1}},
        "threads": 1,
    }
    (directory / "nve.json").write_text(json.dumps(config))
    run_spinmd("run", directory / "nve.json", "--quiet")
    frames = read(directory / "run" / "trajectory.extxyz", index=":")
    assert len(frames) == STEPS + 1
    return frames


def lammps_nve_script(specorder, churn=False):
    """churn: neighbour lists rebuilt, atoms migrated and re-sorted every few steps (the warm start
    of the self-consistent spins follows the atom IDs)."""
    rebuild = "neigh_modify every 1 delay 0 check no" if churn else "neigh_modify every 1 delay 0 check yes"
    sort = "atom_modify sort 7 1.0" if churn else ""
    return f"""
plugin load {PLUGIN}
units metal
atom_style atomic
boundary p p p
{sort}
fix m0 all property/atom d_m0
read_data data.lmp fix m0 NULL Moments
pair_style spinmd {SHIPPED} spins self-consistent threads 1
pair_coeff * * {' '.join(specorder)}
neighbor 2.0 bin
{rebuild}
fix nve all nve
timestep 0.001
thermo_style custom step pe ke etotal
thermo_modify format float %.17g
thermo 1
dump final all custom {STEPS} positions.dump id x y z
dump_modify final sort id format float %.17g
run {STEPS}
"""


def thermo_rows(log):
    """(step, pe, ke, etotal) rows of the thermo table in LAMMPS's screen output."""
    rows = []
    for line in log.splitlines():
        fields = line.split()
        if len(fields) == 4 and re.fullmatch(r"\d+", fields[0]):
            try:
                rows.append([float(v) for v in fields])
            except ValueError:
                pass
    return np.array(rows)


@pytest.mark.parametrize("ranks,churn", [(1, False), (2, False), (2, True)], ids=["1-rank", "2-ranks", "2-ranks-churn"])
def test_nve_conserves_energy_as_spinmd_run(tmp_path, spinmd_nve, ranks, churn):
    start = spinmd_nve[0].copy()
    start.set_initial_magnetic_moments(nio_afm2_64().get_initial_magnetic_moments())
    start.set_velocities(spinmd_nve[0].get_velocities())
    specorder, _ = write_data(start, tmp_path / "data.lmp", velocities=True)
    result = run_lammps(lammps_nve_script(specorder, churn), tmp_path, ranks=ranks)
    if churn:
        builds = int(re.search(r"Neighbor list builds = (\d+)", result.stdout).group(1))
        assert builds == STEPS, builds
    rows = thermo_rows(result.stdout)
    assert len(rows) == STEPS + 1, result.stdout[-3000:]
    lammps_total = rows[:, 3]
    spinmd_total = np.array([f.get_potential_energy() + f.get_kinetic_energy() for f in spinmd_nve])

    drift_spinmd = np.abs(spinmd_total - spinmd_total[0]).max()
    drift_lammps = np.abs(lammps_total - lammps_total[0]).max()
    print(f"\n{ranks} rank(s){', rebuilt every step' if churn else ''}: max |E - E0| over {STEPS} fs: LAMMPS {drift_lammps * 1000:.4f} meV, "
          f"spinmd run {drift_spinmd * 1000:.4f} meV ({len(start)} atoms)")
    assert abs(lammps_total[0] - spinmd_total[0]) < 1e-6
    assert abs(rows[0, 1] - spinmd_nve[0].get_potential_energy()) < 1e-8 * len(start)
    assert drift_lammps <= 1.5 * drift_spinmd + 2e-4, (drift_lammps, drift_spinmd)

    lines = (tmp_path / "positions.dump").read_text().splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("ITEM: TIMESTEP"))
    positions = np.array([[float(v) for v in line.split()[1:4]] for line in lines[last + 9:last + 9 + len(start)]])
    # Same cell, same frame (orthogonal): compare the minimum-image displacement.
    cell = spinmd_nve[-1].cell.array
    delta = positions - spinmd_nve[-1].positions
    delta -= np.round(delta @ np.linalg.inv(cell)) @ cell
    print(f"largest position difference after {STEPS} fs: {np.abs(delta).max():.2e} Å")
    assert np.abs(delta).max() < 1e-3
