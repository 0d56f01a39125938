"""Types a service can use: a ``mypy --strict`` check of a user's script over every module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "typing_check" / "service.py"


def test_a_strict_user_script_type_checks_without_any_leaking():
    pytest.importorskip("mypy")
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    # the library's own modules are checked by the project's mypy run; here only the user script
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
               "--python-version", "3.11", str(SCRIPT)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr


def test_strict_mode_catches_a_wrong_type(tmp_path: Path):
    pytest.importorskip("mypy")
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import pandas as pd\nimport polars as pl\nimport cxmetrics as cx\n\n"
        "def f(frame: pl.DataFrame) -> pd.DataFrame:\n    return cx.nps(frame, score='ltr')\n"
    )
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
               "--python-version", "3.11", str(wrong)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 1 and "Incompatible return value" in out.stdout, out.stdout
