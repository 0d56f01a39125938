"""`import cxmetrics` is light: fast, and no heavy dependency loaded."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["scipy.stats", "statsmodels", "matplotlib", "jieba", "snownlp", "pandas", "polars"]


def _fresh_import() -> dict[str, object]:
    code = (
        "import json, sys, time; t = time.perf_counter(); import cxmetrics; "
        "elapsed = time.perf_counter() - t; "
        f"print(json.dumps({{'elapsed': elapsed, 'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_loads_no_heavy_module():
    assert _fresh_import()["loaded"] == []


def test_import_is_fast():
    # The best of three fresh processes, so one slow start on a busy machine does not fail it.
    best = min(float(_fresh_import()["elapsed"]) for _ in range(3))  # type: ignore[arg-type]
    assert best < 0.5
