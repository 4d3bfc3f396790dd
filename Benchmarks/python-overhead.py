#!/usr/bin/env python3
"""Per-call overhead of the Python package: what a call costs beyond the network's own work.

For the 64-atom AFM-II NiO (inputs/structures/nio-afm2-64.extxyz), with the atoms moving on
straight lines at MD-like speeds (about 0.005 Å per call, as at 300 K with 1 fs steps), so each call
is a new geometry close to the last (the warm start and the neighbour list work as in MD), it
times, call for call:

- ase:    atoms.get_forces() through SpinMultiNetCalculator (ASE's bookkeeping, ctypes, the library);
- ctypes: Model.evaluate, the package's layer over the C function;
- lib:    the library's whole call (`seconds`: input checks, neighbour list, network);
- model:  the network alone (`model_seconds`, what `spinmd run` spends per step in the potential).

The three ways alternate call by call, so the machine's noise hits them alike. Then it runs
the same system as MD both ways, alternating: `spinmd run` (NVE, 300 K, 1 fs, its performance
line) and ASE's VelocityVerlet with the calculator, and prints the wall time per step.

    .venv-python/bin/python Benchmarks/python-overhead.py [calls] [threads] [md-steps]

Needs `swift build -c release` (the spinmd executable) and the package installed.
"""
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from ase.io import read

from spinmd import Model, SpinMultiNetCalculator

ROOT = Path(__file__).resolve().parents[1]
calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
md_steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
model_path = str(ROOT / "inputs" / "models" / "tmo-pbeu.safetensors")
base = read(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")
rng = np.random.default_rng(1)

for label, options in [("committee of 3, self-consistent spins (the default)", {}),
                       ("one member, fixed spins (the cheapest call)", {"members": [1], "spins": "fixed"})]:
    atoms = base.copy()
    atoms.calc = SpinMultiNetCalculator(model=model_path, threads=threads, **options)
    model = Model(model_path, threads=threads, **options)
    m0 = atoms.get_initial_magnetic_moments()
    times = {k: [] for k in ("ase", "ctypes", "lib", "model")}
    start = base.positions.copy()
    velocity = 0.003 * rng.standard_normal(start.shape)
    for k in range(calls + 5):
        atoms.positions = start + k * velocity
        t = time.perf_counter()
        atoms.get_forces()
        t_ase = time.perf_counter() - t
        t = time.perf_counter()
        r = model.evaluate(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc, m0)
        t_ctypes = time.perf_counter() - t
        if k >= 5:  # warm-up calls left out
            times["ase"].append(t_ase)
            times["ctypes"].append(t_ctypes)
            times["lib"].append(r["seconds"])
            times["model"].append(r["model_seconds"])
    med = {k: 1e3 * float(np.median(v)) for k, v in times.items()}
    print(f"\n{label}: {calls} calls, {threads} thread(s), medians [ms]")
    print(f"  model {med['model']:.3f}   lib {med['lib']:.3f}   ctypes {med['ctypes']:.3f}   ase {med['ase']:.3f}")
    print(f"  Python layer (ctypes - lib): {med['ctypes'] - med['lib']:.3f} ms = {100 * (med['ctypes'] - med['lib']) / med['model']:.2f} % of the model")
    print(f"  library around the model (lib - model): {med['lib'] - med['model']:.3f} ms = {100 * (med['lib'] - med['model']) / med['model']:.2f} %")
    print(f"  ASE calculator in all (ase - model): {med['ase'] - med['model']:.3f} ms = {100 * (med['ase'] - med['model']) / med['model']:.2f} %")


def spinmd_md(directory):
    """Wall ms per MD step of `spinmd run` (its performance line), 64 atoms."""
    config = {"structure": {"file": str(ROOT / "inputs" / "structures" / "nio-afm2-64.extxyz")},
              "potential": {"type": "spinmultinet", "model": model_path, "spins": "self-consistent"},
              "task": "md", "md": {"ensemble": "nve", "timestep_fs": 1, "steps": md_steps,
                                   "initial_temperature_K": 300, "seed": 4},
              "output": {"directory": directory + "/out", "overwrite": True, "thermo": {"every": md_steps}}}
    path = Path(directory) / "nve.json"
    path.write_text(json.dumps(config))
    out = subprocess.run([str(ROOT / ".build" / "release" / "spinmd"), "run", str(path), "--quiet", "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"steps/s, ([0-9.e+]+) atom-steps/s", out).group(1))
    return 1e3 * len(base) / rate


def ase_md():
    """Wall ms per step of ASE's VelocityVerlet with the calculator, same system and start."""
    from ase import units
    from ase.md.verlet import VelocityVerlet
    try:
        from ase.md.velocitydistribution import thermalize_momenta  # ASE ≥ 3.29
    except ImportError:
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution as thermalize_momenta
    atoms = base.copy()
    thermalize_momenta(atoms, temperature_K=300, rng=np.random.default_rng(4))
    atoms.calc = SpinMultiNetCalculator(model=model_path, threads=threads)
    dyn = VelocityVerlet(atoms, timestep=1 * units.fs)
    t = time.perf_counter()
    dyn.run(md_steps)
    return 1e3 * (time.perf_counter() - t) / md_steps


print(f"\nMD, 64-atom AFM-II NiO, NVE 300 K, 1 fs, {md_steps} steps, committee, self-consistent spins, "
      f"{threads} thread(s): ms per step (first steps included), alternating")
with tempfile.TemporaryDirectory() as d:
    for repeat in range(2):
        cli, py = spinmd_md(d), ase_md()
        print(f"  spinmd run {cli:.2f}   ASE VelocityVerlet {py:.2f}   ratio {py / cli:.3f}")
