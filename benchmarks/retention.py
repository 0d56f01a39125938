"""Weekly cohort retention: ``cx.cohort_retention`` against the same table written by hand.

The log: ``customers`` customers whose first event falls anywhere in 2024 and who come back
for ``events / customers`` events on average, with exponentially distributed delays, cut at
the end of the year. The table: weekly cohorts (Monday weeks), n-day retention in weeks 0..12,
only the weeks observable by the last event, Wilson 95 % intervals (statsmodels), sorted by
cohort and week. The baselines are that computation written the way an analyst would in
pandas and in polars; all three tables are checked to be equal.

Each (implementation, size) runs in a fresh process: the data are built, then the call is
timed ``--repeat`` times (median), and the peak resident memory the call added above the data
is sampled every millisecond.

    python benchmarks/retention.py                 # 1M events / 100k customers, then 10M / 1M
    python benchmarks/retention.py --sizes 1000000 --repeat 3
    python benchmarks/retention.py --smoke         # tiny size, once, no timing claims
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from run import _PeakSampler, _rss_mb

PERIODS = 12
SMOKE_EVENTS = 20_000


def make_log(events: int, seed: int = 0) -> pd.DataFrame:
    """``events`` events of ``events // 10`` customers over 2024 (every customer has one)."""
    rng = np.random.default_rng(seed)
    customers = max(events // 10, 1)
    start = rng.integers(0, 366, customers)
    who = np.concatenate([np.arange(customers), rng.integers(0, customers, events - customers)])
    delay = np.where(np.arange(events) < customers, 0, rng.exponential(45.0, events).astype(np.int64))
    day = np.minimum(start[who] + delay, 365)
    seconds = day * 86_400 + rng.integers(0, 86_400, events)
    moment = np.datetime64("2024-01-01T00:00:00", "us") + seconds.astype("timedelta64[s]")
    order = rng.permutation(events)
    return pd.DataFrame({"customer": who[order], "time": moment[order]})


def wilson(retained: np.ndarray, size: np.ndarray) -> tuple[Any, Any]:
    from statsmodels.stats.proportion import proportion_confint

    return proportion_confint(retained, size, alpha=0.05, method="wilson")


def hand_pandas(log: pd.DataFrame) -> pd.DataFrame:
    days = log["time"].to_numpy().astype("datetime64[D]").astype(np.int64)
    week = (days + 3) // 7  # Monday weeks
    active = pd.DataFrame({"customer": log["customer"].to_numpy(), "week": week}).drop_duplicates()
    cohort = active.groupby("customer")["week"].transform("min")
    offset = active["week"] - cohort
    sizes = active.groupby("customer")["week"].min().value_counts().rename("cohort_size")
    keep = (offset <= PERIODS).to_numpy()
    counts = (pd.DataFrame({"cohort": cohort[keep], "period": offset[keep]})
              .groupby(["cohort", "period"]).size().rename("retained").reset_index())
    grid = sizes.rename_axis("cohort").reset_index().merge(
        pd.DataFrame({"period": np.arange(PERIODS + 1)}), how="cross")
    table = grid[grid["period"] <= week.max() - grid["cohort"]].merge(
        counts, on=["cohort", "period"], how="left").fillna({"retained": 0})
    table["retained"] = table["retained"].astype(np.int64)
    table = table.sort_values(["cohort", "period"]).reset_index(drop=True)
    table["rate"] = table["retained"] / table["cohort_size"]
    table["ci_low"], table["ci_high"] = wilson(table["retained"].to_numpy(), table["cohort_size"].to_numpy())
    table["cohort"] = (table["cohort"].to_numpy() * 7 - 3).astype("datetime64[D]")
    return table


def hand_polars(log: Any) -> Any:
    import polars as pl

    week = ((pl.col("time").dt.epoch("d") + 3) // 7).alias("week")
    active = log.select("customer", week).unique()
    cohorts = active.group_by("customer").agg(pl.col("week").min().alias("cohort"))
    last = active.select(pl.col("week").max()).item()
    sizes = cohorts.group_by("cohort").agg(pl.len().alias("cohort_size"))
    counts = (active.join(cohorts, on="customer")
              .with_columns((pl.col("week") - pl.col("cohort")).alias("period"))
              .filter(pl.col("period") <= PERIODS)
              .group_by("cohort", "period").agg(pl.len().alias("retained")))
    table = (sizes.join(pl.DataFrame({"period": np.arange(PERIODS + 1)}), how="cross")
             .filter(pl.col("period") <= last - pl.col("cohort"))
             .join(counts, on=["cohort", "period"], how="left")
             .with_columns(pl.col("retained").fill_null(0))
             .sort("cohort", "period")
             .with_columns((pl.col("retained") / pl.col("cohort_size")).alias("rate")))
    low, high = wilson(table["retained"].to_numpy(), table["cohort_size"].to_numpy())
    return table.with_columns(pl.Series("ci_low", low), pl.Series("ci_high", high),
                              (pl.col("cohort") * 7 - 3).cast(pl.Date).alias("cohort"))


def cx_call(log: Any) -> Any:
    import cxmetrics as cx

    return cx.cohort_retention(log, customer="customer", time="time", freq="W", periods=PERIODS)


IMPLEMENTATIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "cxmetrics, pandas in": ("pandas", cx_call),
    "hand-written pandas": ("pandas", hand_pandas),
    "cxmetrics, polars in": ("polars", cx_call),
    "hand-written polars": ("polars", hand_polars),
}
COMPARISONS = [("cxmetrics, pandas in", "hand-written pandas"),
               ("cxmetrics, polars in", "hand-written polars")]


def load(events: int, backend: str) -> Any:
    log = make_log(events)
    if backend == "polars":
        import polars as pl

        return pl.from_pandas(log)
    return log


def as_key_table(result: Any) -> pd.DataFrame:
    import narwhals as nw

    frame = nw.from_native(result).to_pandas()
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.as_unit("us")
    return frame[["cohort", "period", "cohort_size", "retained", "rate", "ci_low", "ci_high"]]


def worker(name: str, events: int, repeat: int) -> dict[str, Any]:
    backend, function = IMPLEMENTATIONS[name]
    data = load(events, backend)
    function(data)  # warm-up: imports, first-call costs
    times = []
    before = _rss_mb()
    sampler = _PeakSampler()
    sampler.start()
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(data)
        times.append(time.perf_counter() - start)
    peak = sampler.stop()
    table = as_key_table(result)
    return {"seconds": statistics.median(times), "peak_mb": max(peak - before, 0.0),
            "rows": len(table), "retained": int(table["retained"].sum())}


def measure(name: str, events: int, repeat: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(events), str(repeat)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def check_equal(events: int) -> None:
    """All implementations give the same table (at a small size)."""
    log = make_log(events)
    import polars as pl

    want = as_key_table(hand_pandas(log))
    for result in (cx_call(log), cx_call(pl.from_pandas(log)), hand_polars(pl.from_pandas(log))):
        pd.testing.assert_frame_equal(as_key_table(result), want, check_dtype=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000],
                        help="numbers of events (customers: a tenth)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="tiny size, once")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, events, repeat = args.worker
        print(json.dumps(worker(name, int(events), int(repeat))))
        return
    sizes, repeat = ([SMOKE_EVENTS], 1) if args.smoke else (args.sizes, args.repeat)
    check_equal(min(min(sizes), 200_000))
    print("| case | events | customers | baseline | cx s | baseline s | ratio (cx / baseline) "
          "| cx peak MB | baseline peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for events in sizes:
        runs = {name: measure(name, events, repeat) for name in IMPLEMENTATIONS}
        for ours, theirs in COMPARISONS:
            a, b = runs[ours], runs[theirs]
            assert (a["rows"], a["retained"]) == (b["rows"], b["retained"]), (ours, theirs)
            print(f"| {ours} | {events:,} | {events // 10:,} | {theirs} | {a['seconds']:.3f} | "
                  f"{b['seconds']:.3f} | {a['seconds'] / b['seconds']:.2f} | {a['peak_mb']:.0f} | "
                  f"{b['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
