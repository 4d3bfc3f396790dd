"""Every ```python block of docs/python.md runs as-is from the repository root."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.M | re.S)


def block_id(number, code):
    """The block's number and its first comment line, e.g. '4-ase-relaxation-of-afm-ii-nio'."""
    comment = next((line.lstrip("# ").strip() for line in code.splitlines() if line.startswith("#")), "")
    comment = re.sub(r"^Example:\s*", "", comment).replace("Γ", "gamma")
    slug = re.sub(r"[^a-z0-9]+", "-", comment.lower()).strip("-")[:50]
    return f"{number}-{slug}" if slug else str(number)


def test_the_document_has_examples():
    assert len(BLOCKS) >= 5, f"{DOC} has {len(BLOCKS)} python blocks"


@pytest.mark.parametrize("number", range(len(BLOCKS)), ids=[block_id(k, b) for k, b in enumerate(BLOCKS)])
def test_block_runs(number):
    result = subprocess.run([sys.executable, "-c", BLOCKS[number]], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"block {number} exited with {result.returncode}:\n{result.stderr[-3000:]}"
    print(result.stdout)
