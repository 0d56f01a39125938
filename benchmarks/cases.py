"""Benchmark cases: each names a cxmetrics call and the baselines it is measured against.

A case is a data builder plus implementations. ``COMPARISONS`` lists which implementation is
compared with which baseline; the runner times every implementation in its own process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

N_REGIONS = 20
N_STORES = 500


def survey_data(n: int, backend: str) -> Any:
    """n responses with two keys (a 20-value string, a 500-value integer) and a 0–10 score."""
    rng = np.random.default_rng(42)
    columns = {
        "region": np.array([f"r{i:02d}" for i in range(N_REGIONS)])[rng.integers(0, N_REGIONS, n)],
        "store": rng.integers(0, N_STORES, n),
        "score": rng.integers(0, 11, n),
    }
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(columns)
    import polars as pl

    return pl.DataFrame(columns)


def cx_nps(df: Any) -> Any:
    import cxmetrics as cx

    return cx.nps(df, score="score", by=["region", "store"])


def pandas_groupby(df: Any) -> Any:
    flags = df.assign(det=df["score"] <= 6, pro=df["score"] >= 9)
    out = flags.groupby(["region", "store"]).agg(
        n=("score", "count"), det=("det", "sum"), pro=("pro", "sum")
    )
    out["nps"] = 100.0 * (out["pro"] - out["det"]) / out["n"]
    return out


def numpy_bound(df: Any) -> Any:
    import pandas as pd

    region, _ = pd.factorize(df["region"].to_numpy())
    store, _ = pd.factorize(df["store"].to_numpy())
    group = region * (store.max() + 1) + store
    score = df["score"].to_numpy()
    size = group.max() + 1
    n = np.bincount(group, minlength=size)
    det = np.bincount(group, weights=score <= 6, minlength=size)
    pro = np.bincount(group, weights=score >= 9, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * (pro - det) / n


def polars_group_by(df: Any) -> Any:
    import polars as pl

    score = pl.col("score")
    return df.group_by("region", "store").agg(
        n=pl.len(), det=(score <= 6).sum(), pro=(score >= 9).sum()
    ).with_columns(nps=100.0 * (pl.col("pro") - pl.col("det")) / pl.col("n"))


#: implementation name -> (data builder backend, function)
IMPLEMENTATIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "cxmetrics.nps[pandas]": ("pandas", cx_nps),
    "pandas groupby": ("pandas", pandas_groupby),
    "numpy bincount": ("pandas", numpy_bound),
    "cxmetrics.nps[polars]": ("polars", cx_nps),
    "polars group_by": ("polars", polars_group_by),
}

#: (case label, implementation, baseline, goal ratio as the issue states it)
COMPARISONS = [
    ("nps by 2 keys, pandas in", "cxmetrics.nps[pandas]", "pandas groupby", 1.0),
    ("nps by 2 keys, pandas in", "cxmetrics.nps[pandas]", "numpy bincount", 2.0),
    ("nps by 2 keys, polars in", "cxmetrics.nps[polars]", "polars group_by", 1.0),
]

DATA = {"survey": survey_data}
