"""Raking speed and memory against ipfn, in the same run.

    python benchmarks/weights.py                     # 100,000 and 1,000,000 responses
    python benchmarks/weights.py --sizes 1000000 --repeat 3
    python benchmarks/weights.py --smoke             # tiny, once (CI)

The survey: n responses, 4 margins with 50 levels in all (region 20, tier 15, age 10,
channel 5), sampled with skewed shares and raked back to population shares, to tol 1e-8.
Two starts: every row at 1 (rows collapse to ~15,000 distinct cells), and a continuous base
weight per row (every row its own unit). ``cxmetrics.rake`` is the median of ``--repeat``
calls after a warm-up; ipfn 1.4 (pandas rows, ``convergence_rate=1e-8``) is timed once per
size, since it is the slow side. Each (implementation, case, size) runs in a fresh process;
peak memory is resident memory sampled every millisecond during the calls, minus before
them. The largest margin error of each result is measured here from the returned weights.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from run import _PeakSampler, _rss_mb

LEVELS = {"region": 20, "tier": 15, "age": 10, "channel": 5}


def survey(n: int, seed: int = 0) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Skewed responses and the population margins they should be raked to."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    margins = {}
    for column, k in LEVELS.items():
        levels = [f"{column}{i:02d}" for i in range(k)]
        sample = rng.dirichlet(np.full(k, 2.0))
        population = rng.dirichlet(np.full(k, 8.0))
        codes = rng.choice(k, n, p=sample)
        codes[:k] = np.arange(k)
        data[column] = pd.Categorical.from_codes(codes, levels).astype(str)
        margins[column] = dict(zip(levels, population / population.sum(), strict=True))
    data["base"] = rng.uniform(0.5, 2.0, n)
    return pd.DataFrame(data), margins


def max_margin_error(df: pd.DataFrame, weight: np.ndarray, margins: dict) -> float:
    worst = 0.0
    for column, shares in margins.items():
        got = pd.Series(weight).groupby(df[column].to_numpy()).sum() / weight.sum()
        worst = max(worst, float(np.max(np.abs(got - pd.Series(shares)))))
    return worst


def cxmetrics_rake(df: pd.DataFrame, margins: dict, base: bool) -> np.ndarray:
    import cxmetrics as cx

    weighted, _ = cx.rake(df, margins=margins, base_weight="base" if base else None, max_iter=1000)
    return weighted["weight"].to_numpy()


def ipfn_rake(df: pd.DataFrame, margins: dict, base: bool) -> np.ndarray:
    from ipfn import ipfn

    table = df[list(LEVELS)].copy()
    table["total"] = df["base"].to_numpy() if base else 1.0
    total = table["total"].sum()
    aggregates = []
    for column, shares in margins.items():
        series = pd.Series(shares) * total
        series.index.name = column
        aggregates.append(series)
    fitted = ipfn.ipfn(table, aggregates, [[c] for c in LEVELS], weight_col="total",
                       convergence_rate=1e-8, max_iteration=1000).iteration()
    return fitted["total"].to_numpy()


IMPLEMENTATIONS = {"cxmetrics": cxmetrics_rake, "ipfn": ipfn_rake}


def worker(name: str, case: str, size: int, repeat: int) -> dict[str, float]:
    df, margins = survey(size)
    function = IMPLEMENTATIONS[name]
    base = case == "base weights"
    if name == "cxmetrics" and repeat > 1:
        function(df.head(1000), margins, base)  # warm-up: imports
    gc.collect()
    before = _rss_mb()
    sampler = _PeakSampler()
    sampler.start()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        weight = function(df, margins, base)
        times.append(time.perf_counter() - start)
    peak = max(sampler.stop() - before, 0.0)
    return {"median": statistics.median(times), "peak_mb": peak,
            "error": max_margin_error(df, weight, margins)}


def measure(name: str, case: str, size: int, repeat: int) -> dict[str, float]:
    out = subprocess.run(
        # ipfn warns on every call about pandas' deprecated inplace=; silenced for the worker only
        [sys.executable, "-W", "ignore::DeprecationWarning", __file__, "--worker", name,
         "--case", case, "--sizes", str(size),
         "--repeat", str(repeat)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one tiny run of every case")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.case, args.sizes[0], args.repeat)))
        return
    sizes, repeat = ([2_000], 1) if args.smoke else (args.sizes, args.repeat)
    print(f"{'case':<14} {'responses':>10} {'cx s':>8} {'ipfn s':>8} {'ratio':>7} "
          f"{'cx MB':>7} {'ipfn MB':>8} {'cx error':>9} {'ipfn error':>10}")
    for case in ("start at 1", "base weights"):
        for size in sizes:
            cx = measure("cxmetrics", case, size, repeat)
            ref = measure("ipfn", case, size, 1)
            print(f"{case:<14} {size:>10,} {cx['median']:>8.3f} {ref['median']:>8.2f} "
                  f"{cx['median'] / ref['median']:>7.3f} {cx['peak_mb']:>7.0f} {ref['peak_mb']:>8.0f} "
                  f"{cx['error']:>9.1e} {ref['error']:>10.1e}", flush=True)


if __name__ == "__main__":
    main()
