"""Bad input raises a Python exception carrying the library's message; the interpreter survives.

Every case runs in a fresh interpreter, so a crash (a signal) would show as its exit status."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, SHIPPED

SETUP = f"""
import numpy as np
from ase.build import bulk
import spinmd
from spinmd import SpinMultiNetCalculator, Model
atoms = bulk("NiO", "rocksalt", a=4.17, cubic=True)
atoms.set_initial_magnetic_moments([2, 0, -2, 0, 2, 0, -2, 0][:len(atoms)])
model = {str(SHIPPED)!r}
"""

CASES = {
    "missing model file": ("SpinMultiNetCalculator(model='/nonexistent/model.safetensors')", "ModelFileError", "does not exist"),
    "not a model file": (f"SpinMultiNetCalculator(model={str(ROOT / 'README.md')!r})", "ModelFileError", "README.md"),
    "unknown species": ("atoms.symbols[0] = 'Fe'; atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_potential_energy()",
                        "UnsupportedSpeciesError", "element Fe"),
    "missing moments": ("atoms.set_array('initial_magmoms', None); atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_potential_energy()",
                        "InvalidArgumentError", "initial magnetic moments"),
    "NaN position": ("atoms.positions[1, 0] = np.nan; atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_forces()",
                     "GeometryError", "atom 2"),
    "atom far away": ("atoms.positions[3] = 1e12; atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_forces()",
                      "GeometryError", "atom 4"),
    "collapsed cell": ("atoms.set_cell([[4, 0, 0], [4, 0, 0], [0, 0, 4]]); atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_forces()",
                       "GeometryError", "linearly dependent"),
    "tiny cell": ("atoms.set_cell(atoms.cell * 1e-4, scale_atoms=True); atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_forces()",
                  "GeometryError", "periodic images"),
    "wrong member": ("SpinMultiNetCalculator(model=model, members=[7])", "InvalidArgumentError", "member numbers from 1 to 3"),
    "wrong spins": ("SpinMultiNetCalculator(model=model, spins='frozen')", "InvalidArgumentError", "spins"),
    "bad tolerance": ("SpinMultiNetCalculator(model=model, tolerance_uB=-1)", "InvalidArgumentError", "tolerance_uB"),
    "moment shape": ("Model(model).evaluate(atoms.numbers, atoms.positions, atoms.cell, True, np.zeros((len(atoms), 2)))",
                     "InvalidArgumentError", "initial moments have shape"),
    "NaN moment": ("atoms.set_initial_magnetic_moments([np.nan] + [0] * 7); atoms.calc = SpinMultiNetCalculator(model=model); atoms.get_forces()",
                   "InvalidArgumentError", "initial moment of atom 1"),
    "no convergence": ("atoms.calc = SpinMultiNetCalculator(model=model, max_iterations=1, tolerance_uB=1e-14); atoms.rattle(0.1); atoms.get_forces()",
                       "NotConvergedError", "did not converge"),
    "closed model": ("m = Model(model); m.close(); m.cutoff", "SpinMDError", "closed"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_raises_and_the_interpreter_lives_on(case):
    statement, error, fragment = CASES[case]
    script = SETUP + textwrap.dedent(f"""
        try:
            {statement}
        except spinmd.{error} as e:
            print("RAISED", type(e).__name__, e)
        else:
            print("NO EXCEPTION")
        print("ALIVE")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert "RAISED" in result.stdout, result.stdout + result.stderr[-2000:]
    assert fragment in result.stdout, result.stdout
    assert result.stdout.rstrip().endswith("ALIVE")
