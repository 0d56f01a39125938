"""Scaling out: survey NPS and journey transitions on up to 100 million rows.

DuckDB reads synthetic Parquet files and runs ``cx.nps`` and ``cx.transitions`` in the
engine (memory limit 4 GB, spilling to disk beyond it); pandas runs the same calls on the same
rows loaded into memory, at each size it can hold. Each case runs in a fresh process, which
reports its wall time and its peak resident memory (``ru_maxrss``, so for pandas it includes
holding the data, as a pandas user must).

    python benchmarks/scale.py --sizes 10_000_000 30_000_000 100_000_000 --out results/scale.json

The data are written once to ``--data`` (about 1 GB per 100 million rows). ``--smoke`` runs
every case once on 20,000 rows written to a temporary folder (CI).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STAGES = ["home", "search", "product", "cart", "checkout", "purchase"]
EVENTS_PER_CUSTOMER = 10
DUCKDB_MEMORY = "4GB"
PANDAS_ADDRESS_LIMIT = 22 * 1024**3  # of the machine's 24 GB


def write_data(folder: Path, rows: int) -> None:
    """Survey rows and journey events as Parquet, generated inside DuckDB from hashes of row ids."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    survey, events = folder / f"survey_{rows}.parquet", folder / f"events_{rows}.parquet"
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{DUCKDB_MEMORY}'")
    if not survey.exists():
        con.execute(f"""COPY (SELECT CAST(hash(i) % 11 AS TINYINT) AS ltr,
                                     'region_' || CAST(hash(i + 1) % 40 AS VARCHAR) AS region
                              FROM range({rows}) t(i)) TO '{survey}' (FORMAT parquet)""")
    if not events.exists():
        stages = "[" + ", ".join(f"'{s}'" for s in STAGES) + "]"
        con.execute(f"""COPY (SELECT i // {EVENTS_PER_CUSTOMER} AS customer,
                                     TIMESTAMP '2024-01-01' + to_seconds(
                                         (i // {EVENTS_PER_CUSTOMER}) % 86400 * 60
                                         + (i % {EVENTS_PER_CUSTOMER}) * 90 + hash(i) % 60) AS time,
                                     list_extract({stages}, 1 + CAST(hash(i + 7) % 6 AS INTEGER)) AS stage
                              FROM range({rows}) t(i)) TO '{events}' (FORMAT parquet)""")


def run_case(engine: str, task: str, path: str) -> dict[str, Any]:
    """One timed call in this process: load (pandas) or open (DuckDB), then the cxmetrics call."""
    import cxmetrics as cx

    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET memory_limit='{DUCKDB_MEMORY}'")
        con.execute("SET threads=2")
        data = con.read_parquet(path)
    else:
        import pandas as pd

        # fail with MemoryError rather than push the shared machine into swap
        resource.setrlimit(resource.RLIMIT_AS, (PANDAS_ADDRESS_LIMIT, PANDAS_ADDRESS_LIMIT))
        data = pd.read_parquet(path)
    start = time.perf_counter()
    if task == "nps":
        result = cx.nps(data, score="ltr", by="region")
    else:
        result = cx.transitions(data, customer="customer", time="time", stage="stage")
    seconds = time.perf_counter() - start
    rows = len(result)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"engine": engine, "task": task, "seconds": seconds, "peak_mb": peak_mb, "result_rows": rows}


def measure(engine: str, task: str, path: Path) -> dict[str, Any]:
    """Run one case in a fresh process; a case that runs out of memory is reported, not fatal."""
    done = subprocess.run([sys.executable, __file__, "--case", engine, task, str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": engine, "task": task, "failed": done.stderr.strip().splitlines()[-1:] or
                [f"exit {done.returncode}"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000_000, 30_000_000, 100_000_000])
    parser.add_argument("--pandas-max", type=int, default=100_000_000,
                        help="largest size pandas is tried at")
    parser.add_argument("--data", type=Path, default=Path("/tmp/cxmetrics-scale"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="every case once on 20,000 rows")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case)))
        return
    if args.smoke:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            args.sizes, args.data = [20_000], Path(folder)
            run_all(args)
        return
    run_all(args)


def run_all(args: argparse.Namespace) -> None:
    results = []
    for rows in args.sizes:
        write_data(args.data, rows)
        for task, name in (("nps", "survey"), ("transitions", "events")):
            path = args.data / f"{name}_{rows}.parquet"
            engines = ["duckdb"] + (["pandas"] if rows <= args.pandas_max else [])
            for engine in engines:
                result = {"rows": rows, **measure(engine, task, path)}
                print(json.dumps(result), flush=True)
                if "failed" in result and args.smoke:
                    raise SystemExit(f"{engine} {task} failed: {result['failed']}")
                results.append(result)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
