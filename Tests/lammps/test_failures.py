"""Bad input stops LAMMPS with `ERROR:` and spinmd's message, a non-zero exit status and no crash
(no signal), on 1 and 2 ranks."""
import pytest

from conftest import PLUGIN, SHIPPED, nio_afm2_64, run_lammps, write_data


def script(model=SHIPPED, elements="Ni O", moments_fix="fix m0 all property/atom d_m0",
           read="read_data data.lmp fix m0 NULL Moments", style_extra="", units="metal", newton="",
           run="run 0"):
    return f"""
plugin load {PLUGIN}
units {units}
atom_style atomic
{newton}
{moments_fix}
{read}
pair_style spinmd {model} threads 1 {style_extra}
pair_coeff * * {elements}
{run}
"""


CASES = {
    "bad model path": (dict(model="/nonexistent/model.safetensors"),
                       ["spinmd: cannot open the model: model file '/nonexistent/model.safetensors' does not exist"]),
    "not a model file": (dict(model=str(PLUGIN)), ["spinmd: cannot open the model:", "not a valid SpinMultiNet model file"]),
    "unknown element": (dict(elements="Ni Xx"), ["spinmd: unknown element Xx for atom type 2"]),
    "element not in the model": (dict(elements="Ni Fe"), ["has no parameters for element Fe", "its species: Ni, Mn, O"]),
    "NULL element": (dict(elements="Ni NULL"), ["spinmd: NULL in pair_coeff is not supported"]),
    "too few elements": (dict(elements="Ni"), ["spinmd: usage: pair_coeff * *"]),
    "missing moments": (dict(moments_fix="", read="read_data plain.lmp"),
                        ["spinmd: no per-atom property d_m0", "fix ID all property/atom d_m0"]),
    "moments of the wrong shape": (dict(style_extra="moments d2_m0"),
                                   ["spinmd: per-atom property d2_m0 must be a double array with 3 columns"]),
    "missing output property": (dict(style_extra="output d_m"), ["spinmd: no per-atom property d_m for the converged moments"]),
    "unknown keyword": (dict(style_extra="colour blue"), ["spinmd: unknown pair_style keyword colour"]),
    "bad spins": (dict(style_extra="spins sometimes"), ["spinmd: spins must be self-consistent or fixed"]),
    "members out of range": (dict(style_extra="members 7"), ["spinmd: cannot open model"]),
    "units real": (dict(units="real"), ["spinmd: pair_style spinmd needs units metal"]),
    "newton pair off": (dict(newton="newton off"), ["spinmd: pair_style spinmd needs newton pair on"]),
    "spins not converged": (dict(style_extra="max_iterations 1"),
                            ["spinmd: evaluation failed", "did not converge in 1 iterations"]),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    directory = tmp_path_factory.mktemp("data")
    write_data(nio_afm2_64(), directory / "data.lmp")
    return (directory / "data.lmp").read_text()


# Input checks run alike on every rank: 2 ranks for a sample, and for the library's failure.
RUNS = [(case, 1) for case in CASES] + [(case, 2) for case in ("bad model path", "unknown element", "missing moments",
                                                                 "spins not converged")]


@pytest.mark.parametrize("case,ranks", RUNS)
def test_failure_is_a_lammps_error(tmp_path, data, case, ranks):
    arguments, messages = CASES[case]
    (tmp_path / "data.lmp").write_text(data)
    (tmp_path / "plain.lmp").write_text(data[:data.index("\nMoments")])
    result = run_lammps(script(**arguments), tmp_path, ranks=ranks, check=False, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{case}: exit status {result.returncode} (negative: a signal)\n{output[-3000:]}"
    error_lines = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert error_lines, f"{case}: no ERROR line\n{output[-3000:]}"
    for message in messages:
        assert any(message in line for line in error_lines), f"{case}: {message!r} not in {error_lines}"
    for crash in ("Segmentation fault", "signal", "Aborted", "core dumped", "BAD TERMINATION"):
        assert crash not in output, f"{case}: {crash!r} in the output\n{output[-3000:]}"
