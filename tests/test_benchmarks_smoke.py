"""Every benchmark script runs once at its smallest size (``--smoke``), so none can rot.

The scripts are found by glob, so a new benchmarks/*.py with a ``__main__`` block is included
without registering it. Nothing is timed; a script whose optional baseline package is not
installed is skipped, naming the package.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if "__main__" in p.read_text())


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_benchmark_smoke(script: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script), "--smoke"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)
    missing = re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", done.stderr)
    if done.returncode != 0 and missing and not missing.group(1).startswith("cxmetrics"):
        pytest.skip(f"{script.name}: optional baseline {missing.group(1)} is not installed")
    assert done.returncode == 0, done.stderr[-3000:]
